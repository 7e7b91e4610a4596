"""What the helpline tells users it does with their data, checked against the stores (issue 15,
item 5). The caseworker sees the topic and the language, and what the user wrote only if they
agreed (content/topics/handoff_human.yml), never the place, city, sector, country or referrer;
a closed case keeps no way to reach the user once its last message is delivered; the
calculators' and the letter's answers leave Rasa's tracker store once the flow ends.

The first part runs offline: the real gateway in front of a fake Rasa that has noted all those
slots, and the fake Bot API. The second talks to the real Rasa and action server."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy import text as sql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actions import answers, steps
from bot import messages
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Case
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press
from bot.devtools.ports import free_port
from bot.gateway.app import create_app
from bot.processes import Stack
from bot.replies import CASE_END, CASE_OPEN_PRIVATE, CASE_OPEN_SHARED, Responder
from bot.settings import Settings
from tests.builders import flow_slot
from tests.conftest import conversation_key, fake_telegram_settings, make_settings
from tests.console_client import Console, add_caseworker
from tests.web_user import WebUser, gateway_url, web_session

UNION = "union_south"          # the organisation whose link brought the user
NOTED = {"language": "ru", "topic": "wages_unpaid", "urgent": False, "country": "KZ", "city": "almaty",
         "sector": "construction", "place": "43.2,76.9", "referrer": UNION, "flow": None}
NEVER_SHOWN = ("KZ", "almaty", "construction", "43.2", "76.9", UNION, "country", "city", "sector", "place",
               "referrer")
WROTE = "хозяин не платит второй месяц"


# -- the offline gateway --------------------------------------------------------------------

@dataclass
class FakeRasa:
    """A Rasa that has noted every slot routing can set, and one message the user typed."""

    asked: list[str] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        self.asked.append(request.url.path)
        if request.url.path.endswith("/tracker"):
            events = [{"event": "user", "text": WROTE, "timestamp": 1.0}] \
                if request.query_params.get("include_events") == "ALL" else []
            return JSONResponse({"slots": NOTED, "events": events})
        if request.url.path == "/webhooks/rest/webhook":
            body = await request.json()
            return JSONResponse([{"recipient_id": body["sender"], "text": "answer"}])
        return JSONResponse({})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])])


@dataclass
class Gateway:
    settings: Settings
    telegram: FakeTelegram

    @property
    def base(self) -> str:
        return f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"

    def read(self, work: Callable[[Any], Any]) -> Any:
        engine = make_engine(self.settings.database)
        try:
            with make_sessions(engine).begin() as session:
                return work(session)
        finally:
            engine.dispose()

    def case_of(self, conversation: str) -> Case:
        found: Case = self.read(lambda s: s.scalars(select(Case).where(Case.conversation == conversation)).one())
        return found

    def rows(self, case_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the case, every column, as the database holds them."""
        def read(session: Any) -> dict[str, list[dict[str, Any]]]:
            return {table: [dict(row._mapping) for row in session.execute(
                sql(f"SELECT * FROM {table} WHERE {column} = :case"), {"case": case_id})]
                for table, column in (("support_case", "id"), ("case_message", "case_id"),
                                      ("audit_event", "case_id"))}
        found: dict[str, list[dict[str, Any]]] = self.read(read)
        return found


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    rasa, telegram = FakeRasa(), FakeTelegram()
    rasa_port, telegram_port = free_port(), free_port()
    settings = make_settings(tmp_path_factory.mktemp("promises"), rasa_port=rasa_port,
                             **fake_telegram_settings(telegram_port))
    with Server(rasa.app(), rasa_port), Server(telegram.app(), telegram_port), \
            Server(create_app(settings), settings.gateway_port):      # started: its lifespan has run
        add_caseworker(settings.database, "south@union.example", organisation=UNION)
        yield Gateway(settings, telegram)


def open_on_the_web(gateway: Gateway, session_id: str, payload: str) -> Case:
    response = httpx.post(f"{gateway.base}/api/chat", json={"session_id": web_session(session_id), "payload": payload},
                          timeout=30)
    assert response.status_code == 200 and response.json()["case"] == "queued"
    return gateway.case_of(conversation_key("web", session_id))


