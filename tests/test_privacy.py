"""Privacy parts on their own: conversation keys, sealed addresses, scrubbing (property tests),
scrubbed logs, retention purge of the tracker store and case texts, the privacy notice."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot import dialogue
from bot import messages as m
from bot.cases import service
from bot.cli import main as helpline
from bot.db.engine import make_engine, make_sessions, upgrade
from bot.db.models import Case, CaseMessage, CaseState, EmployerReport, Unanswered
from bot.logs import configure
from bot.privacy.keys import Keys, SealError, load_keys
from bot.privacy.scrub import scrub
from bot.replies import Responder
from tests.builders import make_turn
from tests.conftest import make_settings

SECRET = b"k" * 40


def test_conversation_keys_are_stable_and_reveal_nothing() -> None:
    keys = Keys(SECRET)
    key = keys.conversation("telegram", 123456789)
    assert key == keys.conversation("telegram", "123456789") and key.startswith("tg:")
    assert "123456789" not in key and len(key) == 43
    assert key != keys.conversation("web", 123456789) != Keys(b"j" * 40).conversation("telegram", 123456789)
    with pytest.raises(ValueError):
        Keys(b"short")


def test_sealed_addresses_open_only_with_the_same_key() -> None:
    keys = Keys(SECRET)
    sealed = keys.seal("123456789")
    assert "123456789" not in sealed and keys.seal("123456789") != sealed       # a fresh nonce each time
    assert keys.unseal(sealed) == "123456789"
    with pytest.raises(SealError):
        Keys(b"j" * 40).unseal(sealed)
    with pytest.raises(SealError):
        keys.unseal(sealed[:-4] + "AAAA")


def test_the_key_file_is_made_once_private_and_reused(tmp_path: Path) -> None:
    file = tmp_path / "data" / "secret.key"
    first = load_keys(None, file)
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    assert load_keys(None, file).conversation("web", "abc") == first.conversation("web", "abc")
    assert load_keys("x" * 40, file).conversation("web", "abc") != first.conversation("web", "abc")
    with pytest.raises(ValidationError, match="at least 32"):
        make_settings(tmp_path, secret_key="too-short")


phones = st.builds(
    lambda prefix, digits, sep: prefix + sep.join(digits[i:i + 3] for i in range(0, len(digits), 3)),
    st.sampled_from(["+7", "8", "+998", "+992", "+996", "+7 ", ""]),
    st.text("0123456789", min_size=10, max_size=11),
    st.sampled_from(["", " ", "-", " - "]))
documents = st.builds(lambda letters, digits, gap: letters + gap + digits,
                      st.sampled_from(["AA", "FA", "AB", "N", "№", "АА"]),
                      st.text("0123456789", min_size=7, max_size=9), st.sampled_from(["", " "]))
words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(before=words, phone=phones, after=words)
def test_phone_numbers_never_survive(before: str, phone: str, after: str) -> None:
    digits = "".join(ch for ch in phone if ch.isdigit())
    cleaned = scrub(f"{before} {phone} {after}")
    assert digits not in "".join(ch for ch in cleaned if ch.isdigit())


@settings(max_examples=300, deadline=None)
@given(before=words, document=documents)
def test_document_numbers_never_survive(before: str, document: str) -> None:
    digits = "".join(ch for ch in document if ch.isdigit())
    assert digits not in scrub(f"{before} {document}")


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(min_value=1, max_value=9_999_999), spaced=st.booleans())
def test_amounts_and_dates_stay(amount: int, spaced: bool) -> None:
    written = f"{amount:,}".replace(",", " ") if spaced else str(amount)
    text = f"должны {written} руб с 15.03.2026 по 20.04.2026"
    assert scrub(text) == text


def test_log_lines_are_scrubbed_at_every_level_tracebacks_included() -> None:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        configure("DEBUG")
        log = logging.getLogger("privacy-test")
        log.debug("debug +7 916 123-45-67")
        log.error("error a.b@example.org")
        try:
            raise ValueError("passport AA1234567")
        except ValueError:
            log.exception("failed")
    finally:
        root.removeHandler(handler)
        configure("INFO")
    written = stream.getvalue()
    assert "916" not in written and "example.org" not in written and "1234567" not in written
    assert written.count("[number]") == 1 and "[e-mail]" in written and "[document]" in written


def rasa_events_table(path: Path, rows: list[tuple[str, float]]) -> None:
    """Rasa's SQLTrackerStore table, as Rasa 3.6 creates it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                   "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                   "action_name VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                       rows)


