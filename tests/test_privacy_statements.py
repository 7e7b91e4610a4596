"""Every privacy statement is checked by a test (issue 15, item 5).

tests/privacy_statements.yml maps each statement in README.md's "Privacy", THREAT_MODEL.md's
holdings and measures, and what users are told (the privacy notice, the /forget answer, the
consent text, the letter's promise) to the tests that check it. The first tests here keep that
map honest: a statement added to a source without a test, a test renamed away, or a quote that
no longer says what the source says fails the run. The others check the statements no other
test covered, by reading the databases and the logs after real conversations."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text as sql

from bot import messages as m
from bot.db.engine import make_engine, make_sessions, upgrade
from bot.processes import Stack
from bot.replies import CASE_OPEN_SHARED, Responder
from tests.conftest import conversation_key, gateway_beside
from tests.console_client import Console, add_caseworker
from tests.web_user import gateway_url

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "tests" / "privacy_statements.yml"


# -- the map ----------------------------------------------------------------------------------

def section(text: str, heading: str) -> list[str]:
    """The lines under `heading` up to the next heading of the same or a higher level."""
    level = heading.split()[0]
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("#"):
            if line.strip() == heading:
                inside = True
                continue
            if inside and len(line.split()[0]) <= len(level):
                break
        if inside:
            lines.append(line)
    assert lines, f"no section {heading!r}"
    return lines


def blocks(lines: list[str], *, bullets_only: bool = False) -> list[str]:
    """Bullets (with their continuation lines), table rows and paragraphs, each one string;
    with `bullets_only`, the bullets alone (the prose between them describes a threat)."""
    found: list[str] = []
    current: list[str] = []
    bulleted: set[str] = set()

    def close() -> None:
        if current:
            found.append(" ".join(part.strip() for part in current))
            current.clear()

    for line in lines:
        if not line.strip() or line.startswith("#"):
            close()
        elif line.startswith("|"):
            close()
            if not re.match(r"^\|[-| ]+\|$", line) and not line.startswith("| Where |"):
                found.append(line.strip())
        elif line.startswith("- "):
            close()
            current.append(line[2:])
            bulleted.add(line[2:].strip())
        else:
            current.append(line)
    close()
    return [block for block in found if not bullets_only or any(block.startswith(b) for b in bulleted)]


def users_are_told() -> list[str]:
    """What the bot tells users about their data: sentence by sentence, line by line."""
    told = []
    for message in (m.PRIVACY_NOTICE.plural, m.FORGOTTEN, m.LETTER_PRIVACY, m.SIGNAL_ASK):
        sentences = re.split(r"(?<=[.:?;])\s+(?=[A-Z/])", message.removeprefix("🔒 Privacy: "))
        told += [s for s in sentences if len(s) > 12]          # not "Done."
    for topic in ("privacy_forget", "handoff_human"):
        answer = yaml.safe_load((ROOT / "content" / "topics" / f"{topic}.yml").read_text())["languages"]["ru"]
        told += [line.lstrip("• ") for line in answer["answer"].splitlines() if line.strip()]
    return told


def statements() -> dict[str, list[str]]:
    readme = (ROOT / "README.md").read_text()
    threats = (ROOT / "THREAT_MODEL.md").read_text()
    return {
        "README.md": blocks(section(readme, "## Privacy"))[1:],       # [0] points at THREAT_MODEL.md
        "THREAT_MODEL.md": blocks(section(threats, "## What the helpline holds"))
        + blocks(section(threats, "## Who might want it, and what we do"), bullets_only=True),
        "users": users_are_told(),
    }


@cache
def promises() -> dict[str, list[dict[str, Any]]]:
    loaded: dict[str, list[dict[str, Any]]] = yaml.safe_load(MAP.read_text())
    return loaded


def not_a_measure(statement: str) -> bool:
    """"Not done: …" names what is missing; it promises nothing."""
    return statement.startswith(("Not done", "**Not done"))


@pytest.mark.parametrize("source", ["README.md", "THREAT_MODEL.md", "users"])
def test_every_statement_has_an_entry_in_the_map(source: str) -> None:
    said = [entry["says"] for entry in promises()[source]]
    missing = [statement[:120] for statement in statements()[source]
               if not not_a_measure(statement) and not any(quote in statement for quote in said)]
    assert missing == [], f"statements in {source} without an entry in {MAP.name}"


@pytest.mark.parametrize("source", ["README.md", "THREAT_MODEL.md", "users"])
def test_every_entry_quotes_what_the_source_says_now(source: str) -> None:
    found = statements()[source]
    stale = [entry["says"] for entry in promises()[source] if not any(entry["says"] in s for s in found)]
    assert stale == [], f"entries in {MAP.name} whose words are no longer in {source}"


@cache
def defined_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text())
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"))


def test_every_entry_names_tests_that_exist_or_says_why_it_needs_none() -> None:
    problems = []
    for source, entries in promises().items():
        for entry in entries:
            named = entry.get("tests", [])
            if not named and not entry.get("exempt"):
                problems.append(f"{source}: {entry['says']!r} names no test and no reason")
            for test in named:
                file, _, name = test.partition("::")
                if not (ROOT / file).is_file() or name not in defined_in(ROOT / file):
                    problems.append(f"{source}: {entry['says']!r} names {test}, which does not exist")
    assert problems == []


def test_the_map_check_finds_a_statement_nobody_tests() -> None:
    lines = ["- **Something new.** We keep nothing at all.", "- **`/forget`** deletes it."]
    said = [entry["says"] for entry in promises()["README.md"]]
    uncovered = [s for s in blocks(lines) if not any(quote in s for quote in said)]
    assert uncovered == ["**Something new.** We keep nothing at all."]


# -- what is asked ------------------------------------------------------------------------------

ASKED_FOR = {
    "en": re.compile(r"(?<!not )\byour (full )?name\b|passport|\bstatus\b|registration|\bpatent\b|\bsurname\b", re.I),
    "ru": re.compile(r"(?<!не )ваше имя|как вас зовут|фамили|фио|паспорт|статус|регистрац|патент", re.I),
}


def test_no_question_the_bot_asks_wants_a_name_a_passport_or_a_status(responder: Responder) -> None:
    catalogues = responder.catalogues
    questions = {name: value for name, value in vars(m).items() if "_ASK" in name and isinstance(value, str)}
    assert len(questions) > 15
    asking = [(language, name) for name, question in questions.items() for language in ASKED_FOR
              if ASKED_FOR[language].search(catalogues.gettext(language, question))]
    assert asking == []


# -- deleted rows leave no trace in the gateway's SQLite file -----------------------------------

def test_the_gateways_sqlite_connections_overwrite_what_they_delete(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'helpline.db'}"
    upgrade(url)
    engine = make_engine(url)
    marker = "ZZ-deleted-words-of-a-user-ZZ" * 20
    try:
        with make_sessions(engine).begin() as session:
            session.execute(sql("INSERT INTO unanswered (created_at, conversation, language, channel, text, state) "
                                "VALUES ('2026-01-01 00:00:00', 'web:x', 'ru', 'web', :text, 'open')"),
                            {"text": marker})
        with make_sessions(engine).begin() as session:
            session.execute(sql("DELETE FROM unanswered WHERE text = :text"), {"text": marker})
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    for path in tmp_path.iterdir():
        assert marker[:29].encode() not in path.read_bytes(), path.name


# -- after real conversations ---------------------------------------------------------------------

NAME, PHONE, PASSPORT = "Иван Петрович Сидоров", "+7 916 123-45-67", "AB1234567"
FIRST = f"меня зовут {NAME}, мой телефон {PHONE}, хозяин второй месяц не платит зарплату"
ODD = f"можно ли взять кредит в Самарканде на самолёт, звоните {PHONE}"   # no topic of ours
TO_CASEWORKER = f"паспорт {PASSPORT} забрал бригадир"
# the phone number's digits as written, not "916" alone: log timestamps end in milliseconds
WORDS = ("Иван", "Сидоров", "916 123", "123-45-67", "хозяин", "самолёт", PASSPORT, "бригадир")


@pytest.fixture(scope="module")
def talked(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, str]]:
    """A web user who gave away too much, an odd question, a case with a caseworker who reads,
    replies and closes it: everything a conversation can leave behind."""
    with gateway_beside(stack, tmp_path_factory.mktemp("statements")) as own:
        with httpx.Client(base_url=gateway_url(own), timeout=60) as http:
            first = http.post("/api/chat", json={"payload": '/choose_language{"language":"ru"}'})
            first.raise_for_status()
            session_id = first.json()["session_id"]                      # issued by the gateway
            for body in ({"text": ODD}, {"text": FIRST}, {"payload": CASE_OPEN_SHARED}, {"text": TO_CASEWORKER}):
                http.post("/api/chat", json={"session_id": session_id, **body}).raise_for_status()
        add_caseworker(own.settings.database, "reader@helpline.example")
        console = Console(gateway_url(own))
        assert console.login("reader@helpline.example").status_code == 303
        (case_id,) = console.case_ids()
        assert any(TO_CASEWORKER in str(message["body"]) for message in console.messages(case_id))
        console.act(case_id, "claim")
        console.act(case_id, "reply", body="Здравствуйте, мы поможем")
        console.act(case_id, "close", outcome="advice_given")
        yield own, session_id


def rows(database: str, table: str) -> list[dict[str, Any]]:
    engine = make_engine(database)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sql(f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()


def words_in(found: object) -> list[str]:
    seen = json.dumps(found, default=str, ensure_ascii=False)
    return [word for word in WORDS if word in seen]


@pytest.mark.rasa
def test_after_real_conversations_no_store_holds_a_raw_id_or_a_users_words_where_it_should_not(
        stack: Stack, talked: tuple[Stack, str]) -> None:
    own, session_id = talked
    database = own.settings.database
    random_part = session_id.partition(".")[0]          # the signed id's random part names the conversation
    key = conversation_key("web", random_part)

    # audit_event: who did what to which case, never what was written, never a channel id
    audit = rows(database, "audit_event")
    assert {row["action"] for row in audit} >= {"case.open", "case.claim", "case.reply", "case.close"}
    assert words_in(audit) == [] and random_part not in json.dumps(audit, default=str)

    # usage_count: counts, no user and no text
    # the action server records for organisers in the session stack's database, the gateway in its own
    usage = rows(database, "usage_count") + rows(stack.settings.database, "usage_count")
    assert usage and words_in(usage) == []
    assert not any(key in json.dumps(row, default=str) for row in usage)

    # unanswered: the odd question arrives scrubbed, under the keyed pseudonym only
    unanswered = [row for row in rows(stack.settings.database, "unanswered") if row["conversation"] == key]
    assert any("Самарканд" in str(row["text"]) for row in unanswered), unanswered
    assert [word for word in ("916 123", "123-45-67", "Иван", "Сидоров") if word in json.dumps(
        unanswered, ensure_ascii=False)] == []
    assert not any(random_part in json.dumps(row, default=str) for row in rows(stack.settings.database, "unanswered"))

    # the case: its texts are there (the user agreed), the raw session id nowhere on disk
    files = [Path(url.removeprefix("sqlite:///")) for url in (database, stack.settings.database)]
    files.append(stack.settings.data_dir / "rasa" / "tracker.db")
    for path in files:
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                assert random_part.encode() not in part.read_bytes(), part.name

    # logs at INFO: no message text and no phone number, in any process's log
    logs = [path for folder in (own.log_dir, stack.log_dir) for path in folder.glob("*.log")]
    assert logs
    for path in logs:
        text = path.read_text(errors="replace")
        assert [word for word in WORDS if word in text] == [], path.name
        assert random_part not in text, path.name


@pytest.mark.rasa
def test_the_tracker_store_holds_the_pseudonym_never_the_session_id(stack: Stack, talked: tuple[Stack, str]) -> None:
    _own, session_id = talked
    with sqlite3.connect(stack.settings.data_dir / "rasa" / "tracker.db") as db:
        senders = {sender for (sender,) in db.execute("SELECT DISTINCT sender_id FROM events")}
    random_part = session_id.partition(".")[0]
    assert conversation_key("web", random_part) in senders
    assert not any(random_part in sender for sender in senders)
