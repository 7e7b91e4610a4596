"""One topic file edited the way an organiser edits it in the console: one language's part
(title, answer, "more", example questions, review marks) or the topic's own lines (sources and
review dates) replaced, and every other line of the file (its comments, the other languages)
kept exactly as it was, so the version's diff shows only what changed.

Plain text in, plain text out. Where each part sits comes from the YAML parser's marks; the
replaced part is written by PyYAML in the style the files use (block text as `|`, lists as
`- item` under their key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

LANGUAGE_FIELDS = ("title", "answer", "more", "examples")
TOPIC_FIELDS = ("reviewed", "review_by", "sources")
REVIEW_MARKS = ("status", "reviewed_by", "reviewed_on")
_ORDER = ("status", "reviewed_by", "reviewed_on", "title", "answer", "more", "examples")


class EditError(ValueError):
    """The file cannot be edited this way (it does not parse, or has no `languages:`)."""


@dataclass(frozen=True)
class Review:
    """Who approved a language's part, and when (written as reviewed_by and reviewed_on)."""

    by: str
    on: dt.date


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(data: Mapping[str, Any], indent: int) -> list[str]:
    out = yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                    default_flow_style=False)
    return [" " * indent + line if line else line for line in out.splitlines()]


def _root(text: str) -> yaml.MappingNode:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise EditError(f"the file does not parse: {error}") from None
    if not isinstance(node, yaml.MappingNode):
        raise EditError("the file is not a topic (no keys at its top)")
    return node


def _child(node: yaml.MappingNode, key: str) -> tuple[int, yaml.Node, yaml.Node] | None:
    for i, (k, v) in enumerate(node.value):
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return i, k, v
    return None


def _end(parent: yaml.MappingNode, index: int, lines: list[str]) -> int:
    """The line (0-based, exclusive) where entry `index` of `parent` ends: the next entry's key,
    or the end of the parent, without the blank and comment lines that close it."""
    if index + 1 < len(parent.value):
        end = parent.value[index + 1][0].start_mark.line
    else:
        value = parent.value[index][1]
        # a block (mapping, list, `|` text) ends where the next token starts; a plain value on its line
        block = not isinstance(value, yaml.ScalarNode) or value.style in ("|", ">")
        end = min(value.end_mark.line + (0 if block else 1), len(lines))
    start = int(parent.value[index][0].start_mark.line)
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return int(end)


def _clean(value: str) -> str:
    """Text as a block: no trailing spaces (they would force quoted style), one final newline."""
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")]
    return "\n".join(lines) + ("\n" if len(lines) > 1 else "")


def language_part(text: str, language: str) -> dict[str, Any]:
    """The language's part as it is in the file ({} when the topic has none yet)."""
    data = yaml.safe_load(text) or {}
    part = (data.get("languages") or {}).get(language) if isinstance(data, dict) else None
    return dict(part) if isinstance(part, dict) else {}


def topic_part(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text) or {}
    return {key: data.get(key) for key in TOPIC_FIELDS if isinstance(data, dict) and key in data}


def edited_part(current: Mapping[str, Any], body: Mapping[str, Any], review: Review | None) -> dict[str, Any]:
    """The language's part after an edit: the fields in `body` replace those in `current`, and
    the review marks say whether a reviewer approved it."""
    part = {key: value for key, value in current.items() if key not in REVIEW_MARKS}
    for key in LANGUAGE_FIELDS:
        if key not in body:
            continue
        value = body[key]
        if key == "examples":
            items = [str(item).strip() for item in value or [] if str(item).strip()]
            part[key] = list(dict.fromkeys(items))
        elif value is None or not str(value).strip():
            part.pop(key, None)
        else:
            part[key] = _clean(str(value)) if key in ("answer", "more") else " ".join(str(value).split())
    marks: dict[str, Any] = {"status": "draft"}
    if review is not None:
        marks = {"status": "reviewed", "reviewed_by": review.by, "reviewed_on": review.on}
    ordered = {**marks, **{key: part[key] for key in _ORDER if key in part}}
    return {**ordered, **{key: value for key, value in part.items() if key not in ordered}}


def with_language(text: str, language: str, body: Mapping[str, Any], review: Review | None) -> str:
    """`text` with the language's part edited (added at the end of `languages:` if missing)."""
    root = _root(text)
    lines = text.split("\n")
    found = _child(root, "languages")
    if found is None or not isinstance(found[2], yaml.MappingNode):
        raise EditError("the topic has no 'languages:' part")
    languages = found[2]
    part = edited_part(language_part(text, language), body, review)
    block = _dump({language: part}, 2)
    entry = _child(languages, language)
    if entry is None:
        if not languages.value:
            raise EditError("the topic's 'languages:' part is empty")
        at = _end(languages, len(languages.value) - 1, lines)
        return "\n".join(lines[:at] + block + lines[at:])
    index, key, _ = entry
    return "\n".join(lines[:key.start_mark.line] + block + lines[_end(languages, index, lines):])


def with_topic_fields(text: str, fields: Mapping[str, Any]) -> str:
    """`text` with the topic's own lines (TOPIC_FIELDS) replaced; a field set to None goes."""
    for key, value in fields.items():
        if key not in TOPIC_FIELDS:
            raise EditError(f"'{key}' is not a topic field that can be edited here")
        root = _root(text)
        lines = text.split("\n")
        found = _child(root, key)
        block = [] if value is None or value == [] else _dump({key: value}, 0)
        if found is None:
            if not block:
                continue
            languages = _child(root, "languages")
            at = languages[1].start_mark.line if languages is not None else len(lines)
            lines = lines[:at] + block + lines[at:]
        else:
            index, node, _ = found
            lines = lines[:node.start_mark.line] + block + lines[_end(root, index, lines):]
        text = "\n".join(lines)
    return text


def field_lines(text: str, language: str) -> dict[str, tuple[int, int]]:
    """Where each field of the language's part (and each topic field) sits: 1-based first and
    last line, so a problem `helpline check` reports on a line can be shown next to its field."""
    root = _root(text)
    lines = text.split("\n")
    spans: dict[str, tuple[int, int]] = {}
    for index, (key, _) in enumerate(root.value):
        if isinstance(key, yaml.ScalarNode) and key.value in TOPIC_FIELDS:
            spans[key.value] = (key.start_mark.line + 1, _end(root, index, lines))
    found = _child(root, "languages")
    if found is None or not isinstance(found[2], yaml.MappingNode):
        return spans
    languages = found[2]
    entry = _child(languages, language)
    if entry is None or not isinstance(entry[2], yaml.MappingNode):
        return spans
    index, key, part = entry
    assert isinstance(part, yaml.MappingNode)
    spans["language"] = (key.start_mark.line + 1, _end(languages, index, lines))
    for i, (field_key, _) in enumerate(part.value):
        if isinstance(field_key, yaml.ScalarNode):
            spans[field_key.value] = (field_key.start_mark.line + 1, _end(part, i, lines))
    return spans


def field_at(spans: Mapping[str, tuple[int, int]], line: int | None) -> str | None:
    """The narrowest field whose lines hold `line`."""
    if line is None:
        return None
    holding = [(last - first, name) for name, (first, last) in spans.items() if first <= line <= last]
    return min(holding)[1] if holding else None
