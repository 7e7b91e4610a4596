"""`helpline bench load`: many simulated users at once, through the web API and Telegram.

Half the users write on the web page's API, half on Telegram (the real gateway polling the
local fake Bot API server). Each picks a language, asks a held-out question in it, presses a
button, asks again; every tenth user asks for a person instead, writes to the case and leaves
it. Messages are paced to a target rate (open loop: the schedule does not slow down when the
helpline does), but a user waits for the answer before writing again, as people do.

Reported: throughput, p50/p95/p99 turn latency, errors (HTTP failures, apologies), lost
messages (no answer within 30 s; a message to a case not stored), and the peak resident
memory of every process of the stack.

With `rollout`, a third of the way through the schedule every Rasa replica is given a model
with `PUT /model` through bot/studio/rollout.py, as a publish does (the same model under
another file name, so that each replica's /status shows it switched): the turns that
overlapped the roll-out, and those that began in the request timeout after it, are reported
apart from the rest, failed ones by kind (issue 17: turns failed during a roll-out, goal 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.content_cache import responder
from bot.db.engine import make_engine, make_sessions
from bot.db.models import CaseMessage, Sender
from bot.devtools.fake_telegram import FakeTelegram, Server, button_press, user_message
from bot.devtools.ports import free_port
from bot.evaluation.dataset import read_examples
from bot.evaluation.latency import percentile
from bot.processes import Stack, running_stack, start_actions, start_gateway, start_rasa
from bot.replies import CASE_END, CASE_OPEN_PRIVATE
from bot.settings import Settings
from bot.studio import rollout
from bot.training.train import train

TURN_TIMEOUT = 30.0
LANGUAGES = ("ru", "uz", "uz_Cyrl", "tg", "ky", "en")
CASE_TEXT = "load test: message to the caseworker"
ROLLOUT_AT = 1 / 3          # of the schedule: when the model is rolled out, with load before and after


@dataclass(frozen=True)
class Attempt:
    """One turn a user waited for (time.perf_counter seconds): answered, or how it failed."""

    began: float
    ended: float
    failure: str | None = None        # "lost", "apology", or the HTTP error's type


@dataclass
class Results:
    by_channel: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_turn: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lost: int = 0
    case_messages: int = 0
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [ms for times in self.by_channel.values() for ms in times]

    def turn(self, channel: str, milliseconds: float, index: int) -> None:
        self.by_channel[channel].append(milliseconds)
        self.by_turn[index].append(milliseconds)


def around(attempts: Sequence[Attempt], began: float, ended: float, settle: float) -> dict[str, dict[str, Any]]:
    """The turns `during` a window (they overlapped it: began before it ended, ended after it
    began), `after` it (began within `settle` seconds of its end: a queue it left behind is
    still draining) and `elsewhere`: how many, how many failed and how, and the answered
    ones' p95 in milliseconds."""
    parts: dict[str, list[Attempt]] = {"during": [], "after": [], "elsewhere": []}
    for attempt in attempts:
        if attempt.began <= ended and attempt.ended >= began:
            parts["during"].append(attempt)
        elif ended < attempt.began <= ended + settle:
            parts["after"].append(attempt)
        else:
            parts["elsewhere"].append(attempt)
    found = {}
    for name, part in parts.items():
        failures = [a.failure for a in part if a.failure is not None]
        answered = [(a.ended - a.began) * 1000 for a in part if a.failure is None]
        found[name] = {"turns": len(part), "failed": len(failures), "failures": dict(sorted(_count(failures).items())),
                       "p95_ms": round(percentile(answered, 0.95), 1) if answered else None}
    return found


def rollout_delay(users: int, rate: float, turns: int, share: float = ROLLOUT_AT) -> float:
    """Seconds after the schedule's start at which `share` of its messages have been sent."""
    return share * max(0, users * turns - 1) / rate


@dataclass
class Rollout:
    """A roll-out of `model` to every replica while the load runs (`previous`: put back if one fails)."""

    model: Path
    previous: Path
    began: float = 0.0
    ended: float = 0.0
    error: str | None = None

    def run(self, replicas: Sequence[str], token: str) -> None:
        self.began = time.perf_counter()
        try:
            with httpx.Client() as client:
                rollout.roll_out(client, replicas, token, self.model, self.previous)
        except rollout.RolloutError as error:
            self.error = str(error)
        finally:
            self.ended = time.perf_counter()


