"""The catalogue checks and header tidying behind scripts/translations.

scripts/translations runs pybabel (extract, update, compile); this module does what pybabel
does not: `tidy` gives every .po a real header (no `#, fuzzy` flag, no PROJECT / FULL NAME /
YEAR-MO-DA placeholders, Babel's Plural-Forms for the file's language), and `check` reports
what would trouble Poedit, Weblate or the bot: such a header, a plural entry with a form left
empty, and a translation whose {placeholders} differ from the English (the bot fills them in
with str.format, so a stray or renamed brace would break the reply).
"""

from __future__ import annotations

import argparse
import datetime as dt
import string
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "migrant-helpline"
PLACEHOLDERS = ("PROJECT", "ORGANIZATION", "FIRST AUTHOR", "FULL NAME", "EMAIL@ADDRESS", "YEAR-MO-DA",
                "LL@li.org", "PACKAGE VERSION")
HEADER_COMMENT = """\
# {language} strings of {project} (msgids: locales/{domain}.pot).
# Keep {{placeholders}} as they are. `scripts/translations update` brings in new msgids;
# see content/README.md, "Interface strings".
# This file is distributed under the same license as {project} ({license})."""


def read(po_file: Path) -> Catalog:
    with po_file.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def language_of(po_file: Path) -> str:
    """locales/<language>/LC_MESSAGES/<domain>.po"""
    return po_file.parent.parent.name


def plural_forms(language: str) -> str:
    """Babel's (CLDR's) gettext Plural-Forms for `language`."""
    return Catalog(locale=language).plural_forms


def project() -> tuple[str, str]:
    """The version and licence in pyproject.toml."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(meta["version"]), str(meta["license"]["text"])


def tidy(po_file: Path, today: dt.datetime | None = None) -> bool:
    """Give `po_file` a real header, keeping its translations and a comment a person wrote.
    True when the file changed."""
    before = po_file.read_bytes()
    catalog = read(po_file)
    language, domain = language_of(po_file), po_file.stem
    version, license_ = project()
    catalog.fuzzy = False
    catalog.locale = Locale.parse(language)
    catalog.project, catalog.version = PROJECT, version
    catalog.mime_headers = [("Plural-Forms", plural_forms(language)),
                            ("Language-Team", f"{catalog.locale.english_name} ({PROJECT})")]
    if not isinstance(catalog.revision_date, dt.datetime):
        catalog.revision_date = today or dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    for name in ("msgid_bugs_address", "last_translator"):
        if any(mark in getattr(catalog, name) for mark in PLACEHOLDERS):
            setattr(catalog, name, "")
    if any(mark in catalog.header_comment for mark in PLACEHOLDERS):
        catalog.header_comment = HEADER_COMMENT.format(language=catalog.locale.english_name, project=PROJECT,
                                                       domain=domain, license=license_)
    with po_file.open("wb") as handle:
        write_po(handle, catalog, width=0)   # unwrapped, as pybabel update --no-wrap writes it
    return po_file.read_bytes() != before


def header_problems(po_file: Path, catalog: Catalog) -> Iterator[str]:
    if catalog.fuzzy:
        yield "the header is marked '#, fuzzy' (Poedit and Weblate treat the file as unchecked)"
    header = "\n".join([catalog.header_comment, *(f"{key}: {value}" for key, value in catalog.mime_headers)])
    for mark in PLACEHOLDERS:
        if mark in header:
            yield f"the header still has the placeholder {mark!r}"
    if str(catalog.locale) != language_of(po_file):
        yield f"Language is {catalog.locale}, the folder says {language_of(po_file)}"
    expected = plural_forms(language_of(po_file))
    if catalog.plural_forms != expected:
        yield f"Plural-Forms is {catalog.plural_forms!r}; Babel's for {language_of(po_file)} is {expected!r}"


def names(text: str) -> set[str]:
    """The {placeholders} of a str.format text (ValueError when a brace is unpaired)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def texts(value: str | Sequence[str] | None) -> list[str]:
    """A message's id or translation as a list: one text, or its plural forms."""
    return [value or ""] if value is None or isinstance(value, str) else list(value)


def message_problems(message: Message, nplurals: int) -> Iterator[str]:
    english, forms = texts(message.id)[-1], texts(message.string)
    if not isinstance(message.id, str) and any(forms) and not all(forms):
        yield f"{english!r}: a plural form is empty ({nplurals} forms are needed)"
    if "python-brace-format" not in message.flags:
        return
    wanted = names(english)
    for form in filter(None, forms):
        try:
            found = names(form)
            form.format(**dict.fromkeys(found, 0))
        except (ValueError, IndexError) as error:
            yield f"{english!r}: the translation is not a valid format string ({error}): {form!r}"
            continue
        if found != wanted:
            yield f"{english!r}: the translation has {sorted(found)}, the English {sorted(wanted)}"


def problems(po_file: Path) -> list[str]:
    try:
        catalog = read(po_file)
    except PoFileError as error:             # pybabel compile lets most of these through
        return [f"the file cannot be read: {error}"]
    found = list(header_problems(po_file, catalog))
    for message in catalog:
        if message.id:
            found += message_problems(message, catalog.num_plurals)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.devtools.translations",
                                     description="Tidy the headers of .po files, or check them.")
    parser.add_argument("command", choices=("tidy", "check"))
    parser.add_argument("po_files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = False
    for po_file in args.po_files:
        if args.command == "tidy":
            if tidy(po_file):
                print(f"{po_file}: header tidied")
            continue
        for problem in problems(po_file):
            print(f"{po_file}: {problem}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
