"""The routing conversation as plain functions: where the user works, what kind of work,
then the best one to three contacts (or national services, or a person). What the user said
for routing lives only in the conversation's slots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_datetime

from bot import messages as m
from bot.dialogue import Outcome, Turn, reply_language, waiting
from bot.flows.base import Context
from bot.notes import Referral
from bot.replies import Button, Reply, Responder, payload
from bot.routing.contacts import Contact, Directory
from bot.routing.places import Place, match_place, nearest_place
from bot.routing.rank import Ranked, fallback, rank

SECTOR_LABELS = {
    "construction": m.SECTOR_CONSTRUCTION, "delivery": m.SECTOR_DELIVERY, "retail": m.SECTOR_RETAIL,
    "cleaning": m.SECTOR_CLEANING, "agriculture": m.SECTOR_AGRICULTURE, "manufacturing": m.SECTOR_MANUFACTURING,
    "hospitality": m.SECTOR_HOSPITALITY, "domestic": m.SECTOR_DOMESTIC, "transport": m.SECTOR_TRANSPORT,
    "other": m.SECTOR_OTHER,
}
TOP_PLACES = {"RU": ("moskva", "sankt_peterburg", "moskovskaya_oblast", "ekaterinburg", "novosibirsk", "kazan"),
              "KZ": ("almaty", "astana", "shymkent")}
NONE = "none"
NAME = "route"
TOPIC = "contact_union"


@dataclass(frozen=True)
class Routing:
    """What routing needs besides the turn: the contacts, the time, and whether unverified
    (sample) entries may be shown (development only)."""

    directory: Directory
    now: dt.datetime
    include_unverified: bool


def _(responder: Responder, language: str, message: str) -> str:
    return responder.text(language, message)


def place_name(place: Place, language: str) -> str:
    return place.name("ru" if language == "uz_Cyrl" else language)


def start(responder: Responder, routing: Routing, turn: Turn) -> Outcome:
    """The user asked for a union or a contact; a place in the same message, or a location the
    user shared earlier, is used at once."""
    language = reply_language(responder, turn)
    place = None if turn.is_button else match_place(turn.text, routing.directory.places)
    if place is None and turn.place:
        place = nearest_place(turn.place, routing.directory.places)
    asked = ask_sector(responder, language, city=place.id) if place is not None \
        else ask_place(responder, routing, language, turn.country)
    intro = responder.intro(language, "contact_union", turn.country)
    return Outcome(intro[:1] + asked.replies, asked.slots)


def ask_place(responder: Responder, routing: Routing, language: str, country: str | None,
              *, unknown: bool = False) -> Outcome:
    by_id = routing.directory.places.by_id
    ids = TOP_PLACES.get(country or "", ()) or (*TOP_PLACES["RU"][:4], *TOP_PLACES["KZ"][:2])
    buttons = [Button(place_name(by_id[i], language), payload("route", city=i)) for i in ids if i in by_id]
    buttons.append(Button(_(responder, language, m.ROUTE_OTHER_PLACE), payload("route", city=NONE)))
    text = _(responder, language, m.ROUTE_PLACE_UNKNOWN if unknown else m.ROUTE_ASK_PLACE)
    return Outcome([Reply(text, tuple(buttons))], {"language": language, "flow": waiting(NAME, "place")})


def ask_sector(responder: Responder, language: str, *, city: str) -> Outcome:
    buttons = [Button(_(responder, language, label), payload("route", sector=code))
               for code, label in SECTOR_LABELS.items()]
    buttons.append(Button(_(responder, language, m.ROUTE_SKIP), payload("route", sector=NONE)))
    return Outcome([Reply(_(responder, language, m.ROUTE_ASK_SECTOR), tuple(buttons))],
                   {"language": language, "city": city, "flow": waiting(NAME, "sector")})


def step(responder: Responder, routing: Routing, turn: Turn) -> Outcome:
    """A routing button (/route{"city": …} or /route{"sector": …})."""
    language = reply_language(responder, turn)
    city, sector = turn.entities.get("city"), turn.entities.get("sector")
    if city is not None:
        return ask_sector(responder, language, city=city if city in routing.directory.places.by_id else NONE)
    if sector is not None:
        chosen = sector if sector in SECTOR_LABELS else None
        return results(responder, routing, turn, language, sector=chosen)
    return ask_place(responder, routing, language, turn.country)


def typed_place(responder: Responder, routing: Routing, turn: Turn) -> Outcome | None:
    """While the bot waits for a place, typed text that names one continues routing."""
    if turn.step(NAME) != "place" or turn.is_button:
        return None
    place = match_place(turn.text, routing.directory.places)
    if place is None:
        return None
    return ask_sector(responder, reply_language(responder, turn), city=place.id)


def results(responder: Responder, routing: Routing, turn: Turn, language: str, *, sector: str | None) -> Outcome:
    places = routing.directory.places.by_id
    place = places.get(turn.city or "")
    country = turn.country or (place.country if place else None)
    found = rank(routing.directory, country=country, place=place, sector=sector, languages=[language],
                 now=routing.now, include_unverified=routing.include_unverified, referrer=turn.referrer)
    header = m.ROUTE_RESULTS
    if not found:
        found, header = fallback(routing.directory, country, routing.include_unverified)[:3], m.ROUTE_FALLBACK
    human = Button(_(responder, language, m.BTN_HUMAN), payload("handoff_human"))
    menu = Button(_(responder, language, m.BTN_MENU), payload("menu"))
    slots = {"language": language, "flow": None, "sector": sector}
    if not found:
        text = "\n\n".join([_(responder, language, m.ROUTE_NOTHING), responder.emergency_text(language, country)])
        return Outcome([Reply(text, (human, menu))], slots)
    lines = [_(responder, language, header), *(describe(responder, routing, r, language) for r in found)]
    referred = list(dict.fromkeys(r.contact.organisation for r in found))   # for organisers' counts
    return Outcome([Reply("\n\n".join(lines), (human, menu))], slots, [Referral(o) for o in referred])


def describe(responder: Responder, routing: Routing, ranked: Ranked, language: str) -> str:
    contact: Contact = ranked.contact
    organisation = routing.directory.organisations[contact.organisation]
    title = organisation.display_name(language)
    if not contact.verified:
        title += f" ({_(responder, language, m.ROUTE_EXAMPLE)})"
    lines = [f"• {title}"]
    note = contact.note.get(language) or contact.note.get(language.split("_")[0]) or contact.note.get("ru")
    if note:
        lines.append(note)
    channels = contact.channels
    lines += [f"{icon} {value}" for icon, value in (("🌐", channels.web), ("☎", channels.phone),
                                                     ("✈", channels.telegram), ("📍", channels.address)) if value]
    if contact.hours is not None and not contact.hours.always:
        opens = contact.hours.next_open(routing.now)
        if contact.hours.is_open(routing.now):
            lines.append(_(responder, language, m.ROUTE_OPEN_NOW))
        elif opens is not None:
            when = format_datetime(opens, "EEEE HH:mm zzzz", locale=language)
            lines.append(_(responder, language, m.ROUTE_OPENS).format(when=when))
    return "\n".join(lines)


class Route:
    """The Flow (bot/flows/base.py) over the functions above. What was said for routing is
    not secret the way amounts and names are (a city and a kind of work; the city stays for
    the conversation), so it is not forgotten when routing ends."""

    name, topic, offer, entities, forgets = NAME, TOPIC, None, ("city", "sector"), False

    def start(self, context: Context, turn: Turn) -> Outcome:
        return start(context.responder, _routing(context), turn)

    def answer(self, context: Context, turn: Turn, *, strict: bool) -> Outcome | None:
        """A routing button; or a typed place (while it waits for one, a text that names no
        place is, without `strict`, answered by asking again)."""
        routing = _routing(context)       # content/ without contacts: the action apologises
        if turn.is_button:
            return step(context.responder, routing, turn) if turn.intent == NAME else None
        found = typed_place(context.responder, routing, turn)
        if found is None and not strict and turn.step(NAME) == "place":
            return ask_place(context.responder, routing, reply_language(context.responder, turn), turn.country,
                             unknown=True)
        return found


def _routing(context: Context) -> Routing:
    if context.content.directory is None:
        raise LookupError("content/ has no usable contacts (helpline check)")
    return Routing(context.content.directory, context.now, include_unverified=context.development)


FLOW = Route()
