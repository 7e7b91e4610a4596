"""content/contacts.yml and places.yml as shipped, and the problems organisers get for broken copies."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.routing.contacts import Contact, Directory, Organisation, load_directory
from bot.routing.places import read_places
from bot.settings import ROOT, Settings

CONTENT = Settings().content_dir
LEGAL_FACTS = ROOT.parent / "shared" / "legal-facts.md"
# The only entries the legal-facts sheet (section 13) rates high-confidence.
VERIFIED_CONTACTS = {"rostrud_online"}
VERIFIED_ORGANISATIONS = {"rostrud"}
PHONE_LIKE = re.compile(r"(?:\+\d|\b8)[\d\s()\-]{8,}\d")


@pytest.fixture(scope="module")
def directory() -> Directory:
    found, problems = load_directory(CONTENT)
    assert found is not None, [p.render() for p in problems]
    return found


def test_shipped_places_and_contacts_have_no_problems() -> None:
    places, place_problems = read_places(CONTENT / "places.yml")
    found, problems = load_directory(CONTENT)
    assert places is not None and found is not None
    assert [p.render(CONTENT) for p in [*place_problems, *problems]] == []


def test_only_high_confidence_entries_are_verified(directory: Directory) -> None:
    assert {c.id for c in directory.contacts if c.verified} == VERIFIED_CONTACTS
    assert {o.id for o in directory.organisations.values() if o.verified} == VERIFIED_ORGANISATIONS


def test_every_verified_entry_says_when_and_where(directory: Directory) -> None:
    entries: list[Contact | Organisation] = [*directory.contacts, *directory.organisations.values()]
    for entry in entries:
        if entry.verified:
            assert entry.verified_on is not None and entry.verified_on <= dt.date.today(), entry.id
            assert entry.source is not None and entry.source.startswith("https://"), entry.id


def test_unverified_contacts_say_so_to_users(directory: Directory) -> None:
    for contact in directory.contacts:
        if not contact.verified:
            assert re.match(r"^(UNVERIFIED|SAMPLE DATA)", contact.note.get("en", "")), contact.id
            assert re.match(r"^(НЕ ПРОВЕРЕНО|ТЕСТОВЫЕ ДАННЫЕ)", contact.note.get("ru", "")), contact.id


def test_sample_data_cannot_be_mistaken_for_real(directory: Directory) -> None:
    samples = [c for c in directory.contacts if c.organisation == "example_union"]
    assert len(samples) >= 5
    assert "sample data" in directory.organisations["example_union"].name["en"].lower()
    for contact in samples:
        assert contact.id.startswith("example_") and not contact.verified and contact.channels.phone is None
        assert contact.channels.address is None
        assert contact.channels.web is None or contact.channels.web.startswith("https://example.org/")
        assert contact.channels.telegram is None or contact.channels.telegram.startswith("@example_")
    assert {c.id for c in directory.contacts if c.id.startswith("example_")} == {c.id for c in samples}


@pytest.mark.skipif(not LEGAL_FACTS.exists(), reason="no ../shared/legal-facts.md beside the repo")
def test_every_phone_number_comes_from_the_legal_facts_sheet(directory: Directory) -> None:
    """Guards against invented numbers: each one must be copied verbatim from the sheet."""
    facts = LEGAL_FACTS.read_text(encoding="utf-8")
    written = PHONE_LIKE.findall((CONTENT / "contacts.yml").read_text(encoding="utf-8"))
    phones = {c.channels.phone for c in directory.contacts if c.channels.phone} | {p.strip() for p in written}
    assert phones, "the phone check found nothing to check"
    assert sorted(p for p in phones if p not in facts) == []


# Expected UTC offsets on 2026-03-01 (Kazakhstan: one zone, UTC+5, since 2024-03-01).
OFFSETS = {
    "moskva": 3, "moskovskaya_oblast": 3, "sankt_peterburg": 3, "leningradskaya_oblast": 3, "kazan": 3,
    "krasnodar": 3, "nizhniy_novgorod": 3, "rostov_na_donu": 3, "voronezh": 3, "samara": 4, "ekaterinburg": 5,
    "chelyabinsk": 5, "ufa": 5, "tyumen": 5, "surgut": 5, "perm": 5, "omsk": 6, "novosibirsk": 7,
    "krasnoyarsk": 7, "irkutsk": 8, "vladivostok": 10, "khabarovsk": 10,
    "almaty": 5, "astana": 5, "shymkent": 5, "karaganda": 5, "aktobe": 5, "atyrau": 5,
}


def test_places_have_the_right_time_zones() -> None:
    places, _ = read_places(CONTENT / "places.yml")
    assert places is not None
    noon = dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    found = {p.id: noon.astimezone(ZoneInfo(p.timezone)).utcoffset() for p in places}
    assert found == {place: dt.timedelta(hours=hours) for place, hours in OFFSETS.items()}


# ---------------------------------------------------------------- broken copies

GOOD = """\
organisations:
  - id: alpha
    name: {ru: "Альфа", en: "Alpha"}
    kind: union
    country: RU
    verified: false
contacts:
  - id: good
    organisation: alpha
    country: RU
    region: null
    city: moskva
    sectors: [all]
    languages: [ru]
    hours: {timezone: Europe/Moscow, always: true}
    channels: {telegram: "@alpha_union"}
    verified: false
