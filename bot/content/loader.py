"""Load content/ into a Library, collecting every problem on the way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.content.jurisdiction import CountryLabel
from bot.content.model import (
    Answer,
    Category,
    Claim,
    EmergencyNumber,
    Language,
    Library,
    Source,
    Topic,
)
from bot.content.problems import ContentError, Problem
from bot.content.translit import TRANSLITERATORS
from bot.content.wording import T_
from bot.content.yamlfile import YamlDoc, read_yaml

STATUSES = ("draft", "reviewed")
JURISDICTIONS = ("RU", "KZ", "INTL")


def load_library(root: Path) -> Library:
    """The content library, or ContentError listing every error (warnings are ignored)."""
    library, problems = read_library(root)
    errors = [p for p in problems if not p.warning]
    if errors or library is None:
        raise ContentError(errors)
    return library


def read_library(root: Path) -> tuple[Library | None, list[Problem]]:
    problems: list[Problem] = []
    languages, default = _languages(root / "languages.yml", problems)
    contract = _contract(root / "topics.yml", problems)
    topics: dict[str, Topic] = {}
    topic_dir = root / "topics"
    for file in sorted(topic_dir.glob("*.yml")) if topic_dir.is_dir() else []:
        topic = _topic(file, contract, languages, problems)
        if topic is not None:
            topics[topic.id] = topic
    categories = _categories(root / "categories.yml", problems)
    topics = {tid: _with_category(t, categories) for tid, t in topics.items()}
    emergency = _emergency(root / "emergency.yml", problems)
    if not languages or not contract:
        return None, problems
    library = Library(languages, topics, tuple(categories), emergency, default)
    return _derive(library), problems


def _doc(file: Path, problems: list[Problem], kind: type = dict) -> YamlDoc | None:
    if not file.exists():
        problems.append(Problem(file, None, T_("the file is missing"),
                                T_("restore it from git (git checkout -- FILE) or create it")))
        return None
    doc, found = read_yaml(file)
    problems.extend(found)
    if doc is not None and not isinstance(doc.data, kind):
        what = T_("the file should contain a list of 'key: value' entries") if kind is dict \
            else T_("the file should contain a list")
        problems.append(doc.problem((), what, T_("compare it with another file of the same kind")))
        return None
    return doc


def _languages(file: Path, problems: list[Problem]) -> tuple[dict[str, Language], str]:
    doc = _doc(file, problems)
    if doc is None:
        return {}, "ru"
    result: dict[str, Language] = {}
    for i, item in enumerate(doc.data.get("languages") or []):
        if not isinstance(item, dict) or not {"code", "name", "script"} <= item.keys():
            problems.append(doc.problem(("languages", i), T_("a language needs code, name and script"),
                                        T_("add the missing keys, as in the other entries")))
            continue
        tr = item.get("transliterate")
        if tr is not None and tr not in TRANSLITERATORS:
            problems.append(doc.problem(("languages", i, "transliterate"),
                                        T_("unknown transliteration '{name}'", name=tr),
                                        T_("use one of: {choices}", choices=", ".join(TRANSLITERATORS))))
            tr = None
        countries = _countries(doc, i, item.get("countries"), problems)
        if not countries and item.get("derived_from") and tr:
            base = result.get(str(item["derived_from"]))      # uz_Cyrl names them as uz does, transliterated;
            countries = {code: CountryLabel(TRANSLITERATORS[tr](label.name))   # its citations are checked in uz
                         for code, label in (base.countries if base else {}).items()}
        result[item["code"]] = Language(str(item["code"]), str(item["name"]), str(item["script"]),
                                        item.get("derived_from"), tr, item.get("fallback"), countries,
                                        _patterns(doc, ("languages", i, "articles"), item.get("articles"), problems),
                                        _patterns(doc, ("languages", i, "international"), item.get("international"),
                                                  problems))
    return result, str(doc.data.get("default", "ru"))


def _countries(doc: YamlDoc, index: int, data: Any, problems: list[Problem]) -> dict[str, CountryLabel]:
    """A language's names for the countries of work: {RU: {name: Россия, cites: [ТК РФ]}}."""
    if data is None:
        return {}
    path = ("languages", index, "countries")
    if not isinstance(data, dict):
        problems.append(doc.problem(path, T_("'countries' should be a list of '{example}'",
                                             example="RU: {name: …, cites: […]}"),
                                    T_("copy the 'countries' block of another language and translate it")))
        return {}
    result = {}
    for code, entry in data.items():
        if code not in ("RU", "KZ"):
            problems.append(doc.problem((*path, code), T_("unknown country '{code}'", code=code), T_("use RU or KZ")))
            continue
        name = entry.get("name") if isinstance(entry, dict) else None
        cites = entry.get("cites") or [] if isinstance(entry, dict) else []
        if not isinstance(name, str) or not name.strip() or not isinstance(cites, list):
            problems.append(doc.problem((*path, code), T_("a country needs a name (and may have a list of cites)"),
                                        T_("write it as: {example}",
                                           example="RU: {name: Россия, cites: [ТК РФ, УК РФ]}")))
            continue
        patterns = _patterns(doc, (*path, code, "cites"), cites, problems)
        result[str(code)] = CountryLabel(name.strip(), patterns)
    return result


