"""Letter templates in content/letters/: load them, check them, fill them in.

Every problem an organiser can make is reported with the file, the line and how to fix it.
Placeholders are filled in one pass, so text the worker typed is never read as a template.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, NamedTuple, cast

from bot.content.model import Language
from bot.content.problems import ContentError, Problem
from bot.content.translit import TRANSLITERATORS
from bot.content.wording import T_, Text
from bot.content.yamlfile import Path_, YamlDoc, read_yaml
from bot.letters.model import (
    COUNTRIES,
    FIELDS,
    KINDS,
    STATUSES,
    STYLES,
    Country,
    Kind,
    LetterCopy,
    LetterFacts,
    LetterTemplate,
    Paragraph,
    RenderedLetter,
    Status,
    Style,
    TemplateParagraph,
)

FALLBACK_LANGUAGE = "ru"
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_NBSP = "\u00a0"
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")

# What a skipped field becomes: a line to fill in by hand.
_LINE = "_" * 24
BLANKS: dict[str, str] = {
    "employer": "_" * 30, "address": "_" * 30, "job": _LINE, "city": _LINE,
    "start_date": "____.____.________", "end_date": "____.____.________",
    "amount_owed": "_" * 14, "period": _LINE,
    "what_happened": "\n".join("_" * 60 for _ in range(4)),
}


class _Languages(NamedTuple):
    """Which copies every template must have, and which are made from another language."""

    required: list[str]
    derived: dict[str, tuple[str, Callable[[str], str]]]


TemplateKey = tuple[Kind, Country]


def load_templates(root: Path, languages: Mapping[str, Language] | None = None) -> dict[TemplateKey, LetterTemplate]:
    """Templates by (kind, country) from `root`/letters (root is content/), or ContentError
    listing errors. Russia needs every kind; another country has the kinds it has files for."""
    templates, problems = read_templates(root, languages)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)
    return templates


def read_templates(root: Path, languages: Mapping[str, Language] | None = None,
                   ) -> tuple[dict[TemplateKey, LetterTemplate], list[Problem]]:
    """Templates and problems; `languages` are the library's (content/languages.yml is read
    here only when they are not given)."""
    problems: list[Problem] = []
    known = _languages(root / "languages.yml", problems) if languages is None else _known(languages)
    templates: dict[TemplateKey, LetterTemplate] = {}
    folder = root / "letters"
    for file in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        doc, found = read_yaml(file)
        problems += found
        if doc is None:
            continue
        template = _template(doc, known, problems)
        if template is None:
            continue
        key = (template.kind, template.country)
        if key in templates:
            problems.append(doc.problem(("kind",), T_("a second template for kind '{kind}' in country {country}",
                                                      kind=template.kind, country=template.country),
                                        T_("keep one file per kind and country; delete or rename the other one")))
        templates[key] = template
    for kind in KINDS:
        if (kind, "RU") not in templates and not any(p.file.stem == kind for p in problems):
            problems.append(Problem(folder / f"{kind}.yml", None, T_("there is no template for '{kind}'", kind=kind),
                                    T_("restore the file from git (git checkout -- FILE)")))
    return templates, problems


def render(template: LetterTemplate, facts: LetterFacts, language: str) -> RenderedLetter:
    """The document in Russian plus the copy in `language` (Russian when it has no copy)."""
    if (facts.kind, facts.country) != (template.kind, template.country):
        raise ValueError(f"facts for {facts.kind}/{facts.country} given to the {template.kind} template")
    copy = template.copies.get(language) or template.copies[FALLBACK_LANGUAGE]
    values = _values(facts)
    kept = [p for p in template.paragraphs if _kept(p, values)]
    return RenderedLetter(
        template.title,
        tuple(Paragraph(p.style, _fill(p.text, values)) for p in kept),
        tuple(Paragraph(p.style, _fill(copy.paragraphs[p.id], values)) for p in kept),
        language=copy.language, copy_title=copy.title, copy_note=copy.note,
        copy_status=copy.status, copy_advice=copy.advice)


def format_amount(amount: Decimal) -> str:
    """50000 -> '50 000,00' (the thousands separator is a no-break space)."""
    whole, cents = f"{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}".split(".")
    return f"{whole.replace(',', _NBSP)},{cents}"


def _values(facts: LetterFacts) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for name in FIELDS:
        value: Any = getattr(facts, name)
        if value is None:
            values[name] = None
        elif isinstance(value, Decimal):
            values[name] = format_amount(value)
        elif isinstance(value, str):
            text = _CONTROL.sub(" ", value)
            text = re.sub(r"\n{3,}", "\n\n", text) if name == "what_happened" else " ".join(text.split())
            values[name] = text.strip() or None
        else:
            values[name] = value.strftime("%d.%m.%Y")
    return values


def _kept(paragraph: TemplateParagraph, values: dict[str, str | None]) -> bool:
    if paragraph.needs and not any(values[f] for f in paragraph.needs):
        return False
    return not any(values[f] for f in paragraph.unless)


def _fill(text: str, values: dict[str, str | None]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m[1]] or BLANKS[m[1]], text)


def _known(languages: Mapping[str, Language]) -> _Languages:
    """The library's languages as templates need them: those written, those made from another."""
    required: list[str] = []
    derived: dict[str, tuple[str, Callable[[str], str]]] = {}
    for code, language in languages.items():
        how = TRANSLITERATORS.get(str(language.transliterate))
        if language.base and how:
            derived[code] = (language.base, how)
        else:
            required.append(code)
    return _Languages(required, derived)


