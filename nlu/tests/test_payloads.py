"""A button's payload parsed through the converter, the domain and RegexMessageHandler only
(helpline_nlu/payloads.py) against Rasa's whole NLU graph, on a model trained with the real
pipeline and domain (tests/small_model.py): the same parse data, the same warnings and the same
user event for the payloads the gateway sends, for malformed ones, for typed text and for
random texts that start with "/"; and the skipped components do not run."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.engine.graph import GraphSchema
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from helpline_nlu import payloads
from tests.small_model import train_model

RASA_OWN = getattr(MessageProcessor, payloads.INSTALLED, None) or MessageProcessor._parse_message_with_graph

# what the gateway and the channels send (bot/replies.py, bot/flows/, the Telegram deep links)
PAYLOADS = [
    '/choose_language{"language":"ru"}', '/choose_language{"language": "uz_Cyrl", "referrer": "fnpr"}',
    "/menu", '/show_category{"category": "wages"}', "/more", '/country{"country": "KZ", "topic": "wages_unpaid"}',
    '/calc{"paid": "none"}', '/route{"city": "moskva"}', '/media{"kind": "voice"}',
    '/media{"kind": "location", "place": "55.8,37.6"}', "/greet", "/change_language",
]
ODD = [
    "/", "/ ", "/no_such_intent", '/no_such_intent{"language": "ru"}', "/menu{not json", '/menu{"language": [1, 2]}',
    '/menu{"no_such_entity": 1}', "/menu@0.5", "/menu@x", '/menu@0.3{"language": "ru"} and more', "  /menu  ",
    "/menu\nsecond line", '/menu{"a": 1}{"b": 2}', "/wages_unpaid", "/nlu_fallback", "/restart", "/session_start",
    "//menu", "/ menu", "/menu extra words",
]
TYPED = ["\u2060/menu", "привет", "не платят зарплату", "menyu", "", "   ", "😀", "menu/", "a /menu"]


@pytest.fixture(scope="module")
def processor(tmp_path_factory: pytest.TempPathFactory) -> MessageProcessor:
    agent = Agent.load(str(train_model(tmp_path_factory.mktemp("model"))))
    assert agent.processor is not None
    payloads.install()                         # Rasa's own stays reachable (RASA_OWN) for comparison
    return agent.processor


def parsed(processor: MessageProcessor, text: str, own: bool,
           only_output_properties: bool = True) -> tuple[Any, list[str]]:
    """(the parse data or the error, the warnings raised) with Rasa's parse or ours."""
    message = UserMessage(text, sender_id="s", message_id="m1", metadata={"language_code": "ru"})
    tracker = DialogueStateTracker.from_events("s", [])
    parse = RASA_OWN if own else payloads.parse_message_with_graph
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Any = parse(processor, message, tracker, only_output_properties)
        except Exception as error:
            result = (type(error), str(error))
    return result, [f"{w.category.__name__}: {w.message}" for w in caught]


def test_the_route_goes_around_our_components(processor: MessageProcessor) -> None:
    route = payloads.route_of(processor.graph_runner, processor.model_metadata.nlu_target)
    assert route == payloads.Route(converter="nlu_message_converter", handler="run_RegexMessageHandler",
                                   handler_input="run_FallbackClassifier4", domain="domain_provider")


@pytest.mark.parametrize("text", PAYLOADS + ODD + TYPED)
def test_the_same_parse_and_warnings_as_rasa(processor: MessageProcessor, text: str) -> None:
    for only_output in (True, False):
        assert parsed(processor, text, own=False, only_output_properties=only_output) == \
            parsed(processor, text, own=True, only_output_properties=only_output)


def test_the_gateways_payloads_are_parsed_as_payloads(processor: MessageProcessor) -> None:
    for text in PAYLOADS:
        result, _ = parsed(processor, text, own=False)
        assert result["intent"]["name"] == text[1:].split("{")[0] and result["intent"]["confidence"] == 1.0
        assert "language" not in result          # our components' output is dropped by Rasa anyway


