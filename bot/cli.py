"""The `helpline` command: one surface for organisers, developers and CI."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.wording import T_, TN_
    from bot.content_check import check_content

    language = args.language or settings.check_language
    problems = check_content(settings.content_dir)
    for problem in problems:
        print(problem.render(settings.content_dir.parent, language, locales=settings.locales_dir))
    errors = sum(not p.warning for p in problems)
    warnings = len(problems) - errors
    summary = T_("content check: {errors}, {warnings}", errors=TN_("{count} error", "{count} errors", errors),
                 warnings=TN_("{count} warning", "{count} warnings", warnings))
    print(summary.translated(language, settings.locales_dir))
    return 1 if errors else 0


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from bot.training.train import train

    train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir,
          build_dir=settings.build_dir, force=args.force)
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.processes import run_forever

    return run_forever(settings, train_first=not args.no_train)


def _shell(args: argparse.Namespace, settings: Settings) -> int:
    from bot.shell import run_shell

    return run_shell(settings)


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation.command import run_eval

    return run_eval(settings, Path(args.path), Path(args.json) if args.json else None)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.json) if args.json else None
    if args.name == "web":
        from bot.evaluation.web_load import run_web_load

        return run_web_load(settings, Path(args.path or "tests/data/eval"), args.sessions or 50, out)
    if args.name == "load":
        from bot.evaluation.load import run_load

        return run_load(settings, Path(args.path or "tests/data/eval"), args.sessions or 200, args.rate, out,
                        replicas=args.replicas, telegram_share=args.telegram_share, with_rollout=args.rollout)
    if args.name == "publish":
        from bot.evaluation.publish_bench import run_publish_bench

        return run_publish_bench(settings, out)
    if args.name == "relay":
        from bot.evaluation.relay_load import run_relay_load

        return run_relay_load(settings, args.sessions or 100, out)
    if args.name == "telegram":
        from bot.evaluation.telegram_load import run_telegram_load

        return run_telegram_load(settings, Path(args.path or "tests/data/eval"), args.sessions or 50, out)
    if args.name == "latency":
        from bot.evaluation.latency import run_latency

        return run_latency(settings, Path(args.path or "tests/data/eval"), args.count, out)
    if args.name == "baselines":
        from bot.evaluation.baselines import run_baselines

        return run_baselines(settings, Path(args.path or "tests/data/eval"), out)
    from bot.evaluation.sib200 import run_sib200

    return run_sib200(settings, Path(args.data), out)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.engine import make_engine
    from bot.db.prepare import prepare_database

    engine = make_engine(settings.database)
    try:
        prepare_database(settings, engine)
    finally:
        engine.dispose()
    print("database is at the latest schema")
    return 0


def _contacts(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.engine import make_engine, make_sessions
    from bot.db.prepare import prepare_database
    from bot.routing.contacts import load_directory
    from bot.routing.sync import sync_contacts

    directory, problems = load_directory(settings.content_dir)
    for problem in problems:
        print(problem.render(settings.content_dir.parent, settings.check_language, locales=settings.locales_dir),
              file=sys.stderr)
    if directory is None:
        print("helpline contacts sync: fix the errors above; the database was not changed", file=sys.stderr)
        return 1
    engine = make_engine(settings.database)
    try:
        prepare_database(settings, engine)
        with make_sessions(engine).begin() as session:
            report = sync_contacts(session, directory, default_organisation=settings.default_organisation)
    finally:
        engine.dispose()
    print(f"contacts sync: {report.added} added, {report.updated} updated, {report.removed} removed, "
          f"{report.kept_in_use} kept in use")
    if report.kept:
        print("kept (no longer in content/contacts.yml, but accounts or cases refer to them): "
              f"{', '.join(report.kept)}")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.base import utcnow
    from bot.logs import configure
    from bot.privacy.forget import purge_stores

    configure(settings.log_level)
    days = args.days or settings.retention_days
    done = purge_stores(settings, utcnow(), days)
    print(f"purge (older than {days} days): {done.conversations} conversations ({done.events} events) deleted, "
          f"{done.cases} closed cases emptied, {done.sessions} expired console sessions deleted")
    if done.failed:
        print(f"helpline purge: not done: {', '.join(done.failed)} (see the log above); the rest was purged",
              file=sys.stderr)
        return 1
    return 0


def _user(args: argparse.Namespace, settings: Settings) -> int:
    if args.action != "add":
        return _user_reset(args, settings)
    if not args.org or not args.role:
        print("helpline user add: --org and --role are needed", file=sys.stderr)
        return 1
    import getpass

    from sqlalchemy.exc import IntegrityError

    from bot.console.auth import add_account, normalise_email
    from bot.db.engine import make_engine, make_sessions
    from bot.db.models import Organisation, Role
    from bot.db.prepare import prepare_database

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("helpline user add: the passwords differ", file=sys.stderr)
            return 1
    email = normalise_email(args.email)     # as logins find it: " CW@Union.example" is cw@union.example
    engine = make_engine(settings.database)
    try:
        prepare_database(settings, engine)
        with make_sessions(engine).begin() as session:
            if session.get(Organisation, args.org) is None:
                print(f"helpline user add: no organisation {args.org!r}; add it to content/contacts.yml "
                      f"and run `helpline contacts sync`, or use {settings.default_organisation!r}",
                      file=sys.stderr)
                return 1
            add_account(session, organisation=args.org, email=email, role=Role(args.role), password=password)
    except IntegrityError:
        print(f"helpline user add: {email} already has an account", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"helpline user add: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"added {args.role} {email} to {args.org}")
    if args.role in ("admin", "global_admin"):
        print("at the first login the console asks them to set up a second factor (an authenticator app); "
              "until then they can do nothing else")
    return 0


def _user_reset(args: argparse.Namespace, settings: Settings) -> int:
    """Recovery when no admin can log in: remove an account's second factor, or give it a
    one-time password (printed once) to change at its next login. Audited as the command line's."""
    from sqlalchemy import select

    from bot.console import accounts
    from bot.console.auth import normalise_email
    from bot.console.passwords import hash_password
    from bot.db.base import utcnow
    from bot.db.engine import make_engine, make_sessions
    from bot.db.models import Account
    from bot.db.prepare import prepare_database

    email = normalise_email(args.email)
    password = accounts.one_time_password()
    engine = make_engine(settings.database)
    try:
        prepare_database(settings, engine)
        with make_sessions(engine).begin() as session:
            account = session.scalars(select(Account).where(Account.email == email)).first()
            if account is None:
                print(f"helpline user {args.action}: no account {email}", file=sys.stderr)
                return 1
            if args.action == "reset-totp":
                accounts.reset_second_factor(session, None, account)
            else:
                accounts.set_one_time_password(session, None, account, hash_password(password), utcnow())
    finally:
        engine.dispose()
    if args.action == "reset-totp":
        print(f"{email} has no second factor now and its sessions have ended; "
              "an admin sets one up again at the next login")
    else:
        hours = int(accounts.ONE_TIME_VALID.total_seconds() // 3600)
        print(f"one-time password for {email} (valid {hours} hours, to be changed at the next login): {password}")
    return 0


def _rates(args: argparse.Namespace, settings: Settings) -> int:
    from bot.calc.cbr import OFFICIAL, KeyRateError
    from bot.calc.rates_update import Refused, update

    today = dt.date.today()
    try:
        done = update(settings.content_dir, today=today, url=args.url or OFFICIAL, start=args.start,
                      dry_run=args.dry_run, timeout=args.timeout)
    except (Refused, KeyRateError) as error:
        for problem in error.problems if isinstance(error, Refused) else []:
            print(problem.render(settings.content_dir.parent, settings.check_language, locales=settings.locales_dir),
                  file=sys.stderr)
        print(f"helpline rates update: {error}; content/key_rates.yml was not changed", file=sys.stderr)
        return 1
    print("\n".join(done.report("content/key_rates.yml", today)))
    return 0


def _studio(args: argparse.Namespace, settings: Settings) -> int:
    from bot.studio import cli as studio
    from bot.studio.publish import Refused
    from bot.studio.versions import Author, VersionError

    if args.action == "versions":
        print("\n".join(studio.listed(settings)) or "no versions yet: helpline studio init")
        return 0
    if not (args.name and args.email):
        print(f"helpline studio {args.action}: --name and --email say who did it (the version's author)",
              file=sys.stderr)
        return 2
    author = Author(args.name, args.email)
    try:
        if args.action == "init":
            studio.init(settings, author)
        else:
            if not args.version:
                print("helpline studio restore: which version? (helpline studio versions)", file=sys.stderr)
                return 2
            done = studio.restore(settings, args.version, author)
            print(f"version {done.short} ({done.summary}) is live")
    except (Refused, VersionError) as error:
        print(f"helpline studio {args.action}: {error}; the live version is unchanged", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="helpline", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate content/ (errors name file, line and fix)")
    check.add_argument("--language", choices=["en", "ru"], default=None,
                       help="the language of the report (default HELPLINE_CHECK_LANGUAGE, else en)")
    train = commands.add_parser("train", help="compile content/ and train the Rasa model")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    run = commands.add_parser("run", help="start Rasa, the action server and the channels")
    run.add_argument("--no-train", action="store_true", help="do not train before starting")
    commands.add_parser("shell", help="talk to the helpline in this terminal")
    evaluate = commands.add_parser("eval", help="measure topic and language accuracy")
    evaluate.add_argument("path", help="TSV or JSONL with text, lang, topic")
    evaluate.add_argument("--json", help="write the full results to this file")
    bench = commands.add_parser("bench", help="external benchmarks")
    bench.add_argument("name", choices=["sib200", "baselines", "latency", "web", "telegram", "relay", "load",
                                               "publish"])
    bench.add_argument("--rate", type=float, default=50.0, help="load: target messages per second")
    bench.add_argument("--replicas", type=int, default=1,
                       help="load: Rasa processes (more than 1 needs the PostgreSQL and Redis store URLs)")
    bench.add_argument("--telegram-share", type=float, default=0.5,
                       help="load: share of the simulated users on Telegram, the rest on the web API (0.5)")
    bench.add_argument("--rollout", action="store_true",
                       help="load: a third of the way through, roll a model out to every Rasa replica "
                            "(PUT /model, as a publish does) and report the turns during it apart")
    bench.add_argument("path", nargs="?", help="baselines, latency: messages (default tests/data/eval)")
    bench.add_argument("--count", type=int, default=300, help="latency: messages to send")
    bench.add_argument("--sessions", type=int, default=None,
                       help="web, telegram: concurrent sessions or chats (default 50); relay: open cases (100); "
                            "load: simulated users (200)")
    bench.add_argument("--data", default=str(Path(__file__).resolve().parents[2]
                                             / "shared" / "bench" / "sib200"))
    bench.add_argument("--json", help="write the results to this file")
    db = commands.add_parser("db", help="the helpline database")
    db.add_argument("action", choices=["upgrade"], help="upgrade: migrate to the latest schema")
    contacts = commands.add_parser("contacts", help="organisations and contacts in the database")
    contacts.add_argument("action", choices=["sync"], help="sync: make the database match content/contacts.yml")
    purge = commands.add_parser("purge", help="delete conversations and case texts older than the retention period")
    purge.add_argument("--days", type=int, default=None, help="override HELPLINE_RETENTION_DAYS (default 30)")
    user = commands.add_parser("user", help="console accounts")
    user.add_argument("action", choices=["add", "reset-totp", "reset-password"],
                      help="add: a new account (--org, --role); reset-totp: remove its second factor; "
                           "reset-password: print a one-time password to change at the next login "
                           "(recovery when no admin can log in; in the console an admin does both)")
    user.add_argument("--org", help="organisation id (add)")
    user.add_argument("--role",
                      choices=["caseworker", "supervisor", "organiser", "admin", "global_admin"],
                      help="admin sees its own organisation's workbench, as its organisers do; "
                           "global_admin every organisation's")
    user.add_argument("--email", required=True)
    user.add_argument("--password-stdin", action="store_true", help="add: read the password from standard input")
    studio = commands.add_parser("studio", help="content versions: start, list, restore (bot/studio/)")
    studio.add_argument("action", choices=["init", "versions", "restore"],
                        help="init: content/ becomes the first version, put live under <data>/studio; "
                             "versions: list them, the live one marked *; restore: an earlier version, "
                             "trained and rolled out to every Rasa replica")
    studio.add_argument("version", nargs="?", help="restore: the version's id (or its first characters)")
    studio.add_argument("--name", help="init, restore: who does it (the version's author)")
    studio.add_argument("--email", help="init, restore: their e-mail address")
    rates = commands.add_parser("rates", help="the key-rate table, content/key_rates.yml")
    rates.add_argument("action", choices=["update"],
                       help="update: load the history from the Bank of Russia's DailyInfo service, show what "
                            "changed and write the table (exit 1, changing nothing, when it cannot)")
    rates.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    rates.add_argument("--url", default=None, help="the DailyInfo service (default the Bank of Russia's own, "
                                                  "https://www.cbr.ru/DailyInfoWebServ/DailyInfo.asmx)")
    rates.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=None,
                       help="check from this day, YYYY-MM-DD (default the table's first line; older lines are kept)")
    rates.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the service (30)")
    return root


COMMANDS: dict[str, Command] = {
    "check": _check, "train": _train, "run": _run, "shell": _shell, "eval": _eval,
    "bench": _bench, "db": _db, "contacts": _contacts, "user": _user, "purge": _purge, "rates": _rates,
    "studio": _studio,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"helpline: the settings are wrong:\n{error}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from bot.content.problems import ContentError

        if isinstance(error, ContentError):
            for problem in error.problems:
                print(problem.render(settings.content_dir.parent, settings.check_language,
                                     locales=settings.locales_dir), file=sys.stderr)
            return 1
        print(f"helpline {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
