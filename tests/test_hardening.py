"""The security audit's smaller findings (issue 15, item 7): settings errors that never print a
secret, secrets long enough, SQL errors without their bound values, private SQLite files, every
log handler scrubbed (uvicorn's too), expired console sessions deleted, and a purge whose parts
do not depend on each other."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.cases import service
from bot.cli import main as helpline
from bot.console import auth
from bot.db.base import utcnow
from bot.db.engine import make_engine, make_sessions, migration_engine, sqlalchemy_url, upgrade
from bot.db.models import Account, Case, ConsoleSession, EmployerReport, Role, Unanswered
from bot.db.prepare import prepare_database
from bot.logs import configure
from bot.privacy.forget import purge
from bot.privacy.scrub import scrub
from bot.settings import ROOT, Settings
from tests.conftest import make_settings

USER_TEXT = "worker@example.org +7 916 123-45-67"
UNREACHABLE = "postgresql://helpline@127.0.0.1:1/helpline"     # nothing listens on port 1
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which files are made readable by everyone unless we say otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


# 1. settings errors name the setting, never its value -----------------------------------------

@pytest.mark.parametrize("overrides", [
    {"secret_key": "short-secret-value-9"},
    {"rasa_token": "short-rasa-token-7"},
    {"telegram_webhook_secret": "a secret with spaces that Telegram refuses, long enough"},
    # a model-level error used to print every input, the bot token among them
    {"telegram_webhook_url": "https://helpline.example/hook",
     "telegram_webhook_secret": "webhook-secret-0123456789-abcdefghij"},
    {"database_url": "mysql://helpline:hunter2-password@db/helpline"},
])
def test_settings_errors_never_print_the_values(overrides: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(**overrides)  # type: ignore[arg-type]
    shown = str(raised.value)
    for value in overrides.values():     # pydantic shortened long inputs: their ends too
        assert value not in shown and value[-16:] not in shown


def test_a_wrong_secret_in_the_environment_is_named_not_printed(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HELPLINE_SECRET_KEY", "too-short-but-secret")
    assert helpline(["check"]) == 2
    err = capsys.readouterr().err
    assert "HELPLINE_SECRET_KEY must have at least 32 characters" in err
    assert "too-short-but-secret" not in err


# 2. secrets long enough ---------------------------------------------------------------------

@pytest.mark.parametrize(("field", "name"), [
    ("rasa_token", "HELPLINE_RASA_TOKEN"),
    ("secret_key", "HELPLINE_SECRET_KEY"),
    ("telegram_webhook_secret", "TELEGRAM_WEBHOOK_SECRET"),
])
def test_secrets_shorter_than_32_characters_stop_the_start(field: str, name: str) -> None:
    with pytest.raises(ValidationError, match=f"{name} must have at least 32 characters"):
        Settings(**{field: "A" * 31})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=name):
        Settings(**{field: ""})  # type: ignore[arg-type]   # an uncommented empty line in .env
    accepted = Settings(**{field: "A" * 32})  # type: ignore[arg-type]
    value = getattr(accepted, field)
    assert isinstance(value, SecretStr) and value.get_secret_value() == "A" * 32


def test_the_rasa_token_made_at_start_is_long_and_new_each_time() -> None:
    first, second = Settings().rasa_token.get_secret_value(), Settings().rasa_token.get_secret_value()
    assert len(first) >= 32 and first != second


def test_child_processes_accept_the_settings_they_are_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`helpline run` hands its settings (the token made at start among them) to the gateway and
    the action server as HELPLINE_* variables; the children must accept them."""
    from bot.processes import settings_env

    parent = make_settings(tmp_path, telegram_webhook_url="https://helpline.example/hook",
                           telegram_bot_token="123456:TEST-token", telegram_webhook_secret="w" * 43)
    for name, value in settings_env(parent).items():
        if name.startswith(("HELPLINE_", "TELEGRAM_")):
            monkeypatch.setenv(name, value)
    child = Settings()
    assert child.rasa_token == parent.rasa_token and child.secret_key == parent.secret_key


def test_the_example_environment_has_no_placeholder_secrets() -> None:
    example = (ROOT / ".env.example").read_text()
    assert "change-me" not in example and "long-random-string" not in example
    assert "secrets.token_urlsafe(32)" in example
    for name in ("HELPLINE_RASA_TOKEN", "HELPLINE_SECRET_KEY", "TELEGRAM_WEBHOOK_SECRET", "POSTGRES_PASSWORD",
                 "HELPLINE_HEALTH_TOKEN"):
        assert f"# {name}=\n" in example, name


