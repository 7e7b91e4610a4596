"""Everything the bot says and counts with, read from content/ as one value.

`read_content` returns what it could read and every problem (for `helpline check` and the
organisers' preview); `load_content` returns the bundle or raises ContentError listing the
errors (for the processes that serve users). A process holds one `Content` and a reload
swaps that one reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.calc.key_rates import KeyRates, load_key_rates
from bot.content.loader import load_library, read_library
from bot.content.model import Library
from bot.content.problems import ContentError, Problem
from bot.letters.model import LetterTemplate
from bot.letters.templates import read_templates
from bot.routing.contacts import Directory, load_directory
from bot.routing.places import Places


@dataclass(frozen=True)
class Content:
    """The answers (library), the contacts and places (directory), the key-rate table (rates)
    and the letter templates, as read together from one content/ folder."""

    library: Library
    directory: Directory | None
    rates: KeyRates | None
    templates: dict[tuple[str, str], LetterTemplate]   # by (kind, country)

    @property
    def places(self) -> Places | None:
        """The gazetteer, or None when content/ has no usable contacts."""
        return self.directory.places if self.directory is not None else None


def read_content(root: Path) -> tuple[Content | None, list[Problem]]:
    """The content in `root` and every problem found (errors and warnings); None when the
    answers themselves cannot be read."""
    library, problems = read_library(root)
    directory, rates, templates, found = _parts(root, library)
    if library is None:
        return None, problems + found
    return Content(library, directory, rates, templates), problems + found


def load_content(root: Path) -> Content:
    """The content in `root`, or ContentError listing the errors (warnings are ignored): any
    error in the answers, and errors in the files there are. A folder without contacts, key
    rates or letter templates (a test fixture, a new deployment) still serves answers; the flow
    that needs the missing part apologises."""
    library = load_library(root)
    directory, rates, templates, problems = _parts(root, library)
    errors = [p for p in problems if not p.warning and p.file.exists()]
    if errors:
        raise ContentError(errors)
    return Content(library, directory, rates, templates)


def _parts(root: Path, library: Library | None) -> tuple[Directory | None, KeyRates | None,
                                                         dict[tuple[str, str], LetterTemplate], list[Problem]]:
    directory, problems = load_directory(root)
    rates, found = load_key_rates(root)
    problems += found
    templates, found = read_templates(root, library.languages if library is not None else None)
    problems += found
    by_key = {(str(kind), str(country)): template for (kind, country), template in templates.items()}
    return directory, rates, by_key, problems