@pytest.mark.parametrize("shared", [True, False])
def test_the_caseworker_gets_the_topic_and_language_and_never_the_place(gateway: Gateway, shared: bool) -> None:
    case = open_on_the_web(gateway, f"promises-{shared}", CASE_OPEN_SHARED if shared else CASE_OPEN_PRIVATE)
    rows = gateway.rows(case.id)

    (row,) = rows["support_case"]
    assert row["summary"] == "topic: wages_unpaid\nlanguage: ru"
    assert row["topic"] == "wages_unpaid" and row["language"] == "ru"
    assert row["organisation_id"] == UNION                       # routed by the referrer, not shown
    bodies = [m["body"] for m in rows["case_message"] if m["sender"] == "transcript"]
    assert bodies == ([WROTE] if shared else [])                 # what they wrote, only if they agreed
    seen = json.dumps({**rows, "support_case": [{k: v for k, v in row.items() if k != "organisation_id"}]},
                      default=str, ensure_ascii=False)
    assert [word for word in NEVER_SHOWN if word in seen] == []


def wait(found: Callable[[], Any], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := found()):
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.1)
    return result


def test_a_closed_case_keeps_no_telegram_chat_id_once_the_last_message_is_delivered(
        gateway: Gateway, responder: Responder) -> None:
    chat = 9_301_000_777
    key = conversation_key("telegram", chat)
    gateway.telegram.push(button_press(chat, CASE_OPEN_PRIVATE))
    case = wait(lambda: gateway.read(lambda s: s.scalars(select(Case).where(Case.conversation == key)).first()))
    assert case.address is not None and str(chat) not in case.address             # sealed
    caseworker = Console(gateway.base)
    assert caseworker.login("south@union.example").status_code == 303
    caseworker.act(case.id, "claim")
    caseworker.act(case.id, "reply", body="Здравствуйте, расскажите подробнее")
    wait(lambda: any(s["text"] == "Здравствуйте, расскажите подробнее" for s in gateway.telegram.sent(chat)))
    assert gateway.case_of(key).address is not None                  # open: the caseworker may write again

    caseworker.act(case.id, "close", outcome="advice_given")
    ended = responder.catalogues.gettext("ru", messages.CASE_ENDED)
    wait(lambda: any(s["text"] == ended for s in gateway.telegram.sent(chat)))
    assert wait(lambda: gateway.case_of(key).address is None)
    (row,) = gateway.rows(case.id)["support_case"]
    assert row["address"] is None and row["state"] == "closed"


def test_a_user_who_ends_the_case_leaves_no_chat_id_behind(gateway: Gateway) -> None:
    chat = 9_301_000_778
    key = conversation_key("telegram", chat)
    gateway.telegram.push(button_press(chat, CASE_OPEN_SHARED))
    assert wait(lambda: gateway.read(lambda s: s.scalars(select(Case.address).where(Case.conversation == key)).first()))
    gateway.telegram.push(button_press(chat, CASE_END))
    wait(lambda: gateway.case_of(key).state.value == "closed")
    assert gateway.case_of(key).address is None


# -- the action that ends a flow asks the tracker store to forget its answers ---------------

def tracker(slots: dict[str, Any], history: list[dict[str, Any]]) -> Tracker:
    return Tracker("test-user", slots, {"text": "", "intent": {}, "entities": []}, history, False, None, {},
                   "action_listen")


def test_the_question_run_begins_at_the_user_message_of_its_first_question() -> None:
    history = [
        {"event": "user", "text": "/menu", "timestamp": 1.0},
        {"event": "slot", "name": "flow", "value": flow_slot("route", "place"), "timestamp": 1.1},   # no answer kept
        {"event": "user", "text": "/severance", "timestamp": 2.0},
        {"event": "bot", "text": "?", "timestamp": 2.1},
        {"event": "slot", "name": "flow", "value": flow_slot("severance", "pay"), "timestamp": 2.2},
        {"event": "user", "text": "60000", "timestamp": 3.0},
        {"event": "slot", "name": "flow", "value": flow_slot("severance", "notice", pay="60000"), "timestamp": 3.2},
    ]
    assert answers.flow_began(history) == 2.0
    assert answers.flow_began([*history, {"event": "slot", "name": "flow", "value": None}]) is None
    assert answers.flow_began([*history, {"event": "session_started"}]) is None


async def test_a_session_started_after_a_calculator_was_left_forgets_its_answers() -> None:
    history = [{"event": "user", "text": "/wages_delay_compensation", "timestamp": 5.0},
               {"event": "slot", "name": "flow", "value": flow_slot("calc", "amount"), "timestamp": 5.1},
               {"event": "user", "text": "48 731", "timestamp": 6.0},
               {"event": "slot", "name": "flow", "value": flow_slot("calc", "due", amount="48731"), "timestamp": 6.1}]
    left = tracker({"language": "ru", "flow": flow_slot("calc", "due", amount="48731")}, history)
    events = await steps.ActionSessionStart().run(CollectingDispatcher(), left, {})
    (marked,) = [e for e in events if answers.FORGET in (e.get("metadata") or {})]
    assert marked["metadata"][answers.FORGET] == {"since": 5.0, "slots": list(answers.ANSWER_SLOTS)}
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    quiet = tracker({"language": "ru"}, history[:1])
    assert not any((e.get("metadata") or {}) for e in await steps.ActionSessionStart().run(
        CollectingDispatcher(), quiet, {}))