def _languages(file: Path, problems: list[Problem]) -> _Languages:
    doc, found = read_yaml(file) if file.exists() else (None, [])
    problems += found
    entries = doc.data.get("languages") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        problems.append(Problem(file, None, T_("the list of languages cannot be read"),
                                T_("fix content/languages.yml first (uv run helpline check)")))
        return _Languages([FALLBACK_LANGUAGE], {})
    required: list[str] = []
    derived: dict[str, tuple[str, Callable[[str], str]]] = {}
    for item in entries:
        if not isinstance(item, dict) or "code" not in item:
            continue
        base, how = item.get("derived_from"), TRANSLITERATORS.get(str(item.get("transliterate")))
        if base and how:
            derived[str(item["code"])] = (str(base), how)
        else:
            required.append(str(item["code"]))
    return _Languages(required, derived)


def _template(doc: YamlDoc, languages: _Languages, problems: list[Problem]) -> LetterTemplate | None:
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem((), T_("the file should contain 'key: value' entries"),
                                    T_("compare it with the other template in content/letters/")))
        return None
    start = len(problems)
    kind = _choice(doc, ("kind",), KINDS, problems)
    country = _choice(doc, ("country",), COUNTRIES, problems,
                      fix=T_("write RU (Russia) or KZ (Kazakhstan)"))
    status = _choice(doc, ("status",), STATUSES, problems)
    title = _text(doc, ("title",), problems, placeholders=False)
    paragraphs = _paragraphs(doc, problems)
    copies = _copies(doc, paragraphs, languages, problems)
    sources = tuple(str(s.get("law")) for s in data.get("sources") or [] if isinstance(s, dict))
    if len(problems) > start and any(not p.warning for p in problems[start:]):
        return None
    return LetterTemplate(cast(Kind, kind), cast(Country, country), cast(Status, status), title or "",
                          tuple(paragraphs.values()), copies, sources)


def _choice(doc: YamlDoc, path: Path_, allowed: tuple[str, ...], problems: list[Problem],
            fix: Text | None = None) -> str | None:
    value = _get(doc.data, path)
    if value in allowed:
        return str(value)
    choices = ", ".join(allowed)
    problems.append(doc.problem(path, T_("'{key}' is {value}; it must be one of: {choices}",
                                         key=path[-1], value=repr(value), choices=choices),
                                fix or T_("write one of: {choices}", choices=choices)))
    return None


