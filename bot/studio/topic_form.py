"""The console's edit form of one topic in one language, as plain values (issue 17, item 1):
the fields as a file's text holds them, the fields typed back into a draft's body (only those
that differ from the live text, so the version's message names what changed), the sources one
per line, each problem of the checks placed at the field it concerns, and each answer line with
the country it is shown to."""

from __future__ import annotations

import datetime as dt
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


def body_of(form: Form, live_text: str, language: str, *, own_lines: bool,
            kept: Collection[str] = ()) -> dict[str, Any]:
    """A draft's body: the fields that differ from the live text, and those the draft already
    holds (`kept`: typed back to the live value, they must replace the draft's). The topic's own
    lines (sources, review dates) only when `own_lines` (the default language's form)."""
    live = topic_edit.language_part(live_text, language)
    unchanged = topic_edit.edited_part(live, {}, None)
    proposed: dict[str, Any] = {"title": form.title, "answer": form.answer, "more": form.more,
                                "examples": [line.strip() for line in form.examples.split("\n") if line.strip()]}
    body = {key: value for key, value in proposed.items()
            if key in kept or topic_edit.edited_part(live, {key: value}, None).get(key) != unchanged.get(key)}
    if own_lines:
        own = topic_edit.topic_part(live_text)
        wanted = {"sources": parsed_sources(form.sources), "reviewed": form.reviewed.strip(),
                  "review_by": form.review_by.strip()}
        was = {"sources": _plain_sources(own.get("sources") or []), "reviewed": _str(own.get("reviewed")),
               "review_by": _str(own.get("review_by"))}
        body.update({key: value for key, value in wanted.items() if key in kept or value != was[key]})
    return body


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
