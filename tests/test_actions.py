"""The Rasa actions as the action server runs them, on trackers built here."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import steps
from actions.base import StepAction
from actions.context import ActionContext, serve
from bot.content.problems import ContentError
from bot.db.engine import make_engine, make_sessions, upgrade
from bot.db.models import Unanswered, UsageCount
from bot.settings import Settings
from bot.workbench.record import Recorder
from tests.builders import flow_slot, make_tracker
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> ActionContext:
    """The action server's context, as actions/serve.py builds it, on a database of its own."""
    folder = tmp_path_factory.mktemp("actions")
    url = f"sqlite:///{folder / 'helpline.db'}"
    upgrade(url)
    return ActionContext.build(make_settings(folder, database_url=url))


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


def test_the_action_server_registers_every_action_with_one_context(context: ActionContext) -> None:
    actions = steps.all_actions(context)
    assert {a.name() for a in actions} == {cls.action_name for cls in StepAction.__subclasses__()} | {
        "action_session_start"}
    assert all(a.context is context for a in actions if isinstance(a, StepAction))


async def test_a_reload_swaps_the_content_for_the_next_turn(context: ActionContext) -> None:
    before = context.served
    context.reload()
    assert context.served is not before and context.served.content.library.topics.keys() == \
        before.content.library.topics.keys()
    messages, _ = await run(steps.ActionAnswerTopic(context), text="/wages_unpaid", intent="wages_unpaid",
                            slots={"language": "ru"})
    assert messages and messages[0]["text"]


def test_a_reload_with_errors_keeps_the_content_in_use(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(Settings().content_dir, content)
    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    own = ActionContext.build(make_settings(tmp_path, database_url=url, content_dir=content))
    before = own.served
    (content / "key_rates.yml").write_text("rates: [", encoding="utf-8")
    with pytest.raises(ContentError):
        own.reload()
    assert own.served is before


async def test_answer_topic_replies_in_detected_language_and_sets_slots(context: ActionContext) -> None:
    messages, events = await run(steps.ActionAnswerTopic(context), text="ish haqimni bermayapti",
                                 intent="wages_unpaid", detected=("uz", "Latn", 0.95), slots={"country": "RU"})
    assert "ish haqi" in messages[0]["text"].lower()
    assert {"title": "Batafsil", "payload": '/more{"topic":"wages_unpaid"}'} in messages[0]["buttons"]
    assert slot(events, "language") == "uz"
    assert slot(events, "topic") == "wages_unpaid"


async def test_telegram_language_code_is_a_hint_for_an_unclear_first_message(context: ActionContext) -> None:
    _, events = await run(steps.ActionShowMenu(context), text="/menu", intent="menu",
                                 metadata={"language_code": "ky"})
    assert slot(events, "language") == "ky"


async def test_explicit_language_is_kept(context: ActionContext) -> None:
    _, events = await run(steps.ActionAnswerTopic(context), text="мне не платят зарплату",
                          intent="wages_unpaid", detected=("ru", "Cyrl", 0.99),
                          slots={"language": "en", "language_explicit": True})
    assert slot(events, "language") == "en"


async def test_did_you_mean_lists_topics_from_the_ranking(context: ActionContext) -> None:
    messages, _ = await run(steps.ActionDidYouMean(context), text="problema", intent="nlu_fallback",
                            ranking=("wages_unpaid", "nlu_fallback", "dismissal_unfair", "menu"),
                            slots={"language": "ru"})
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/wages_unpaid", "/dismissal_unfair", "/handoff_human", "/menu"]


async def test_a_failing_step_gives_an_apology_not_a_traceback(context: ActionContext,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(steps.ActionAnswerTopic, "step", staticmethod(broken))
    messages, events = await run(steps.ActionAnswerTopic(context), text="x", intent="wages_unpaid",
                                 slots={"language": "tg"})
    assert events == []
    assert "Бубахшед" in messages[0]["text"] and "112" in messages[0]["text"]
    assert "boom" not in messages[0]["text"]


async def test_a_new_session_keeps_the_users_choices_and_forgets_routing_answers(context: ActionContext) -> None:
    tracker = make_tracker(slots={"language": "tg", "language_explicit": True, "country": "RU",
                                  "city": "moskva", "sector": "construction", "place": "55.8,37.6",
                                  "topic": "wages_unpaid"})
    events = await steps.ActionSessionStart().run(CollectingDispatcher(), tracker, {})
    kept = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert kept == {"language": "tg", "language_explicit": True, "country": "RU"}
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"


async def test_a_message_from_kazakhstan_sets_the_country_and_its_emergency_numbers(context: ActionContext) -> None:
    messages, events = await run(steps.ActionAnswerTopic(context), text="в Алматы хозяин забрал паспорт",
                                 intent="documents_confiscated", detected=("ru", "Cyrl", 0.95))
    assert slot(events, "country") == "KZ"
    assert "Казахстан: 112" in messages[0]["text"] and "Россия: 112" not in messages[0]["text"]


async def test_a_letter_left_half_way_keeps_no_answers(context: ActionContext) -> None:
    _, events = await run(steps.ActionAnswerTopic(context), text="/wages_unpaid", intent="wages_unpaid",
                          slots={"language": "ru", "flow": flow_slot("letter", "share", kind="employer_claim",
                                                                     employer="ООО Ромашка")})
    assert slot(events, "flow") is None


async def test_actions_record_for_organisers_in_the_helpline_database(context: ActionContext,
                                                                     tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    upgrade(url)
    engine = make_engine(url)
    own = ActionContext(context.settings, serve(context.settings), Recorder(make_sessions(engine), 0))
    try:
        await run(steps.ActionDidYouMean(own), text="как получить кредит на машину", intent="nlu_fallback",
                  ranking=("wages_unpaid",), detected=("ru", "Cyrl", 0.9), slots={"language": "ru"},
                  sender_id="web:abc")
        with make_sessions(engine)() as session:
            kept = [(k.text, k.guess, k.channel, k.conversation) for k in session.scalars(select(Unanswered))]
            counts = {(r.kind, r.channel): r.count for r in session.scalars(select(UsageCount))}
    finally:
        engine.dispose()
    assert kept == [("как получить кредит на машину", "wages_unpaid", "web", "web:abc")]
    assert counts == {("fallback", "web"): 1}
