"""Problems found in content/, worded for organisers rather than programmers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """What is wrong, where, and how to fix it."""

    file: Path
    line: int | None
    what: str
    fix: str
    warning: bool = False

    def render(self, root: Path | None = None) -> str:
        name = self.file
        if root is not None:
            try:
                name = self.file.relative_to(root)
            except ValueError:
                pass
        where = f"{name}:{self.line}" if self.line else f"{name}"
        kind = "warning" if self.warning else "error"
        return f"{where}: {kind}: {self.what}\n    how to fix: {self.fix}"


class ContentError(Exception):
    """content/ cannot be used; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))
