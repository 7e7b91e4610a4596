"""The collective signal: one key per employer across scripts and spellings, one count per user,
alerts only from the threshold up and only for the union where the work is, never who. Only
what cannot be faked cheaply counts (issue 15): Telegram users and reports a caseworker
confirmed; web chats are shown beside the count."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import alembic_config, make_engine, make_sessions
from bot.db.models import Contact, EmployerReport, Organisation, Unanswered
from bot.flows import letter as flow
from bot.notes import EmployerMention
from bot.privacy.forget import forget
from bot.privacy.keys import channel_of
from bot.reach import EVERYTHING, Reach
from bot.replies import Responder
from bot.routing.places import Places, load_places
from bot.settings import ROOT
from bot.signal.employers import MAX_NAME_CHARS, display_name, employer_key
from bot.signal.reports import Alert, alerts, record_mention
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
    turn = make_turn(text=f'/letter{{"share":"{answer}"}}', language="ru", flow=("letter", "share", pending),
                     entities={"share": answer})
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


# ---------------------------------------------------------------- what counts (issue 15)

def test_web_chats_nobody_confirmed_are_shown_beside_the_count_never_in_it(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for n in range(12):                  # a flood of free web chats, in its own spelling
            record_mention(session, f"web:flood{n}", mention("СТРОЙМОНТАЖЪ"), NOW)
    assert seen(sessions, None) == []                                # 12 web chats: no alert
    report(sessions, range(2))                                       # two Telegram users
    assert seen(sessions, None) == []
    with sessions.begin() as session:                                # a caseworker confirmed a web user's
        record_mention(session, "web:case", mention(topic="documents_confiscated", city=None), NOW,
                       confirmed_for="moscow_union")
    (alert,) = seen(sessions, None)
    assert (alert.users, alert.telegram, alert.confirmed, alert.uncounted) == (3, 2, 1, 12)
    assert alert.name == "ООО «Строймонтаж»"                          # not the flood's spelling
    assert alert.topics == {"employer_claim": 2, "documents_confiscated": 1} and alert.cities == {"moskva": 2}


def test_a_confirmation_stays_and_a_confirmed_telegram_user_counts_once(sessions: sessionmaker[Session]) -> None:
    report(sessions, range(2))
    with sessions.begin() as session:
        record_mention(session, "tg:user0", mention(), NOW, confirmed_for="moscow_union")
        record_mention(session, "tg:user0", mention(), NOW)             # the user again, in a letter
        row = session.scalars(select(EmployerReport).where(EmployerReport.conversation == "tg:user0")).one()
        assert row.confirmed_at == NOW and row.organisation_id == "moscow_union" and row.channel == "telegram"
    (alert,) = seen(sessions, None, threshold=2)
    assert (alert.users, alert.telegram, alert.confirmed) == (2, 1, 1)


def test_a_report_confirmed_from_a_case_reaches_the_cases_organisation(sessions: sessionmaker[Session]) -> None:
    """No place (the caseworker never sees it): the union the case was routed to sees it, no
    other union does, and the operator does not see another union's report as unplaced."""
    with sessions.begin() as session:
        for n in range(3):
            record_mention(session, f"web:case{n}", mention("Агрофирма Рассвет", city=None, country=None), NOW,
                           confirmed_for="kz_union")
    assert [a.users for a in seen(sessions, "kz_union")] == [3]
    assert seen(sessions, "moscow_union") == [] and seen(sessions, "ru_national") == []
    assert seen(sessions, "helpline", operator=True) == []
    assert [a.name for a in seen(sessions, None)] == ["Агрофирма Рассвет"]


@pytest.mark.parametrize(("conversation", "channel"), [("tg:abc", "telegram"), ("web:abc", "web"),
                                                       ("forgotten:1", "other"), ("webx:1", "other")])
def test_the_channel_comes_from_the_conversation(conversation: str, channel: str) -> None:
    assert channel_of(conversation) == channel


def test_reports_from_before_get_their_channel_and_are_not_confirmed(database_url: str) -> None:
    """From 0006 to 0007 and back."""
    config = alembic_config(database_url)
    command.downgrade(config, "0006")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for conversation in ("tg:a", "web:b", "x:c"):
                connection.execute(text(
                    "INSERT INTO employer_report (created_at, conversation, employer_key, employer_name) "
                    f"VALUES ('2026-11-01 10:00:00+00:00', '{conversation}', 'k', 'K')"))
        command.upgrade(config, "head")
        with engine.begin() as connection:
            rows = connection.execute(text("SELECT conversation, channel, confirmed_at, organisation_id "
                                           "FROM employer_report ORDER BY conversation")).all()
        assert [tuple(r) for r in rows] == [("tg:a", "telegram", None, None), ("web:b", "web", None, None),
                                            ("x:c", "other", None, None)]
        command.downgrade(config, "0006")
        command.upgrade(config, "head")
    finally:
        engine.dispose()
