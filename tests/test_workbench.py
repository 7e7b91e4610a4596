"""The organisers' workbench on its own: coverage numbers from a fixture content folder,
scrubbing of kept questions (property tests), grouping across scripts, examples written into
topic files (and the patch that does the same), suppression of small counts, the recorder's
decisions and its counters on SQLite and PostgreSQL. Issue 15: the name patterns and grouping
give what they gave before (references below), on adversarial text too; grouping is capped
and cached."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.content.loader import read_library
from bot.db.engine import make_engine, make_sessions
from bot.db.models import UsageCount
from bot.dialogue import Outcome
from bot.notes import Referral
from bot.workbench import charts, coverage, examples, insight
from bot.workbench.record import add_counts, observe
from bot.workbench.unanswered import (
    ANY_GUESS,
    INTRODUCTIONS,
    MAX_GROUPED,
    MAX_GROUPED_CHARS,
    MAX_KEPT,
    NAME,
    PATRONYMIC,
    SAME_GUESS,
    Question,
    group,
    grouped,
    scrub_question,
    trigrams,
)
from tests.builders import make_turn

FIXTURE = Path(__file__).parent / "fixtures" / "extra_language" / "content"
NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    return root


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_coverage_counts_states_and_examples(content: Path) -> None:
    topics = content / "topics"
    edit(topics / "documents_confiscated.yml", "review_by: 2027-02-28", "review_by: 2026-01-31")   # stale
    edit(topics / "wages_unpaid.yml", "  kk:\n    title:", "  kk:\n    status: reviewed\n    title:")
    text = (topics / "greet.yml").read_text(encoding="utf-8")
    (topics / "greet.yml").write_text(text[:text.index("  kk:")], encoding="utf-8")          # kk missing
    library, problems = read_library(content)
    assert library is not None, problems
    board = coverage.board(library, NOW.date())
    cells = {(row.topic, code): cell for row in board.rows for code, cell in row.cells.items()}
    assert board.languages == ("ru", "kk")
    assert cells[("wages_unpaid", "kk")] == coverage.Cell("reviewed", 10)
    assert cells[("wages_unpaid", "ru")] == coverage.Cell("draft", 10)
    assert cells[("documents_confiscated", "ru")].state == cells[("documents_confiscated", "kk")].state == "stale"
    assert cells[("greet", "kk")] == coverage.Cell("missing", 0)
    totals = board.totals()
    assert totals["kk"] == Counter({"draft": 2, "stale": 1, "reviewed": 1, "missing": 1})
    assert sum(totals["ru"].values()) == len(library.topics) == 5
    waiting = coverage.board(library, NOW.date(), {("wages_unpaid", "kk"), ("greet", "kk")})
    cells = {(row.topic, code): cell for row in waiting.rows for code, cell in row.cells.items()}
    assert cells[("wages_unpaid", "kk")] == coverage.Cell("awaiting", 10)      # an edit waits for a reviewer
    assert cells[("greet", "kk")].state == "awaiting"                          # a new translation too
    assert cells[("wages_unpaid", "ru")].state == "draft"


def test_shipped_content_has_a_cell_for_every_topic_and_language() -> None:
    library, _ = read_library(Path(__file__).parent.parent / "content")
    assert library is not None
    board = coverage.board(library, NOW.date())
    assert len(board.rows) == len(library.topics) and all(len(r.cells) == len(library.languages) for r in board.rows)
    uz, uz_cyrl = ({r.topic: r.cells[c] for r in board.rows} for c in ("uz", "uz_Cyrl"))
    assert all(uz_cyrl[t].derived and uz_cyrl[t].state == uz[t].state for t in uz)
    waiting = coverage.board(library, NOW.date(), {("wages_unpaid", "uz")})
    assert {c: waiting.rows[[r.topic for r in waiting.rows].index("wages_unpaid")].cells[c].state
            for c in ("uz", "uz_Cyrl")} == {"uz": "awaiting", "uz_Cyrl": "awaiting"}


phones = st.builds(
    lambda prefix, digits, sep: prefix + sep.join(digits[i:i + 3] for i in range(0, len(digits), 3)),
    st.sampled_from(["+7", "8", "+998", "+992", "+996", "+7 ", ""]),
    st.text("0123456789", min_size=10, max_size=11), st.sampled_from(["", " ", "-", " - "]))
cards = st.builds(lambda digits, sep: sep.join(digits[i:i + 4] for i in range(0, 16, 4)),
                  st.text("0123456789", min_size=16, max_size=16), st.sampled_from(["", " ", "-"]))
passports = st.builds(lambda letters, digits, gap: letters + gap + digits,
                      st.sampled_from(["AA", "FA", "AB", "№", "АА", "AC"]),
                      st.text("0123456789", min_size=7, max_size=9), st.sampled_from(["", " "]))
words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(before=words, number=st.one_of(phones, cards, passports), after=words)
def test_phone_card_and_passport_numbers_never_survive(before: str, number: str, after: str) -> None:
    digits = "".join(ch for ch in number if ch.isdigit())
    kept = scrub_question(f"{before} {number} {after}")
    assert digits not in "".join(ch for ch in kept if ch.isdigit())


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(min_value=1, max_value=9_999_999), spaced=st.booleans())
def test_amounts_stay(amount: int, spaced: bool) -> None:
    written = f"{amount:,}".replace(",", " ") if spaced else str(amount)
    assert written in scrub_question(f"мне должны {written} рублей за март")


@pytest.mark.parametrize(("text", "name"), [
    ("меня зовут Алишер Каримов, не платят", "Алишер"),
    ("Mening ismim Dilshod, ish haqi bermayapti", "Dilshod"),
    ("номи ман Фарход ва маош намедиҳанд", "Фарход"),
    ("менин атым Айбек, айлык бербей жатат", "Айбек"),
    ("my name is John Smith and I was fired", "John"),
    ("бригадир Петров Сергей Иванович не платит", "Иванович"),
    ("пишите мне @worker_tashkent88", "worker_tashkent88"),
])
def test_names_and_usernames_are_removed(text: str, name: str) -> None:
    kept = scrub_question(text)
    assert name not in kept and ("[name]" in kept or "[username]" in kept)


def test_the_same_question_in_three_scripts_is_one_group_and_others_stay_apart() -> None:
    questions = [
        Question(1, "zarplata bermayapti 3 oy", "uz", "wages_unpaid", 0.2),
        Question(2, "зарплата бермаяпти 3 ой", "uz_Cyrl", "wages_unpaid", 0.25),
        Question(3, "зарплату не платят 3 месяца", "ru", "wages_unpaid", 0.28),
        Question(4, "паспортимни олиб қўйди", "uz_Cyrl", "documents_confiscated", 0.2),
        Question(5, "pasportimni olib qo'ydi", "uz", None, 0.1),
        Question(6, "где купить билет домой", "ru", "crisis_return_home", 0.15),
    ]
    groups = group(questions)
    assert sorted(map(sorted, (g.ids for g in groups))) == [[1, 2, 3], [4, 5], [6]]
    first = next(g for g in groups if 1 in g.ids)
    assert first.guess == "wages_unpaid" and first.languages == ["ru", "uz", "uz_Cyrl"]


# The name patterns as they were before issue 15 (8b0f25f): the reference.
_OLD_WORD = r"[A-ZА-ЯЁЎҚҒҲӢӮҶҲҢӨҮа-яёa-zўқғҳӣӯҷңөүʻʼ'‘’-]+"
OLD_INTRODUCTIONS = re.compile(
    r"(?i)\b(меня зовут|моё имя|мое имя|моя фамилия|mening ismim|ismim|мени исмим|исмим|номи ман|номам|"
    r"менин атым|атым|my name is|i am called|menya zovut)\s+(" + _OLD_WORD + r")(\s+" + _OLD_WORD + r")?")
OLD_PATRONYMIC = re.compile(
    r"\b(?:[А-ЯЁ][а-яё]+\s+){1,2}[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)\b"
    r"|\b[А-ЯЁ][а-яё]+(?:ович|евич|овна|евна)\s+[А-ЯЁ][а-яё]+\b")


def names_out(text: str, introductions: re.Pattern[str], patronymic: re.Pattern[str]) -> str:
    return patronymic.sub(NAME, introductions.sub(lambda m: f"{m.group(1)} {NAME}", text))


name_pieces = st.sampled_from(["меня зовут", "Меня зовут", "атым", "менин атым", "my name is", "Иван", "Петров",
                               "Сергеевич", "ович", "Ивановна", "Ильинична", "ьич", "А", "а", "ivan", "John", "Ўқ",
                               " ", "  ", "\n", "-", "'", "ʼ", "1", ",", "@"])


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(name_pieces, max_size=14))
def test_names_are_found_as_before(parts: list[str]) -> None:
    text = "".join(parts)
    assert names_out(text, INTRODUCTIONS, PATRONYMIC) == names_out(text, OLD_INTRODUCTIONS, OLD_PATRONYMIC)


ADVERSARIAL_NAMES = ("меня зовут" + " " * 64_000 + "Иван", "атым " * 12_800, "Аа " * 21_000, "А-" * 32_000,
                     "Аааааа Бббббб Ввввввович1 " * 2_500, "@" + "a" * 64_000, "Иван Ivan " * 6_400,
                     "Петров " * 9_000 + "Иванович")


@pytest.mark.parametrize("text", ADVERSARIAL_NAMES)
def test_adversarial_questions_give_the_same_names_as_before_and_are_kept_short(text: str) -> None:
    start = text[:3_000]
    assert names_out(start, INTRODUCTIONS, PATRONYMIC) == names_out(start, OLD_INTRODUCTIONS, OLD_PATRONYMIC)
    assert len(scrub_question(text)) <= MAX_KEPT


def test_a_name_at_the_end_of_a_long_question_is_not_kept_in_part() -> None:
    text = "а " * 240 + "бригадир Петров Сергей Иванович не платит, пишите @worker_tashkent88"
    kept = scrub_question(text)                 # the name crosses character 500
    assert len(kept) <= MAX_KEPT and "Петров" not in kept and "Серг" not in kept and "[name]" in kept


def reference_group(questions: list[Question]) -> list[tuple[list[int], str | None]]:
    """Grouping as it was before issue 15 (8b0f25f): every question against every group."""
    def cosine(a: Counter[str], b: Counter[str]) -> float:
        dot = sum(count * b[gram] for gram, count in a.items())
        return dot / (sum(c * c for c in a.values()) * sum(c * c for c in b.values())) ** 0.5

    def guess(members: list[Question]) -> str | None:
        guesses = Counter(q.guess for q in members if q.guess)
        return guesses.most_common(1)[0][0] if guesses else None

    groups: list[tuple[list[Question], Counter[str]]] = []
    for question in questions:
        profile, best, score = trigrams(question.text), None, 0.0
        for members, summed in groups:
            value = cosine(profile, summed)
            needed = SAME_GUESS if question.guess and question.guess == guess(members) else ANY_GUESS
            if value >= needed and value > score:
                best, score = (members, summed), value
        if best is None:
            best = ([], Counter())
            groups.append(best)
        best[0].append(question)
        best[1].update(profile)
    groups.sort(key=lambda g: (-len(g[0]), g[0][0].id))
    return [([q.id for q in members], guess(members)) for members, _ in groups]


grouping_words = st.sampled_from(["zarplata", "зарплата", "зарплату", "bermayapti", "бермаяпти", "не", "платят", "3",
                                  "oy", "ой", "месяца", "паспорт", "pasportimni", "паспортимни", "olib", "олиб",
                                  "билет", "домой", "где", "купить", "ish", "haqi", "иш", "ҳақи", "ʻ", "?"])
grouping_questions = st.lists(st.tuples(st.lists(grouping_words, min_size=0, max_size=6),
                                        st.sampled_from([None, "wages_unpaid", "documents_confiscated", "travel"]),
                                        st.sampled_from(["ru", "uz", "uz_Cyrl"])), max_size=40)


@settings(max_examples=300, deadline=None)
@given(drawn=grouping_questions)
def test_grouping_gives_what_it_gave_before(drawn: list[tuple[list[str], str | None, str]]) -> None:
    questions = [Question(i, " ".join(words), language, guess, None)
                 for i, (words, guess, language) in enumerate(drawn, 1)]
    assert [(g.ids, g.guess) for g in group(questions)] == reference_group(questions)


def test_grouping_shipped_examples_gives_what_it_gave_before() -> None:
    library, _ = read_library(Path(__file__).parent.parent / "content")
    assert library is not None
    rng = random.Random(15)
    examples = [(topic, language, text) for topic, found in library.topics.items()
                for language, answer in found.answers.items() for text in answer.examples]
    questions = [Question(i, text, language, rng.choice([topic, None, "other"]), None)
                 for i, (topic, language, text) in enumerate(rng.sample(examples, 200), 1)]
    assert [(g.ids, g.guess) for g in group(questions)] == reference_group(questions)


def test_the_newest_questions_are_grouped_and_the_page_knows_there_are_more() -> None:
    questions = [Question(i, f"вопрос про зарплату {i}", "ru", None, None) for i in range(1, MAX_GROUPED + 2)]
    grouping = grouped(list(reversed(questions)))
    assert sorted(i for g in grouping.groups for i in g.ids) == list(range(2, MAX_GROUPED + 2)) and grouping.more
    assert not grouped(questions[:3]).more
    long = [Question(i, "слово " * 100 + str(i), "ru", None, None) for i in range(100, 300)]
    grouping = grouped(long)
    fit = MAX_GROUPED_CHARS // len(long[0].text)                 # fewer when they are long
    assert sorted(i for g in grouping.groups for i in g.ids) == list(range(300 - fit, 300)) and grouping.more
    alone = grouped([Question(1, "а" * (MAX_GROUPED_CHARS + 1), "ru", None, None)])
    assert [g.ids for g in alone.groups] == [[1]] and not alone.more     # one question is always grouped


def test_the_same_questions_are_grouped_once() -> None:
    questions = [Question(i, text, "ru", None, None) for i, text in enumerate(["не платят", "не платят зарплату",
                                                                                 "где купить билет"], 1)]
    first = grouped(questions)
    assert grouped(list(questions)).groups is first.groups              # a page reload: from the cache
    changed = [*questions[:2], dataclasses.replace(questions[2], guess="travel")]
    assert grouped(changed).groups is not first.groups


def test_an_example_is_added_to_block_and_one_line_lists_and_the_file_still_loads(content: Path) -> None:
    examples.write(content, "wages_unpaid", "kk", "жалақы: үш ай # төлемейді")
    library, problems = read_library(content)
    assert library is not None and not [p for p in problems if not p.warning], problems
    answer = library.topics["wages_unpaid"].answers["kk"]
    assert answer.examples[-1] == "жалақы: үш ай # төлемейді" and len(answer.examples) == 11
    examples.write(content, "wages_unpaid", "kk", "ещё один")      # now a block list: appended after the last
    again, _ = read_library(content)
    assert again is not None and again.topics["wages_unpaid"].answers["kk"].examples[-2:] == (
        "жалақы: үш ай # төлемейді", "ещё один")
    assert again.topics["wages_unpaid"].answers["ru"].examples == library.topics["wages_unpaid"].answers["ru"].examples


def test_the_patch_applies_with_git_to_the_shipped_content(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).parent.parent / "content", repo / "content")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _, diff = examples.patch_many(repo / "content", "wages_unpaid",
                                  [("ru", "зп не дают уже 2 мес"), ("uz", "oylik bermayapti")])
    (tmp_path / "x.patch").write_text(diff, encoding="utf-8")
    subprocess.run(["git", "apply", "--check", str(tmp_path / "x.patch")], cwd=repo, check=True)
    subprocess.run(["git", "apply", str(tmp_path / "x.patch")], cwd=repo, check=True)
    library, problems = read_library(repo / "content")
    assert library is not None and not [p for p in problems if not p.warning]
    assert library.topics["wages_unpaid"].answers["ru"].examples[-1] == "зп не дают уже 2 мес"
    assert library.topics["wages_unpaid"].answers["uz"].examples[-1] == "oylik bermayapti"
    assert diff.count("\n+    - ") == 2


def test_counts_below_five_are_hidden_others_rounded_and_rates_only_from_shown_numbers() -> None:
    day = NOW.date()
    rows = [UsageCount(day=day, kind="answer", topic="wages_unpaid", language="uz", channel="web", count=12),
            UsageCount(day=day, kind="answer", topic="rights_women", language="tg", channel="web", count=3),
            UsageCount(day=day, kind="fallback", topic="", language="uz", channel="web", count=4),
            UsageCount(day=day, kind="conversation", topic="", language="uz", channel="telegram", count=20),
            UsageCount(day=day, kind="handoff", topic="", language="uz", channel="telegram", count=5),
            UsageCount(day=day, kind="referral", topic="fnpr", language="uz", channel="telegram", count=2)]
    summary = insight.summarise(rows, day - dt.timedelta(days=6), day)
    # 3 is hidden, and 12 with it: the total (15) minus 12 would give the 3
    assert dict(summary.topic_totals) == {"wages_unpaid": None, "rights_women": None}
    assert dict(summary.languages) == {"uz": None, "tg": None} and summary.totals["answer"] == 15
    assert summary.fallback_rate[-1] is None                 # 4 fallbacks: hidden, so no rate either
    assert summary.handoff_rate[-1] == 5 / 20
    assert dict(summary.referrals) == {"fnpr": None} and summary.totals["fallback"] is None
    assert all(v is None for v in summary.fallback_rate[:-1])   # no data those days
    picture = charts.bars(summary.referrals, "Referrals <by> org", hidden="<hidden>")
    assert "&lt;hidden&gt;" in picture and "<rect" not in picture and "Referrals &lt;by&gt; org" in picture


def test_the_recorder_decides_what_organisers_see() -> None:
    typed = make_turn(text="мой номер +79161234567 не платят", intent="nlu_fallback",
                      ranking=("wages_unpaid", "dismissal_unfair"), language="ru")
    seen = observe("action_did_you_mean", "web:abc", typed, Outcome([], {"language": "ru"}), 0.21, NOW)
    assert seen.counts == [("fallback", "", "")]
    assert seen.unanswered is not None and seen.unanswered.guess == "wages_unpaid"
    assert "+7916" not in seen.unanswered.text and seen.unanswered.channel == "web"
    button = make_turn(text="/wages_unpaid", intent="wages_unpaid", language="uz")
    seen = observe("action_answer_topic", "tg:x", button, Outcome([], {"language": "uz", "noticed": True},
                                                                  [Referral("fnpr")]), 1.0, NOW)
    assert seen.counts == [("conversation", "", ""), ("answer", "wages_unpaid", ""), ("referral", "fnpr", "fnpr")]
    assert seen.unanswered is None
    unsure = make_turn(text="мне кажется меня обманули", intent="wages_unpaid", language="ru")
    seen = observe("action_answer_topic", "tg:x", unsure, Outcome([], {"language": "ru"}), 0.41, NOW)
    assert seen.unanswered is not None and seen.unanswered.guess == "wages_unpaid"
    sure = make_turn(text="мне не платят зарплату", intent="wages_unpaid", language="ru")
    assert observe("action_answer_topic", "tg:x", sure, Outcome([]), 0.93, NOW).unanswered is None
    date = make_turn(text="19.10.2026", intent="wages_unpaid", language="ru", flow=("calc", "due"))
    seen = observe("action_answer_topic", "tg:x", date, Outcome([]), 0.2, NOW)
    assert seen.unanswered is None and seen.counts == []          # the flow's answer, not a question
    outside = make_turn(text="как купить машину", intent="out_of_scope", language="ru")
    assert observe("action_answer_topic", "tg:x", outside, Outcome([]), 0.93, NOW).unanswered is not None


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


def test_counters_add_up_across_flushes(sessions: sessionmaker[Session]) -> None:
    key = (NOW.date(), "answer", "wages_unpaid", "ru", "web")
    for n in (3, 4):
        with sessions.begin() as session:
            add_counts(session, Counter({key: n, (NOW.date(), "fallback", "", "ru", "web"): 1}))
    with sessions.begin() as session:
        rows = {(r.kind, r.topic): r.count for r in session.scalars(select(UsageCount))}
    assert rows == {("answer", "wages_unpaid"): 7, ("fallback", ""): 2}
