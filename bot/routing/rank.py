"""Which contacts to offer one user: nearest first, then sector, language and opening hours.

Locality decides who is eligible at all: a contact for another city or region is never
offered (it cannot help there), nor is one only for other sectors. The rest is a score whose
reasons are short codes that callers and tests can read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.routing.contacts import Contact, Directory
from bot.routing.places import Place

WEIGHTS = {
    "referrer": 50,  # the user came through this organisation's link: it goes first
    "same_city": 40,
    "same_region": 30,
    "nearby": 20,  # in a region listed as `near` the user's place (Moscow and its oblast)
    "national": 10,
    "sector": 6,
    "all_sectors": 3,
    "speaks_language": 5,
    "open_now": 3,
    "verified": 1,
}
FALLBACK_KINDS = ("inspectorate", "helpline", "government", "union", "ngo")


@dataclass(frozen=True)
class Ranked:
    contact: Contact
    score: int
    reasons: tuple[str, ...]


def rank(directory: Directory, *, country: str | None, place: Place | None, sector: str | None,
         languages: list[str], now: dt.datetime, include_unverified: bool, referrer: str | None = None,
         limit: int = 3) -> list[Ranked]:
    """The best contacts for a user, best first; ties go to the smaller id."""
    country = country or (place.country if place else None)
    if place is not None and place.country != country:
        place = None  # the user named a place in another country than the one they work in
    spoken = {code.split("_")[0].lower() for code in languages}
    found = []
    for contact in directory.contacts:
        if not _visible(contact, country, include_unverified):
            continue
        where = _locality(contact, place, referrer)
        topic = _sector(contact, sector)
        if where is None or topic is None:
            continue
        reasons = (*where, *topic, *_extras(contact, spoken, now, referrer))
        found.append(Ranked(contact, sum(WEIGHTS[r] for r in reasons), reasons))
    return sorted(found, key=lambda r: (-r.score, r.contact.id))[:limit]


def fallback(directory: Directory, country: str | None, include_unverified: bool) -> list[Ranked]:
    """National services of the country of work, for when nothing local fits: inspectorate
    and helplines first, verified before unverified."""
    kinds = {org.id: org.kind for org in directory.organisations.values()}
    found = []
    for contact in directory.contacts:
        if contact.national and _visible(contact, country, include_unverified):
            reasons = ("national", "verified") if contact.verified else ("national",)
            found.append(Ranked(contact, sum(WEIGHTS[r] for r in reasons), reasons))

    def order(ranked: Ranked) -> tuple[int, int, str]:
        kind = kinds.get(ranked.contact.organisation, "")
        position = FALLBACK_KINDS.index(kind) if kind in FALLBACK_KINDS else len(FALLBACK_KINDS)
        return -ranked.score, position, ranked.contact.id

    return sorted(found, key=order)


def _visible(contact: Contact, country: str | None, include_unverified: bool) -> bool:
    return (contact.verified or include_unverified) and country in (None, contact.country)


def _locality(contact: Contact, place: Place | None, referrer: str | None) -> tuple[str, ...] | None:
    if contact.national:
        return ("national",)
    if place is None:
        # where the user is is unknown: only the referring organisation's own local contacts
        return () if referrer is not None and contact.organisation == referrer else None
    if contact.city is not None and contact.city == place.id:
        return ("same_city",)
    if contact.region == place.region:
        return ("same_region",)
    if contact.region in place.near:
        return ("nearby",)
    return None


def _sector(contact: Contact, sector: str | None) -> tuple[str, ...] | None:
    if sector is None:
        return ()
    if sector in contact.sectors:
        return ("sector",)
    return ("all_sectors",) if "all" in contact.sectors else None


def _extras(contact: Contact, spoken: set[str], now: dt.datetime, referrer: str | None) -> tuple[str, ...]:
    reasons = []
    if spoken & set(contact.languages):
        reasons.append("speaks_language")
    if contact.hours is not None and contact.hours.is_open(now):
        reasons.append("open_now")
    if contact.verified:
        reasons.append("verified")
    if referrer is not None and contact.organisation == referrer:
        reasons.append("referrer")
    return tuple(reasons)
