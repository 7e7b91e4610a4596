"""Compile content/ plus the hand-written dialogue data in nlu/ into Rasa's files.

Everything written here goes to the ignored build folder: content/ stays the only
source of truth.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from bot import flows
from bot.content.model import Library, Topic

HANDWRITTEN_META = {"greet", "menu", "change_language"}
FLOW_ACTION = "action_flow"    # every flow's topic and buttons (actions/steps.py ActionFlow)


def action_for(topic: Topic) -> str:
    """The Rasa action that answers a topic: a flow's topic starts the flow (bot/flows/)."""
    if flows.by_topic(topic.id) is not None:
        return FLOW_ACTION
    return "action_answer_urgent" if topic.urgent else "action_answer_topic"


def nlu_data(library: Library) -> dict[str, Any]:
    """One intent block per topic and language, tagged with the language for LangID."""
    blocks = []
    for topic in library.topics.values():
        for code, answer in topic.answers.items():
            if not answer.examples:
                continue
            blocks.append({
                "intent": topic.id,
                "metadata": {"lang": code},
                "examples": "".join(f"- {_one_line(e)}\n" for e in answer.examples),
            })
    return {"version": "3.1", "nlu": blocks}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def topic_rules(library: Library) -> dict[str, Any]:
    rules = [
        {"rule": f"answer {topic.id}",
         "steps": [{"intent": topic.id}, {"action": action_for(topic)}]}
        for topic in library.topics.values() if topic.id not in HANDWRITTEN_META
    ]
    rules += [{"rule": f"the {name} flow's buttons", "steps": [{"intent": name}, {"action": FLOW_ACTION}]}
              for name in flows.registry()]
    return {"version": "3.1", "rules": rules}


def domain(library: Library, base: Path) -> dict[str, Any]:
    """The hand-written domain plus every topic as an intent and every flow's button intent
    and entities."""
    data: dict[str, Any] = yaml.safe_load(base.read_text(encoding="utf-8"))
    data["intents"] = [*data.get("intents", []), *library.topics, *flows.registry()]
    entities = [*data.get("entities", []), *(e for flow in flows.registry().values() for e in flow.entities)]
    data["entities"] = list(dict.fromkeys(entities))
    return data


def compile_training_data(library: Library, nlu_dir: Path, out: Path) -> Path:
    """Write config, domain and data for `rasa train` into `out`; return `out`."""
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    _dump(out / "data" / "nlu.yml", nlu_data(library))
    _dump(out / "data" / "topic_rules.yml", topic_rules(library))
    for file in sorted((nlu_dir / "data").glob("*.yml")):
        shutil.copy(file, out / "data" / file.name)
    _dump(out / "domain.yml", domain(library, nlu_dir / "domain.yml"))
    shutil.copy(nlu_dir / "config.yml", out / "config.yml")
    return out


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(file: Path, data: Any) -> None:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    file.write_text(text, encoding="utf-8")
