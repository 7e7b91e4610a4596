"""The collective signal: one key per employer across scripts and spellings, one count per user,
alerts only from the threshold up and only for the union where the work is, never who."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import make_engine, make_sessions
from bot.db.models import Contact, EmployerReport, Organisation, Unanswered
from bot.letters import flow
from bot.privacy.forget import forget
from bot.replies import Responder
from bot.routing.places import Places, load_places
from bot.settings import ROOT
from bot.signal.employers import MAX_NAME_CHARS, display_name, employer_key
from bot.signal.reports import Alert, alerts, record_mention
from bot.workbench.notes import EmployerMention
from bot.workbench.reach import EVERYTHING, Reach
from tests.builders import make_turn

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
SAME = {
    "stroymontazh": ['ООО "СтройМонтаж"', "OOO Stroymontazh", "'строймонтаж'", "Stroymontaj", "«ТОО Строй-Монтаж»",
                     "MChJ «Stroymontaj»", "Строймонтаж МЧЖ", "СТРОЙМОНТАЖЪ", "Stroy-Montazh LLC",
                     "Общество с ограниченной ответственностью «Строймонтаж»", "ооо  строй монтаж"],
    "stroyservis": ["Stroyservis", "ООО Стройсервис", "Stroyservis MChJ", "ТОО «Строй Сервис»"],
    "ivanov": ["ИП Иванов", "IP Ivanov", "Ivanov", "индивидуальный предприниматель Иванов"],
    "kurylys": ["ТОО Курылыс", "TOO Qurilis", "Курилис"],
    "shuhrat": ["ҶДММ «Шуҳрат»", "Shuhrat", "Шухрат", "Shuxrat"],
    "kurulush": ["ЖЧК «Бишкек Курулуш»", "Bishkek Kurulush", "ОсОО Бишкек-Курулуш"],
    "pyaterochka": ["Пятёрочка", "Pyaterochka", "Пятерочка", "Piaterochka"],
    "cement": ["Цемент Сервис", "Cement Servis", "Tsement Servis"],
    "telecom": ["АО Телеком-Строй", "Telecom Stroy JSC"],
    "su155": ["СУ-155", "SU 155", "ЗАО «СУ-155»"],
    "akjol": ["Ак Жол", "Ak Jol", "ТОО Ак-Жол"],
}
NOBODY = ["", "-", "?", "...", "не знаю", "Не знаю.", "незнаю", "не помню", "Bilmayman", "bilmadim", "Намедонам",
          "билбейм", "нет", "Yo‘q", "ООО", "LLC", "ИП", "работодатель", "Хозяин", "Ish beruvchi", "12", "ab"]


@pytest.mark.parametrize(("group", "name"), [(g, n) for g, names in SAME.items() for n in names])
def test_one_employer_has_one_key_in_every_script_and_spelling(group: str, name: str) -> None:
    assert employer_key(name) == employer_key(SAME[group][0]) is not None


def test_different_employers_keep_different_keys() -> None:
    keys = [employer_key(names[0]) for names in SAME.values()]
    assert len(set(keys)) == len(keys)
    assert employer_key("Stroymontazh") != employer_key("Stroyservis")
    assert employer_key("Ак Жол") != employer_key("Жол")        # Kyrgyz "Ак" is a name, not a legal form


@pytest.mark.parametrize("answer", NOBODY)
def test_answers_that_name_nobody_are_not_counted(answer: str) -> None:
    assert employer_key(answer) is None


@pytest.mark.parametrize("contact", ["+7 916 123-45-67", "89161234567", "+998 90 123 45 67", "ivan.p@mail.ru"])
def test_phone_numbers_and_e_mails_never_survive_in_the_name_or_the_key(contact: str) -> None:
    name = f"ООО Строймонтаж, бригадир {contact}"
    shown, key = display_name(name), employer_key(name)
    assert shown.startswith("ООО Строймонтаж, бригадир [") and key == employer_key("Строймонтаж бригадир")
    assert not any(secret in shown.replace(" ", "") for secret in ("1234567", "4567", "mail.ru", "ivan"))
    assert len(display_name("Строй" * 100)) == MAX_NAME_CHARS


# ---------------------------------------------------------------- the database

@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    made = make_sessions(engine)
    with made.begin() as session:
        session.add_all([Organisation(id="moscow_union", name="M", kind="union", country="RU"),
                         Organisation(id="kz_union", name="K", kind="union", country="KZ"),
                         Organisation(id="ru_national", name="R", kind="union", country="RU"),
                         Organisation(id="mo_union", name="O", kind="union", country="RU")])
        session.flush()
        session.add_all([contact("msk", "moscow_union", "RU", "moskva_city", "moskva"),
                         contact("almaty", "kz_union", "KZ", "almaty_city", "almaty"),
                         contact("kz_all", "kz_union", "KZ", None, None),
                         contact("ru_all", "ru_national", "RU", None, None),
                         contact("mo", "mo_union", "RU", "moskovskaya_oblast", None)])
    yield made
    engine.dispose()


def contact(id: str, organisation: str, country: str, region: str | None, city: str | None) -> Contact:
    return Contact(id=id, organisation_id=organisation, country=country, region=region, city=city, sectors=[],
                   languages=[], hours={}, channels={}, note={})


def mention(name: str = "ООО «Строймонтаж»", topic: str = "employer_claim", city: str | None = "moskva",
            country: str | None = "RU") -> EmployerMention:
    return EmployerMention(name, topic=topic, country=country, city=city)


def report(sessions: sessionmaker[Session], users: range | list[str], *, at: dt.datetime = NOW, **kwargs: str) -> None:
    with sessions.begin() as session:
        for user in users:
            record_mention(session, f"tg:user{user}", mention(**kwargs), at)


def seen(sessions: sessionmaker[Session], organisation: str | None, threshold: int = 3, days: int = 30,
         regions: dict[str, str] | None = None, *, operator: bool = False) -> list[Alert]:
    """The alerts `organisation` sees (None: a global admin); `operator`: it is the helpline's own."""
    reach = EVERYTHING if organisation is None else Reach(organisation, unrouted=operator)
    with sessions.begin() as session:
        return alerts(session, reach, threshold=threshold, days=days, now=NOW, regions=regions)


