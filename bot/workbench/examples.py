"""Adding an example question to a topic file the way an organiser would: one line at the end
of the language's `examples:` list, everything else in the file untouched (comments, order).
The same change as a patch for `git apply`, for deployments that do not write content/."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import yaml

LANGUAGE = re.compile(r"^  ([A-Za-z_]{2,10}):\s*$")
EXAMPLES = re.compile(r"^    examples:\s*$")
FLOW = re.compile(r"^    examples:\s*(\[.*\])\s*$")     # examples: [one, two] on one line
ITEM = re.compile(r"^    - ")


class NoPlace(ValueError):
    """The topic file has no examples list for that language."""


def with_example(source: str, language: str, example: str) -> str:
    """`source` (a topic file) with `example` added under `languages.<language>.examples`."""
    lines = _block_style(source.splitlines(keepends=True), language)
    in_language, in_examples, last_item = False, False, None
    for index, line in enumerate(lines):
        heading = LANGUAGE.match(line)
        if heading:
            if in_examples:
                break
            in_language, in_examples = heading.group(1) == language, False
            continue
        if in_language and EXAMPLES.match(line):
            in_examples, last_item = True, index
            continue
        if in_examples:
            if ITEM.match(line) or line.startswith("      "):
                last_item = index
            elif line.strip() and not line.startswith("    #"):
                break
    if not in_examples or last_item is None:
        raise NoPlace(f"no examples list for {language}")
    text = " ".join(example.split())
    entry = f"    - {json.dumps(text, ensure_ascii=False)}\n"
    if not lines[last_item].endswith("\n"):
        lines[last_item] += "\n"
    return "".join([*lines[:last_item + 1], entry, *lines[last_item + 1:]])


def _block_style(lines: list[str], language: str) -> list[str]:
    """A one-line `examples: [..]` of `language` rewritten as a block list, one per line."""
    in_language = False
    for index, line in enumerate(lines):
        heading = LANGUAGE.match(line)
        if heading:
            in_language = heading.group(1) == language
            continue
        flow = FLOW.match(line) if in_language else None
        if flow:
            items = yaml.safe_load(flow.group(1)) or []
            block = ["    examples:\n", *(f"    - {json.dumps(str(x), ensure_ascii=False)}\n" for x in items)]
            return [*lines[:index], *block, *lines[index + 1:]]
    return lines


def _added(before: str, items: list[tuple[str, str]]) -> str:
    after = before
    for language, example in items:
        after = with_example(after, language, example)
    return after


def patch_many(content_root: Path, topic: str, items: list[tuple[str, str]]) -> tuple[Path, str]:
    """One diff adding several (language, example) pairs to one topic file."""
    file = content_root / "topics" / f"{topic}.yml"
    before = file.read_text(encoding="utf-8")
    name = f"{content_root.name}/topics/{topic}.yml"
    diff = difflib.unified_diff(before.splitlines(keepends=True), _added(before, items).splitlines(keepends=True),
                                fromfile=f"a/{name}", tofile=f"b/{name}")
    return file, "".join(diff)


def write_many(content_root: Path, topic: str, items: list[tuple[str, str]]) -> Path:
    """Add the examples in place (development); nothing is written if one has no place."""
    file = content_root / "topics" / f"{topic}.yml"
    file.write_text(_added(file.read_text(encoding="utf-8"), items), encoding="utf-8")
    return file


def write(content_root: Path, topic: str, language: str, example: str) -> Path:
    """Add one example in place (development)."""
    return write_many(content_root, topic, [(language, example)])