def _patterns(doc: YamlDoc, path: tuple[str | int, ...], data: Any, problems: list[Problem]) -> tuple[str, ...]:
    """A list of regular expressions (`cites`, `articles`); a broken one is reported and left out."""
    if data is None:
        return ()
    if not isinstance(data, list):
        problems.append(doc.problem(path, T_("this should be a list of patterns"),
                                    T_("write it as [ТК РФ, УК РФ], as the other languages do")))
        return ()
    found = []
    for index, item in enumerate(data):
        text = str(item).strip()
        try:
            re.compile(text)
        except re.error as error:
            problems.append(doc.problem((*path, index), T_("the pattern '{pattern}' is broken: {error}",
                                                            pattern=text, error=str(error)),
                                        T_("put a backslash before ( ) [ ] . * + ? when they mean themselves")))
            continue
        if text:
            found.append(text)
    return tuple(found)


def _contract(file: Path, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    doc = _doc(file, problems)
    if doc is None:
        return {}
    return {str(t["id"]): t for t in doc.data.get("topics") or [] if isinstance(t, dict) and "id" in t}


def _topic(file: Path, contract: dict[str, dict[str, Any]], languages: dict[str, Language],
           problems: list[Problem]) -> Topic | None:
    doc = _doc(file, problems)
    if doc is None:
        return None
    data = doc.data
    topic_id = str(data.get("id", ""))
    if topic_id != file.stem:
        problems.append(doc.problem(("id",), T_("the id '{id}' does not match the file name '{file}'",
                                                id=topic_id, file=file.name),
                                    T_("write 'id: {id}' or rename the file", id=file.stem)))
    if topic_id not in contract:
        problems.append(doc.problem(("id",), T_("'{id}' is not a topic in topics.yml", id=topic_id),
                                    T_("use an id from content/topics.yml exactly, or add the topic "
                                       "there first")))
        return None
    meta = contract[topic_id]
    answers: dict[str, Answer] = {}
    for code, entry in (data.get("languages") or {}).items():
        answer = _answer(doc, code, entry, languages, problems)
        if answer is not None:
            answers[code] = answer
    return Topic(
        id=topic_id, kind=str(meta.get("kind", "answer")), urgent=bool(meta.get("urgent", False)),
        scope=str(meta.get("scope", "")), category=None,
        sources=tuple(_sources(doc, problems)),
        reviewed=_date(doc, "reviewed", problems), review_by=_date(doc, "review_by", problems),
        related=tuple(str(r) for r in data.get("related") or []), answers=answers,
        verify=tuple(_claims(doc, problems)), offers=_offers(doc, problems),
    )


def _offers(doc: YamlDoc, problems: list[Problem]) -> tuple[str, ...]:
    """`offers:` — the calculators or letter whose button follows the answer (checked against
    the flows there are by `helpline check`)."""
    found = doc.data.get("offers") or []
    if not isinstance(found, list) or not all(isinstance(name, str) for name in found):
        problems.append(doc.problem(("offers",), T_("'offers:' should be a list of names"),
                                    T_("write e.g. 'offers: [deadline]'")))
        return ()
    return tuple(found)


def _claims(doc: YamlDoc, problems: list[Problem]) -> list[Claim]:
    """`verify:` — statements to check before launch, each with why."""
    result = []
    for i, item in enumerate(doc.data.get("verify") or []):
        if not isinstance(item, dict) or not item.get("claim") or not item.get("why"):
            problems.append(doc.problem(("verify", i), T_("an entry under 'verify:' needs 'claim:' and 'why:'"),
                                        T_("write what must be checked and why, e.g. 'why: legal-facts §15, "
                                           "medium'")))
            continue
        result.append(Claim(str(item["claim"]).strip(), str(item["why"]).strip()))
    return result


def _answer(doc: YamlDoc, code: str, entry: Any, languages: dict[str, Language],
            problems: list[Problem]) -> Answer | None:
    path = ("languages", code)
    if code not in languages or languages[code].base:
        problems.append(doc.problem(path, T_("'{code}' is not a language in languages.yml", code=code),
                                    T_("use a code listed in content/languages.yml (uz_Cyrl is made "
                                       "automatically from uz)")))
        return None
    if not isinstance(entry, dict) or not entry.get("title"):
        problems.append(doc.problem(path, T_("the {code} part has no title", code=code),
                                    T_("add 'title:' with a short button label")))
        return None
    status = str(entry.get("status", "draft"))
    if status not in STATUSES:
        problems.append(doc.problem((*path, "status"), T_("status '{status}' is not known", status=status),
                                    T_("write 'status: draft' or 'status: reviewed'")))
    if status == "reviewed" and not entry.get("reviewed_by"):
        problems.append(doc.problem((*path, "status"), T_("a reviewed translation needs a reviewer"),
                                    T_("add 'reviewed_by:' with who checked it, or set status: draft")))
    if entry.get("reviewed_on") is not None and _date_or_none(entry.get("reviewed_on")) is None:
        problems.append(doc.problem((*path, "reviewed_on"), T_("reviewed_on is not a date"),
                                    T_("write the day the reviewer approved it as YYYY-MM-DD, e.g. 2026-12-08")))
    examples = entry.get("examples") or []
    if not isinstance(examples, list):
        problems.append(doc.problem((*path, "examples"), T_("examples should be a list"),
                                    T_("write each example on its own line starting with '- '")))
        examples = []
    return Answer(
        title=str(entry["title"]).strip(), text=_text(entry.get("answer")),
        more=_text(entry.get("more")), examples=tuple(str(e).strip() for e in examples if e),
        status=status, reviewed_by=entry.get("reviewed_by"), reviewed_on=_date_or_none(entry.get("reviewed_on")),
    )


def _date_or_none(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


def _text(value: Any) -> str | None:
    return str(value).strip() if value else None


def _sources(doc: YamlDoc, problems: list[Problem]) -> list[Source]:
    result = []
    for i, item in enumerate(doc.data.get("sources") or []):
        path = ("sources", i)
        if not isinstance(item, dict) or not item.get("law"):
            problems.append(doc.problem(path, T_("a source needs 'law:' (law and article)"),
                                        T_("write for example 'law: TK RF Art. 136'")))
            continue
        jurisdiction = str(item.get("jurisdiction", ""))
        if jurisdiction not in JURISDICTIONS:
            problems.append(doc.problem((*path, "jurisdiction"),
                                        T_("jurisdiction '{jurisdiction}' is not known", jurisdiction=jurisdiction),
                                        T_("write RU, KZ or INTL")))
        url = item.get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            problems.append(doc.problem((*path, "url"), T_("the source link is not a web address"),
                                        T_("start it with https:// or remove the line")))
        result.append(Source(str(item["law"]), jurisdiction, url, item.get("confidence")))
    return result


def _date(doc: YamlDoc, key: str, problems: list[Problem]) -> dt.date | None:
    value = doc.data.get(key)
    if value is None or isinstance(value, dt.date):
        return value
    problems.append(doc.problem((key,), T_("'{key}' is not a date", key=key), T_("write it as 2026-12-31")))
    return None


def _categories(file: Path, problems: list[Problem]) -> list[Category]:
    doc = _doc(file, problems)
    if doc is None:
        return []
    return [
        Category(str(c["id"]), tuple(str(t) for t in c.get("topics") or []),
                 {str(k): str(v) for k, v in (c.get("title") or {}).items()})
        for c in doc.data.get("categories") or [] if isinstance(c, dict) and "id" in c
    ]


def _with_category(topic: Topic, categories: list[Category]) -> Topic:
    category = next((c.id for c in categories if topic.id in c.topics), None)
    return dataclasses.replace(topic, category=category)


def _emergency(file: Path, problems: list[Problem]) -> dict[str, tuple[EmergencyNumber, ...]]:
    doc = _doc(file, problems)
    if doc is None:
        return {}
    return {
        str(country): tuple(
            EmergencyNumber(str(n["number"]), str(n["service"]), bool(n.get("verified", False)))
            for n in numbers or []
        )
        for country, numbers in (doc.data.get("countries") or {}).items()
    }


def _derive(library: Library) -> Library:
    """Fill derived languages (uz_Cyrl) by transliterating their base language."""
    for language in library.languages.values():
        if not (language.base and language.transliterate):
            continue
        convert = TRANSLITERATORS[language.transliterate]
        for topic in library.topics.values():
            base = topic.answers.get(language.base)
            if base is None:
                continue
            topic.answers[language.code] = Answer(
                title=convert(base.title), text=convert(base.text) if base.text else None,
                more=convert(base.more) if base.more else None,
                examples=tuple(convert(e) for e in base.examples),
                status=base.status, reviewed_by=base.reviewed_by, reviewed_on=base.reviewed_on,
            )
        for category in library.categories:
            if language.base in category.titles:
                category.titles[language.code] = convert(category.titles[language.base])
    return library