def test_below_the_threshold_nobody_sees_anything(sessions: sessionmaker[Session]) -> None:
    report(sessions, [0])
    assert seen(sessions, None, threshold=1) == []                 # one user is a person, never a signal
    report(sessions, [1])
    assert seen(sessions, None) == [] and seen(sessions, "moscow_union") == []


def test_from_the_threshold_the_union_sees_counts_and_topics(sessions: sessionmaker[Session]) -> None:
    report(sessions, range(2))
    report(sessions, [2], name="OOO Stroymontazh", topic="inspectorate_complaint")
    (alert,) = seen(sessions, "moscow_union")
    assert alert.name == "ООО «Строймонтаж»" and alert.users == 3      # the spelling most users wrote
    assert alert.topics == {"employer_claim": 2, "inspectorate_complaint": 1}
    assert alert.cities == {"moskva": 3}
    assert seen(sessions, None) == [alert]


def test_the_same_user_twice_counts_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert record_mention(session, "tg:same", mention(), NOW - dt.timedelta(days=1)) is True
        assert record_mention(session, "tg:same", mention("Stroymontaj", topic="inspectorate_complaint"), NOW) is False
        assert record_mention(session, "tg:same", mention("не знаю"), NOW) is False
    report(sessions, [1])
    assert seen(sessions, None) == []
    with sessions.begin() as session:
        row = session.scalars(select(EmployerReport).where(EmployerReport.conversation == "tg:same")).one()
        assert row.topic == "inspectorate_complaint" and row.created_at == NOW     # refreshed, not added
        assert session.scalar(select(func.count()).select_from(EmployerReport)) == 2
    report(sessions, [2])
    assert seen(sessions, None)[0].users == 3


def test_only_reports_within_the_window_count(sessions: sessionmaker[Session]) -> None:
    report(sessions, range(2))
    report(sessions, [2], at=NOW - dt.timedelta(days=31))
    assert seen(sessions, None) == []
    assert seen(sessions, None, days=60)[0].users == 3


