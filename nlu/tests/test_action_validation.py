"""The action-response check built once: the same responses pass and fail as with Rasa's own
per-call `jsonschema.validate`, and the installed check never re-checks the schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from helpline_nlu.action_validation import install

GOOD: dict[str, Any] = {
    "events": [{"event": "slot", "name": "language", "value": "uz", "timestamp": None},
               {"event": "slot", "name": "flow",
                "value": {"flow": "letter", "state": {"step": "address",
                                                      "answers": {"kind": "employer_claim", "employer": "OOO X"}}}}],
    "responses": [{"text": "Salom", "buttons": [{"title": "Menyu", "payload": "/menu"}]}],
}
BAD: list[dict[str, Any]] = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot", "value": "uz"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


def rasa_verdict(result: dict[str, Any]) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


def test_the_installed_check_agrees_with_rasas_and_keeps_its_hint() -> None:
    install()
    install()                                            # idempotent
    action = RemoteAction("action_x", None)
    assert rasa_verdict(GOOD) and action._validate_action_result(GOOD)
    for result in BAD:
        assert not rasa_verdict(result)
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(result)


def test_the_installed_check_never_rechecks_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    install()
    validator = RemoteAction._helpline_validator
    checked: list[object] = []
    monkeypatch.setattr(type(validator), "check_schema", classmethod(lambda cls, schema: checked.append(schema)))
    action = RemoteAction("action_x", None)
    for _ in range(3):
        assert action._validate_action_result(GOOD)
    assert checked == []
    rasa_verdict(GOOD)                                   # Rasa's own way checks it on every call
    assert len(checked) == 1


# --- the installed check has Rasa's verdict on generated responses, valid and not ---------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=6)
EVENT_NAMES = st.sampled_from(["user", "bot", "slot", "action", "session_started", "followup", "reset_slots",
                               "restart", "active_loop", "loop_interrupted", "rewind", "pause", "resume",
                               "undo", "export", "agent", "reminder", "cancel_reminder", "nope"])
FIELDS = st.sampled_from(["event", "name", "value", "text", "timestamp", "metadata", "data", "parse_data",
                          "policy", "confidence", "buttons", "intent", "entities", "date_time"])
EVENTS = st.dictionaries(FIELDS, st.one_of(VALUES, EVENT_NAMES), max_size=5)
RESPONSES = st.fixed_dictionaries({}, optional={
    "events": st.one_of(st.lists(st.one_of(EVENTS, st.builds(lambda n, d: {**d, "event": n}, EVENT_NAMES, EVENTS)),
                                 max_size=4), VALUES),
    "responses": st.one_of(st.lists(st.dictionaries(st.sampled_from(["text", "buttons", "image", "custom"]),
                                                    VALUES, max_size=3), max_size=3), VALUES)})


@settings(max_examples=400, deadline=None)
@given(RESPONSES)
def test_the_installed_check_has_rasas_verdict_on_any_response(result: dict[str, Any]) -> None:
    install()
    action = RemoteAction("action_x", None)
    if rasa_verdict(result):
        assert action._validate_action_result(result)
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(result)


def test_the_quick_check_applies_to_rasas_schema_and_only_ever_says_yes_rightly() -> None:
    from jsonschema.validators import validator_for

    from helpline_nlu.action_validation import quick_check

    schema = RemoteAction.action_response_format_spec()
    quick = quick_check(schema, validator_for(schema))
    assert quick is not None                                   # Rasa 3.6's schema has the shape
    assert quick(GOOD) and not any(quick(result) for result in BAD)
    assert quick_check({"type": "object"}, validator_for({})) is None


@settings(max_examples=400, deadline=None)
@given(RESPONSES)
def test_the_quick_check_agrees_with_rasa_on_any_response(result: dict[str, Any]) -> None:
    from jsonschema.validators import validator_for

    from helpline_nlu.action_validation import quick_check

    schema = RemoteAction.action_response_format_spec()
    quick = quick_check(schema, validator_for(schema))
    assert quick is not None and quick(result) == rasa_verdict(result)
