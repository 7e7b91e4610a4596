"""Our patches to Rasa are installed by `patches.install()` only (what `helpline-rasa` runs), never
by importing a module or building a component, and only on the pinned Rasa."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpline_nlu import cli, patches

NLU = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter: the other test modules install patches into this one.
SCRIPT = textwrap.dedent("""
    import importlib, pkgutil, tempfile
    import rasa.core.run
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.processor import MessageProcessor
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig

    def patched():
        return {
            "validation": RemoteAction._validate_action_result, "session": EndpointConfig.session,
            "graph": DaskGraphRunner.run, "turn": Agent.handle_message,
            "shutdown": rasa.core.run.close_resources, "model": Agent.load_model,
            "rules": RulePolicy._get_possible_keys, "payloads": MessageProcessor._parse_message_with_graph,
        }

    rasa_own = patched()
    import helpline_nlu
    for module in pkgutil.iter_modules(helpline_nlu.__path__):
        importlib.import_module("helpline_nlu." + module.name)
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from helpline_nlu.normaliser import TextNormaliser
    storage = LocalModelStorage(tempfile.mkdtemp())
    TextNormaliser.create({}, storage, Resource("n"), ExecutionContext(GraphSchema({}), "m"))
    print("imported:", sorted(name for name, value in patched().items() if value is not rasa_own[name]))
    from helpline_nlu import patches
    patches.install()
    once = patched()
    patches.install()
    print("installed:", sorted(name for name, value in patched().items() if value is not rasa_own[name]))
    print("again:", sorted(name for name, value in patched().items() if value is not once[name]))
""")


def test_importing_or_building_components_patches_nothing_and_install_patches_all_once() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                            check=True)
    lines = [line for line in result.stdout.splitlines() if line.split(":")[0] in ("imported", "installed", "again")]
    assert lines == [
        "imported: []",
        # the session and shutdown stay Rasa's own (0003)
        "installed: ['graph', 'model', 'payloads', 'rules', 'turn', 'validation']",
        "again: []",
    ]


def test_the_version_the_patches_are_for_is_the_pinned_one() -> None:
    pins = [line.strip().strip(",") for line in (NLU / "pyproject.toml").read_text().splitlines()
            if line.strip().startswith('"rasa')]
    assert pins == [f'"rasa=={patches.RASA_VERSION}"']
    assert patches.installed_rasa() == patches.RASA_VERSION


@pytest.mark.parametrize("found", ["3.6.20", "3.7.0", ""])
def test_another_rasa_is_refused_naming_both_versions(found: str) -> None:
    with pytest.raises(patches.RasaVersionError) as refused:
        patches.check_rasa_version(found)
    assert "written for Rasa 3.6.21" in str(refused.value)
    assert (f"Rasa {found} found" if found else "Rasa is not installed") in str(refused.value)


def test_helpline_rasa_refuses_to_start_on_another_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[str] = []
    monkeypatch.setattr(patches, "installed_rasa", lambda: "3.6.20")
    for name in ("action_validation", "graph_runner", "heap", "payloads", "quiet_turns", "rule_keys"):
        monkeypatch.setattr(getattr(patches, name), "install", lambda name=name: installed.append(name))
    monkeypatch.setattr(sys, "argv", ["helpline-rasa", "--version"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert str(exited.value) == (
        "helpline-rasa: Rasa 3.6.20 found, but the helpline's patches (nlu/helpline_nlu/patches.py) are "
        "written for Rasa 3.6.21: run `uv sync --locked --directory nlu`, or review every patch against "
        "the new version before changing the pin in nlu/pyproject.toml")
    assert installed == []


def test_helpline_rasa_is_rasas_command() -> None:
    command = Path(sys.executable).with_name("helpline-rasa")
    result = subprocess.run([str(command), "--version"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Rasa Version      :         3.6.21" in result.stdout
