"""Routing: places people type, contacts ranked for them, and opening hours across time zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.routing.contacts import Channels, Contact, Directory, Hours, Organisation, parse_intervals
from bot.routing.places import Places, load_places, match_place, nearest_place, rank_places, read_places
from bot.routing.rank import WEIGHTS, Ranked, fallback, rank
from bot.settings import Settings

CONTENT = Settings().content_dir
MSK, YEKT, ALMT, UTC = (ZoneInfo(z) for z in ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Almaty", "UTC"))


@pytest.fixture(scope="module")
def places() -> Places:
    return load_places(CONTENT / "places.yml")


# ---------------------------------------------------------------- matching places

MATCHES = [
    # Russian, with case endings and prepositions
    ("ru", "Москва", "moskva"),
    ("ru", "в москве", "moskva"),
    ("ru", "работаю в Москве на стройке", "moskva"),
    ("ru", "г. Москва", "moskva"),
    ("ru", "Мск", "moskva"),
    ("ru", "в Питере", "sankt_peterburg"),
    ("ru", "СПб", "sankt_peterburg"),
    ("ru", "в Санкт-Петербурге", "sankt_peterburg"),
    ("ru", "Екб", "ekaterinburg"),
    ("ru", "в Екатеринбурге", "ekaterinburg"),
    ("ru", "в Нижнем Новгороде", "nizhniy_novgorod"),
    ("ru", "в Перми", "perm"),
    ("ru", "в Уфе", "ufa"),
    ("ru", "в Казани", "kazan"),
    ("ru", "в Тюмени", "tyumen"),
    ("ru", "Ростов-на-Дону", "rostov_na_donu"),
    ("ru", "в Ростове", "rostov_na_donu"),
    ("ru", "Подмосковье", "moskovskaya_oblast"),
    ("ru", "в Московской области", "moskovskaya_oblast"),
    ("ru", "Ленобласть", "leningradskaya_oblast"),
    ("ru", "Алма-Ата", "almaty"),
    ("ru", "Нур-Султан", "astana"),
    ("ru", "Чимкент", "shymkent"),
    ("ru", "Актюбинск", "aktobe"),
    # Uzbek, Latin and Cyrillic
    ("uz", "Moskva", "moskva"),
    ("uz", "moskva shahri", "moskva"),
    ("uz", "Moskva shaxrida", "moskva"),
    ("uz", "Москва шаҳри", "moskva"),
    ("uz", "Moskvada ishlayman", "moskva"),
    ("uz", "Moskva viloyati", "moskovskaya_oblast"),
    ("uz", "Qozonda", "kazan"),
    ("uz", "Olmaota", "almaty"),
    ("uz", "Xabarovsk", "khabarovsk"),
    ("uz", "Nijniy Novgorod", "nizhniy_novgorod"),
    ("uz", "Sankt-Peterburgda", "sankt_peterburg"),
    ("uz", "Qarag‘anda", "karaganda"),
    # Tajik
    ("tg", "Маскав", "moskva"),
    ("tg", "дар шаҳри Маскав", "moskva"),
    ("tg", "masqav", "moskva"),
    ("tg", "Қазон", "kazan"),
    ("tg", "Алмаато", "almaty"),
    # Kyrgyz
    ("ky", "Москва шаары", "moskva"),
    ("ky", "Москвада иштейм", "moskva"),
    ("ky", "Актөбө", "aktobe"),
    ("ky", "Москва облусу", "moskovskaya_oblast"),
    # English
    ("en", "Moscow", "moskva"),
    ("en", "St. Petersburg", "sankt_peterburg"),
    ("en", "Saint-Petersburg", "sankt_peterburg"),
    ("en", "Yekaterinburg", "ekaterinburg"),
    ("en", "Nizhny Novgorod", "nizhniy_novgorod"),
    ("en", "Rostov-on-Don", "rostov_na_donu"),
    ("en", "ALMATY", "almaty"),
    # typos
    ("typo", "мсква", "moskva"),
    ("typo", "Масвка", "moskva"),
    ("typo", "moskvaa", "moskva"),
    ("typo", "Екатеренбург", "ekaterinburg"),
    ("typo", "Екатеринбур", "ekaterinburg"),
    ("typo", "Новосибриск", "novosibirsk"),
    ("typo", "Krasnoyarks", "krasnoyarsk"),
    ("typo", "Санкт-Питербург", "sankt_peterburg"),
    ("typo", "Иркуцк", "irkutsk"),
    ("typo", "Хобаровск", "khabarovsk"),
    ("typo", "Шимкент", "shymkent"),
]

NO_PLACE = [
    "мне не платят",
    "не платят зарплату уже два месяца, что делать",
    "работодатель забрал паспорт",
    "привет",
    "помогите пожалуйста",
    "ish haqi bermayapti",
    "маоши маро намедиҳанд",
    "айлык бербей жатат",
    "hello, I need help",
    "доставка",
    "патент",
    "ростом",
    "Омега",
    "Самир",
    "уфф",
    "Ташкент",
    "Toshkent",
    "Душанбе",
    "Бишкек",
    "Самарканд",
    "Новгород",
    "Казахстан",
    "",
    "123",
]


@pytest.mark.parametrize(("language", "text", "expected"), MATCHES,
                         ids=[f"{lang}-{text}" for lang, text, _ in MATCHES])
def test_place_is_matched_across_scripts_and_spellings(places: Places, language: str, text: str,
                                                       expected: str) -> None:
    found = match_place(text, places)
    assert found is not None and found.id == expected


@pytest.mark.parametrize("text", NO_PLACE)
def test_everyday_words_match_no_place(places: Places, text: str) -> None:
    assert match_place(text, places) is None
    assert rank_places(text, places) == []


def test_two_places_equally_well_is_no_answer(places: Places) -> None:
    assert match_place("Москва или Питер", places) is None
    assert [m.place.id for m in rank_places("Москва или Питер", places)] == ["moskva", "sankt_peterburg"]


def test_a_region_beats_the_city_inside_its_name(places: Places) -> None:
    ranked = rank_places("Moskva viloyati", places)
    assert [m.place.id for m in ranked] == ["moskovskaya_oblast", "moskva"]
    assert ranked[0].score > ranked[1].score


def test_exact_beats_ending_beats_typo(places: Places) -> None:
    scores = [rank_places(text, places)[0].score for text in ("Москва", "в Москве", "мсква")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3


def test_place_names_in_a_language(places: Places) -> None:
    moskva = places.by_id["moskva"]
    assert (moskva.name("tg"), moskva.name("uz"), moskva.name("xx")) == ("Маскав", "Moskva", "Москва")


# ---------------------------------------------------------------- shared locations

NEAREST: list[tuple[str, str, float, str | None]] = [
    ("Moscow", "55.8,37.6", 60, "moskva"),
    ("St Petersburg", "59.9,30.3", 60, "sankt_peterburg"),
    ("Yekaterinburg", "56.8,60.6", 60, "ekaterinburg"),
    ("Almaty", "43.2,76.9", 60, "almaty"),
    ("Astana", "51.2,71.4", 60, "astana"),
    ("Kazan", "55.8,49.1", 60, "kazan"),
    ("Khimki is Moscow, not the oblast", "55.9,37.4", 60, "moskva"),
    ("Balashikha is Moscow, not the oblast", "55.8,37.9", 60, "moskva"),
    ("a city in range beats a nearer region", "59.9,31.3", 60, "sankt_peterburg"),
    ("the nearer region when no city is in range", "59.9,31.3", 45, "leningradskaya_oblast"),
    ("a region when no city is in range", "59.9,32.3", 60, "leningradskaya_oblast"),
    ("spaces around the numbers", " 55.8 , 37.6 ", 60, "moskva"),
    ("one degree north is 111 km: in range", "56.75,37.62", 112, "moskva"),
    ("one degree north is 111 km: out of range", "56.75,37.62", 110, None),
    ("middle of nowhere", "60.0,90.0", 60, None),
    ("the other side of the world", "-33.9,151.2", 60, None),
]

MALFORMED_POINTS = ["", "abc", "55.8", "91.0,10.0", "55.8,181.0", "55.8,37.6,1", "55,8,37,6", "55.8;37.6",
                    "55.8,", ",37.6", "nan,37.6", "55.8,inf", "55.8, 37.6" + " " * 100]


@pytest.mark.parametrize(("case", "point", "max_km", "expected"), NEAREST, ids=[n[0] for n in NEAREST])
def test_nearest_place(places: Places, case: str, point: str, max_km: float, expected: str | None) -> None:
    found = nearest_place(point, places, max_km=max_km)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize("point", MALFORMED_POINTS)
def test_malformed_point_is_no_place(places: Places, point: str) -> None:
    assert nearest_place(point, places) is None


def test_every_city_is_nearest_to_itself_and_in_its_country(places: Places) -> None:
    boxes = {"RU": ((41, 70), (19, 180)), "KZ": ((40, 56), (46, 88))}  # lat and lon of towns there
    for place in places:
        assert place.lat is not None and place.lon is not None, place.id
        (south, north), (west, east) = boxes[place.country]
        assert south <= place.lat <= north and west <= place.lon <= east, place.id
        if place.kind == "city":
            found = nearest_place(f"{place.lat},{place.lon}", places)
            assert found is not None and found.id == place.id


def _edit_place(text: str, place_id: str, old: str, new: str) -> str:
    start = text.index(f"  - id: {place_id}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old):]


COORDINATE_PROBLEMS = [
    ("city without lat", "kazan", "    lat: 55.79\n", "", "  - id: kazan", "'kazan' has no lat"),
    ("city without lon", "kazan", "    lon: 49.12\n", "", "  - id: kazan", "'kazan' has no lon"),
    ("lat out of range", "kazan", "lat: 55.79", "lat: 155.79", "lat: 155.79", "lat '155.79' is not a latitude"),
    ("lat in quotes", "kazan", "lat: 55.79", 'lat: "55.79"', 'lat: "55.79"', "is not a latitude"),
    ("decimal comma", "kazan", "lon: 49.12", "lon: 49,12", "lon: 49,12", "lon '49,12' is not a longitude"),
    ("region with lat only", "leningradskaya_oblast", "    lon: 32.00\n", "", "  - id: leningradskaya_oblast",
     "has no lon"),
]


@pytest.mark.parametrize(("case", "place_id", "old", "new", "marker", "what"), COORDINATE_PROBLEMS,
                         ids=[c[0] for c in COORDINATE_PROBLEMS])
def test_broken_coordinates_are_explained(tmp_path: Path, case: str, place_id: str, old: str, new: str,
                                          marker: str, what: str) -> None:
    text = _edit_place((CONTENT / "places.yml").read_text(encoding="utf-8"), place_id, old, new)
    (tmp_path / "places.yml").write_text(text, encoding="utf-8")
    found, problems = read_places(tmp_path / "places.yml")
    problem = next(p for p in problems if not p.warning)  # later ones follow from the place left out
    assert found is not None and place_id not in found.by_id and what in problem.what
    assert problem.line == text.count("\n", 0, text.index(marker, text.index(f"  - id: {place_id}\n"))) + 1
    assert problem.file == tmp_path / "places.yml" and problem.fix


def test_a_region_may_leave_out_its_coordinates(tmp_path: Path) -> None:
    text = (CONTENT / "places.yml").read_text(encoding="utf-8")
    for line in ("    lat: 59.90\n", "    lon: 32.00\n"):
        text = _edit_place(text, "leningradskaya_oblast", line, "")
    (tmp_path / "places.yml").write_text(text, encoding="utf-8")
    found, problems = read_places(tmp_path / "places.yml")
    assert found is not None and [p for p in problems if not p.warning] == []
    assert found.by_id["leningradskaya_oblast"].lat is None
    assert nearest_place("59.9,32.3", found) is None


# ---------------------------------------------------------------- ranking contacts

def weekly(timezone: str, **days: str) -> Hours:
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    parsed = [parse_intervals(days[d]) if d in days else () for d in order]
    assert all(p is not None for p in parsed)
    return Hours(timezone, weekly=tuple(p for p in parsed if p is not None))


WORKDAYS = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = Hours("Europe/Moscow", always=True)


def make_contact(*, id: str, organisation: str = "alpha", country: str = "RU", city: str | None = None,
                 region: str | None = None, sectors: tuple[str, ...] = ("all",), languages: tuple[str, ...] = ("ru",),
                 hours: Hours | None = None, verified: bool = True) -> Contact:
    return Contact(id=id, organisation=organisation, country=country, region=region, city=city, sectors=sectors,
                   languages=languages, hours=hours, channels=Channels(telegram=f"@{id}_test"), verified=verified,
                   verified_on=dt.date(2026, 3, 1) if verified else None,
                   source="https://example.org/source" if verified else None)


def make_directory(places: Places) -> Directory:
    def org(org_id: str, kind: str) -> Organisation:
        return Organisation(org_id, {"ru": org_id, "en": org_id}, kind, "RU", True, dt.date(2026, 3, 1),
                            "https://example.org/source")

    def at(*, city: str | None = None, region: str | None = None, **kwargs: Any) -> Contact:
        region = places.by_id[city].region if city else region
        return make_contact(city=city, region=region, **kwargs)

    contacts = (
        at(id="msk_city", city="moskva", sectors=("construction",), languages=("ru", "uz"),
           hours=weekly("Europe/Moscow", **WORKDAYS)),
        at(id="msk_cleaning", city="moskva", sectors=("cleaning",)),
        at(id="mo_region", region="moskovskaya_oblast", languages=("ru", "tg")),
        at(id="spb_city", city="sankt_peterburg", languages=("ru", "ky")),
        at(id="ekb_city", city="ekaterinburg", languages=("tg",), hours=weekly("Asia/Yekaterinburg", **WORKDAYS)),
        at(id="ekb_region", region="sverdlovskaya_oblast"),
        at(id="ru_national", hours=weekly("Asia/Yekaterinburg", **WORKDAYS)),
        at(id="ru_national_tg", organisation="beta", languages=("tg",), hours=weekly("Europe/Moscow", **WORKDAYS)),
        at(id="beta_spb", organisation="beta", city="sankt_peterburg"),
        at(id="msk_unverified", city="moskva", languages=("uz",), verified=False),
        at(id="ru_national_unverified", verified=False),
        at(id="kz_almaty", country="KZ", city="almaty", languages=("ru", "kk")),
        at(id="kz_national", country="KZ"),
    )
    organisations = {o.id: o for o in (org("alpha", "union"), org("beta", "helpline"))}
    return Directory(organisations, contacts, places)


WED_NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=MSK)  # 14:00 in Yekaterinburg
WED_1630 = dt.datetime(2026, 3, 4, 16, 30, tzinfo=MSK)  # 18:30 in Yekaterinburg: closed there
WED_NIGHT = dt.datetime(2026, 3, 4, 22, 30, tzinfo=MSK)

RANKINGS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("city > nearby region > national, ties by id", {"place": "moskva"},
     ["msk_city", "msk_cleaning", "mo_region", "ru_national", "ru_national_tg"]),
    ("region > nearby city > national", {"place": "moskovskaya_oblast"},
     ["mo_region", "msk_city", "msk_cleaning", "ru_national", "ru_national_tg"]),
    ("city > its region > national", {"place": "ekaterinburg"},
     ["ekb_city", "ekb_region", "ru_national", "ru_national_tg"]),
    ("sector: other sectors' contacts are left out", {"place": "moskva", "sector": "cleaning"},
     ["msk_cleaning", "mo_region", "ru_national", "ru_national_tg"]),
    ("sector: own sector beats all sectors", {"place": "moskva", "sector": "construction"},
     ["msk_city", "mo_region", "ru_national", "ru_national_tg"]),
    ("language lifts a national contact", {"country": "RU", "languages": ["tg"]},
     ["ru_national_tg", "ru_national"]),
    ("both open: tie broken by id", {"country": "RU", "now": WED_NOON}, ["ru_national", "ru_national_tg"]),
    ("open now wins a tie", {"country": "RU", "now": WED_1630}, ["ru_national_tg", "ru_national"]),
    ("referrer first", {"place": "moskva", "referrer": "beta", "limit": 3},
     ["ru_national_tg", "msk_city", "msk_cleaning"]),
    ("referrer's local contact elsewhere is left out", {"place": "moskva", "referrer": "beta", "limit": 10},
     ["ru_national_tg", "msk_city", "msk_cleaning", "mo_region", "ru_national"]),
    ("place unknown: only the referrer's local contacts", {"country": "RU", "referrer": "beta"},
     ["ru_national_tg", "beta_spb", "ru_national"]),
    ("unverified hidden", {"place": "moskva", "limit": 10},
     ["msk_city", "msk_cleaning", "mo_region", "ru_national", "ru_national_tg"]),
    ("unverified shown in development", {"place": "moskva", "include_unverified": True, "limit": 10},
     ["msk_city", "msk_cleaning", "msk_unverified", "mo_region", "ru_national", "ru_national_tg",
      "ru_national_unverified"]),
    ("country filter", {"country": "KZ"}, ["kz_national"]),
    ("country from the place", {"place": "almaty"}, ["kz_almaty", "kz_national"]),
    ("a place in another country is ignored", {"country": "RU", "place": "almaty"},
     ["ru_national", "ru_national_tg"]),
    ("limit", {"place": "moskva", "limit": 3}, ["msk_city", "msk_cleaning", "mo_region"]),
]


def run_rank(places: Places, overrides: dict[str, Any]) -> list[Ranked]:
    options: dict[str, Any] = {"country": None, "place": None, "sector": None, "languages": [], "now": WED_NOON,
                               "include_unverified": False, "referrer": None, "limit": 10}
    options.update(overrides)
    if options["place"] is not None:
        options["place"] = places.by_id[options["place"]]
    return rank(make_directory(places), **options)


@pytest.mark.parametrize(("case", "overrides", "expected"), RANKINGS, ids=[r[0] for r in RANKINGS])
def test_rank(places: Places, case: str, overrides: dict[str, Any], expected: list[str]) -> None:
    assert [r.contact.id for r in run_rank(places, overrides)] == expected


REASONS: list[tuple[str, dict[str, Any], str, tuple[str, ...]]] = [
    ("same city", {"place": "moskva", "now": WED_NOON}, "msk_city", ("same_city", "open_now", "verified")),
    ("closed in its own zone", {"place": "ekaterinburg", "now": WED_1630}, "ekb_city", ("same_city", "verified")),
    ("open in its own zone", {"place": "ekaterinburg", "now": WED_NOON}, "ekb_city",
     ("same_city", "open_now", "verified")),
    ("same region", {"place": "ekaterinburg"}, "ekb_region", ("same_region", "verified")),
    ("nearby", {"place": "moskovskaya_oblast", "now": WED_NIGHT}, "msk_city", ("nearby", "verified")),
    ("sector and language", {"place": "moskva", "sector": "construction", "languages": ["uz"]}, "msk_city",
     ("same_city", "sector", "speaks_language", "open_now", "verified")),
    ("all sectors", {"place": "moskva", "sector": "construction"}, "ru_national",
     ("national", "all_sectors", "open_now", "verified")),
    ("referrer", {"country": "RU", "referrer": "beta", "now": WED_NIGHT}, "ru_national_tg",
     ("national", "verified", "referrer")),
    ("uz_Cyrl speaks uz", {"place": "moskva", "languages": ["uz_Cyrl"]}, "msk_city",
     ("same_city", "speaks_language", "open_now", "verified")),
    ("unverified", {"place": "moskva", "include_unverified": True}, "msk_unverified", ("same_city",)),
    ("national, closed in its zone", {"country": "RU", "now": WED_1630}, "ru_national", ("national", "verified")),
]


@pytest.mark.parametrize(("case", "overrides", "contact", "reasons"), REASONS, ids=[r[0] for r in REASONS])
def test_reasons_and_score(places: Places, case: str, overrides: dict[str, Any], contact: str,
                           reasons: tuple[str, ...]) -> None:
    found = {r.contact.id: r for r in run_rank(places, overrides)}
    assert found[contact].reasons == reasons
    assert found[contact].score == sum(WEIGHTS[r] for r in reasons)


def test_naive_time_is_refused(places: Places) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        run_rank(places, {"place": "moskva", "now": dt.datetime(2026, 3, 4, 12, 0)})


@pytest.mark.parametrize(("country", "include_unverified", "expected"), [
    ("RU", False, ["ru_national_tg", "ru_national"]),  # helpline before union at equal score
    ("RU", True, ["ru_national_tg", "ru_national", "ru_national_unverified"]),
    ("KZ", False, ["kz_national"]),
    (None, False, ["ru_national_tg", "kz_national", "ru_national"]),
])
def test_fallback_lists_national_services(places: Places, country: str | None, include_unverified: bool,
                                          expected: list[str]) -> None:
    found = fallback(make_directory(places), country, include_unverified)
    assert [r.contact.id for r in found] == expected
    assert all("national" in r.reasons for r in found)


# ---------------------------------------------------------------- opening hours

LUNCH = weekly("Europe/Moscow", mon="09:00-13:00, 14:00-18:00")
TUESDAYS = weekly("Asia/Almaty", tue="10:00-17:00")
HOURS: list[tuple[str, Hours, dt.datetime, bool, dt.datetime | None]] = [
    ("open at noon", weekly("Europe/Moscow", **WORKDAYS), WED_NOON, True, WED_NOON),
    ("before opening", weekly("Europe/Moscow", **WORKDAYS), dt.datetime(2026, 3, 4, 8, 59, tzinfo=MSK), False,
     dt.datetime(2026, 3, 4, 9, 0, tzinfo=MSK)),
    ("closing time is closed", weekly("Europe/Moscow", **WORKDAYS), dt.datetime(2026, 3, 4, 18, 0, tzinfo=MSK),
     False, dt.datetime(2026, 3, 5, 9, 0, tzinfo=MSK)),
    ("friday evening to monday", weekly("Europe/Moscow", **WORKDAYS), dt.datetime(2026, 3, 6, 19, 0, tzinfo=MSK),
     False, dt.datetime(2026, 3, 9, 9, 0, tzinfo=MSK)),
    ("saturday to monday", weekly("Europe/Moscow", **WORKDAYS), dt.datetime(2026, 3, 7, 12, 0, tzinfo=MSK), False,
     dt.datetime(2026, 3, 9, 9, 0, tzinfo=MSK)),
    ("lunch break", LUNCH, dt.datetime(2026, 3, 2, 13, 30, tzinfo=MSK), False,
     dt.datetime(2026, 3, 2, 14, 0, tzinfo=MSK)),
    ("after lunch", LUNCH, dt.datetime(2026, 3, 2, 14, 0, tzinfo=MSK), True,
     dt.datetime(2026, 3, 2, 14, 0, tzinfo=MSK)),
    ("Moscow afternoon is Yekaterinburg evening", weekly("Asia/Yekaterinburg", **WORKDAYS), WED_1630, False,
     dt.datetime(2026, 3, 5, 9, 0, tzinfo=YEKT)),
    ("UTC morning is Yekaterinburg working time", weekly("Asia/Yekaterinburg", **WORKDAYS),
     dt.datetime(2026, 3, 4, 5, 30, tzinfo=UTC), True, dt.datetime(2026, 3, 4, 10, 30, tzinfo=YEKT)),
    # Kazakhstan is UTC+5 since 2024-03-01: 03:30 UTC is 08:30 in Almaty (not 09:30 as before)
    ("Almaty is UTC+5", weekly("Asia/Almaty", **WORKDAYS), dt.datetime(2026, 3, 4, 3, 30, tzinfo=UTC), False,
     dt.datetime(2026, 3, 4, 4, 0, tzinfo=UTC)),
    ("one day a week, just missed", TUESDAYS, dt.datetime(2026, 3, 3, 17, 0, tzinfo=ALMT), False,
     dt.datetime(2026, 3, 10, 10, 0, tzinfo=ALMT)),
    ("always", ALWAYS, WED_NIGHT, True, WED_NIGHT),
    ("all day", weekly("Europe/Moscow", wed="00:00-24:00"), dt.datetime(2026, 3, 4, 23, 59, tzinfo=MSK), True,
     dt.datetime(2026, 3, 4, 23, 59, tzinfo=MSK)),
    ("never", Hours("Europe/Moscow"), WED_NOON, False, None),
]


@pytest.mark.parametrize(("case", "hours", "now", "is_open", "next_open"), HOURS, ids=[h[0] for h in HOURS])
def test_hours(case: str, hours: Hours, now: dt.datetime, is_open: bool, next_open: dt.datetime | None) -> None:
    assert hours.is_open(now) is is_open
    found = hours.next_open(now)
    assert found == next_open
    if found is not None:
        assert found.utcoffset() == now.astimezone(ZoneInfo(hours.timezone)).utcoffset()


def test_naive_time_is_refused_by_hours() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ALWAYS.is_open(dt.datetime(2026, 3, 4, 12, 0))


@pytest.mark.parametrize(("text", "expected"), [
    ("09:00-18:00", ((540, 1080),)),
    ("09:00-13:00, 14:00-18:00", ((540, 780), (840, 1080))),
    ("00:00-24:00", ((0, 1440),)),
    ("9-18", None),
    ("18:00-09:00", None),
    ("09:00-24:30", None),
    ("25:00-26:00", None),
    (540, None),
])
def test_parse_intervals(text: object, expected: tuple[tuple[int, int], ...] | None) -> None:
    assert parse_intervals(text) == expected
