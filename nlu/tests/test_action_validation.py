"""The action-response check built once: the same responses pass and fail as with Rasa's own
per-call `jsonschema.validate`, and the installed check never re-checks the schema."""

from __future__ import annotations

from typing import Any, Dict

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from helpline_nlu.action_validation import install

GOOD: Dict[str, Any] = {
    "events": [{"event": "slot", "name": "language", "value": "uz", "timestamp": None},
               {"event": "slot", "name": "letter", "value": {"kind": "employer_claim", "employer": "OOO X"}}],
    "responses": [{"text": "Salom", "buttons": [{"title": "Menyu", "payload": "/menu"}]}],
}
BAD = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot", "value": "uz"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


def rasa_verdict(result: Dict[str, Any]) -> bool:
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
    validator = RemoteAction._helpline_validator  # type: ignore[attr-defined]
    checked: list[object] = []
    monkeypatch.setattr(type(validator), "check_schema", classmethod(lambda cls, schema: checked.append(schema)))
    action = RemoteAction("action_x", None)
    for _ in range(3):
        assert action._validate_action_result(GOOD)
    assert checked == []
    rasa_verdict(GOOD)                                   # Rasa's own way checks it on every call
    assert len(checked) == 1