def served_models(replicas: Sequence[str], token: str) -> list[str]:
    """The model file each replica's /status names."""
    return [str(httpx.get(f"{url}/status", params={"token": token}, timeout=30).json().get("model_file"))
            for url in replicas]


def script(user: int, questions: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The user's turns: ("payload" | "text", value)."""
    language = LANGUAGES[user % len(LANGUAGES)]
    asked = questions.get(language.split("_")[0]) or questions["ru"]
    first, second = asked[user % len(asked)], asked[(user * 7 + 3) % len(asked)]
    turns = [("payload", f'/choose_language{{"language":"{language}"}}'), ("text", first)]
    if user % 10 == 9:                                  # a person: consent, a message, leave
        return [*turns, ("payload", CASE_OPEN_PRIVATE), ("case", CASE_TEXT), ("payload", CASE_END)]
    return [*turns, ("payload", "/menu"), ("text", second)]


async def web_user(http: httpx.AsyncClient, url: str, user: int, turns: list[tuple[str, str]],
                   start: float, rate: float, users: int, apologies: set[str], results: Results) -> None:
    session: str | None = None          # issued by the gateway with its first answer
    for index, (kind, value) in enumerate(turns):
        await asyncio.sleep(max(0.0, start + (index * users + user) / rate - time.monotonic()))
        body = {("text" if kind in ("text", "case") else "payload"): value}
        if session:
            body["session_id"] = session
        began = time.perf_counter()
        try:
            response = await http.post(url, json=body)
            response.raise_for_status()
            texts = [str(m.get("text") or "") for m in response.json()["messages"]]
            session = response.json()["session_id"]
        except (httpx.HTTPError, KeyError, ValueError) as error:
            results.errors.append(type(error).__name__)
            results.attempts.append(Attempt(began, time.perf_counter(), type(error).__name__))
            continue
        ended = time.perf_counter()
        results.turn("web", (ended - began) * 1000, index)
        failure = None
        if kind == "case":
            results.case_messages += 1
        elif not texts:
            results.lost += 1
            failure = "lost"
        elif any(text in apologies for text in texts):
            results.errors.append("apology")
            failure = "apology"
        results.attempts.append(Attempt(began, ended, failure))


async def telegram_user(fake: FakeTelegram, chat: int, user: int, turns: list[tuple[str, str]],
                        start: float, rate: float, users: int, apologies: set[str], results: Results) -> None:
    for index, (kind, value) in enumerate(turns):
        await asyncio.sleep(max(0.0, start + (index * users + user) / rate - time.monotonic()))
        before = len(fake.sent(chat))
        update = user_message(chat, text=value, language_code=None) if kind in ("text", "case") \
            else button_press(chat, value)
        update_id = fake.push(update)
        if kind == "case":                  # nothing comes back: a person answers later
            results.case_messages += 1
            continue
        deadline = time.monotonic() + TURN_TIMEOUT
        while time.monotonic() < deadline:          # latency comes from the fake's time stamps,
            sent = fake.sent(chat)[before:]         # so this polling interval does not add to it
            if sent and sent[-1].get("reply_markup"):
                break
            await asyncio.sleep(0.05)
        else:
            results.lost += 1
            results.attempts.append(Attempt(fake.pushed_at[update_id], time.perf_counter(), "lost"))
            continue
        first = next(c for c in fake.calls_to(chat) if c.ok and c.method == "sendMessage"
                     and c.at >= fake.pushed_at[update_id])
        results.turn("telegram", (first.at - fake.pushed_at[update_id]) * 1000, index)
        apology = any(str(c.get("text")) in apologies for c in fake.sent(chat)[before:])
        if apology:
            results.errors.append("apology")
        results.attempts.append(Attempt(fake.pushed_at[update_id], first.at, "apology" if apology else None))


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_by_process(stack: Stack) -> dict[str, float]:
    """CPU seconds so far of each process of the stack (with its children) and of this one,
    which runs the simulated users and the fake Bot API server."""
    found = {name: sum(_cpu_seconds(p) for p in [process.pid, *_children(process.pid)])
             for name, process in stack.processes.items()}
    found["bench"] = time.process_time()
    return found


def calibration_ms() -> float:
    """Milliseconds this machine takes for a fixed piece of pure Python, the same in every run.
    Shared machines vary (the same code took from 1.8 to 2.7 ms a message on one evening),
    so runs are only comparable next to this figure."""
    began = time.perf_counter()
    sum(i * i for i in range(1_000_000))
    return round((time.perf_counter() - began) * 1000, 1)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]                     # idle and iowait
    return sum(fields) - idle, sum(fields)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


