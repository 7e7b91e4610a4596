"""content/contacts.yml: organisations and contacts that can help, read and checked.

Every problem names the file and line, says what is wrong and how to fix it, in words for
organisers. Nothing here decides what a user sees: that is `bot.routing.rank`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bot.content.problems import Problem
from bot.content.wording import T_, TN_, Text
from bot.content.yamlfile import YamlDoc, read_yaml
from bot.routing.places import Places, read_places, time_zone

SECTORS = ("construction", "delivery", "retail", "cleaning", "agriculture", "manufacturing",
           "hospitality", "domestic", "transport", "other")
LANGUAGES = ("ru", "uz", "tg", "ky", "en", "kk")
NAME_LANGUAGES = ("ru", "en", "uz", "uz_Cyrl", "tg", "ky", "kk")
KINDS = ("union", "ngo", "helpline", "government", "inspectorate")
COUNTRIES = ("RU", "KZ", "UZ", "TJ", "KG")
WORK_COUNTRIES = ("RU", "KZ")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("web", "phone", "telegram", "address")
ID = re.compile(r"^[a-z0-9_]{2,32}$")
ORGANISATION_KEYS = frozenset({"id", "name", "kind", "country", "verified", "verified_on", "source"})
CONTACT_KEYS = frozenset({"id", "organisation", "country", "region", "city", "sectors", "languages", "hours",
                          "channels", "verified", "verified_on", "source", "note"})
_INTERVAL = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-]+$")
_TELEGRAM = re.compile(r"^(@|https://t\.me/)[A-Za-z0-9_]{5,32}$")
_DEEP_LINK_LANGUAGES = frozenset({"ru", "uz", "uz_cyrl", "tg", "ky", "en", "kk"})

Where = tuple[str | int, ...]


class _Entry(Protocol):
    @property
    def id(self) -> str: ...


_E = TypeVar("_E", bound=_Entry)


@dataclass(frozen=True)
class Hours:
    """When a contact answers, in its own time zone. `weekly` has 7 entries, Monday first, each
    a tuple of (start, end) minutes after midnight; a day without intervals is closed."""

    timezone: str
    always: bool = False
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7

    def is_open(self, now: dt.datetime) -> bool:
        local = self._local(now)
        minute = local.hour * 60 + local.minute
        return self.always or any(start <= minute < end for start, end in self.weekly[local.weekday()])

    def next_open(self, now: dt.datetime) -> dt.datetime | None:
        """`now` (in the contact's zone) if open, else when it next opens; None if never."""
        local = self._local(now)
        if self.is_open(now):
            return local
        for days in range(8):
            day = local.date() + dt.timedelta(days=days)
            for start, _ in self.weekly[day.weekday()]:
                opens = dt.datetime.combine(day, dt.time(start // 60, start % 60), tzinfo=local.tzinfo)
                if opens > local:
                    return opens
        return None

    def _local(self, now: dt.datetime) -> dt.datetime:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        zone = time_zone(self.timezone)
        if zone is None:
            raise ValueError(f"unknown time zone {self.timezone!r}")
        return now.astimezone(zone)


@dataclass(frozen=True)
class Channels:
    web: str | None = None
    phone: str | None = None
    telegram: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Organisation:
    id: str
    name: dict[str, str] = field(hash=False)
    kind: str
    country: str
    verified: bool
    verified_on: dt.date | None = None
    source: str | None = None

    def display_name(self, language: str) -> str:
        return self.name.get(language) or self.name.get(language.split("_")[0]) or self.name["ru"]


@dataclass(frozen=True)
class Contact:
    id: str
    organisation: str
    country: str
    region: str | None  # None: the whole country
    city: str | None
    sectors: tuple[str, ...]  # ("all",) or a list from SECTORS
    languages: tuple[str, ...]
    hours: Hours | None
    channels: Channels
    verified: bool
    verified_on: dt.date | None = None
    source: str | None = None
    note: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def national(self) -> bool:
        return self.region is None and self.city is None


@dataclass(frozen=True, eq=False)
class Directory:
    organisations: dict[str, Organisation]
    contacts: tuple[Contact, ...]
    places: Places


def load_directory(content_dir: Path) -> tuple[Directory | None, list[Problem]]:
    """Read places.yml and contacts.yml; the directory is None when an error makes it unusable."""
    places, problems = read_places(content_dir / "places.yml")
    file = content_dir / "contacts.yml"
    if not file.exists():
        return None, [*problems, Problem(file, None, T_("the file is missing"),
                                           T_("restore it from git or create it"))]
    doc, found = read_yaml(file)
    problems += found
    if doc is None or places is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, [*problems, doc.problem((), T_("the file should have 'organisations:' and 'contacts:'"),
                                             T_("compare it with the file in git"))]
    organisations = _all(doc, "organisations", problems, lambda i, item: _organisation(doc, i, item, problems))
    orgs = {o.id: o for o in organisations}
    contacts = _all(doc, "contacts", problems, lambda i, item: _contact(doc, i, item, orgs, places, problems))
    if any(not p.warning for p in problems):
        return None, problems
    return Directory(orgs, tuple(contacts), places), problems


def _all(doc: YamlDoc, key: str, problems: list[Problem], read: Callable[[int, Any], _E | None]) -> list[_E]:
    items = doc.data.get(key)
    if not isinstance(items, list):
        problems.append(doc.problem((key,), T_("'{key}:' with a list of entries is missing", key=key),
                                    T_("write '{key}:' and under it entries starting with '- id: ...'", key=key)))
        return []
    result: list[_E] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(items):
        entry = read(i, item)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(doc.problem((key, i, "id"), T_("the id '{id}' is used twice (also on line {line})",
                                                           id=entry.id, line=seen[entry.id]),
                                        T_("give each entry its own id")))
            continue
        seen[entry.id] = doc.line(key, i, "id")
        result.append(entry)
    return result


def _organisation(doc: YamlDoc, i: int, item: Any, problems: list[Problem]) -> Organisation | None:
    """An organisation with a usable id is returned even with other problems (they are reported,
    and the directory is not used), so that its contacts are not also reported as orphans."""
    path: Where = ("organisations", i)
    if not _entry(doc, path, item, ORGANISATION_KEYS, problems):
        return None
    org_id = _id(doc, path, item, problems)
    if org_id in _DEEP_LINK_LANGUAGES:
        problems.append(doc.problem((*path, "id"), T_("the id '{id}' is also a language code, so an "
                                                      "invitation link could not tell them apart", id=org_id),
                                    T_("choose a longer id")))
    name = _texts(doc, (*path, "name"), item.get("name"), NAME_LANGUAGES, problems)
    kind = _choice(doc, path, item, "kind", KINDS, problems)
    country = _choice(doc, path, item, "country", COUNTRIES, problems)
    verified, verified_on, source = _verification(doc, path, item, problems)
    if org_id is None:
        return None
    return Organisation(org_id, name, str(kind), str(country), verified, verified_on, source)


def _contact(doc: YamlDoc, i: int, item: Any, orgs: dict[str, Organisation], places: Places,
             problems: list[Problem]) -> Contact | None:
    path: Where = ("contacts", i)
    if not _entry(doc, path, item, CONTACT_KEYS, problems):
        return None
    before = len(problems)
    contact_id = _id(doc, path, item, problems)
    org = orgs.get(str(item.get("organisation")))
    if org is None:
        problems.append(doc.problem((*path, "organisation"),
                                    T_("organisation '{id}' is not under 'organisations:'",
                                       id=item.get("organisation")),
                                    T_("use an organisation id from the top of this file, "
                                       "or add the organisation there first")))
    country = _choice(doc, path, item, "country", WORK_COUNTRIES, problems)
    region, city = _where(doc, path, item, country, places, problems)
    sectors = _codes(doc, path, item, "sectors", (*SECTORS, "all"), problems)
    languages = _codes(doc, path, item, "languages", LANGUAGES, problems)
    hours = _hours(doc, (*path, "hours"), item.get("hours"), problems)
    channels = _channels(doc, (*path, "channels"), item.get("channels"), problems)
    verified, verified_on, source = _verification(doc, path, item, problems)
    if verified and org is not None and not org.verified:
        problems.append(doc.problem((*path, "verified"),
                                    T_("the contact is verified but its organisation '{id}' is not", id=org.id),
                                    T_("check the organisation too, or set verified: false")))
    note = _texts(doc, (*path, "note"), item.get("note"), NAME_LANGUAGES, problems) if "note" in item else {}
    if len(problems) > before or channels is None:
        return None
    return Contact(str(contact_id), str(item["organisation"]), str(country), region, city, sectors, languages,
                   hours, channels, verified, verified_on, source, note)


# ---------------------------------------------------------------- field checks

def _entry(doc: YamlDoc, path: Where, item: Any, allowed: frozenset[str], problems: list[Problem]) -> bool:
    if not isinstance(item, dict):
        problems.append(doc.problem(path, T_("an entry should be a list of 'key: value' lines"),
                                    T_("copy another entry and change it")))
        return False
    for key in sorted(set(item) - allowed):
        problems.append(doc.problem((*path, key), T_("'{key}' is not a known key", key=key),
                                    T_("check the spelling; the keys are: {keys}", keys=", ".join(sorted(allowed)))))
    return True


def _id(doc: YamlDoc, path: Where, item: dict[str, Any], problems: list[Problem]) -> str | None:
    value = item.get("id")
    if isinstance(value, str) and ID.match(value):
        return value
    problems.append(doc.problem((*path, "id"), T_("the id '{id}' is not usable", id=value),
                                T_("use 2-32 latin lowercase letters, digits or _, for example 'union_msk'")))
    return None


def _choice(doc: YamlDoc, path: Where, item: dict[str, Any], key: str, allowed: tuple[str, ...],
            problems: list[Problem]) -> str | None:
    value = item.get(key)
    if value in allowed:
        return str(value)
    problems.append(doc.problem((*path, key), T_("{key} '{value}' is not known", key=key, value=value),
                                T_("write one of: {choices}", choices=", ".join(allowed))))
    return None


def _codes(doc: YamlDoc, path: Where, item: dict[str, Any], key: str, allowed: tuple[str, ...],
           problems: list[Problem]) -> tuple[str, ...]:
    values = item.get(key)
    if not isinstance(values, list) or not values:
        problems.append(doc.problem((*path, key), T_("'{key}' should be a list", key=key),
                                    T_("write for example {example}; allowed: {choices}",
                                       example=f"{key}: [{allowed[0]}]", choices=", ".join(allowed))))
        return ()
    for value in values:
        if value not in allowed:
            what = T_("'{value}' is not a known sector", value=value) if key == "sectors" \
                else T_("'{value}' is not a known language", value=value)
            problems.append(doc.problem((*path, key), what, T_("use one of: {choices}", choices=", ".join(allowed))))
    return tuple(str(v) for v in values)


def _texts(doc: YamlDoc, path: Where, value: Any, allowed: tuple[str, ...], problems: list[Problem]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) for lang in ("ru", "en")):
        problems.append(doc.problem(path, T_("'{key}' needs at least ru and en texts", key=path[-1]),
                                    T_("write it as lines like 'ru: \"...\"' and 'en: \"...\"' under {key}:",
                                       key=path[-1])))
        return {}
    for lang, text in value.items():
        if lang not in allowed or not isinstance(text, str):
            problems.append(doc.problem((*path, lang), T_("'{code}' is not a known language with a text", code=lang),
                                        T_("use one of: {choices}, followed by the text in quotes",
                                           choices=", ".join(allowed))))
    return {str(k): str(v).strip() for k, v in value.items()}


def _where(doc: YamlDoc, path: Where, item: dict[str, Any], country: str | None, places: Places,
           problems: list[Problem]) -> tuple[str | None, str | None]:
    region, city = item.get("region"), item.get("city")
    if city is not None:
        place = places.by_id.get(str(city))
        if place is None or place.kind != "city":
            problems.append(doc.problem((*path, "city"), T_("city '{city}' is not in places.yml", city=city),
                                        T_("use a city id from content/places.yml (for example moskva), "
                                           "or write city: null for a contact serving the whole country")))
            return None, None
        if region is not None and region != place.region:
            problems.append(doc.problem((*path, "region"),
                                        T_("region '{region}' is not the region of {city} ({actual})",
                                           region=region, city=city, actual=place.region),
                                        T_("write region: {region} or region: null", region=place.region)))
        if country is not None and place.country != country:
            problems.append(doc.problem((*path, "city"), T_("{city} is not in {country}", city=city, country=country),
                                        T_("check the country and the city")))
        return place.region, place.id
    if region is not None and region not in places.regions():
        problems.append(doc.problem((*path, "region"), T_("region '{region}' is not in places.yml", region=region),
                                    T_("use a region id from content/places.yml (for example moskovskaya_oblast), "
                                       "or write region: null for a contact serving the whole country")))
        return None, None
    return (None if region is None else str(region)), None


def _hours(doc: YamlDoc, path: Where, value: Any, problems: list[Problem]) -> Hours | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(doc.problem(path, T_("hours should be written in curly brackets"),
                                    T_("write {example}", example="hours: {timezone: Europe/Moscow, always: true}")))
        return None
    if time_zone(value.get("timezone")) is None:
        problems.append(doc.problem((*path, "timezone"),
                                    T_("the time zone '{zone}' is not known", zone=value.get("timezone")),
                                    T_("use an IANA name such as Europe/Moscow, Asia/Yekaterinburg or Asia/Almaty "
                                       "(the time zone of the city in content/places.yml)")))
        return None
    weekly, always = value.get("weekly"), value.get("always", False)
    if set(value) - {"timezone", "weekly", "always"} or (always is True) == (weekly is not None):
        problems.append(doc.problem(path, T_("hours need a time zone and either 'always: true' or 'weekly:'"),
                                    T_("write {always} or {weekly}", always="{timezone: Europe/Moscow, always: true}",
                                       weekly='{timezone: Europe/Moscow, weekly: {mon: "09:00-18:00", ...}}')))
        return None
    if always is True:
        return Hours(str(value["timezone"]), always=True)
    days = _weekly(doc, (*path, "weekly"), weekly, problems)
    return None if days is None else Hours(str(value["timezone"]), weekly=days)


def _weekly(doc: YamlDoc, path: Where, weekly: Any,
            problems: list[Problem]) -> tuple[tuple[tuple[int, int], ...], ...] | None:
    if not isinstance(weekly, dict) or set(weekly) - set(DAYS):
        problems.append(doc.problem(path, T_("weekly hours should list days mon, tue, wed, thu, fri, sat, sun"),
                                    T_("write {example}; leave out the days it is closed",
                                       example='weekly: {mon: "09:00-18:00", tue: "09:00-18:00"}')))
        return None
    days: list[tuple[tuple[int, int], ...]] = []
    for day in DAYS:
        text = weekly.get(day)
        intervals = parse_intervals(text) if text is not None else ()
        if intervals is None:
            problems.append(doc.problem((*path, day), T_("{day}: '{text}' is not in HH:MM-HH:MM form",
                                                         day=day, text=text),
                                        T_("write it like \"09:00-18:00\" in quotes; with a lunch break "
                                           "\"09:00-13:00, 14:00-18:00\"; for a night shift split it at midnight")))
            return None
        days.append(intervals)
    return tuple(days)


def parse_intervals(text: Any) -> tuple[tuple[int, int], ...] | None:
    """"09:00-13:00, 14:00-18:00" as minutes after midnight ((540, 780), (840, 1080)); None if malformed."""
    if not isinstance(text, str):
        return None
    result = []
    for part in text.split(","):
        found = _INTERVAL.match(part.strip())
        if found is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or not start < end <= 24 * 60:
            return None
        result.append((start, end))
    return tuple(result)


def _channels(doc: YamlDoc, path: Where, value: Any, problems: list[Problem]) -> Channels | None:
    if not isinstance(value, dict) or not any(value.get(c) for c in CHANNELS):
        problems.append(doc.problem(path, T_("the contact has no way to reach it"),
                                    T_("add channels: with at least one of web, phone, telegram, address")))
        return None
    before = len(problems)
    for key in sorted(set(value) - set(CHANNELS)):
        problems.append(doc.problem((*path, key), T_("'{key}' is not a known channel", key=key),
                                    T_("use one of: {choices}", choices=", ".join(CHANNELS))))
    checks = {"web": _web_problem, "phone": _phone_problem, "telegram": _telegram_problem}
    for key, check in checks.items():
        what = check(value[key]) if value.get(key) is not None else None
        if what is not None:
            problems.append(doc.problem((*path, key), what[0], what[1]))
    if len(problems) > before:
        return None
    return Channels(**{key: str(value[key]) for key in CHANNELS if value.get(key)})


def _web_problem(value: Any) -> tuple[Text, Text] | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value:
        return None
    return (T_("the web address '{address}' does not start with https://", address=value),
            T_("copy the full address from the browser"))


def _telegram_problem(value: Any) -> tuple[Text, Text] | None:
    if isinstance(value, str) and _TELEGRAM.match(value):
        return None
    return (T_("the Telegram handle '{handle}' does not look right", handle=value),
            T_("write it as \"@name\" (5-32 letters, digits or _)"))


def _phone_problem(value: Any) -> tuple[Text, Text] | None:
    """A phone must be written as text, in the usual characters, with a plausible number of digits."""
    fix = T_("copy it exactly from the source, in quotes, e.g. \"+7 (495) 123-45-67\" or \"8-800-123-45-67\"")
    if not isinstance(value, str) or not _PHONE_CHARS.match(value) or "+" in value[1:]:
        return T_("the phone number '{phone}' does not look like a phone number", phone=value), fix
    digits = re.sub(r"\D", "", value)
    if value.startswith(("+7", "8")) and len(digits) != 11:
        return TN_("the phone number '{phone}' has {count} digit; Russian and Kazakh numbers have 11",
                   "the phone number '{phone}' has {count} digits; Russian and Kazakh numbers have 11",
                   len(digits), phone=value), fix
    if value.startswith("+") and not 8 <= len(digits) <= 15:
        return TN_("the phone number '{phone}' has {count} digit", "the phone number '{phone}' has {count} digits",
                   len(digits), phone=value), fix
    if not value.startswith(("+", "8")):
        return (T_("the phone number '{phone}' has no country code", phone=value),
                T_("write it with +7 (or 8-800 for free lines)"))
    return None


def _verification(doc: YamlDoc, path: Where, item: dict[str, Any],
                  problems: list[Problem]) -> tuple[bool, dt.date | None, str | None]:
    verified, verified_on, source = item.get("verified"), item.get("verified_on"), item.get("source")
    if not isinstance(verified, bool):
        problems.append(doc.problem((*path, "verified"), T_("'verified' must be true or false"),
                                    T_("write verified: false unless a person checked it against a source")))
        verified = False
    if verified_on is not None and not isinstance(verified_on, dt.date):
        problems.append(doc.problem((*path, "verified_on"), T_("'{value}' is not a date", value=verified_on),
                                    T_("write it as 2026-03-01")))
        verified_on = None
    if verified and verified_on is None:
        problems.append(doc.problem((*path, "verified"), T_("a verified entry needs the date it was checked"),
                                    T_("add 'verified_on: 2026-03-01' (the day a person checked it)")))
    if source is not None and _web_problem(source) is not None:
        problems.append(doc.problem((*path, "source"), T_("the source is not a web address"),
                                    T_("write the https:// address where the facts were found")))
    elif verified and source is None:
        problems.append(doc.problem((*path, "verified"), T_("a verified entry needs its source"),
                                    T_("add 'source: \"https://...\"' with where the facts were found")))
    return verified, verified_on, None if source is None else str(source)
