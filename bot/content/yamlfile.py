"""Reading organisers' YAML with line numbers, and explaining syntax errors plainly."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import Problem
from bot.content.wording import T_, Text

Path_ = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """A parsed file: its data and the line (1-based) where each key or item starts."""

    file: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, what: Text, fix: Text, *, warning: bool = False) -> Problem:
        return Problem(self.file, self.line(*path), what, fix, warning)


def read_yaml(file: Path) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse a file; on failure return a Problem with file, line and a plain explanation."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(file, None, T_("the file is not saved as UTF-8 text"),
                              T_("open it in a text editor and save it with UTF-8 encoding"))]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(file, error)]
    except yaml.reader.ReaderError as error:      # an invisible control character, pasted in
        line = text.count("\n", 0, error.position) + 1
        return None, [Problem(file, line, T_("the file contains an invisible control character "
                                             "(code {code}), which YAML does not allow",
                                             code=repr(error.character)),
                              T_("delete the character: retype the line, or paste the text again as plain text"))]
    doc = YamlDoc(file, None)
    doc.data = _build(node, (), doc.lines) if node is not None else None
    return doc, []


# What PyYAML says (the start of its message), said plainly, and how to fix it.
_SYNTAX_HINTS = {
    "mapping values are not allowed": (
        T_("a ':' inside a text"),
        T_("a line has a ':' inside the text; put the whole text in double quotes, "
           "or use '|' and write the text on the next lines, indented")),
    "found character '\\t'": (T_("a tab character"), T_("replace the tab character with spaces")),
    "could not find expected ':'": (
        T_("a line is not in 'key: value' form"),
        T_("a line is missing 'key: value' form or is indented wrongly; compare it with the lines above it")),
    "expected <block end>": (
        T_("the indentation is wrong"),
        T_("the indentation of this line does not match the lines above; "
           "use the same number of spaces as its neighbours")),
    "found undefined alias": (
        T_("a text starts with '*'"),
        T_("a '*' at the start of a text means something special in YAML; put the text in double quotes")),
    "found unexpected end of stream": (
        T_("a quote is not closed"), T_("a quote was opened and never closed; add the closing quote")),
    "found unknown escape character": (
        T_("a backslash inside double quotes"),
        T_("inside double quotes a backslash starts an escape; use single quotes or write the backslash twice")),
}


def _syntax_problem(file: Path, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    problem = (error.problem or "").strip()
    reason, fix = next((hint for key, hint in _SYNTAX_HINTS.items() if key in problem),
                       (problem or T_("unknown reason"),
                        T_("check the quotes and the indentation on this line and the line above it")))
    return Problem(file, line, T_("the YAML cannot be read ({reason})", reason=reason), fix)


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(" ").construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            result[key] = _build(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines) for i, item in enumerate(node.value)]
    loader = yaml.SafeLoader(" ")
    return loader.construct_object(node, deep=True)