async def sample_rss(stack: Stack, peaks: dict[str, int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for name, process in stack.processes.items():
            pids = [process.pid, *_children(process.pid)]
            peaks[name] = max(peaks.get(name, 0), sum(_rss_kib(p) for p in pids))
        await asyncio.sleep(0.5)


def on_telegram(user: int, share: float) -> bool:
    """Spreads the Telegram users evenly: share 0.5 makes every second user one."""
    return int((user + 1) * share) > int(user * share)


async def drive(stack: Stack, fake: FakeTelegram, users: int, rate: float,
                questions: dict[str, list[str]], apologies: set[str],
                telegram_share: float = 0.5, roll: Rollout | None = None) -> dict[str, Any]:
    settings = stack.settings
    url = f"http://{settings.gateway_host}:{settings.gateway_port}/api/chat"
    results, peaks, stop = Results(), dict[str, int](), asyncio.Event()
    calibration_before = calibration_ms()
    cpu_before, busy_before = cpu_by_process(stack), machine_busy()
    sampler = asyncio.create_task(sample_rss(stack, peaks, stop))
    limits = httpx.Limits(max_connections=users + 10)
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT, limits=limits) as http:
        start = time.monotonic() + 1.0
        plans = [script(user, questions) for user in range(users)]
        rolling = None if roll is None else asyncio.create_task(_roll_out_at(
            roll, start + rollout_delay(users, rate, max(len(p) for p in plans)), settings))
        await asyncio.gather(*(
            telegram_user(fake, 900_000 + user, user, plans[user], start, rate, users, apologies, results)
            if on_telegram(user, telegram_share)
            else web_user(http, url, user, plans[user], start, rate, users, apologies, results)
            for user in range(users)))
        elapsed = time.monotonic() - start
        if rolling is not None:
            await rolling
    await asyncio.sleep(2.0)                         # let the case messages settle before counting
    stop.set()
    await sampler
    cpu = {name: round(seconds - cpu_before.get(name, 0.0), 1) for name, seconds in cpu_by_process(stack).items()}
    busy_after = machine_busy()
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    stored = stored_case_messages(settings)
    sent = sum(len(p) for p in plans)
    rolled = {} if roll is None else {"rollout": _rollout_report(roll, results, settings, start)}
    return {**rolled,
        "users": users, "telegram_users": sum(on_telegram(u, telegram_share) for u in range(users)),
        "messages": sent, "target_per_s": rate,
        "achieved_per_s": round(sent / elapsed, 1), "duration_s": round(elapsed, 1),
        "answered_turns": len(results.times),
        "p50_ms": round(percentile(results.times, 0.5), 1), "p95_ms": round(percentile(results.times, 0.95), 1),
        "p99_ms": round(percentile(results.times, 0.99), 1),
        "by_channel": {channel: {"turns": len(times), "p50_ms": round(percentile(times, 0.5), 1),
                                 "p95_ms": round(percentile(times, 0.95), 1)}
                       for channel, times in sorted(results.by_channel.items())},
        "telegram_calls": dict(sorted(_count([method for method, _ in fake.calls]).items())),
        "by_turn": {str(index + 1): {"turns": len(times), "p50_ms": round(percentile(times, 0.5), 1),
                                     "p95_ms": round(percentile(times, 0.95), 1)}
                    for index, times in sorted(results.by_turn.items())},
        "errors": len(results.errors), "error_kinds": dict(_count(results.errors)),
        "lost": results.lost + max(0, results.case_messages - stored),
        "case_messages_sent": results.case_messages, "case_messages_stored": stored,
        "rss_mib": {name: round(kib / 1024) for name, kib in peaks.items()},
        "rss_total_mib": round(sum(peaks.values()) / 1024),
        "cpu_seconds": cpu,          # during the run, per process (children included)
        "machine_cpu_busy": round(busy, 2),   # share of all cores busy during the run
        "calibration_ms": [calibration_before, calibration_ms()],   # before and after the run
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }


async def _roll_out_at(roll: Rollout, at: float, settings: Settings) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    await asyncio.to_thread(roll.run, settings.rasa_urls, settings.rasa_token.get_secret_value())


def _rollout_report(roll: Rollout, results: Results, settings: Settings, start: float) -> dict[str, Any]:
    # perf_counter and monotonic are both CLOCK_MONOTONIC on Linux; offsets from the schedule's start
    offset = roll.began - (start - time.monotonic() + time.perf_counter())
    served = served_models(settings.rasa_urls, settings.rasa_token.get_secret_value())
    return {"replicas": len(settings.rasa_urls), "began_s": round(offset, 1),
            "seconds": round(roll.ended - roll.began, 1), "error": roll.error,
            "switched": all(name == roll.model.name for name in served),
            **around(results.attempts, roll.began, roll.ended, settle=settings.request_timeout)}


def _count(items: list[str]) -> dict[str, int]:
    counted: dict[str, int] = defaultdict(int)
    for item in items:
        counted[item] += 1
    return counted


def stored_case_messages(settings: Settings) -> int:
    engine = make_engine(settings.database)
    try:
        with make_sessions(engine)() as session:
            return session.query(CaseMessage).filter(CaseMessage.sender == Sender.user,
                                                     CaseMessage.body == CASE_TEXT).count()
    finally:
        engine.dispose()


@contextlib.contextmanager
def replicated_stack(settings: Settings, model: Path, replicas: int) -> Iterator[Stack]:
    """Rasa in `replicas` processes on the shared tracker and lock stores, then the rest."""
    if replicas == 1:
        with running_stack(settings, model) as stack:
            yield stack
        return
    if not (settings.tracker_store_url and settings.lock_store_url):
        raise ValueError("several Rasa replicas need HELPLINE_TRACKER_STORE_URL (PostgreSQL) and "
                         "HELPLINE_LOCK_STORE_URL (Redis)")
    ports = [settings.rasa_port, *(free_port() for _ in range(replicas - 1))]
    settings = settings.model_copy(update={
        "rasa_replicas": ",".join(f"http://{settings.host}:{port}" for port in ports)})
    stack = Stack(settings)
    try:
        start_actions(stack)
        start_rasa(stack, model)
        stack.wait_ready()                       # the first replica creates the tables
        for index, port in enumerate(ports[1:], start=2):
            start_rasa(stack, model, name=f"rasa-{index}", port=port)
        start_gateway(stack)
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()


def run_load(settings: Settings, path: Path, users: int, rate: float, json_out: Path | None,
             replicas: int = 1, telegram_share: float = 0.5, with_rollout: bool = False) -> int:
    if not 0.0 <= telegram_share <= 1.0:
        raise ValueError("--telegram-share is a share between 0 and 1")
    examples = read_examples(path)
    questions: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        questions[example.lang.split("_")[0]].append(example.text)
    texts = responder(settings.content_dir, settings.locales_dir)
    apologies = {r.text for code in texts.library.languages for r in texts.unavailable(code)}
    model = train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir, build_dir=settings.build_dir)
    fake = FakeTelegram()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        bench = settings.model_copy(update={
            "data_dir": Path(folder), "database_url": settings.database_url,
            "telegram_bot_token": SecretStr("123456:LOAD-token"), "telegram_webhook_url": None,
            "telegram_api_base_url": f"http://127.0.0.1:{port}/bot",
            "casework_hours": "mon-sun 00:00-24:00 Etc/UTC",
            "messages_per_minute": 600,      # throughput is measured, not one person's pace
            "cases_per_address_hour": 10_000, "cases_per_hour": 100_000})   # every user on one address
        roll = None
        if with_rollout:           # the same model under a new name, as a publish keeps one
            rolled = Path(folder) / "studio" / "models" / "rolled-out.tar.gz"
            rolled.parent.mkdir(parents=True)
            shutil.copyfile(model, rolled)
            roll = Rollout(rolled, previous=model)
        with Server(fake.app(), port), replicated_stack(bench, model, replicas) as stack:
            result = asyncio.run(drive(stack, fake, users, rate, questions, apologies, telegram_share, roll))
            result["rasa_replicas"] = replicas
    print(json.dumps(result, indent=1, ensure_ascii=False))
    if json_out:
        json_out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0
