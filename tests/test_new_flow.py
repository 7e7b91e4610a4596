"""A new flow is one module and one line of content (issue 16): tests/weekday_flow.py, added to
the registry as bot/flows/ would find it, is offered under an answer named in its topic file,
declared to Rasa by `helpline train`, and driven by the action server like the real flows."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import answers, steps
from actions.context import ActionContext
from bot import flows
from bot.content.loader import load_library
from bot.content_check import check_content
from bot.db.engine import upgrade
from bot.flows import calc, deadline, letter, route, severance
from bot.flows.base import Flow
from bot.replies import Responder, payload
from bot.settings import ROOT, Settings
from bot.training.compile import FLOW_ACTION, domain, topic_rules
from tests import weekday_flow
from tests.builders import flow_slot, make_tracker
from tests.conftest import make_settings

REAL = dict(flows.registry())


@pytest.fixture
def with_weekday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flows, "registry", lambda: {**REAL, weekday_flow.NAME: weekday_flow.FLOW})


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """content/ with the one line a new flow needs: the answer to unpaid wages offers it."""
    folder = tmp_path / "content"
    shutil.copytree(Settings().content_dir, folder)
    topic = folder / "topics" / "wages_unpaid.yml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("offers: [deadline]", "offers: [deadline, weekday]"),
                     encoding="utf-8")
    return folder


def test_every_flow_module_has_one_flow_with_a_unique_name() -> None:
    found = flows.registry()
    assert set(found) == {"calc", "deadline", "letter", "route", "severance"}
    assert all(flow.name == name and flow.entities for name, flow in found.items())
    checked: list[Flow] = [calc.FLOW, deadline.FLOW, letter.FLOW, route.FLOW, severance.FLOW, weekday_flow.FLOW]
    members = ("name", "topic", "offer", "entities", "forgets", "start", "answer")    # the Flow protocol
    assert all(hasattr(f, member) for f in checked for member in members)
    assert {f.name for f in checked} == {*found, "weekday"}
    assert {f.topic for f in found.values()} - {None} == {"wages_delay_compensation", "complaint_letter",
                                                          "contact_union"}
    assert set(flows.offers()) == {"deadline", "severance"}


def test_the_checker_knows_the_new_flow_only_once_it_exists(content: Path, with_weekday: None) -> None:
    assert not [p for p in check_content(content) if "offers" in p.what]
    topic = content / "topics" / "wages_unpaid.yml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("weekday]", "weekdya]"), encoding="utf-8")
    (problem,) = [p for p in check_content(content) if "offers" in p.what]
    assert "weekdya" in problem.what and "weekday" in problem.fix and problem.line == 7


def test_training_declares_its_buttons(content: Path, with_weekday: None) -> None:
    library = load_library(content)
    data = domain(library, ROOT / "nlu" / "domain.yml")
    assert "weekday" in data["intents"] and "mode" in data["entities"]
    assert len(data["entities"]) == len(set(data["entities"]))
    assert {"rule": "the weekday flow's buttons", "steps": [{"intent": "weekday"}, {"action": FLOW_ACTION}]} \
        in topic_rules(library)["rules"]


async def run(action: Any, **tracker: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(**tracker), {})
    return dispatcher.messages, events


async def test_the_action_server_offers_it_starts_it_and_forgets_its_answers(
        content: Path, tmp_path: Path, with_weekday: None) -> None:
    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    upgrade(url)
    context = ActionContext.build(make_settings(tmp_path, database_url=url, content_dir=content))
    messages, _ = await run(steps.ActionAnswerTopic(context), text="/wages_unpaid", intent="wages_unpaid",
                            slots={"language": "en", "country": "RU"})
    assert "/weekday" in [b["payload"] for m in messages for b in m.get("buttons") or []]

    messages, events = await run(steps.ActionFlow(context), text="/weekday", intent="weekday",
                                 slots={"language": "en"})
    assert messages[0]["text"] == weekday_flow.ASK
    asked = next(e["value"] for e in events if e.get("name") == "flow")
    assert asked == flow_slot("weekday", "date")

    messages, events = await run(steps.ActionDidYouMean(context), text="kuku", intent="nlu_fallback",
                                 slots={"language": "en", "flow": asked})
    assert messages[0]["text"] == weekday_flow.AGAIN
    messages, events = await run(steps.ActionAnswerTopic(context), text="15.03.2026", intent="wages_unpaid",
                                 slots={"language": "en", "flow": asked})
    assert messages[0]["text"] == "Sunday"
    assert any(answers.FORGET in (e.get("metadata") or {}) for e in events)   # forgets=True: answers go


@pytest.mark.parametrize(("topic", "offered"), [("dismissal_redundancy", "/severance"), ("wages_unpaid", "/deadline"),
                                                ("dismissal_unfair", "/deadline")])
def test_russian_calculators_are_offered_unless_the_worker_is_in_kazakhstan(responder: Responder, topic: str,
                                                                           offered: str) -> None:
    def payloads(country: str | None) -> list[str]:
        return [b.payload for r in responder.topic_answer("ru", topic, country) for b in r.buttons]

    assert offered in payloads("RU") and offered not in payloads("KZ")
    asked = payload("country", country="RU", topic=topic)       # unknown country: which law first
    assert offered not in payloads(None) and asked in payloads(None)
    assert ("/severance" in payloads("RU")) == (topic == "dismissal_redundancy")      # only where content offers it