"""

# (case, replace this line, with this text, the problem is on the line holding this text, what it says)
BROKEN = [
    ("unknown organisation", "    organisation: alpha", "    organisation: alfa", "organisation: alfa",
     "organisation 'alfa'"),
    ("unknown city", "    city: moskva", "    city: moscow", "city: moscow", "city 'moscow'"),
    ("unknown region id", "    region: null", "    region: moskva_oblast", "region: moskva_oblast",
     "region 'moskva_oblast'"),
    ("region of another city", "    region: null", "    region: sverdlovskaya_oblast", "region: sverdlovskaya",
     "not the region of moskva"),
    ("city in another country", "    city: moskva", "    city: almaty", "city: almaty", "almaty is not in RU"),
    ("unknown sector", "    sectors: [all]", "    sectors: [building]", "sectors:", "'building' is not a known sector"),
    ("unknown language", "    languages: [ru]", "    languages: [russian]", "languages:",
     "'russian' is not a known language"),
    ("verified without a date", "    verified: false\n", "    verified: true\n    source: \"https://example.org/s\"\n",
     "verified: true", "needs the date"),
    ("verified contact of an unverified organisation", "    verified: false\n",
     "    verified: true\n    verified_on: 2026-03-01\n    source: \"https://example.org/s\"\n", "verified: true",
     "its organisation 'alpha' is not"),
    ("no channel", "    channels: {telegram: \"@alpha_union\"}", "    channels: {}", "channels:", "no way to reach"),
    ("malformed phone", "    channels: {telegram: \"@alpha_union\"}", "    channels: {phone: \"8-800-12-34\"}",
     "channels:", "has 8 digits"),
    ("phone with letters", "    channels: {telegram: \"@alpha_union\"}", "    channels: {phone: \"+7 495 CALL-NOW\"}",
     "channels:", "does not look like a phone number"),
    ("bad telegram handle", "    channels: {telegram: \"@alpha_union\"}", "    channels: {telegram: \"alpha\"}",
     "channels:", "Telegram handle"),
    ("web address without https", "    channels: {telegram: \"@alpha_union\"}", "    channels: {web: \"alpha.ru\"}",
     "channels:", "web address"),
    ("unknown time zone", "Europe/Moscow, always: true", "Europe/Moskow, always: true", "hours:",
     "time zone 'Europe/Moskow'"),
    ("bad hours", "    hours: {timezone: Europe/Moscow, always: true}",
     "    hours:\n      timezone: Europe/Moscow\n      weekly:\n        mon: \"9-18\"", "mon:", "HH:MM-HH:MM"),
    ("hours both always and weekly", "always: true}", "always: true, weekly: {mon: \"09:00-18:00\"}}", "hours:",
     "either 'always: true' or 'weekly:'"),
    ("misspelt key", "    verified: false\n", "    verifed: false\n", "verifed", "'verifed' is not a known key"),
    ("duplicate id", "    verified: false\n", "    verified: false\n  - id: good\n    organisation: alpha\n"
     "    country: RU\n    sectors: [all]\n    languages: [ru]\n    channels: {web: \"https://example.org\"}\n"
     "    verified: false\n", "  - id: good\n    organisation: alpha\n    country: RU\n    sectors",
     "'good' is used twice (also on line 8)"),
    ("organisation id that is a language", "  - id: alpha\n", "  - id: uz\n", "id: uz", "also a language code"),
    ("organisation without English name", "en: \"Alpha\"", "uz: \"Alfa\"", "name:", "at least ru and en"),
    # the parser notices the missing ']' on the next line; the fix says to look at the line above too
    ("YAML syntax", "    languages: [ru]", "    languages: [ru", "    hours:", "cannot be read"),
]


def _content_with(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    shutil.copy(CONTENT / "places.yml", root / "places.yml")
    (root / "contacts.yml").write_text(text, encoding="utf-8")
    return root


def test_the_good_fixture_is_good(tmp_path: Path) -> None:
    found, problems = load_directory(_content_with(tmp_path, GOOD))
    assert problems == [] and found is not None and [c.id for c in found.contacts] == ["good"]


@pytest.mark.parametrize(("case", "old", "new", "marker", "what"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_contacts_are_explained(tmp_path: Path, case: str, old: str, new: str, marker: str,
                                       what: str) -> None:
    head, found_old, tail = GOOD.rpartition(old)  # the last one: the contact's, not the organisation's
    assert found_old
    text = head + new + tail
    root = _content_with(tmp_path, text)
    found, problems = load_directory(root)
    line = text.count("\n", 0, text.index(marker)) + 1
    matching = [p for p in problems if what in p.what]
    assert found is None and matching, [p.render(root) for p in problems]
    assert matching[0].line == line, matching[0].render(root)
    assert matching[0].file == root / "contacts.yml"
    assert all(p.fix and p.what for p in problems)
    if case not in ("unknown organisation", "organisation id that is a language"):
        # a broken organisation does not make its contacts orphans too
        assert not any("is not under 'organisations:'" in p.what for p in problems)


def test_missing_file_is_explained(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    shutil.copy(CONTENT / "places.yml", root / "places.yml")
    found, problems = load_directory(root)
    assert found is None and [p.what for p in problems] == ["the file is missing"]


def test_broken_places_are_explained(tmp_path: Path) -> None:
    text = (CONTENT / "places.yml").read_text(encoding="utf-8")
    text = text.replace("timezone: Asia/Novosibirsk", "timezone: Asia/Novosibirks", 1)
    text = text.replace("      en: [Kazan]\n", "      en: [Kazan, Moskva]\n", 1)
    root = _content_with(tmp_path, GOOD)
    (root / "places.yml").write_text(text, encoding="utf-8")
    found, problems = load_directory(root)
    lines = text.splitlines()
    by_what = {p.what.split(" (")[0]: p for p in problems}
    assert found is None
    zone = by_what["the time zone 'Asia/Novosibirks' is not known"]
    assert zone.line is not None and "Asia/Novosibirks" in lines[zone.line - 1]
    clash = next(p for p in problems if "fits both" in p.what)
    assert "kazan and moskva" in clash.what and not clash.warning and clash.fix
