"""RulePolicy's search for applicable rules with the candidate index (helpline_nlu/rule_keys.py)
against Rasa's own `_get_possible_keys`: the same rules, in the same set order, on random
states and on conversations driven by the real rules (nlu/domain.yml, nlu/data/rules.yml and
topic rules as `helpline train` writes them), plus rules that Rasa treats specially
(conversation start, slot conditions, a form's loop). The predictions are Rasa's too."""

from __future__ import annotations

import random
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from helpline_nlu import rule_keys

NLU = Path(__file__).resolve().parents[1]

# as build/rasa/data/topic_rules.yml: each topic answered by its kind of action, each flow's buttons
TOPICS = {"wages_unpaid": "action_answer_topic", "passport_taken": "action_answer_topic",
          "crisis_xenophobia": "action_answer_urgent", "contact_union": "action_flow",
          "complaint_letter": "action_flow", "calc": "action_flow", "route": "action_flow"}

# rules Rasa handles on paths of its own: a conversation's start, slot conditions (set and not
# set), a form's loop with its unhappy path; on intents and a slot of their own
SPECIAL_DOMAIN = """
version: "3.1"
intents: [start_form, check, stop]
slots:
  flagged:
    type: bool
    influence_conversation: true
    mappings: [{type: custom}]
  answer:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
forms:
  test_form:
    required_slots: [answer]
actions: [action_check_flagged, action_check_plain, action_stop]
"""
SPECIAL_RULES = """
version: "3.1"
rules:
  - rule: a conversation that starts with a greeting
    conversation_start: true
    steps:
      - intent: greet
      - action: action_greet
  - rule: check when flagged
    condition:
      - slot_was_set:
          - flagged: true
    steps:
      - intent: check
      - action: action_check_flagged
  - rule: check when not flagged
    condition:
      - slot_was_set:
          - flagged: false
    steps:
      - intent: check
      - action: action_check_plain
  - rule: the form starts
    steps:
      - intent: start_form
      - action: test_form
      - active_loop: test_form
  - rule: the form ends
    condition:
      - active_loop: test_form
    steps:
      - action: test_form
      - active_loop: null
      - slot_was_set:
          - requested_slot: null
      - action: action_more
  - rule: stopping inside the form
    condition:
      - active_loop: test_form
    steps:
      - intent: stop
      - action: action_stop
      - action: test_form
      - active_loop: null
"""


def topic_rules() -> str:
    lines = ['version: "3.1"', "rules:"]
    for intent, action in TOPICS.items():
        lines += [f"  - rule: answer {intent}", "    steps:", f"      - intent: {intent}", f"      - action: {action}"]
    return "\n".join(lines) + "\n"


def topic_domain() -> str:
    """The intents `helpline train` adds to nlu/domain.yml: the hand-written rules' and the topics'."""
    return 'version: "3.1"\nintents: [greet, menu, change_language, ' + ", ".join(TOPICS) + "]\n"


def trained(folder: Path, special: bool) -> tuple[RulePolicy, Domain]:
    files = {"domain.yml": (NLU / "domain.yml").read_text(), "topics_domain.yml": topic_domain(),
             "rules.yml": (NLU / "data" / "rules.yml").read_text(), "topic_rules.yml": topic_rules()}
    if special:
        files |= {"special_domain.yml": SPECIAL_DOMAIN, "special_rules.yml": SPECIAL_RULES}
    for name, text in files.items():
        (folder / name).write_text(text)
    domain_folder = folder / "domain"
    domain_folder.mkdir()
    for name in files:
        if "domain" in name:
            (folder / name).rename(domain_folder / name)
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(domain_folder),
        training_data_paths=[str(folder / name) for name in files if "rules" in name])
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain, remove_duplicates=True,
                                     unique_last_num_states=None, augmentation_factor=0).generate()
    config = {**RulePolicy.get_default_config(), "core_fallback_threshold": 0.3,
              "core_fallback_action_name": "action_default_fallback", "enable_fallback_prediction": True}
    (folder / "storage").mkdir()
    storage = LocalModelStorage(folder / "storage")
    policy = RulePolicy.create(config, storage, Resource("rules"), ExecutionContext(GraphSchema({}), "test"))
    policy.train(trackers, domain)
    return policy, domain


