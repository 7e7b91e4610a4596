"""Rasa checks every action server response against a JSON schema with `jsonschema.validate`,
which first checks the schema itself against its meta-schema, every time. Profiled under load
(py-spy on the Rasa process, BENCHMARKS.md), that meta-schema check was about two thirds of
Rasa's CPU per message. `install()` replaces the check with one validator built once for the
same schema: the same responses pass, the same ValidationError (with Rasa's hint) is raised.

Walking that schema was then still a tenth of Rasa's event loop: for every event, jsonschema
evaluates all 23 alternatives of its `oneOf`, each fully. Each alternative fixes `event` to a
different constant, so an event matches exactly one alternative only if the one named by its
`event` matches. `quick_check` validates that way; a response it refuses goes through
jsonschema, which decides and words the error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

INSTALLED = "_helpline_validator"


def quick_check(schema: dict[str, Any], kind: Any) -> Callable[[Any], bool] | None:
    """True only for responses the whole schema accepts (False: ask jsonschema), or None if the
    schema is not shaped as Rasa 3.6's (events whose oneOf alternatives each fix `event`)."""
    try:
        events = schema["properties"]["events"]
        item = events["items"]
        names = [branch["properties"]["event"]["const"] for branch in item["oneOf"]]
    except (KeyError, TypeError):
        return None
    if len(set(names)) != len(names) or "event" not in item.get("required", ()):
        return None
    base = {key: value for key, value in item.items() if key != "oneOf"}
    outer = kind({**schema, "properties": {**schema["properties"], "events": {**events, "items": base}}})
    one = {name: kind(branch) for name, branch in zip(names, item["oneOf"], strict=True)}

    def check(result: Any) -> bool:
        if not outer.is_valid(result):
            return False
        for event in result.get("events") or ():
            alternative = one.get(event["event"])     # outer checked: an object with a string `event`
            if alternative is None or not alternative.is_valid(event):
                return False
        return True
    return check


def install() -> None:
    """Idempotent (helpline_nlu/patches.py)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction, INSTALLED, None) is not None:
        return
    schema = RemoteAction.action_response_format_spec()
    kind = validator_for(schema)
    kind.check_schema(schema)                      # once, instead of once per response
    validator = kind(schema)
    quick = quick_check(schema, kind)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if quick is not None and quick(result):
            return True
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions")
        raise error

    RemoteAction._validate_action_result = _validate_action_result
    setattr(RemoteAction, INSTALLED, validator)
