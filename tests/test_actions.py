"""The Rasa actions as the action server runs them, on trackers built here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import base, steps
from actions.base import StepAction
from bot.db.engine import make_engine, make_sessions, upgrade
from bot.db.models import Unanswered, UsageCount
from bot.workbench.record import Recorder
from tests.builders import make_tracker


async def run(action: StepAction, **tracker: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(**tracker), {})
    return dispatcher.messages, events


def slot(events: list[dict[str, Any]], name: str) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def test_every_action_in_the_domain_has_a_class() -> None:
    import yaml

    from bot.settings import ROOT

    domain = yaml.safe_load((ROOT / "nlu" / "domain.yml").read_text())
    names = {cls.action_name for cls in StepAction.__subclasses__()} | {"action_session_start"}
    assert set(domain["actions"]) == names


async def test_answer_topic_replies_in_detected_language_and_sets_slots() -> None:
    messages, events = await run(steps.ActionAnswerTopic(), text="ish haqimni bermayapti",
                                 intent="wages_unpaid", detected=("uz", "Latn", 0.95), slots={"country": "RU"})
    assert "ish haqi" in messages[0]["text"].lower()
    assert {"title": "Batafsil", "payload": '/more{"topic":"wages_unpaid"}'} in messages[0]["buttons"]
    assert slot(events, "language") == "uz"
    assert slot(events, "topic") == "wages_unpaid"


async def test_telegram_language_code_is_a_hint_for_an_unclear_first_message() -> None:
    _, events = await run(steps.ActionShowMenu(), text="/menu", intent="menu",
                                 metadata={"language_code": "ky"})
    assert slot(events, "language") == "ky"


async def test_explicit_language_is_kept() -> None:
    _, events = await run(steps.ActionAnswerTopic(), text="мне не платят зарплату",
                          intent="wages_unpaid", detected=("ru", "Cyrl", 0.99),
                          slots={"language": "en", "language_explicit": True})
    assert slot(events, "language") == "en"


async def test_did_you_mean_lists_topics_from_the_ranking() -> None:
    messages, _ = await run(steps.ActionDidYouMean(), text="problema", intent="nlu_fallback",
                            ranking=("wages_unpaid", "nlu_fallback", "dismissal_unfair", "menu"),
                            slots={"language": "ru"})
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/wages_unpaid", "/dismissal_unfair", "/handoff_human", "/menu"]


async def test_a_failing_step_gives_an_apology_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(steps.ActionAnswerTopic, "step", staticmethod(broken))
    messages, events = await run(steps.ActionAnswerTopic(), text="x", intent="wages_unpaid",
                                 slots={"language": "tg"})
    assert events == []
    assert "Бубахшед" in messages[0]["text"] and "112" in messages[0]["text"]
    assert "boom" not in messages[0]["text"]


async def test_a_new_session_keeps_the_users_choices_and_forgets_routing_answers() -> None:
    tracker = make_tracker(slots={"language": "tg", "language_explicit": True, "country": "RU",
                                  "city": "moskva", "sector": "construction", "place": "55.8,37.6",
                                  "topic": "wages_unpaid"})
    events = await steps.ActionSessionStart().run(CollectingDispatcher(), tracker, {})
    kept = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert kept == {"language": "tg", "language_explicit": True, "country": "RU"}
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"


async def test_a_message_from_kazakhstan_sets_the_country_and_its_emergency_numbers() -> None:
    messages, events = await run(steps.ActionAnswerTopic(), text="в Алматы хозяин забрал паспорт",
                                 intent="documents_confiscated", detected=("ru", "Cyrl", 0.95))
    assert slot(events, "country") == "KZ"
    assert "Казахстан: 112" in messages[0]["text"] and "Россия: 112" not in messages[0]["text"]


async def test_a_letter_left_half_way_keeps_no_answers() -> None:
    _, events = await run(steps.ActionAnswerTopic(), text="/wages_unpaid", intent="wages_unpaid",
                          slots={"language": "ru", "awaiting": "letter:share",
                                 "letter": {"kind": "employer_claim", "employer": "ООО Ромашка"}})
    assert slot(events, "awaiting") is None and slot(events, "letter") is None


async def test_actions_record_for_organisers_in_the_helpline_database(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    upgrade(url)
    engine = make_engine(url)
    monkeypatch.setattr(base, "current_recorder", lambda: Recorder(make_sessions(engine), 0))
    try:
        await run(steps.ActionDidYouMean(), text="как получить кредит на машину", intent="nlu_fallback",
                  ranking=("wages_unpaid",), detected=("ru", "Cyrl", 0.9), slots={"language": "ru"},
                  sender_id="web:abc")
        with make_sessions(engine)() as session:
            kept = [(k.text, k.guess, k.channel, k.conversation) for k in session.scalars(select(Unanswered))]
            counts = {(r.kind, r.channel): r.count for r in session.scalars(select(UsageCount))}
    finally:
        engine.dispose()
    assert kept == [("как получить кредит на машину", "wages_unpaid", "web", "web:abc")]
    assert counts == {("fallback", "web"): 1}
