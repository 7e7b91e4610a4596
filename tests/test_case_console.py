"""The console's case actions added against floods (issue 15, item 3), through the real console
app (no Rasa) on SQLite and PostgreSQL: closing several cases at once by the rule for one case,
with the closing message to each user and the audit log; and "count this employer" from a
case, which counts as confirmed and reaches the organisation the case was routed to, never by
a place the caseworker does not see."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import messages as m
from bot.cases import service
from bot.content_cache import responder
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, AuditEvent, Case, CaseMessage, CaseState, EmployerReport, Organisation, Role, Sender
from bot.gateway.app import create_app
from bot.settings import ROOT
from tests.conftest import conversation_key, make_settings
from tests.console_client import Console, add_caseworker, serving
from tests.web_user import web_session

PEOPLE = {  # who: (e-mail, organisation, role)
    "cw_a": ("cw@union-a.example", "union_a", Role.caseworker),
    "cw_a2": ("cw2@union-a.example", "union_a", Role.caseworker),
    "lead_a": ("lead@union-a.example", "union_a", Role.supervisor),
    "lead_b": ("lead@union-b.example", "union_b", Role.supervisor),
    "org_a": ("organiser@union-a.example", "union_a", Role.organiser),
    "org_b": ("organiser@union-b.example", "union_b", Role.organiser),
    "operator": ("organiser@helpline.example", "helpline", Role.organiser),
}


@dataclass
class World:
    base: str
    sessions: sessionmaker[Session]

    def console(self, who: str) -> Console:
        console = Console(self.base)
        assert console.login(PEOPLE[who][0]).status_code == 303
        return console

    def open(self, conversation: str, organisation: str = "union_a", language: str = "en") -> int:
        with self.sessions.begin() as session:
            case, _ = service.open_case(session, service.Opening(
                conversation=conversation, channel="web", organisation_id=organisation, language=language))
            return case.id

    def case(self, case_id: int) -> Case:
        with self.sessions() as session:
            case = session.get(Case, case_id)
            assert case is not None
            _ = case.messages
            return case

    def audit(self, action: str) -> list[AuditEvent]:
        with self.sessions() as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))

    def account_id(self, who: str) -> int:
        with self.sessions() as session:
            return session.scalars(select(Account.id).where(Account.email == PEOPLE[who][0])).one()


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    with sessions.begin() as session:
        session.add_all([Organisation(id="helpline", name="Helpline", kind="helpline", country="RU"),
                         Organisation(id="union_a", name="Union A", kind="union", country="RU"),
                         Organisation(id="union_b", name="Union B", kind="union", country="KZ")])
    for email, organisation, role in PEOPLE.values():
        add_caseworker(database_url, email, organisation=organisation, role=role)
    settings = make_settings(tmp_path / "var", database_url=database_url)
    try:
        with serving(create_app(settings), settings.gateway_port):
            yield World(f"http://127.0.0.1:{settings.gateway_port}", sessions)
    finally:
        engine.dispose()


def close(console: Console, ids: list[int], outcome: str = "no_response", **headers: str) -> tuple[int, dict[str, int]]:
    response = console.http.post("/console/cases/close", data={"csrf": console.csrf, "ids": [str(i) for i in ids],
                                                               "outcome": outcome},
                                 headers={"accept": "application/json", **headers})
    return response.status_code, response.json() if response.status_code == 200 else {}


def ending(language: str) -> str:
    return responder(ROOT / "content", ROOT / "locales").catalogues.gettext(language, m.CASE_ENDED)


def test_a_supervisor_closes_a_flood_of_cases_at_once(world: World) -> None:
    flood = [world.open(f"web:flood{n}", language="ru" if n % 2 else "en") for n in range(5)]
    lead = world.console("lead_a")
    queue = lead.queue()
    assert all(f'name="ids" value="{case_id}" data-state="queued"' in queue for case_id in flood)
    assert 'id="select-waiting"' in queue and '<script src="/console/static/queue.js">' in queue   # all at once
    script = lead.http.get("/console/static/queue.js")
    assert script.status_code == 200 and '[data-state="queued"]' in script.text
    assert close(lead, flood) == (200, {"closed": 5, "refused": 0, "already": 0})
    for case_id in flood:
        case = world.case(case_id)
        assert case.state is CaseState.closed and case.outcome == "no_response" and case.closed_by == "caseworker"
        (said,) = [x for x in case.messages if x.sender is Sender.system]
        assert said.body == ending(case.language) and said.delivered_at is None     # to be delivered as usual
    assert ending("ru") != ending("en")
    closes = [e for e in world.audit("case.close") if e.case_id in flood]
    assert len(closes) == 5 and {e.account_id for e in closes} == {world.account_id("lead_a")}
    (bulk,) = world.audit("case.bulk_close")
    assert bulk.account_id == world.account_id("lead_a") and bulk.detail.startswith("closed=5 refused=0")
    assert close(lead, flood) == (200, {"closed": 0, "refused": 0, "already": 5})   # nothing twice


def test_users_of_cases_closed_at_once_get_the_closing_message(world: World) -> None:
    names = [f"bulk-user-{n}" for n in range(3)]
    flood = [world.open(conversation_key("web", name)) for name in names]
    assert close(world.console("lead_a"), flood)[1]["closed"] == 3
    for name in names:
        told: list[str] = []
        deadline = time.monotonic() + 20
        while not told and time.monotonic() < deadline:
            response = httpx.get(f"{world.base}/api/chat/updates", params={"session_id": web_session(name)}, timeout=30)
            told = [message["text"] for message in response.json()["messages"]]
            time.sleep(0.2)
        assert told == [ending("en")], name
    with world.sessions() as session:
        undelivered = session.scalars(select(CaseMessage).where(CaseMessage.case_id.in_(flood),
                                                                CaseMessage.delivered_at.is_(None))).all()
    assert undelivered == []


def test_a_caseworker_closes_only_the_cases_they_claimed(world: World) -> None:
    mine, colleagues, nobodys = (world.open(f"web:rule{n}") for n in range(3))
    cw, cw2 = world.console("cw_a"), world.console("cw_a2")
    assert cw.act(mine, "claim").status_code == 303 and cw2.act(colleagues, "claim").status_code == 303
    assert close(cw, [mine, colleagues, nobodys]) == (200, {"closed": 1, "refused": 2, "already": 0})
    states = {case_id: world.case(case_id).state for case_id in (mine, colleagues, nobodys)}
    assert states == {mine: CaseState.closed, colleagues: CaseState.active, nobodys: CaseState.queued}
    refused = {e.case_id for e in world.audit("case.close_refused") if e.account_id == world.account_id("cw_a")}
    assert refused == {colleagues, nobodys}
    page = cw.http.post("/console/cases/close", data={"csrf": cw.csrf, "ids": [str(nobodys)], "outcome": "other"})
    assert page.status_code == 303 and page.headers["location"] == "/console?closed=0&refused=1"
    told = cw.http.get(page.headers["location"]).text
    assert re.search(r'id="bulk-done">Closed: 0\. Not closed, .*: 1\.', told)


def test_another_organisations_case_in_the_selection_closes_nothing(world: World) -> None:
    ours, theirs = world.open("web:ours"), world.open("web:theirs", organisation="union_b")
    lead = world.console("lead_a")
    assert close(lead, [ours, theirs])[0] == 404                     # as for one case: not found
    assert world.case(ours).state is CaseState.queued and world.case(theirs).state is CaseState.queued
    assert close(lead, [ours], outcome="made-up")[0] == 400
    assert close(lead, [])[0] == 400
    anonymous = lead.http.post("/console/cases/close", data={"csrf": "wrong", "ids": [str(ours)],
                                                             "outcome": "other"})
    assert anonymous.status_code == 403 and world.case(ours).state is CaseState.queued


def alerts_of(world: World, who: str) -> str:
    page = world.console(who).http.get("/console/organiser/insight").text
    found = re.search(r'<ul id="alerts">(.*?)</ul>', page, re.S)
    assert found is not None
    return found.group(1)


def test_an_employer_counted_from_a_case_is_confirmed_and_reaches_the_cases_union(world: World) -> None:
    cw = world.console("cw_a")
    unasked = world.open("web:signal-unasked")                       # the user did not agree: nothing counted
    refused = cw.http.post(f"/console/cases/{unasked}/employer", headers={"accept": "application/json"},
                           data={"csrf": cw.csrf, "body": "Агрофирма Рассвет"})
    assert refused.status_code == 409
    for n in range(3):
        case_id = world.open(f"web:signal{n}")
        response = cw.http.post(f"/console/cases/{case_id}/employer", headers={"accept": "application/json"},
                                data={"csrf": cw.csrf, "body": "Агрофирма Рассвет", "agreed": "yes"})
        assert response.status_code == 200
    with world.sessions() as session:
        rows = list(session.scalars(select(EmployerReport)))
    assert {(r.channel, r.organisation_id, r.country, r.city) for r in rows} == {("web", "union_a", None, None)}
    assert all(r.confirmed_at is not None for r in rows)
    shown = alerts_of(world, "org_a")
    assert "Агрофирма Рассвет" in shown
    assert re.search(r"</strong> · 3 workers <span class=\"mix\">\(0 Telegram users, 3 confirmed by a caseworker, "
                     r"0 web chats not counted\)", shown)
    assert "Рассвет" not in alerts_of(world, "org_b") and "Рассвет" not in alerts_of(world, "operator")


def test_the_case_page_shows_no_place(world: World) -> None:
    case_id = world.open("web:noplace")
    page = world.console("cw_a").http.get(f"/console/cases/{case_id}").text
    assert 'id="employer-form"' in page
    assert "country" not in page.lower() and "city" not in page.lower()
    with world.sessions() as session:
        assert session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id)).all() == []