def test_purge_deletes_old_conversations_and_empties_old_closed_cases(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path)
    now = dt.datetime.now(dt.UTC)
    old, recent = (now - dt.timedelta(days=40)).timestamp(), (now - dt.timedelta(days=2)).timestamp()
    rasa_events_table(settings.data_dir / "rasa" / "tracker.db",
                      [("tg:old", old), ("tg:old", old + 60), ("tg:mixed", old), ("tg:mixed", recent),
                       ("web:new", recent)])
    upgrade(settings.database)
    engine = make_engine(settings.database)
    with make_sessions(engine).begin() as session:
        from bot.db.prepare import prepare_database

        prepare_database(settings, engine)
        opening = service.Opening(conversation="tg:old", channel="telegram", organisation_id="helpline",
                                  language="ru", topic="wages_unpaid")
        case, _ = service.open_case(session, opening)
        service.add_message(session, case, service.Sender.user, "мне не платят, звоните +79161234567")
        service.close(session, case, by="caseworker", outcome="advice")
        case.closed_at = now - dt.timedelta(days=31)
        fresh, _ = service.open_case(session, service.Opening(conversation="tg:new", channel="telegram",
                                                              organisation_id="helpline", language="tg"))
        service.add_message(session, fresh, service.Sender.user, "салом")
        old_id, fresh_id = case.id, fresh.id
        for when, text in ((now - dt.timedelta(days=31), "старый вопрос"), (now, "новый вопрос")):
            session.add(Unanswered(created_at=when, conversation="tg:x", language="ru", channel="telegram",
                                   text=text, state="open"))
            session.add(EmployerReport(created_at=when, conversation=f"tg:{text}", employer_key=text,
                                       employer_name=text))
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(settings.data_dir))
    assert helpline(["purge"]) == 0
    with sqlite3.connect(settings.data_dir / "rasa" / "tracker.db") as db:
        left = sorted({row[0] for row in db.execute("SELECT sender_id FROM events")})
    assert left == ["tg:mixed", "web:new"]
    with make_sessions(engine).begin() as session:
        emptied, kept = session.get(Case, old_id), session.get(Case, fresh_id)
        assert emptied is not None and kept is not None
        assert emptied.summary == "" and emptied.conversation == f"forgotten:{old_id}"
        assert all(msg.body == "" for msg in emptied.messages) and len(emptied.messages) == 1   # counts stay
        assert [msg.body for msg in kept.messages if msg.sender is service.Sender.user] == ["салом"]
        assert kept.state is CaseState.queued
        assert session.query(CaseMessage).filter(CaseMessage.body.contains("7916")).count() == 0
        # unanswered questions and employer reports older than the retention period are gone
        assert [u.text for u in session.query(Unanswered)] == ["новый вопрос"]
        assert [r.employer_name for r in session.query(EmployerReport)] == ["новый вопрос"]
    engine.dispose()


def test_the_privacy_notice_comes_at_first_contact(responder: Responder) -> None:
    notice = responder.plural("uz", m.PRIVACY_NOTICE, responder.retention_days).format(days=responder.retention_days)
    greeted = dialogue.greet(responder, make_turn(text="salom", language="uz", explicit=True))
    assert notice in greeted.replies[0].text and greeted.slots["noticed"] is True
    linked = dialogue.choose_language(responder, make_turn(text='/choose_language{"language":"uz"}',
                                                           entities={"language": "uz"}))
    assert linked.replies[0].text.endswith(notice)                          # /start uz skips the greeting
    again = dialogue.choose_language(responder, make_turn(text='/choose_language{"language":"uz"}',
                                                          entities={"language": "uz"}, noticed=True))
    assert not any(notice in r.text for r in again.replies)
    assert "удаляется через 30 дней." in responder.plural("ru", m.PRIVACY_NOTICE, 30).format(days=30)
    assert "удаляется через 1 день." in responder.plural("ru", m.PRIVACY_NOTICE, 1).format(days=1)