# 3. SQL errors without bound values --------------------------------------------------------

def failing_insert(engine: Engine) -> str:
    with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
        connection.execute(text("INSERT INTO no_such_table (body) VALUES (:body)"), {"body": USER_TEXT})
    return str(raised.value)


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_sql_errors_do_not_carry_what_users_wrote(tmp_path: Path, database: str) -> None:
    url = f"sqlite:///{tmp_path / 'helpline.db'}" if database == "sqlite" else POSTGRES
    for engine in (make_engine(url), migration_engine(sqlalchemy_url(url))):
        try:
            shown = failing_insert(engine)
        finally:
            engine.dispose()
        assert "no_such_table" in shown       # the statement is still there to debug
        assert "worker@example.org" not in shown and "916" not in shown


# 4. SQLite files only their owner can read ---------------------------------------------------

def test_a_new_sqlite_database_is_the_owners_only(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "helpline.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:       # WAL: the -wal and -shm files appear too
            connection.execute(text("CREATE TABLE t (x TEXT)"))
            connection.execute(text("INSERT INTO t VALUES ('x')"))
            assert mode(path.with_name("helpline.db-wal")) == 0o600
    finally:
        engine.dispose()
    assert mode(path) == 0o600


def test_a_migration_on_its_own_makes_a_private_file(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "helpline.db"
    upgrade(f"sqlite:///{path}")
    assert mode(path) == 0o600


def test_start_up_makes_a_new_data_folder_and_database_private(tmp_path: Path, umask_022: None) -> None:
    settings = make_settings(tmp_path / "var")
    engine = make_engine(settings.database)
    try:
        prepare_database(settings, engine)
    finally:
        engine.dispose()
    assert mode(settings.data_dir) == 0o700 and mode(settings.data_dir / "helpline.db") == 0o600


def test_start_up_tightens_an_existing_data_folder_and_database(tmp_path: Path, umask_022: None) -> None:
    settings = make_settings(tmp_path / "var")
    settings.data_dir.mkdir(mode=0o755)
    (settings.data_dir / "helpline.db").touch(mode=0o644)
    engine = make_engine(settings.database)
    try:
        prepare_database(settings, engine)
    finally:
        engine.dispose()
    assert mode(settings.data_dir) == 0o700 and mode(settings.data_dir / "helpline.db") == 0o600


def test_the_tracker_store_file_the_gateway_opens_is_private(tmp_path: Path, umask_022: None) -> None:
    from bot.privacy.trackers import count_events, tracker_engine

    settings = make_settings(tmp_path)
    (settings.data_dir / "rasa").mkdir()      # as `helpline run` makes it, before Rasa starts
    engine = tracker_engine(settings)
    try:
        assert count_events(engine, "tg:x") == 0
    finally:
        engine.dispose()
    assert mode(settings.data_dir / "rasa" / "tracker.db") == 0o600


# 5. every log handler scrubbed, uvicorn's too ------------------------------------------------

def test_uvicorn_error_tracebacks_are_scrubbed() -> None:
    """uvicorn gives its loggers their own handler and formatter and stops them at "uvicorn"
    (propagate: false), so a scrubbing formatter on the root logger never sees its lines."""
    from uvicorn.logging import DefaultFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s", use_colors=False))
    uvicorn_logger = logging.getLogger("uvicorn")
    factory, propagate = logging.getLogRecordFactory(), uvicorn_logger.propagate
    uvicorn_logger.addHandler(handler)
    uvicorn_logger.propagate = False
    try:
        configure("INFO")
        try:
            raise ValueError(f"could not parse {USER_TEXT}")
        except ValueError as error:
            logging.getLogger("uvicorn.error").error("Exception in ASGI application from %s", USER_TEXT,
                                                     exc_info=error)
        logging.getLogger("uvicorn.error").warning("chat %d wrote", 79161234567)
    finally:
        uvicorn_logger.removeHandler(handler)
        uvicorn_logger.propagate = propagate
        logging.setLogRecordFactory(factory)
    written = stream.getvalue()
    assert "Traceback" in written and f"ValueError: could not parse {scrub(USER_TEXT)}" in written
    assert "example.org" not in written and "916" not in written and "79161234567" not in written


# 6. expired console sessions deleted ----------------------------------------------------------

@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Settings, Engine]]:
    settings = make_settings(tmp_path)
    engine = make_engine(settings.database)
    prepare_database(settings, engine)
    yield settings, engine
    engine.dispose()


