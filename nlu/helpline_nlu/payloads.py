"""A button's payload (`/intent{...}`) parsed without the NLU components whose work Rasa drops.

Rasa 3.6 parses every message with the whole NLU graph: our normaliser, the tokenizer, our
language identifier and topic classifier, the FallbackClassifier, and last Rasa's
RegexMessageHandler. For a text that starts with "/" and names an intent of the domain, the
handler (`YAMLStoryReader.unpack_regex_message`) returns a new Message made from the text
alone (intent, ranking, entities from the payload), so everything the components before it
computed is thrown away. About half of the messages under `helpline bench load` are such
payloads (a language button, the menu button).

`install()` makes `MessageProcessor._parse_message_with_graph` run, for such a message, only
Rasa's own nodes that the handler's result depends on: the message converter, the domain
provider and the handler itself, each through its graph node as the graph runs it. This is
done only when it cannot change the result:

- the handler is the NLU target, and every node between it and the converter is one of the
  components listed in SKIPPABLE, none of which changes a message's text or anything outside
  the message, with no hooks on those nodes (Rasa adds hooks when training only);
- the message's text (stripped) matches the handler's pattern and names an intent of the
  domain that the graph's domain provider gives, which is exactly when the handler replaces
  the message (`unpack_regex_message` returns the message unchanged otherwise: then the
  whole graph runs, as in Rasa).

The parse data is built from the handler's message as Rasa builds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INSTALLED = "_helpline_rasa_parse_message_with_graph"
ROUTE = "_helpline_payload_route"

# the components that may sit between the converter and the handler: they only add to the message
SKIPPABLE = (
    "helpline_nlu.normaliser.TextNormaliser",
    "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
    "helpline_nlu.language.LanguageIdentifier",
    "helpline_nlu.classifier.NgramIntentClassifier",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
)


def class_path(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


@dataclass(frozen=True)
class Route:
    """The names of the nodes a payload needs: converter → (skipped nodes) → handler."""

    converter: str
    handler: str
    handler_input: str           # the node whose messages the handler takes (the last skipped one)
    domain: str


def route_of(runner: Any, target: str) -> Route | None:
    """The payload route through `runner`'s graph to the NLU `target`, or None when the graph
    is not one this shortcut is known to be exact for."""
    from rasa.engine.constants import PLACEHOLDER_MESSAGE
    from rasa.graph_components.converters.nlu_message_converter import NLUMessageConverter
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler

    schema = getattr(runner, "_graph_schema", None)
    nodes = getattr(runner, "_instantiated_nodes", None)
    if schema is None or nodes is None or target not in schema.nodes:
        return None
    handler = schema.nodes[target]
    if (handler.uses is not RegexMessageHandler or handler.fn != "process"
            or set(handler.needs) != {"messages", "domain"}):
        return None
    domain = schema.nodes.get(handler.needs["domain"])
    if domain is None or domain.uses is not DomainProvider or domain.fn != "provide_inference" or domain.needs:
        return None
    name = handler.needs["messages"]
    while name in schema.nodes and schema.nodes[name].uses is not NLUMessageConverter:
        node = schema.nodes[name]
        if (class_path(node.uses) not in SKIPPABLE or node.fn != "process" or set(node.needs) != {"messages"}
                or name not in nodes or getattr(nodes[name], "_hooks", None)):
            return None
        name = node.needs["messages"]
    converter = schema.nodes.get(name)
    if (converter is None or converter.fn != "convert_user_message"
            or converter.needs != {"messages": PLACEHOLDER_MESSAGE}):
        return None
    if any(n not in nodes for n in (name, target, handler.needs["domain"])):
        return None
    return Route(converter=name, handler=target, handler_input=handler.needs["messages"],
                 domain=handler.needs["domain"])


def cached_route(processor: Any) -> Route | None:
    """The route for the processor's graph runner, worked out once per runner (a new model
    comes with a new processor and runner)."""
    runner = processor.graph_runner
    kept = runner.__dict__.get(ROUTE, ())
    if kept == ():
        kept = runner.__dict__[ROUTE] = route_of(runner, processor.model_metadata.nlu_target)
    route: Route | None = kept
    return route


def unpacked_by_handler(text: str, domain: Any) -> bool:
    """Whether RegexMessageHandler replaces a message with this text (`unpack_regex_message`
    returns a new message: the text matches and its intent is not refused by the domain)."""
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    match = YAMLStoryReader._regex_message_pattern().match(text.strip())
    if not match:
        return False
    return not (domain and match.group(INTENT_NAME_KEY).strip() not in domain.intents)


def rasa_parse() -> Any:
    """Rasa's own `_parse_message_with_graph` when `install()` has not run (called directly)."""
    from rasa.core.processor import MessageProcessor

    if MessageProcessor._parse_message_with_graph is parse_message_with_graph:
        raise RuntimeError("MessageProcessor._parse_message_with_graph was replaced without install()")
    return MessageProcessor._parse_message_with_graph


def parse_message_with_graph(self: Any, message: Any, tracker: Any,
                             only_output_properties: bool = True) -> dict[str, Any]:
    """`MessageProcessor._parse_message_with_graph`, for payloads without the skipped nodes."""
    from rasa.engine.constants import PLACEHOLDER_MESSAGE
    from rasa.engine.exceptions import GraphRunError
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import INTENT_MESSAGE_PREFIX
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT

    rasa_own = getattr(type(self), INSTALLED, None) or rasa_parse()
    text = message.text
    route = cached_route(self) if isinstance(text, str) and text.strip().startswith(INTENT_MESSAGE_PREFIX) else None
    if route is None:
        result: dict[str, Any] = rasa_own(self, message, tracker, only_output_properties)
        return result
    nodes = self.graph_runner._instantiated_nodes
    try:
        domain = nodes[route.domain]()
    except RuntimeError as error:                  # as the graph runner (helpline_nlu/graph_runner.py)
        raise GraphRunError("Error running runner.") from error
    if not unpacked_by_handler(text, domain[1]):
        result = rasa_own(self, message, tracker, only_output_properties)
        return result
    try:
        converted = nodes[route.converter]((PLACEHOLDER_MESSAGE, [message]))
        _, parsed_messages = nodes[route.handler]((route.handler_input, converted[1]), domain)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    parse_data = {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
    parse_data.update(parsed_messages[0].as_dict(only_output_properties=only_output_properties))
    return parse_data


def install() -> None:
    """Idempotent (helpline_nlu/patches.py)."""
    from rasa.core.processor import MessageProcessor

    if getattr(MessageProcessor, INSTALLED, None) is not None:
        return
    setattr(MessageProcessor, INSTALLED, MessageProcessor._parse_message_with_graph)
    MessageProcessor._parse_message_with_graph = parse_message_with_graph
