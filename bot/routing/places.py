"""The gazetteer: which city or region a user means, across scripts, spellings and typos.

Every name and every message is reduced to a Latin *skeleton* that forgets the differences
people do not hear (Москва = Moskva, Маскав = Masqav, Хабаровск = Xabarovsk). Matching is
exact on skeletons first (also with Russian case endings and Turkic -da/-ga endings removed),
then fuzzy with a small edit distance on long names only, so everyday words match nothing.
A shared location ("55.8,37.6") is turned into the nearest place by great-circle distance.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.content.problems import ContentError, Problem
from bot.content.wording import T_
from bot.content.yamlfile import YamlDoc, read_yaml
from bot.folding import CYRILLIC_TO_LATIN, skeleton

COUNTRIES = ("RU", "KZ")
KINDS = ("city", "region")
NAME_LANGUAGES = ("ru", "en", "uz", "tg", "ky", "kk", "other")
ID = re.compile(r"^[a-z0-9_]{2,40}$")
MAX_CHARS = 300  # only the start of a long message is searched
MAX_SPAN = 4  # the longest name, in words
SHORT_MESSAGE = 3  # words; in longer messages only long names are matched fuzzily
MAX_TYPOS = 2
LONG_NAME = 9  # skeleton letters
EARTH_RADIUS_KM = 6371.0
MAX_POINT_CHARS = 40  # "lat,lon" as the gateway sends it is about 10

_APOSTROPHES = re.compile("['`´ʻʼ‘’]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLES = re.compile(r"([aeiu])\1+")  # Алма-Ата = Алмаата = Алмата
# Russian noun and adjective endings, in skeleton spelling (о -> a, й/ы -> i), longest first.
_CASE_ENDINGS = ("iami", "iah", "aia", "uiu", "aga", "amu", "ami", "iam", "ai", "ei", "am", "em",
                 "ah", "ih", "im", "iu", "ia", "ae", "ie", "a", "e", "i", "u")
# Uzbek, Kyrgyz, Kazakh endings: Moskvada, Moskvaga, Moskvadan, Qozondagi.
_TURKIC_ENDINGS = ("dagi", "degi", "gacha", "dan", "den", "tan", "ten", "da", "de", "ta", "te", "ga",
                   "ge", "ka", "ke")
_STOP_WORDS = ("в", "во", "из", "г", "гор", "город", "города", "городе", "city", "the", "in",
               "shahri", "shahar", "shahrida", "шаары", "шаарында", "қаласы", "дар", "ба", "аз")


@dataclass(frozen=True)
class Place:
    """A city or region. `region` is the region id (a region's own id for kind region)."""

    id: str
    kind: str
    country: str
    region: str
    timezone: str
    names: tuple[tuple[str, str], ...]  # (language, name) in file order
    near: tuple[str, ...] = ()
    lat: float | None = None  # the centre, decimal degrees; required for cities
    lon: float | None = None

    def name(self, language: str) -> str:
        """The first name written for `language`, else the Russian one."""
        for wanted in (language.split("_")[0], "ru"):
            found = next((name for lang, name in self.names if lang == wanted), None)
            if found is not None:
                return found
        return self.id


@dataclass(frozen=True)
class PlaceMatch:
    """A candidate: score 1.0 exact, 0.95 without an ending, 0.85/0.8 with one/two typos, plus
    0.01 per extra word matched (so "Moskva viloyati" is the region, not the city in it)."""

    place: Place
    score: float
    name: str  # the gazetteer name that matched


@dataclass(frozen=True)
class _Key:
    text: str
    place: str
    name: str
    derived: bool  # made by removing an ending


@dataclass(frozen=True, eq=False)
class Places:
    """All places with a matching index; build with `build_places`."""

    by_id: dict[str, Place]
    exact: dict[str, tuple[_Key, ...]]
    by_length: dict[int, tuple[_Key, ...]]

    def __iter__(self) -> Iterator[Place]:
        return iter(self.by_id.values())

    def regions(self) -> frozenset[str]:
        return frozenset(place.region for place in self)


def time_zone(name: object) -> ZoneInfo | None:
    """The zone for an IANA name, or None if the installed tz database does not know it."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# ---------------------------------------------------------------- skeletons

_STOP_SKELETONS = frozenset(skeleton(_NON_WORD.sub("", w.translate(CYRILLIC_TO_LATIN))) for w in _STOP_WORDS)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text[:MAX_CHARS]).casefold().translate(CYRILLIC_TO_LATIN)
    text = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = (skeleton(w) for w in _NON_WORD.split(text))
    return [w for w in words if w and w not in _STOP_SKELETONS]


def _strip(word: str, endings: tuple[str, ...], keep: int) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            return word[: -len(ending)]
    return word


def _join(words: Iterable[str]) -> str:
    return _DOUBLES.sub(r"\1", "".join(words))


def _variants(words: list[str]) -> dict[str, bool]:
    """Skeleton keys for a run of words: the full one (False) and ones without endings (True)."""
    found = {_join(words): False}
    last = _strip(words[-1], _TURKIC_ENDINGS, 3)
    heads = [words, [*words[:-1], last]] if last != words[-1] else [words]
    for head in heads:
        found.setdefault(_join(head), True)
        found.setdefault(_join(_strip(w, _CASE_ENDINGS, 2) for w in head), True)
    return found


# ---------------------------------------------------------------- building and matching

def build_places(items: Iterable[Place]) -> Places:
    by_id = {place.id: place for place in items}
    keys: dict[tuple[str, str], _Key] = {}
    for place in by_id.values():
        for _, name in place.names:
            words = _words(name)
            if not words:
                continue
            for text, derived in _variants(words).items():
                key = keys.get((text, place.id))
                if key is None or (key.derived and not derived):
                    keys[(text, place.id)] = _Key(text, place.id, name, derived)
    exact: dict[str, tuple[_Key, ...]] = {}
    by_length: dict[int, tuple[_Key, ...]] = {}
    for key in keys.values():
        exact[key.text] = (*exact.get(key.text, ()), key)
        by_length[len(key.text)] = (*by_length.get(len(key.text), ()), key)
    return Places(by_id, exact, by_length)


def rank_places(text: str, places: Places, *, limit: int = 3) -> list[PlaceMatch]:
    """Places the text may name, best first (at most one entry per place)."""
    words = _words(text)
    short = len(words) <= SHORT_MESSAGE
    best: dict[str, PlaceMatch] = {}
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + MAX_SPAN) + 1):
            bonus = 0.01 * (end - start - 1)
            for key, score in _span_matches(words[start:end], places, short):
                match = PlaceMatch(places.by_id[key.place], round(score + bonus, 4), key.name)
                if key.place not in best or match.score > best[key.place].score:
                    best[key.place] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.place.id))[:limit]


def match_place(text: str, places: Places) -> Place | None:
    """The one place the text names, or None if it names none or two equally well."""
    found = rank_places(text, places, limit=2)
    if not found or (len(found) == 2 and found[1].score >= found[0].score):
        return None
    return found[0].place


def _span_matches(words: list[str], places: Places, short: bool) -> Iterator[tuple[_Key, float]]:
    variants = _variants(words)
    for text, derived in variants.items():
        for key in places.exact.get(text, ()):
            yield key, 0.95 if (derived or key.derived) else 1.0
    for text in variants:
        for size in range(len(text) - MAX_TYPOS, len(text) + MAX_TYPOS + 1):
            for key in places.by_length.get(size, ()):
                allowed = _allowed_typos(len(key.text), short)
                if abs(len(text) - size) > allowed or text == key.text or not _same_ends(text, key.text):
                    continue
                distance = _distance(text, key.text, allowed)
                if distance <= allowed:
                    yield key, 0.9 - 0.05 * distance


def _same_ends(a: str, b: str) -> bool:
    """Typos keep the first letter, and in short names the last: there a different ending is
    another word or a case form (маска, ростом), which the endings rules handle."""
    return a[0] == b[0] and (a[-1] == b[-1] or len(b) >= LONG_NAME)


def _allowed_typos(size: int, short: bool) -> int:
    if short:
        return 2 if size >= 10 else 1 if size >= 6 else 0
    return 2 if size >= 12 else 1 if size >= 8 else 0


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions, giving up (limit + 1) once it exceeds limit."""
    previous: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if previous is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous, row = row, current
    return row[-1]


# ---------------------------------------------------------------- shared locations

def nearest_place(point: str, places: Places, *, max_km: float = 60.0) -> Place | None:
    """The place nearest to a shared location "lat,lon": a city within max_km if there is one,
    else a region within max_km, else None (also for a malformed point)."""
    parsed = _point(point)
    if parsed is None:
        return None
    km = {place.id: _km(parsed, (place.lat, place.lon)) for place in places
          if place.lat is not None and place.lon is not None}
    within = [places.by_id[place_id] for place_id, distance in km.items() if distance <= max_km]
    return min(within, key=lambda place: (place.kind != "city", km[place.id], place.id), default=None)


def _point(point: object) -> tuple[float, float] | None:
    if not isinstance(point, str) or len(point) > MAX_POINT_CHARS or point.count(",") != 1:
        return None
    try:
        lat, lon = (float(part) for part in point.split(","))
    except ValueError:
        return None
    if not (_is_number(lat) and _is_number(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    return lat, lon


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# ---------------------------------------------------------------- reading places.yml

def load_places(path: Path) -> Places:
    """The gazetteer, or ContentError listing every error in the file."""
    places, problems = read_places(path)
    errors = [p for p in problems if not p.warning]
    if places is None or errors:
        raise ContentError(errors)
    return places


def read_places(path: Path) -> tuple[Places | None, list[Problem]]:
    if not path.exists():
        return None, [Problem(path, None, T_("the file is missing"), T_("restore it from git or create it"))]
    doc, problems = read_yaml(path)
    if doc is None:
        return None, problems
    items = doc.data.get("places") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return None, [doc.problem((), T_("the file should have 'places:' with a list of places"),
                                  T_("compare it with the file in git"))]
    found: list[Place] = []
    lines: dict[str, int | None] = {}
    for i, item in enumerate(items):
        place = _place(doc, i, item, problems)
        if place is None:
            continue
        if place.id in lines:
            problems.append(doc.problem(("places", i, "id"), T_("the id '{id}' is used twice (also on line {line})",
                                                                id=place.id, line=lines[place.id]),
                                        T_("give each place its own id")))
            continue
        lines[place.id] = doc.line("places", i, "id")
        found.append(place)
    places = build_places(found)
    problems += _cross_checks(doc, places, lines)
    return places, problems


def _place(doc: YamlDoc, i: int, item: Any, problems: list[Problem]) -> Place | None:
    path = ("places", i)
    if not isinstance(item, dict):
        problems.append(doc.problem(path, T_("a place should be a list of 'key: value' lines"),
                                    T_("copy another place and change it")))
        return None
    before = len(problems)
    place_id, kind = str(item.get("id", "")), item.get("kind")
    if not ID.match(place_id):
        problems.append(doc.problem((*path, "id"), T_("the id '{id}' is not usable", id=place_id),
                                    T_("use latin lowercase letters, digits and _, for example 'moskva'")))
    if kind not in KINDS:
        problems.append(doc.problem((*path, "kind"), T_("kind '{kind}' is not known", kind=kind),
                                    T_("write city or region")))
    if item.get("country") not in COUNTRIES:
        problems.append(doc.problem((*path, "country"),
                                    T_("country '{country}' is not known", country=item.get("country")),
                                    T_("write one of: {choices}", choices=", ".join(COUNTRIES))))
    region = item.get("region", place_id if kind == "region" else None)
    if not isinstance(region, str) or not ID.match(region) or (kind == "region" and region != place_id):
        problems.append(doc.problem((*path, "region"), T_("region '{region}' is not usable", region=region),
                                    T_("a city needs 'region: <region id>' in latin lowercase; "
                                       "a region leaves it out")))
    if time_zone(item.get("timezone")) is None:
        problems.append(doc.problem((*path, "timezone"), T_("the time zone '{zone}' is not known",
                                                            zone=item.get("timezone")),
                                    T_("use an IANA name such as Europe/Moscow, Asia/Yekaterinburg or Asia/Almaty")))
    names = _names(doc, path, item.get("names"), problems)
    near = item.get("near") or []
    if not isinstance(near, list):
        problems.append(doc.problem((*path, "near"), T_("near should be a list"), T_("write near: [region_id]")))
        near = []
    lat, lon = _coordinates(doc, path, item, kind == "city", problems)
    if len(problems) > before:
        return None
    return Place(place_id, str(kind), str(item["country"]), str(region), str(item["timezone"]),
                 names, tuple(str(n) for n in near), lat, lon)


def _coordinates(doc: YamlDoc, path: tuple[str | int, ...], item: dict[str, Any], required: bool,
                 problems: list[Problem]) -> tuple[float | None, float | None]:
    """lat and lon: both numbers in range, or (for a region) both left out."""
    if "lat" not in item and "lon" not in item and not required:
        return None, None
    found: list[float | None] = []
    for key, limit in (("lat", 90), ("lon", 180)):
        value = item.get(key)
        if _is_number(value) and abs(value) <= limit:
            found.append(float(value))
            continue
        found.append(None)
        if key not in item:
            what = T_("'{id}' has no lat (latitude of its centre)", id=item.get("id")) if key == "lat" \
                else T_("'{id}' has no lon (longitude of its centre)", id=item.get("id"))
            fix = T_("add '{key}:' in decimal degrees next to 'timezone:', as in the other places "
                     "(Moscow has lat: 55.75 and lon: 37.62)", key=key) if required \
                else T_("add '{key}:' in decimal degrees next to 'timezone:', as in the other places "
                        "(Moscow has lat: 55.75 and lon: 37.62), or leave out both lat and lon", key=key)
            problems.append(doc.problem(path, what, fix))
        else:
            what = T_("lat '{value}' is not a latitude", value=value) if key == "lat" \
                else T_("lon '{value}' is not a longitude", value=value)
            problems.append(doc.problem((*path, key), what,
                                        T_("write a number from -{limit} to {limit} in decimal degrees, "
                                           "with a dot and without quotes (Moscow has lat: 55.75 and lon: 37.62)",
                                           limit=limit)))
    return found[0], found[1]


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _names(doc: YamlDoc, path: tuple[str | int, ...], names: Any,
           problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    if not isinstance(names, dict) or not {"ru", "en"} <= names.keys():
        problems.append(doc.problem((*path, "names"), T_("a place needs names, at least ru and en"),
                                    T_("add 'names:' with lines like 'ru: [Москва]' and 'en: [Moscow]'")))
        return ()
    result: list[tuple[str, str]] = []
    for lang, values in names.items():
        if lang not in NAME_LANGUAGES or not isinstance(values, list):
            problems.append(doc.problem((*path, "names", lang), T_("names '{code}' cannot be used", code=lang),
                                        T_("use a language from {choices} followed by a list in square brackets",
                                           choices=", ".join(NAME_LANGUAGES))))
            continue
        result += [(str(lang), str(value)) for value in values if str(value).strip()]
    return tuple(result)


def _cross_checks(doc: YamlDoc, places: Places, lines: dict[str, int | None]) -> list[Problem]:
    problems = []
    regions = places.regions()
    for place in places:
        for region in place.near:
            if region not in regions:
                problems.append(Problem(doc.file, lines[place.id],
                                        T_("'{id}' is near '{region}', which is not a region of any place",
                                           id=place.id, region=region),
                                        T_("use a region id written in this file")))
    for text, keys in places.exact.items():
        owners = sorted({key.place for key in keys})
        if len(owners) > 1:
            what = T_("the name '{name}' ({skeleton}) fits both {first} and {second}",
                      name=keys[0].name, skeleton=text, first=owners[0], second=owners[1]) if len(owners) == 2 \
                else T_("the name '{name}' ({skeleton}) fits all of {places}",
                        name=keys[0].name, skeleton=text, places=", ".join(owners))
            problems.append(Problem(doc.file, lines[owners[1]], what, T_("remove it from one of them"),
                                    all(key.derived for key in keys)))
    return problems