@pytest.fixture(scope="module", params=[False, True], ids=["helpline rules", "with special rules"])
def policy_and_domain(request: pytest.FixtureRequest,
                      tmp_path_factory: pytest.TempPathFactory) -> tuple[RulePolicy, Domain]:
    found = trained(tmp_path_factory.mktemp("rules"), special=request.param)     # by Rasa's own search
    rule_keys.install()                         # Rasa's own stays reachable (RASA_OWN) for comparison
    return found


RASA_OWN = getattr(RulePolicy, rule_keys.INSTALLED, None) or RulePolicy._get_possible_keys


def both(policy: RulePolicy, lookup: dict[str, Any], states: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(Rasa's keys, ours), each as the list its set iterates."""
    return list(RASA_OWN(policy, lookup, states)), list(rule_keys.get_possible_keys(policy, lookup, states))


@pytest.fixture
def own_search() -> Iterator[None]:
    """Rasa's `_get_possible_keys` on the class for the duration (whether installed or not)."""
    installed = RulePolicy._get_possible_keys
    RulePolicy._get_possible_keys = RASA_OWN
    yield
    RulePolicy._get_possible_keys = installed


def lookups(policy: RulePolicy) -> list[dict[str, Any]]:
    return [policy.lookup["rules"], policy.lookup["rules_for_loop_unhappy_path"]]


def rule_states(policy: RulePolicy) -> list[dict[str, Any]]:
    return [state for lookup in lookups(policy) for key in lookup for state in policy._rule_key_to_state(key)]


def as_conversation(state: dict[str, Any]) -> dict[str, Any]:
    """A rule's state as a tracker gives it: lists (from JSON) are tuples."""
    return {part: {key: tuple(value) if isinstance(value, list) else value for key, value in values.items()}
            for part, values in state.items()}


@st.composite
def states_for(draw: Any, policy: RulePolicy, domain: Domain) -> list[dict[str, Any]]:
    """Conversation states made of the rules' own states, changed here and there."""
    known = rule_states(policy)
    actions = [*domain.action_names_or_texts, RULE_SNIPPET_ACTION_NAME]
    intents = list(domain.intents)
    states = []
    for _ in range(draw(st.integers(0, 7))):
        state = as_conversation(draw(st.sampled_from(known))) if known else {}
        change = draw(st.sampled_from(["none", "action", "intent", "text", "no action", "slots", "loop"]))
        if change == "action":
            state["prev_action"] = {"action_name": draw(st.sampled_from(actions))}
        elif change == "intent":
            state["user"] = {"intent": draw(st.sampled_from(intents))}
        elif change == "text":
            state["user"] = {"text": draw(st.sampled_from(["hi", "/menu"]))}
        elif change == "no action":
            state.pop("prev_action", None)
        elif change == "slots":
            flagged = draw(st.sampled_from([(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), "should_not_be_set"]))
            state["slots"] = {"flagged": flagged}
        elif change == "loop":
            state["active_loop"] = {"name": draw(st.sampled_from(["test_form", "should_not_be_set"]))}
        states.append(state)
    return states


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_same_rules_in_the_same_order_on_random_states(policy_and_domain: tuple[RulePolicy, Domain],
                                                           data: st.DataObject) -> None:
    policy, domain = policy_and_domain
    states = data.draw(states_for(policy, domain))
    for lookup in lookups(policy):
        rasa, ours = both(policy, lookup, states)
        assert ours == rasa


Walk = Generator[tuple[DialogueStateTracker, list[str]], str, None]


def conversations(domain: Domain, seed: int, turns: int) -> Walk:
    """Conversations of random intents, each turn answered as the rules predict (by Rasa's own
    search): the tracker before each prediction, and the actions predicted so far."""
    chooser = random.Random(seed)
    intents = sorted(domain.intents)
    tracker = DialogueStateTracker.from_events(f"c{seed}", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], domain.slots)
    predicted: list[str] = []
    flagged = any(slot.name == "flagged" for slot in domain.slots)
    for _ in range(turns):
        intent = chooser.choice(intents)
        tracker.update(UserUttered(f"/{intent}", {"name": intent, "confidence": 1.0}))
        if flagged and chooser.random() < 0.3:
            tracker.update(SlotSet("flagged", chooser.choice([True, False])))
        for _ in range(4):
            action = yield tracker, predicted
            predicted.append(action)
            tracker.update(ActionExecuted(action))
            if action == "test_form":
                tracker.update(ActiveLoop(chooser.choice(["test_form", None])))
            if action == "action_listen":
                break


def test_conversations_on_the_rules_get_rasas_predictions(policy_and_domain: tuple[RulePolicy, Domain],
                                                          own_search: None) -> None:
    policy, domain = policy_and_domain
    compared = 0
    for seed in range(40):
        walk = conversations(domain, seed, turns=12)
        try:
            tracker, _ = next(walk)
            while True:
                rasa = policy.predict_action_probabilities(tracker, domain)
                RulePolicy._get_possible_keys = rule_keys.get_possible_keys
                try:
                    ours = policy.predict_action_probabilities(tracker, domain)
                finally:
                    RulePolicy._get_possible_keys = RASA_OWN
                assert ours == rasa
                assert ours.action_metadata == rasa.action_metadata
                for use_text in (True, False):
                    states = policy._prediction_states(tracker, domain, use_text, policy._get_rule_only_data())
                    for lookup in lookups(policy):
                        theirs, mine = both(policy, lookup, states)
                        assert mine == theirs
                compared += 1
                best = max(range(len(rasa.probabilities)), key=rasa.probabilities.__getitem__)
                tracker, _ = walk.send(domain.action_names_or_texts[best])
        except StopIteration:
            pass
    assert compared > 400


class Overriding(RulePolicy):
    def _is_rule_applicable(self, rule_key: str, turn_index: int, conversation_state: dict[str, Any]) -> bool:
        return True


def test_a_policy_with_checks_of_its_own_and_states_not_of_text_get_rasas_search(
        policy_and_domain: tuple[RulePolicy, Domain], monkeypatch: pytest.MonkeyPatch) -> None:
    policy, _ = policy_and_domain
    calls: list[int] = []

    def counted(self: RulePolicy, lookup: dict[str, Any], states: list[dict[str, Any]]) -> set[str]:
        calls.append(1)
        found: set[str] = RASA_OWN(self, lookup, states)
        return found

    monkeypatch.setattr(RulePolicy, rule_keys.INSTALLED, counted, raising=False)
    lookup = policy.lookup["rules"]
    state = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
    overriding = Overriding.__new__(Overriding)
    overriding.__dict__.update(policy.__dict__)
    overriding.__dict__.pop(rule_keys.INDEX, None)
    assert rule_keys.get_possible_keys(overriding, lookup, [state]) == set(lookup)
    assert rule_keys.get_possible_keys(policy, lookup, [{"user": {"intent": ("greet",)}}]) == \
        RASA_OWN(policy, lookup, [{"user": {"intent": ("greet",)}}])
    assert rule_keys.get_possible_keys(policy, lookup, []) == set(lookup)
    assert len(calls) == 3
    assert rule_keys.get_possible_keys(policy, lookup, [state]) == RASA_OWN(policy, lookup, [state])
    assert len(calls) == 3                                  # the index answered this one


def test_a_changed_lookup_is_indexed_again(policy_and_domain: tuple[RulePolicy, Domain]) -> None:
    policy, _ = policy_and_domain
    lookup = dict(policy.lookup["rules"])
    state = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
    before = rule_keys.get_possible_keys(policy, lookup, [state])
    assert before and before == RASA_OWN(policy, lookup, [state])
    for key in before:
        del lookup[key]
    assert rule_keys.get_possible_keys(policy, lookup, [state]) == RASA_OWN(policy, lookup, [state]) == set()


def test_install_replaces_the_search_once() -> None:
    rule_keys.install()
    rule_keys.install()
    assert RulePolicy._get_possible_keys is rule_keys.get_possible_keys
    assert getattr(RulePolicy, rule_keys.INSTALLED) is RASA_OWN
