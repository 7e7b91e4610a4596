"""`helpline check`: everything an organiser can get wrong in content/, with the fix."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

from bot.calc.key_rates import load_key_rates
from bot.content.jurisdiction import scope, unmarked_citations
from bot.content.loader import read_library
from bot.content.model import Language, Library
from bot.content.problems import Problem
from bot.content.wording import T_
from bot.content.yamlfile import read_yaml
from bot.letters.templates import read_templates
from bot.routing.contacts import load_directory

MIN_EXAMPLES = {"answer": 30, "flow": 30, "meta": 10}
MAX_ANSWER_CHARS = 700
_SPACES = re.compile(r"\s+")
_APOSTROPHES = re.compile("['`´ʻʼ‘’]")


def example_key(text: str) -> str:
    """Examples that differ only in case, spacing or apostrophes count as the same."""
    return _SPACES.sub(" ", _APOSTROPHES.sub("'", text.casefold())).strip()


def check_content(root: Path, today: dt.date | None = None) -> list[Problem]:
    """All errors and warnings for content/, contacts.yml, places.yml and key_rates.yml included
    (errors first)."""
    library, problems = read_library(root)
    problems += load_directory(root)[1]
    problems += load_key_rates(root)[1]
    problems += read_templates(root)[1]
    if library is not None:
        problems += _coverage(root, library)
        problems += _duplicates(root, library)
        problems += _categories(root, library)
        problems += _reviews(root, library, today or dt.date.today())
    return sorted(problems, key=lambda p: (p.warning, str(p.file), p.line or 0))


def _topic_file(root: Path, topic_id: str) -> Path:
    return root / "topics" / f"{topic_id}.yml"


def _line(root: Path, topic_id: str, *path: str | int) -> int | None:
    doc, _ = read_yaml(_topic_file(root, topic_id))
    return doc.line(*path) if doc else None


def _coverage(root: Path, library: Library) -> list[Problem]:
    problems = []
    contract = [t for t in library.topics]
    ids = _contract_ids(root)
    for missing in sorted(set(ids) - set(contract)):
        if _topic_file(root, missing).exists():
            continue  # it exists but could not be read: that problem is already reported
        problems.append(Problem(_topic_file(root, missing), None, T_("topic '{id}' has no file", id=missing),
                                T_("create content/topics/{id}.yml (copy another topic file "
                                   "and change the id)", id=missing)))
    written = [lang for lang in library.languages.values() if not lang.base]
    for topic in library.topics.values():
        for lang in written:
            answer = topic.answers.get(lang.code)
            file = _topic_file(root, topic.id)
            if answer is None:
                problems.append(Problem(file, _line(root, topic.id, "languages"),
                                        T_("there is no {code} part", code=lang.code),
                                        T_("add '{code}:' under languages with title, answer "
                                           "and examples", code=lang.code)))
                continue
            path = ("languages", lang.code)
            needed = MIN_EXAMPLES.get(topic.kind, 30)
            if len(answer.examples) < needed:
                problems.append(Problem(file, _line(root, topic.id, *path, "examples"),
                                        T_("{code} has {count} example questions; at least {needed} are needed",
                                           code=lang.code, count=len(answer.examples), needed=needed),
                                        T_("add more questions the way people really write them")))
            if answer.text is None:
                what = T_("{code} has no answer yet (people will get the {fallback} answer)",
                          code=lang.code, fallback=lang.fallback) if lang.fallback \
                    else T_("{code} has no answer yet", code=lang.code)
                problems.append(Problem(file, _line(root, topic.id, *path), what,
                                        T_("write the answer under 'answer: |'"), warning=lang.fallback is not None))
            for key, value in (("answer", answer.text), ("more", answer.more)):
                if not value:
                    continue
                shown = _longest_shown(value, lang)
                if shown > MAX_ANSWER_CHARS:
                    problems.append(Problem(file, _line(root, topic.id, *path, key),
                                            T_("the {code} {key} shows {count} characters to one country; "
                                               "a phone screen fits about {limit}",
                                               code=lang.code, key=key, count=shown, limit=MAX_ANSWER_CHARS),
                                            T_("shorten it, or move the rest to 'more: |'"),
                                            warning=True))
                problems += _unmarked(root, topic.id, lang, key, value)
    return problems


def _longest_shown(text: str, lang: Language) -> int:
    """What one person sees: the answer scoped to Russia or to Kazakhstan, whichever is longer
    (the whole text when the language names no countries)."""
    if not lang.countries:
        return len(text)
    return max(len(scope(text, lang.countries, code).text) for code in lang.countries)


def _unmarked(root: Path, topic_id: str, lang: Language, key: str, text: str) -> list[Problem]:
    """Lines that cite one country's law without the country's name in front: people in the
    other country would be shown them."""
    found = unmarked_citations(text, lang.countries)
    start = _line(root, topic_id, "languages", lang.code, key) if found else None
    problems = []
    for index, country, mark in found:
        name = lang.countries[country].name
        problems.append(Problem(
            _topic_file(root, topic_id), start + 1 + index if start else None,
            T_("the {code} {key} has a line citing '{mark}' without '{name}:' in front, so it is "
               "also shown to people working in the other country", code=lang.code, key=key, mark=mark, name=name),
            T_("start the line with '{name}: ' (after any bullet), or rewrite it so it holds in both", name=name),
            warning=True))
    return problems


def _contract_ids(root: Path) -> list[str]:
    doc, _ = read_yaml(root / "topics.yml")
    if doc is None or not isinstance(doc.data, dict):
        return []
    return [str(t["id"]) for t in doc.data.get("topics") or [] if isinstance(t, dict)]


def _duplicates(root: Path, library: Library) -> list[Problem]:
    seen: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for topic in library.topics.values():
        for code, answer in topic.answers.items():
            if library.languages[code].base:
                continue
            for index, example in enumerate(answer.examples):
                seen[(code, example_key(example))].append((topic.id, index))
    problems = []
    for (code, text), places in seen.items():
        topics = sorted({t for t, _ in places})
        if len(topics) < 2:
            continue
        for topic_id, index in places:
            others = ", ".join(t for t in topics if t != topic_id)
            problems.append(Problem(
                _topic_file(root, topic_id),
                _line(root, topic_id, "languages", code, "examples", index),
                T_("the {code} example '{example}' is also under {others}", code=code, example=text, others=others),
                T_("keep it under the one topic it really belongs to and delete the other")))
    return problems


def _categories(root: Path, library: Library) -> list[Problem]:
    file = root / "categories.yml"
    problems = []
    listed = [t for c in library.categories for t in c.topics]
    for topic_id in sorted(set(listed) - set(library.topics)):
        problems.append(Problem(file, None, T_("'{id}' is not a known topic", id=topic_id),
                                T_("use a topic id from content/topics.yml exactly")))
    for topic in library.topics.values():
        if topic.kind != "meta" and listed.count(topic.id) != 1:
            problems.append(Problem(file, None, T_("topic '{id}' should be in exactly one category (found {count})",
                                                   id=topic.id, count=listed.count(topic.id)),
                                    T_("list it under one category's topics")))
        for related in topic.related:
            if related not in library.topics:
                problems.append(Problem(_topic_file(root, topic.id), _line(root, topic.id, "related"),
                                        T_("related topic '{id}' is not known", id=related),
                                        T_("use a topic id from content/topics.yml exactly")))
    return problems


def _reviews(root: Path, library: Library, today: dt.date) -> list[Problem]:
    problems = []
    for topic in library.topics.values():
        file = _topic_file(root, topic.id)
        if topic.kind == "answer" and not topic.sources:
            problems.append(Problem(file, None, T_("this rights answer lists no sources"),
                                    T_("add 'sources:' with the law and article each fact comes from")))
        if topic.kind != "meta" and (topic.reviewed is None or topic.review_by is None):
            problems.append(Problem(file, None, T_("'reviewed' or 'review_by' date is missing"),
                                    T_("add both dates, for example 'reviewed: 2026-11-28' and "
                                       "'review_by: 2027-02-28'")))
        if topic.review_by is not None and topic.review_by < today:
            problems.append(Problem(file, _line(root, topic.id, "review_by"),
                                    T_("the review date {date} has passed", date=topic.review_by),
                                    T_("check the answer against the current law, then move "
                                       "'reviewed' to today and 'review_by' forward"), warning=True))
    return problems