# -- end to end: the answers are nowhere in Rasa's tracker store once the result is shown ------

def stored(stack: Stack, session_id: str) -> str:
    """Every stored event of the conversation, as the raw JSON in the rows."""
    path = stack.settings.data_dir / "rasa" / "tracker.db"
    with sqlite3.connect(Path(path)) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id",
                          (conversation_key("web", session_id),)).fetchall()
    assert rows
    return "\n".join(row[0] for row in rows)


def absent(stack: Stack, session_id: str, *typed: str) -> list[str]:
    raw = stored(stack, session_id)
    decoded = json.dumps([json.loads(line) for line in raw.splitlines()], ensure_ascii=False)
    return [value for value in typed if value in raw or value in decoded]


@pytest.mark.rasa
def test_the_compensation_calculators_amount_and_dates_leave_the_tracker_store(stack: Stack) -> None:
    session = "promise-calc-01"
    with WebUser(gateway_url(stack), session) as user:
        user.say(payload='/choose_language{"language":"ru"}')
        user.say(payload='/wages_delay_compensation{"country":"RU"}')
        user.say(text="48 731 руб")
        user.say(text="13.10.2025")
        assert absent(stack, session, "48731", "13.10.2025") == ["48731", "13.10.2025"]   # kept while asked
        result = str(user.say(text="05.03.2026")[-1]["text"])
        assert "236" in result and "48" in result
        after = user.say(text="корфармо маош намедиҳад")                # the conversation goes on
        assert after and after[0]["text"]
    assert absent(stack, session, "48731", "48 731", "48\u00a0731", "13.10.2025", "2025-10-13",
                  "05.03.2026", "2026-03-05", result.splitlines()[-2]) == []


@pytest.mark.rasa
def test_the_severance_pay_and_dates_leave_the_tracker_store(stack: Stack) -> None:
    session = "promise-severance-01"
    with WebUser(gateway_url(stack), session) as user:
        user.say(payload='/choose_language{"language":"ru"}')
        user.say(payload='/country{"country":"RU","topic":"dismissal_redundancy"}')
        user.say(payload="/severance")
        user.say(text="93 517")
        user.say(text="09.11.2026")
        owed = str(user.say(text="11.01.2027")[-1]["text"])
        assert "11.01.2027" in owed
        user.say(payload='/deadline{"kind":"wages"}')                      # and the court deadline
        deadline = str(user.say(text="23.10.2026")[-1]["text"])
        assert "392" in deadline or "2027" in deadline
    assert absent(stack, session, "93517", "93 517", "93\u00a0517", "09.11.2026", "2026-11-09", "11.01.2027",
                  "2027-01-11", "23.10.2026", "2026-10-23", owed.splitlines()[0], deadline.splitlines()[0]) == []


@pytest.mark.rasa
def test_the_letters_employer_and_address_leave_the_tracker_store(stack: Stack) -> None:
    session = "promise-letter-01"
    with WebUser(gateway_url(stack), session) as user:
        user.say(payload='/choose_language{"language":"ru"}')
        user.say(payload="/complaint_letter")
        user.say(payload='/letter{"kind":"employer_claim"}')
        user.say(text="ООО Зубровка-Трест")
        user.say(text="ул. Полевая, 17")
        replies = user.say(payload='/letter{"skip":"yes"}')
        for _ in range(8):
            if any("Зубровка" in str(r.get("text")) for r in replies):
                break
            replies = user.say(payload='/letter{"skip":"yes"}')
        assert any("document" in r for r in replies)
        assert absent(stack, session, "Зубровка") == ["Зубровка"]        # kept until the question is answered
        user.say(payload='/letter{"share":"no"}')
    assert absent(stack, session, "Зубровка", "Полевая", "JVBER") == []   # nor the PDF (base64 "%PDF")


def test_a_handoff_counts_for_the_organisation_the_case_was_routed_to(gateway: Gateway) -> None:
    """Insight is scoped (bot/reach.py): the union whose link brought the user sees
    the handoff in its counts; before, every handoff was counted for no organisation."""
    open_on_the_web(gateway, "promises-handoff-count", CASE_OPEN_PRIVATE)
    counted = gateway.read(lambda s: [tuple(row) for row in s.execute(sql(
        "SELECT organisation, SUM(count) FROM usage_count WHERE kind = 'handoff' GROUP BY organisation"))])
    assert dict(counted).get(UNION, 0) >= 1 and "" not in dict(counted)