@st.composite
def slashed(draw: Any) -> str:
    intent = draw(st.sampled_from(["menu", "choose_language", "country", "calc", "greet", "nope", "more"]))
    confidence = draw(st.sampled_from(["", "@1", "@0.25", "@", "@.5."]))
    entities = draw(st.one_of(
        st.just(""), st.dictionaries(st.sampled_from(["language", "country", "topic", "paid", "nope"]),
                                     st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2)),
                                     max_size=3).map(lambda found: json.dumps(found, ensure_ascii=False)),
        st.text(max_size=8).map(lambda text: "{" + text + "}")))
    rest = draw(st.one_of(st.just(""), st.text(max_size=6)))
    space = draw(st.sampled_from(["", " ", "\n", "\t "]))
    return str(space + "/" + intent + confidence + entities + rest + space)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(slashed(), st.text(max_size=12).map(lambda text: "/" + text)))
def test_random_slashed_texts_parse_as_rasa_parses_them(processor: MessageProcessor, text: str) -> None:
    assert parsed(processor, text, own=False) == parsed(processor, text, own=True)


@pytest.fixture
def ran(processor: MessageProcessor) -> Iterator[list[str]]:
    """The nodes of the processor's graph run meanwhile, by name."""
    nodes = processor.graph_runner._instantiated_nodes
    kept = dict(nodes)
    names: list[str] = []

    def counting(name: str, node: Any) -> Any:
        def run(*args: Any) -> Any:
            names.append(name)
            return node(*args)
        return run

    for name, node in kept.items():
        nodes[name] = counting(name, node)
    yield names
    nodes.update(kept)


def test_a_payload_runs_only_the_nodes_its_result_depends_on(processor: MessageProcessor, ran: list[str]) -> None:
    parsed(processor, '/choose_language{"language":"ru"}', own=False)
    assert ran == ["domain_provider", "nlu_message_converter", "run_RegexMessageHandler"]
    ran.clear()
    parsed(processor, "привет", own=False)
    assert "run_helpline_nlu.language.LanguageIdentifier2" in ran and "domain_provider" in ran
    ran.clear()
    parsed(processor, "/no_such_intent", own=False)        # the handler keeps the message: the whole graph
    assert "run_helpline_nlu.classifier.NgramIntentClassifier3" in ran


def test_the_user_event_is_rasas(processor: MessageProcessor) -> None:
    def event(text: str, own: bool) -> dict[str, Any]:
        tracker = DialogueStateTracker.from_events(
            "s", [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
            processor.domain.slots)
        installed = MessageProcessor._parse_message_with_graph
        MessageProcessor._parse_message_with_graph = RASA_OWN if own else payloads.parse_message_with_graph
        try:
            message = UserMessage(text, sender_id="s", message_id="m1", input_channel="rest")
            asyncio.run(processor._handle_message_with_tracker(message, tracker))
        finally:
            MessageProcessor._parse_message_with_graph = installed
        found: dict[str, Any] = tracker.events[-1].as_dict()
        found.pop("timestamp")
        return found

    for text in [*PAYLOADS, "/no_such_intent", "привет"]:
        assert event(text, own=False) == event(text, own=True)


class FakeRunner:
    def __init__(self, schema: GraphSchema, nodes: dict[str, Any]) -> None:
        self._graph_schema = schema
        self._instantiated_nodes = nodes


def test_a_graph_with_anything_else_between_gets_rasas_parse(processor: MessageProcessor) -> None:
    runner = processor.graph_runner
    target = processor.model_metadata.nlu_target
    schema, nodes = runner._graph_schema, runner._instantiated_nodes
    assert payloads.route_of(FakeRunner(schema, nodes), target) is not None
    tokenizer = "run_WhitespaceTokenizer1"
    other = GraphSchema({**schema.nodes, tokenizer: dataclasses.replace(schema.nodes[tokenizer], uses=FakeRunner)})
    assert payloads.route_of(FakeRunner(other, nodes), target) is None

    class Hooked:
        _hooks = ("a hook",)

    assert payloads.route_of(FakeRunner(schema, {**nodes, tokenizer: Hooked()}), target) is None
    assert payloads.route_of(FakeRunner(schema, nodes), "domain_provider") is None
    assert payloads.route_of(object(), target) is None


def test_install_replaces_the_parse_once() -> None:
    payloads.install()
    payloads.install()
    assert MessageProcessor._parse_message_with_graph is payloads.parse_message_with_graph
    assert getattr(MessageProcessor, payloads.INSTALLED) is RASA_OWN

