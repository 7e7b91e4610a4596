"""The one place where our changes to Rasa's own code are installed, and the version they are for.

Four patches replace a Rasa method to save CPU (each module's docstring says why;
docs/decisions/ records what each is worth, and why others, such as a kept action-server
session, were dropped):

- `action_validation`: the action-server response check built once per process;
- `graph_runner`: the prediction graph run in a planned order, without dask;
- `rule_keys`: RulePolicy tries only the rules that can apply to the newest state;
- `payloads`: a button's payload parsed without the NLU components whose output Rasa drops;

and one makes a failed turn (any error, a lock not had in time included) answer nothing and log
neither what the user wrote nor who (`quiet_turns`); one more exempts a loaded model's objects
from the cycle collector (`heap`). The
tracker store and lock store subclasses are not patches: Rasa builds them by name from
endpoints.yml (bot/processes.py writes it; nlu/compose/endpoints.yml in containers).

`install()` is called by `helpline-rasa` (helpline_nlu/cli.py), the command that starts
Rasa; importing any module of this package changes nothing."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from helpline_nlu import action_validation, graph_runner, heap, payloads, quiet_turns, rule_keys

RASA_VERSION = "3.6.21"     # as pinned in nlu/pyproject.toml (tests/test_patches.py keeps them equal)


class RasaVersionError(RuntimeError):
    """The installed Rasa is not the one the patches were written and tested for."""


def installed_rasa() -> str | None:
    try:
        return version("rasa")
    except PackageNotFoundError:
        return None


def check_rasa_version(found: str | None = None) -> None:
    """Raise RasaVersionError unless Rasa `found` (default: the installed one) is RASA_VERSION."""
    found = installed_rasa() if found is None else found
    if found != RASA_VERSION:
        raise RasaVersionError(
            f"Rasa {found or 'is not installed'}{' found' if found else ''}, but the helpline's "
            f"patches (nlu/helpline_nlu/patches.py) are written for Rasa {RASA_VERSION}: run "
            f"`uv sync --locked --directory nlu`, or review every patch against the new version "
            f"before changing the pin in nlu/pyproject.toml")


def install() -> None:
    """Check Rasa's version, then install every patch. Idempotent."""
    check_rasa_version()
    action_validation.install()
    graph_runner.install()
    quiet_turns.install()
    heap.install()
    rule_keys.install()
    payloads.install()