def console_sessions(session: Session, account: Account, *hours: float) -> None:
    """Sessions of `account` that expire `hours` from now (negative: already expired)."""
    now = utcnow()
    for number, offset in enumerate(hours):
        session.add(ConsoleSession(token_hash=f"{account.id}-{number}".ljust(64, "0"), account_id=account.id,
                                   csrf_token="csrf", created_at=now - dt.timedelta(hours=9),
                                   expires_at=now + dt.timedelta(hours=offset)))


def session_count(engine: Engine) -> int:
    with make_sessions(engine).begin() as session:
        return session.scalar(select(func.count()).select_from(ConsoleSession)) or 0


def test_a_login_deletes_expired_console_sessions(database: tuple[Settings, Engine]) -> None:
    _, engine = database
    with make_sessions(engine).begin() as session:
        account = auth.add_account(session, organisation="helpline", email="cw@helpline.example",
                                   role=Role.caseworker, password="a long enough password")
        console_sessions(session, account, -1, -200, 3)
    with make_sessions(engine).begin() as session:
        account = session.scalars(select(Account)).one()
        auth.start_session(session, account, hours=8)
    with make_sessions(engine).begin() as session:
        left = sorted(s.expires_at > utcnow() for s in session.scalars(select(ConsoleSession)))
    assert left == [True, True]          # the one still valid and the new one


# 7. a purge whose parts do not depend on each other ---------------------------------------------

def old_rows(session: Session) -> int:
    """An old closed case with a user's words, an old unanswered question, an old employer
    report and an expired console session; the case's id."""
    old = utcnow() - dt.timedelta(days=40)
    case, _ = service.open_case(session, service.Opening(conversation="tg:old", channel="telegram",
                                                         organisation_id="helpline", language="ru"))
    service.add_message(session, case, service.Sender.user, USER_TEXT)
    service.close(session, case, by="caseworker", outcome="advice")
    case.closed_at = old
    session.add(Unanswered(created_at=old, conversation="tg:x", language="ru", channel="telegram",
                           text=USER_TEXT, state="open"))
    session.add(EmployerReport(created_at=old, conversation="tg:y", employer_key="acme", employer_name="Acme"))
    account = Account(organisation_id="helpline", email="cw@helpline.example", role=Role.caseworker,
                      password_hash="x")
    session.add(account)
    session.flush()
    console_sessions(session, account, -1, 3)
    return case.id


def test_the_periodic_purge_deletes_expired_console_sessions(database: tuple[Settings, Engine]) -> None:
    settings, engine = database
    with make_sessions(engine).begin() as session:
        old_rows(session)
    trackers = make_engine(f"sqlite:///{settings.data_dir / 'tracker.db'}")
    try:
        with make_sessions(engine).begin() as session:
            done = purge(session, trackers, utcnow(), 30)
    finally:
        trackers.dispose()
    assert done.sessions == 1 and done.failed == () and session_count(engine) == 1


def assert_purged(engine: Engine, case_id: int) -> None:
    with make_sessions(engine).begin() as session:
        case = session.get(Case, case_id)
        assert case is not None and all(message.body == "" for message in case.messages)
        assert session.scalar(select(func.count()).select_from(EmployerReport)) == 0
    assert session_count(engine) == 1


def test_an_unreachable_tracker_store_leaves_the_rest_of_the_purge_done(
        database: tuple[Settings, Engine], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    settings, engine = database
    with make_sessions(engine).begin() as session:
        case_id = old_rows(session)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HELPLINE_TRACKER_STORE_URL", UNREACHABLE)
    assert helpline(["purge"]) == 1          # the exit code says something failed
    assert "not done: tracker store" in capsys.readouterr().err
    assert "tracker store failed (OperationalError)" in caplog.text
    assert_purged(engine, case_id)
    with make_sessions(engine).begin() as session:
        assert session.scalar(select(func.count()).select_from(Unanswered)) == 0


def test_one_failing_part_of_the_case_store_leaves_the_others_done(
        database: tuple[Settings, Engine], caplog: pytest.LogCaptureFixture) -> None:
    _, engine = database
    with make_sessions(engine).begin() as session:
        case_id = old_rows(session)
    with engine.begin() as connection:       # the unanswered questions' part will fail
        connection.execute(text("ALTER TABLE unanswered RENAME TO unanswered_elsewhere"))
    trackers = make_engine(UNREACHABLE)
    try:
        with make_sessions(engine).begin() as session:     # as the gateway's hourly purge runs it
            done = purge(session, trackers, utcnow(), 30)
    finally:
        trackers.dispose()
    assert done.failed == ("tracker store", "unanswered questions") and done.cases == 1
    assert_purged(engine, case_id)
    assert "worker@example.org" not in caplog.text and "916" not in caplog.text
