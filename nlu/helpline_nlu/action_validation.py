"""Rasa checks every action server response against a JSON schema with `jsonschema.validate`,
which first checks the schema itself against its meta-schema, every time. Profiled under load
(py-spy on the Rasa process, BENCHMARKS.md), that meta-schema check was about two thirds of
Rasa's CPU per message. `install()` replaces the check with one validator built once for the
same schema: the same responses pass, the same ValidationError (with Rasa's hint) is raised."""

from __future__ import annotations

from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

INSTALLED = "_helpline_validator"


def install() -> None:
    """Idempotent; called when the pipeline's first component is built (TextNormaliser)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction, INSTALLED, None) is not None:
        return
    schema = RemoteAction.action_response_format_spec()
    kind = validator_for(schema)
    kind.check_schema(schema)                      # once, instead of once per response
    validator = kind(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions")
        raise error

    setattr(RemoteAction, "_validate_action_result", _validate_action_result)
    setattr(RemoteAction, INSTALLED, validator)
