"""Problems found in content/, worded for organisers rather than programmers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.wording import LOCALES, T_, Text

ERROR, WARNING, HOW_TO_FIX = T_("error"), T_("warning"), T_("how to fix")


@dataclass(frozen=True)
class Problem:
    """What is wrong, where, and how to fix it (untranslated: `render` picks the language)."""

    file: Path
    line: int | None
    message: Text
    hint: Text
    warning: bool = False

    @property
    def what(self) -> str:
        """What is wrong, in English."""
        return str(self.message)

    @property
    def fix(self) -> str:
        """How to fix it, in English."""
        return str(self.hint)

    def render(self, root: Path | None = None, language: str = "en", *, locales: Path = LOCALES) -> str:
        name = self.file
        if root is not None:
            try:
                name = self.file.relative_to(root)
            except ValueError:
                pass
        where = f"{name}:{self.line}" if self.line else f"{name}"
        kind = (WARNING if self.warning else ERROR).translated(language, locales)
        what, fix, how = (t.translated(language, locales) for t in (self.message, self.hint, HOW_TO_FIX))
        return f"{where}: {kind}: {what}\n    {how}: {fix}"


class ContentError(Exception):
    """content/ cannot be used; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))