def _text(doc: YamlDoc, path: Path_, problems: list[Problem], *, placeholders: bool = True) -> str | None:
    value = _get(doc.data, path)
    if not isinstance(value, str) or not value.strip():
        problems.append(doc.problem(path, T_("'{key}' is missing or empty", key=path[-1]),
                                    T_("write the text after the key, as in the other entries")))
        return None
    text = value.strip("\n")
    for what, fix in _placeholder_problems(text, placeholders):
        problems.append(doc.problem(path, what, fix))
    return text


def _placeholder_problems(text: str, allowed: bool) -> list[tuple[Text, Text]]:
    found: list[tuple[Text, Text]] = []
    every = ", ".join(f"{{{f}}}" for f in FIELDS)
    for name in PLACEHOLDER.findall(text):
        if not allowed:
            found.append((T_("'{placeholder}' cannot be used here", placeholder=f"{{{name}}}"),
                          T_("write this text without {braces}", braces="{...}")))
        elif name not in FIELDS:
            close = difflib.get_close_matches(name, FIELDS, n=1)
            fix = T_("did you mean {close}? the placeholders are: {every}", close=f"{{{close[0]}}}", every=every) \
                if close else T_("the placeholders are: {every}", every=every)
            found.append((T_("unknown placeholder '{placeholder}'", placeholder=f"{{{name}}}"), fix))
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        found.append((T_("a '{{' or '}}' without its pair"),
                      T_("placeholders look like {example}; remove the stray bracket", example="{employer}")))
    return found


def _paragraphs(doc: YamlDoc, problems: list[Problem]) -> dict[str, TemplateParagraph]:
    items = _get(doc.data, ("document",))
    if not isinstance(items, list) or not items:
        problems.append(doc.problem(("document",), T_("'document' must be a list of paragraphs"),
                                    T_("each paragraph starts with '- id: ...' and has a 'text'")))
        return {}
    result: dict[str, TemplateParagraph] = {}
    for i, item in enumerate(items):
        paragraph = _paragraph(doc, ("document", i), item, problems)
        if paragraph is None:
            continue
        if paragraph.id in result:
            problems.append(doc.problem(("document", i, "id"), T_("the id '{id}' is used twice", id=paragraph.id),
                                        T_("give every paragraph its own id")))
        result[paragraph.id] = paragraph
    return result


def _paragraph(doc: YamlDoc, path: Path_, item: Any, problems: list[Problem]) -> TemplateParagraph | None:
    if not isinstance(item, dict):
        problems.append(doc.problem(path, T_("a paragraph must have 'id' and 'text'"),
                                    T_("compare it with the paragraphs around it")))
        return None
    pid = item.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        problems.append(doc.problem((*path, "id"), T_("the paragraph id {id} is missing or not simple", id=repr(pid)),
                                    T_("use small Latin letters and '_', e.g. id: final_pay")))
        return None
    style = item.get("style", "body")
    if style not in STYLES:
        problems.append(doc.problem((*path, "style"), T_("unknown style {style}", style=repr(style)),
                                    T_("use one of: {choices}", choices=", ".join(STYLES))))
    fields = {key: _fields(doc, (*path, key), problems) for key in ("needs", "unless")}
    text = _text(doc, (*path, "text"), problems)
    return TemplateParagraph(pid, cast(Style, style), text or "", fields["needs"], fields["unless"])


def _fields(doc: YamlDoc, path: Path_, problems: list[Problem]) -> tuple[str, ...]:
    value = _get(doc.data, path)
    if value is None:
        return ()
    if not isinstance(value, list) or any(v not in FIELDS for v in value):
        problems.append(doc.problem(path, T_("'{key}' must be a list of fields, e.g. [amount_owed]", key=path[-1]),
                                    T_("use only: {choices}", choices=", ".join(FIELDS))))
        return ()
    return tuple(value)


def _copies(doc: YamlDoc, paragraphs: dict[str, TemplateParagraph], languages: _Languages,
            problems: list[Problem]) -> dict[str, LetterCopy]:
    copies: dict[str, LetterCopy] = {}
    for code in languages.required:
        if not isinstance(_get(doc.data, ("copies", code)), dict):
            problems.append(doc.problem(("copies",), T_("there is no copy in '{code}'", code=code),
                                        T_("add '{code}:' under 'copies:' with status, title, note and paragraphs",
                                           code=code)))
            continue
        copy = _copy(doc, code, paragraphs, problems)
        if copy is not None:
            copies[code] = copy
    for code, (base, convert) in languages.derived.items():
        if base in copies:
            copies[code] = _derive(copies[base], code, convert)
    return copies


