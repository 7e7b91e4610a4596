"""Organisation isolation of the organisers' workbench (issue 15, item 4), on SQLite and
PostgreSQL. Two unions and the helpline's operator organisation: each union's organiser sees and
acts on only its own unanswered questions, insight counts and employer alerts; rows routed to no
organisation are the operator's and a global admin's; a union's admin is scoped like its
organisers; a global admin sees everything. Through the real console app (no Rasa) and the
action server's recorder."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.db.base import utcnow
from bot.db.engine import alembic_config, make_engine, make_sessions
from bot.db.models import Account, Contact, Organisation, Role, Unanswered, UsageCount
from bot.dialogue import Outcome
from bot.gateway.app import create_app
from bot.notes import EmployerMention, Referral
from bot.signal.reports import record_mention
from bot.workbench import unanswered
from bot.workbench.record import Recorder
from tests.builders import make_turn
from tests.conftest import make_settings
from tests.console_client import Console, add_caseworker, serving

OPERATOR = "helpline"          # the settings' default organisation
PEOPLE = {  # who: (e-mail, organisation, role)
    "a": ("organiser@union-a.example", "union_a", Role.organiser),
    "b": ("organiser@union-b.example", "union_b", Role.organiser),
    "admin_a": ("admin@union-a.example", "union_a", Role.admin),
    "operator": ("organiser@helpline.example", OPERATOR, Role.organiser),
    "global": ("global@helpline.example", OPERATOR, Role.global_admin),
}
QUESTIONS = {"a": ("alphaquestion about a loan", "union_a"), "b": ("betaquestion about a visa", "union_b"),
             "none": ("nobodysquestion about a car", None)}
EMPLOYERS = {"a": ("Alfastroy", "RU", "moskva"), "b": ("Betaqurilis", "KZ", "almaty"),
             "none": ("Nowherebuild", None, None)}
SEEN = {"a": {"a"}, "b": {"b"}, "admin_a": {"a"}, "operator": {"none"}, "global": {"a", "b", "none"}}


def seed(sessions: sessionmaker[Session]) -> dict[str, int]:
    """The organisations, their contacts, one question, three employer reports each and some
    counts; the ids of the questions."""
    now = utcnow()
    with sessions.begin() as session:
        session.add_all([Organisation(id=OPERATOR, name="Helpline caseworkers", kind="helpline", country="RU"),
                         Organisation(id="union_a", name="Moscow builders", kind="union", country="RU"),
                         Organisation(id="union_b", name="Almaty traders", kind="union", country="KZ")])
        session.flush()
        session.add_all([contact("a_msk", "union_a", "RU", "moskva"), contact("b_kz", "union_b", "KZ", None)])
        rows = {who: Unanswered(conversation=f"web:{who}", language="en", channel="web", text=words,
                                guess="wages_unpaid", confidence=0.2, state="open", organisation_id=organisation)
                for who, (words, organisation) in QUESTIONS.items()}
        session.add_all(rows.values())
        for who, (name, country, city) in EMPLOYERS.items():
            for user in range(3):
                record_mention(session, f"tg:{who}{user}", EmployerMention(name, "wages_unpaid", country, city), now)
        counts = [("conversation", "", "union_a", 7), ("conversation", "", "union_b", 11), ("conversation", "", "", 13),
                  ("fallback", "", "union_a", 3), ("fallback", "", "union_b", 4),
                  ("referral", "union_a", "union_a", 6), ("referral", "union_b", "union_b", 9)]
        session.add_all(UsageCount(day=now.date(), kind=kind, topic=topic, language="ru", channel="web",
                                   organisation=organisation, count=n) for kind, topic, organisation, n in counts)
        session.flush()
        return {who: row.id for who, row in rows.items()}


def contact(id: str, organisation: str, country: str, city: str | None) -> Contact:
    return Contact(id=id, organisation_id=organisation, country=country, region=None, city=city, sectors=[],
                   languages=[], hours={}, channels={}, note={})


@dataclass
class World:
    base: str
    sessions: sessionmaker[Session]
    questions: dict[str, int]

    def console(self, who: str) -> Console:
        console = Console(self.base)
        assert console.login(PEOPLE[who][0]).status_code == 303
        return console

    def state(self, who: str) -> str:
        with self.sessions() as session:
            row = session.get(Unanswered, self.questions[who])
            assert row is not None
            return row.state


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    questions = seed(sessions)
    for email, organisation, role in PEOPLE.values():
        add_caseworker(database_url, email, organisation=organisation, role=role)
    settings = make_settings(tmp_path / "var", database_url=database_url)
    try:
        with serving(create_app(settings), settings.gateway_port):
            yield World(f"http://127.0.0.1:{settings.gateway_port}", sessions, questions)
    finally:
        engine.dispose()


def test_each_organiser_lists_only_the_questions_routed_to_its_organisation(world: World) -> None:
    for who, expected in SEEN.items():
        page = world.console(who).http.get("/console/organiser/unanswered").text
        shown = {q for q, (words, _) in QUESTIONS.items() if words in page}
        assert shown == expected, who


def test_acting_on_another_organisations_question_is_not_found(world: World) -> None:
    a = world.console("a")

    def dismiss(console: Console, *whose: str) -> int:
        ids = ",".join(str(world.questions[w]) for w in whose)
        return console.http.post("/console/organiser/unanswered",
                                 data={"csrf": console.csrf, "action": "dismiss", "ids": ids}).status_code

    assert dismiss(a, "b") == 404 and world.state("b") == "open"
    assert dismiss(a, "none") == 404 and world.state("none") == "open"     # unrouted: the operator's
    assert dismiss(a, "a", "b") == 404 and world.state("a") == "open"      # refused as a whole
    candidate = a.http.post("/console/organiser/unanswered", data={
        "csrf": a.csrf, "action": "candidate", "ids": str(world.questions["b"])})
    assert candidate.status_code == 404 and world.state("b") == "open"
    admin_a = world.console("admin_a")
    assert dismiss(admin_a, "b") == 404 and world.state("b") == "open"     # an admin of union A is union A's
    assert dismiss(world.console("operator"), "b") == 404
    assert dismiss(a, "a") == 303 and world.state("a") == "dismissed"
    assert dismiss(world.console("operator"), "none") == 303 and world.state("none") == "dismissed"
    assert dismiss(world.console("global"), "b") == 303 and world.state("b") == "dismissed"


def totals(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-kind="(\w+)">([^<]+)<', page))


def test_insight_counts_and_referrals_are_the_organisations_own(world: World) -> None:
    pages = {who: world.console(who).http.get("/console/organiser/insight").text for who in SEEN}
    conversations = {who: totals(page)["conversation"] for who, page in pages.items()}
    # 7, 11, 13 and 31 rounded down to a multiple of 5
    assert conversations == {"a": "5", "b": "10", "admin_a": "5", "operator": "10", "global": "30"}
    # 3 and 4 fallbacks: hidden for each union, shown once added up (7, shown as 5) for a global admin
    assert totals(pages["a"])["fallback"] == totals(pages["b"])["fallback"] == "hidden"
    assert totals(pages["global"])["fallback"] == "5" and totals(pages["operator"])["fallback"] == "0"
    assert ">union_a<" in pages["a"] and ">union_b<" not in pages["a"]          # the referrals chart
    assert ">union_b<" in pages["b"] and ">union_a<" not in pages["b"]
    assert ">union_a<" in pages["global"] and ">union_b<" in pages["global"]


def test_employer_alerts_are_the_places_an_organisation_covers(world: World) -> None:
    for who, expected in SEEN.items():
        page = world.console(who).http.get("/console/organiser/insight").text
        listed = re.search(r'<ul id="alerts">(.*?)</ul>', page, re.S)
        assert listed is not None
        shown = {e for e, (name, _, _) in EMPLOYERS.items() if name in listed.group(1)}
        assert shown == expected, who           # a report without a country: no union's


def test_a_global_admin_is_a_role_of_its_own(world: World, monkeypatch: pytest.MonkeyPatch,
                                             database_url: str) -> None:
    monkeypatch.setenv("HELPLINE_DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert main(["user", "add", "--role", "global_admin", "--org", OPERATOR, "--email", "root@helpline.example",
                 "--password-stdin"]) == 0
    with world.sessions() as session:
        role = session.scalars(select(Account.role).where(Account.email == "root@helpline.example")).one()
    assert role is Role.global_admin
    console = Console(world.base)
    assert console.login("root@helpline.example", "a long enough secret").status_code == 303
    page = console.http.get("/console/organiser/unanswered").text
    assert all(words in page for words, _ in QUESTIONS.values())
    assert "/console/organiser/insight" in console.queue()                 # the workbench's links too


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    made = make_sessions(engine)
    with made.begin() as session:
        session.add_all([Organisation(id="union_a", name="A", kind="union", country="RU"),
                         Organisation(id="union_b", name="B", kind="union", country="KZ")])
    yield made
    engine.dispose()


async def test_the_recorder_keeps_the_organisation_a_question_or_count_was_routed_to(
        sessions: sessionmaker[Session]) -> None:
    recorder = Recorder(sessions, flush_seconds=0)
    for referrer in ("union_a", "nosuch", None):        # a union's link, a link to no organisation, none
        turn = make_turn(text=f"how to get a loan via {referrer}", intent="nlu_fallback", ranking=("wages_unpaid",),
                         language="en", referrer=referrer)
        await recorder.record("action_did_you_mean", f"web:{referrer}", turn, Outcome([], {"language": "en"}), 0.2)
    routed = make_turn(text='/route{"sector":"construction"}', language="en", referrer="union_a")
    await recorder.record("action_route_step", "web:r", routed, Outcome([], {}, [Referral("union_b")]), 1.0)
    with sessions() as session:
        questions = {q.conversation: q.organisation_id for q in session.scalars(select(Unanswered))}
        counts = {(c.kind, c.topic, c.organisation): c.count for c in session.scalars(select(UsageCount))}
    assert questions == {"web:union_a": "union_a", "web:nosuch": None, "web:None": None}
    assert counts == {("fallback", "", "union_a"): 1, ("fallback", "", ""): 2,
                      ("referral", "union_b", "union_b"): 1}      # a referral is the referred organisation's


def test_rows_from_before_are_routed_to_no_organisation(database_url: str) -> None:
    """From 0004 to 0005 and back: old rows get no organisation; going back adds the counts of
    one key together again."""
    config = alembic_config(database_url)
    command.downgrade(config, "0004")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO usage_count (day, kind, topic, language, channel, count) "
                                    "VALUES ('2026-11-01', 'conversation', '', 'ru', 'web', 5)"))
            connection.execute(text("INSERT INTO unanswered (created_at, conversation, language, channel, text, state) "
                                    "VALUES ('2026-11-01 10:00:00+00:00', 'web:x', 'ru', 'web', 'old', 'open')"))
        command.upgrade(config, "head")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT organisation_id FROM unanswered")).all() == [(None,)]
            assert connection.execute(text("SELECT organisation, count FROM usage_count")).all() == [("", 5)]
            connection.execute(text("INSERT INTO organisation (id, name, names, kind, country, verified) "
                                    "VALUES ('union_a', 'A', '{}', 'union', 'RU', false)"))
            connection.execute(text("INSERT INTO usage_count (day, kind, topic, language, channel, organisation, "
                                    "count) VALUES ('2026-11-01', 'conversation', '', 'ru', 'web', 'union_a', 2)"))
        command.downgrade(config, "0004")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count FROM usage_count")).all() == [(7,)]
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_the_page_says_when_only_the_newest_questions_are_grouped(world: World) -> None:
    """The grouping cap (bot/workbench/unanswered.py) is told to the organiser, never silent."""
    page = world.console("a").http.get("/console/organiser/unanswered").text
    notice = "Only the newest questions are grouped here"
    assert notice not in page                                   # one question: all of it grouped
    with world.sessions.begin() as session:
        session.add_all(Unanswered(conversation=f"web:many{n}", language="en", channel="web",
                                   text=f"question number {n} about a loan", guess="wages_unpaid",
                                   confidence=0.2, state="open", organisation_id="union_a")
                        for n in range(unanswered.MAX_GROUPED))
    page = world.console("a").http.get("/console/organiser/unanswered").text
    assert notice in page