def test_the_matching_union_sees_it_and_others_do_not(sessions: sessionmaker[Session]) -> None:
    report(sessions, range(3))                                     # in Moscow
    report(sessions, range(10, 13), name="Курылыс", country="KZ", city="almaty")
    report(sessions, range(20, 23), name="Стройсервис", city=None)  # in Russia, city unknown
    report(sessions, range(30, 33), name="Подмосковье Строй", city="podolsk")
    report(sessions, range(40, 43), name="Без страны", city=None, country=None)

    def names(organisation: str | None, regions: dict[str, str] | None = None, operator: bool = False) -> set[str]:
        return {a.name for a in seen(sessions, organisation, regions=regions, operator=operator)}

    assert names("kz_union") == {"Курылыс"}                          # a Moscow report is not theirs
    assert names("moscow_union") == {"ООО «Строймонтаж»"}             # somewhere in Russia: not Moscow's
    assert names("ru_national") == {"ООО «Строймонтаж»", "Стройсервис", "Подмосковье Строй"}
    assert names("mo_union") == set()
    assert names("mo_union", regions={"podolsk": "moskovskaya_oblast"}) == {"Подмосковье Строй"}
    assert names("helpline") == set()                                # no contacts, not the operator
    assert names("helpline", operator=True) == {"Стройсервис", "Без страны"}   # the operator: no place known
    assert len(names(None)) == 5


def test_identities_never_appear(sessions: sessionmaker[Session]) -> None:
    report(sessions, range(3), name="ООО Строймонтаж, звоните +79161234567")
    (alert,) = seen(sessions, None)
    assert "conversation" not in Alert.__dataclass_fields__
    assert "tg:user" not in repr(alert) and "7916" not in repr(alert)
    assert alert.name == "ООО Строймонтаж, звоните [number]"


def test_forget_deletes_the_users_reports(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    report(sessions, range(3))
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255), "
                   "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('tg:user0', 'user', 1, '{}')")
    tracker_store = make_engine(f"sqlite:///{tracker}")
    with sessions.begin() as session:                               # and their unanswered questions
        for who in ("tg:user0", "tg:user1"):
            session.add(Unanswered(conversation=who, language="ru", channel="telegram", text="вопрос", state="open"))
    with sessions.begin() as session:
        assert forget(session, tracker_store, "tg:user0").events == 1
    tracker_store.dispose()
    with sessions.begin() as session:
        left = set(session.scalars(select(EmployerReport.conversation)))
        unanswered = set(session.scalars(select(Unanswered.conversation)))
    assert left == {"tg:user1", "tg:user2"} and unanswered == {"tg:user1"}
    assert seen(sessions, None) == []                                # two users are below the threshold


# ---------------------------------------------------------------- consent, from the letter to the count

@pytest.fixture(scope="module")
def places() -> Places:
    return load_places(ROOT / "content" / "places.yml")


def letter_run(responder: Responder, places: Places, answer: str, conversation: str,
               sessions: sessionmaker[Session]) -> list[EmployerMention]:
    """The question after a letter, answered; what the recorder would count."""
    pending = {"kind": "inspectorate_complaint", "country": "RU", "employer": "ООО Строймонтаж", "city": "Москва"}
    turn = make_turn(text=f'/letter{{"share":"{answer}"}}', language="ru", awaiting="letter:share",
                     letter=pending, entities={"share": answer})
    outcome = flow.shared(responder, turn, places)
    notes = [n for n in outcome.notes if isinstance(n, EmployerMention)]
    with sessions.begin() as session:
        for note in notes:
            record_mention(session, conversation, note, NOW)
    return notes


def test_only_users_who_said_yes_are_counted(responder: Responder, places: Places,
                                             sessions: sessionmaker[Session]) -> None:
    answers = itertools.cycle(["yes", "no"])
    for user in range(5):       # yes, no, yes, no, yes
        notes = letter_run(responder, places, next(answers), f"tg:user{user}", sessions)
        assert len(notes) == (1 if user % 2 == 0 else 0)
    (alert,) = seen(sessions, "moscow_union")
    assert alert.users == 3 and alert.cities == {"moskva": 3} and alert.topics == {"inspectorate_complaint": 3}
    assert seen(sessions, "moscow_union", threshold=4) == []