def _copy(doc: YamlDoc, code: str, paragraphs: dict[str, TemplateParagraph],
          problems: list[Problem]) -> LetterCopy | None:
    path: Path_ = ("copies", code)
    status = _choice(doc, (*path, "status"), STATUSES, problems)
    title = _text(doc, (*path, "title"), problems, placeholders=False)
    note = _text(doc, (*path, "note"), problems, placeholders=False)
    advice = _text(doc, (*path, "advice"), problems) if _get(doc.data, (*path, "advice")) else None
    texts = _get(doc.data, (*path, "paragraphs"))
    if not isinstance(texts, dict):
        problems.append(doc.problem((*path, "paragraphs"), T_("'paragraphs' must list 'id: text' for each paragraph"),
                                    T_("copy the ids from 'document' and translate each text")))
        return None
    result: dict[str, str] = {}
    for pid, paragraph in paragraphs.items():
        if pid not in texts:
            problems.append(doc.problem((*path, "paragraphs"), T_("the paragraph '{id}' is not translated", id=pid),
                                        T_("add '{id}: ...' under paragraphs", id=pid)))
            continue
        text = _text(doc, (*path, "paragraphs", pid), problems)
        if text is not None:
            _same_placeholders(doc, (*path, "paragraphs", pid), paragraph, text, problems)
            result[pid] = text
    for pid in texts:
        if pid not in paragraphs:
            problems.append(doc.problem((*path, "paragraphs", pid),
                                        T_("there is no paragraph '{id}' in 'document'", id=pid),
                                        T_("use the ids from 'document' (check the spelling) or delete this text")))
    if status is None or title is None or note is None:
        return None
    return LetterCopy(code, cast(Status, status), title, note, result, advice)


def _same_placeholders(doc: YamlDoc, path: Path_, paragraph: TemplateParagraph, text: str,
                       problems: list[Problem]) -> None:
    ours, theirs = set(PLACEHOLDER.findall(paragraph.text)), set(PLACEHOLDER.findall(text))
    if not ours <= set(FIELDS):  # the Russian text is already reported; do not repeat it per copy
        return
    for name in sorted(theirs - ours):
        problems.append(doc.problem(path, T_("the copy uses {placeholder} but the Russian paragraph does not",
                                             placeholder=f"{{{name}}}"),
                                    T_("a copy must say what the document says; remove it or add it to both")))
    for name in sorted(ours - theirs):
        problems.append(doc.problem(path, T_("the Russian paragraph uses {placeholder} but this copy does not",
                                             placeholder=f"{{{name}}}"),
                                    T_("add the placeholder to the translation"), warning=True))


def _derive(copy: LetterCopy, code: str, convert: Callable[[str], str]) -> LetterCopy:
    return LetterCopy(code, copy.status, convert(copy.title), convert(copy.note),
                      {pid: convert(text) for pid, text in copy.paragraphs.items()},
                      convert(copy.advice) if copy.advice else None)


def _get(data: Any, path: Path_) -> Any:
    for key in path:
        found = key in data if isinstance(data, dict) else (
            isinstance(data, list) and isinstance(key, int) and key < len(data))
        if not found:
            return None
        data = data[key]
    return data


def main(argv: list[str] | None = None) -> int:
    """`uv run python -m bot.letters.templates [content/]`: print every problem, exit 1 on errors."""
    from bot.settings import ROOT

    root = Path((argv or sys.argv[1:] or [str(ROOT / "content")])[0])
    _, problems = read_templates(root)
    for problem in problems:
        print(problem.render(root.parent))
    print("letters: no errors" if not any(not p.warning for p in problems) else "letters: fix the errors above")
    return 1 if any(not p.warning for p in problems) else 0


if __name__ == "__main__":
    raise SystemExit(main())
