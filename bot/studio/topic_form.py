"""The console's edit form of one topic in one language, as plain values (issue 17, item 1):
the fields as a file's text holds them; the fields typed back into a draft's body, only those
this person changed since the form was opened (so two people saving one draft do not undo each
other's fields, and the version's message names what changed); the sources one per line; each
problem of the checks placed at the field it concerns; each answer line with the country it is
shown to."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from bot.content.jurisdiction import Labels, line_marks
from bot.content.problems import Problem
from bot.studio import topic_edit
from bot.studio.topic_edit import EditError

SOURCE_KEYS = ("law", "jurisdiction", "url", "confidence")
SEPARATOR = " | "
PART_MARKS = ("language", "status", "reviewed_by", "reviewed_on")    # shown at the top of the part
GENERAL = ""


@dataclass(frozen=True)
class Form:
    """The form's fields as text, as the organiser sees and types them."""

    title: str = ""
    answer: str = ""
    more: str = ""
    examples: str = ""      # one question a line
    sources: str = ""       # one source a line: law | jurisdiction | url | confidence
    reviewed: str = ""      # YYYY-MM-DD
    review_by: str = ""


FIELDS = tuple(f.name for f in fields(Form))


def form_of(text: str, language: str) -> Form:
    """The fields as the file's text holds them (the topic's own lines for every language)."""
    part = topic_edit.language_part(text, language)
    own = topic_edit.topic_part(text)
    return Form(title=_str(part.get("title")), answer=_str(part.get("answer")).rstrip("\n"),
                more=_str(part.get("more")).rstrip("\n"),
                examples="\n".join(str(e) for e in part.get("examples") or []),
                sources=sources_text(own.get("sources") or []), reviewed=_str(own.get("reviewed")),
                review_by=_str(own.get("review_by")))


def typed(values: Mapping[str, Any]) -> Form:
    """The fields as the browser sent them (line ends made plain)."""
    def value(name: str) -> str:
        return str(values.get(name, "")).replace("\r\n", "\n").replace("\r", "\n")
    return Form(**{name: value(name) for name in FIELDS})


LANGUAGE_ONLY = ("title", "answer", "more", "examples")


def fields_of(own_lines: bool) -> tuple[str, ...]:
    """The fields of the form: the topic's own lines only on the default language's."""
    return FIELDS if own_lines else LANGUAGE_ONLY


def value_of(form: Form, name: str) -> Any:
    """A field as a draft's body holds it (examples and sources as lists, text made plain)."""
    text = getattr(form, name)
    if name == "examples":
        return [line.strip() for line in text.split("\n") if line.strip()]
    if name == "sources":
        return parsed_sources(text)
    if name == "title":
        return " ".join(text.split())
    if name in ("answer", "more"):
        return "\n".join(line.rstrip() for line in text.strip().split("\n")) if text.strip() else ""
    return text.strip()


def fingerprints(form: Form, own_lines: bool) -> dict[str, str]:
    """A short hash of each field as the form shows it, sent back with the form: the fields that
    differ from it on saving are the ones this person changed."""
    return {name: hashlib.sha256(json.dumps(value_of(form, name), ensure_ascii=False).encode()).hexdigest()[:16]
            for name in fields_of(own_lines)}


@dataclass(frozen=True)
class Edit:
    """What a save writes into the draft, and what it leaves, to be shown again: the fields this
    person changed that someone else also changed, differently, since the form was opened."""

    body: dict[str, Any]
    clashes: tuple[str, ...]


def edit_of(typed: Form, started: Mapping[str, str], now: Form, *, own_lines: bool) -> Edit:
    """`typed` against the fingerprints the form `started` with (a missing one: as `now`, the
    draft or live text at this moment)."""
    current, mine = fingerprints(now, own_lines), fingerprints(typed, own_lines)
    start = {name: started.get(name) or current[name] for name in current}
    changed = [name for name in current if mine[name] != start[name]]
    clashes = tuple(n for n in changed if current[n] != start[n] and current[n] != mine[n])
    return Edit({n: value_of(typed, n) for n in changed if n not in clashes}, clashes)


def sources_text(sources: Sequence[Any]) -> str:
    return "\n".join(SEPARATOR.join(_str(s.get(k)) for k in SOURCE_KEYS).rstrip(" |")
                     if isinstance(s, dict) else _str(s) for s in sources)


def parsed_sources(text: str) -> list[dict[str, str]]:
    """One source a line, its parts in SOURCE_KEYS order; an empty part is left out (a line
    without a jurisdiction is kept as typed: the check names it)."""
    found = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > len(SOURCE_KEYS):         # a law with "|" in it: the last three are the rest
            parts = [" | ".join(parts[:len(parts) - 3]), *parts[-3:]]
        found.append({key: value for key, value in zip(SOURCE_KEYS, parts, strict=False) if value})
    return found


def _plain_sources(sources: Sequence[Any]) -> list[dict[str, str]]:
    return [{str(k): _str(v).strip() for k, v in s.items() if _str(v).strip()} if isinstance(s, dict)
            else {"law": _str(s).strip()} for s in sources]


def _str(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def placed(problems: Sequence[Problem], text: str, language: str, shown: Collection[str]) -> dict[str, list[Problem]]:
    """Each problem under the form field whose lines hold it (`shown`: the fields on the page);
    problems of the part itself (no title, its status) go with the title, the rest under GENERAL."""
    try:
        spans = topic_edit.field_lines(text, language)
    except EditError:
        spans = {}
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        field = topic_edit.field_at(spans, problem.line)
        slot = "title" if field in PART_MARKS else field
        out.setdefault(slot if slot is not None and slot in shown else GENERAL, []).append(problem)
    return out


def marked(text: str | None, labels: Labels) -> list[tuple[str, str]]:
    """Each line of an answer with the country it is shown to ("" for both)."""
    if not text:
        return []
    return [(line, mark or "") for line, mark in zip(text.splitlines(), line_marks(text, labels), strict=True)]
