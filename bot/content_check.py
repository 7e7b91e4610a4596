"""`helpline check`: everything an organiser can get wrong in content/, with the fix."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from pathlib import Path

from bot import flows
from bot.content.changes import FILE as CHANGES
from bot.content.changes import load_changes
from bot.content.jurisdiction import Citation, citation_problems, line_marks, scope
from bot.content.model import Language, Library, Topic
from bot.content.problems import Problem
from bot.content.wording import T_, TN_, Text
from bot.content.yamlfile import YamlDoc, read_yaml
from bot.content_bundle import read_content

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
    content, problems = read_content(root)
    library = content.library if content is not None else None
    if library is not None:
        problems += _coverage(root, library)
        problems += _duplicates(root, library)
        problems += _categories(root, library)
        problems += _reviews(root, library, today or dt.date.today())
        problems += _changes(root, library, today or dt.date.today())
    return sorted(problems, key=lambda p: (p.warning, str(p.file), p.line or 0))


def _topic_file(root: Path, topic_id: str) -> Path:
    return root / "topics" / f"{topic_id}.yml"


def _line(root: Path, topic_id: str, *path: str | int) -> int | None:
    file = _topic_file(root, topic_id)
    try:
        stat = file.stat()
    except OSError:
        return None
    doc = _parsed(file, stat.st_mtime_ns, stat.st_size)
    return doc.line(*path) if doc else None


@functools.lru_cache(maxsize=64)
def _parsed(file: Path, mtime_ns: int, size: int) -> YamlDoc | None:
    """A topic file parsed once per version (a check names many lines of one file)."""
    del mtime_ns, size
    return read_yaml(file)[0]


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
                                        TN_("{code} has {count} example question; at least {needed} are needed",
                                            "{code} has {count} example questions; at least {needed} are needed",
                                            len(answer.examples), code=lang.code, needed=needed),
                                        T_("add more questions the way people really write them")))
            if answer.text is None:
                what = T_("{code} has no answer yet (people will get the {fallback} answer)",
                          code=lang.code, fallback=lang.fallback) if lang.fallback \
                    else T_("{code} has no answer yet", code=lang.code)
                problems.append(Problem(file, _line(root, topic.id, *path), what,
                                        T_("write the answer under 'answer: |'"), warning=lang.fallback is not None))
            for key, value in (("answer", answer.text), ("more", answer.more)):
                if value:
                    problems += _unmarked(root, topic.id, lang, key, value)
                    problems += _marks_as_in_russian(root, library, topic, lang, key)
        problems += _too_long(root, library, topic)
    return problems


def _too_long(root: Path, library: Library, topic: Topic) -> list[Problem]:
    """The first answer must fit one phone screen in every language, transliterated ones
    included, as a worker in one country sees it (people who have not said are asked first)."""
    problems = []
    for lang in library.languages.values():
        answer = topic.answers.get(lang.code)
        if answer is None or not answer.text:
            continue
        shown = _longest_shown(answer.text, lang)
        if shown > MAX_ANSWER_CHARS:
            written = lang.base or lang.code
            problems.append(Problem(_topic_file(root, topic.id), _line(root, topic.id, "languages", written, "answer"),
                                    TN_("the {code} answer shows {count} character to one country; "
                                        "a phone screen fits about {limit}",
                                        "the {code} answer shows {count} characters to one country; "
                                        "a phone screen fits about {limit}",
                                        shown, code=lang.code, limit=MAX_ANSWER_CHARS),
                                    T_("shorten it, or move the rest to 'more: |'")))
    return problems


def _longest_shown(text: str, lang: Language) -> int:
    """What one person sees: the answer scoped to Russia or to Kazakhstan, whichever is longer
    (the whole text when the language names no countries)."""
    if not lang.countries:
        return len(text)
    return max(len(scope(text, lang.countries, code).text) for code in lang.countries)


def _unmarked(root: Path, topic_id: str, lang: Language, key: str, text: str) -> list[Problem]:
    """Lines that show one country's law to people in the other country, or an article of no
    named law: errors, since a worker would act on the wrong law."""
    found = citation_problems(text, lang.countries, lang.articles, lang.international)
    start = _line(root, topic_id, "languages", lang.code, key) if found else None
    return [Problem(_topic_file(root, topic_id), start + 1 + c.index if start else None,
                    _citation_what(lang, key, c), _citation_fix(lang, c)) for c in found]


def _citation_what(lang: Language, key: str, found: Citation) -> Text:
    if found.kind == "bare":
        return T_("the {code} {key} cites '{mark}' without naming the law, so nobody can tell which "
                  "country's it is", code=lang.code, key=key, mark=found.mark)
    name = lang.countries[found.country or ""].name
    if found.kind == "other":
        return T_("the {code} {key} has a line for the other country that cites '{mark}', a law of {name}",
                  code=lang.code, key=key, mark=found.mark, name=name)
    return T_("the {code} {key} has a line citing '{mark}' without '{name}:' in front, so it is "
              "also shown to people working in the other country", code=lang.code, key=key, mark=found.mark,
              name=name)


def _citation_fix(lang: Language, found: Citation) -> Text:
    if found.kind == "bare":
        return T_("write the law's name next to the article, as the other lines do, and mark the line with the country")
    name = lang.countries[found.country or ""].name
    return T_("start the line with '{name}: ' (after any bullet), or move what it says about {name} "
              "to a line of its own", name=name)


def _marks_as_in_russian(root: Path, library: Library, topic: Topic, lang: Language, key: str) -> list[Problem]:
    """Each translation's lines carry the same country marks as the original, line by line, so
    that a worker in Kazakhstan sees the same rules in every language."""
    original = library.languages.get(library.default_language)
    source, answer = topic.answers.get(library.default_language), topic.answers.get(lang.code)
    if original is None or lang.code == original.code or source is None or answer is None:
        return []
    field = "text" if key == "answer" else key
    theirs, ours = getattr(source, field), getattr(answer, field)
    if not theirs or not ours:
        return []
    want, have = line_marks(theirs, original.countries), line_marks(ours, lang.countries)
    file, start = _topic_file(root, topic.id), _line(root, topic.id, "languages", lang.code, key)
    if len(want) != len(have):
        return [Problem(file, start, TN_("the {code} {key} has {count} line, the {original} one has {expected}",
                                         "the {code} {key} has {count} lines, the {original} one has {expected}",
                                         len(have), code=lang.code, key=key, original=original.code,
                                         expected=len(want)),
                        T_("translate it line by line, so that each line is for the same country as in {original}",
                           original=original.code))]

    def named(marked: str | None, labels: Language) -> str:
        label = labels.countries.get(marked) if marked else None
        return label.name if label else "—"

    return [Problem(file, start + 1 + index if start else None,
                    T_("line {number} of the {code} {key} is for '{have}', the same line in {original} for '{want}'",
                       number=index + 1, code=lang.code, key=key, have=named(mine, lang), original=original.code,
                       want=named(theirs_mark, original)),
                    T_("start the line with the same country as in {original} (or with none)",
                       original=original.code))
            for index, (mine, theirs_mark) in enumerate(zip(have, want, strict=True)) if mine != theirs_mark]


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
        offered = flows.offers()
        for name in topic.offers:
            if name not in offered:
                problems.append(Problem(_topic_file(root, topic.id), _line(root, topic.id, "offers"),
                                        T_("'{name}' under 'offers:' is not a calculator the bot has", name=name),
                                        T_("use one of: {names}", names=", ".join(sorted(offered)))))
    return problems


def _changes(root: Path, library: Library, today: dt.date) -> list[Problem]:
    """A topic quoting a fact that changes on a known date must be reviewed by that date."""
    changes, problems = load_changes(root)
    for change in changes:
        if change.next_after(today) is None:
            problems.append(Problem(root / CHANGES, None,
                                    T_("no coming date is known for {what}", what=change.what),
                                    T_("add the coming dates under 'dates:' (for the key rate: the Bank of "
                                       "Russia's board meeting calendar on cbr.ru)"), warning=True))
        for topic_id in change.topics:
            topic = library.topic(topic_id)
            if topic is None:
                problems.append(Problem(root / CHANGES, None, T_("'{id}' is not a known topic", id=topic_id),
                                        T_("use a topic id from content/topics.yml exactly")))
                continue
            if topic.review_by is None:
                continue
            due = change.next_after(topic.reviewed or today)
            if due is not None and topic.review_by > due:
                problems.append(Problem(_topic_file(root, topic_id), _line(root, topic_id, "review_by"),
                                        T_("review_by {date} is after {change}, when {what} can change",
                                           date=topic.review_by, change=due, what=change.what),
                                        T_("set review_by to {change} at the latest, and check the answer "
                                           "on that day", change=due), warning=True))
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
        for index, claim in enumerate(topic.verify):
            problems.append(Problem(file, _line(root, topic.id, "verify", index),
                                    T_("to check before launch: {claim} ({why})", claim=claim.claim, why=claim.why),
                                    T_("check it against an official source, then remove it from 'verify:'"),
                                    warning=True))
        if topic.review_by is not None and topic.review_by < today:
            problems.append(Problem(file, _line(root, topic.id, "review_by"),
                                    T_("the review date {date} has passed", date=topic.review_by),
                                    T_("check the answer against the current law, then move "
                                       "'reviewed' to today and 'review_by' forward"), warning=True))
    return problems
