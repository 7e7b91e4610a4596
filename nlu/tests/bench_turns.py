"""Rasa's CPU time a message with some of our patches and without them, in one Rasa process.

    cd nlu && uv run python tests/bench_turns.py --toggle rule_keys[,payloads] [--pairs 12] [--users 40]

Starts the action server (the main environment: `uv run python -m actions.serve`) and one Rasa
(`helpline-rasa run`, every patch installed, a fresh SQLite tracker store). The patches named by
`--toggle` (modules of helpline_nlu, see SWITCHES) can then be switched between ours and Rasa's
own while Rasa runs (SIGUSR1: Rasa's own, SIGUSR2: ours). Conversations are sent in blocks of
`--users` users, each block once with our patches and once with Rasa's own, in alternating
order (ours first in one pair, Rasa's first in the next), so that the machine's changing speed
(a shared machine, other people's tests) falls on both alike. Each user follows the load
benchmark's script (bot/evaluation/load.py: a language button, a question from
tests/data/eval, the menu button, another question; every second user with Telegram's language
hint), users `--concurrency` at a time, each waiting for the answer before the next message.
Rasa's CPU (user + system, all threads: /proc/PID/stat) is read before and after each block.

Reported: CPU milliseconds a message for each block; for each pair, Rasa's own minus ours; the
mean of those differences with its standard error; and whether every user's answers were the
same both ways (they must be: the patches change no answer).

Not collected by pytest (not a test_ file); run by hand. Figures: BENCHMARKS.md."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

NLU = Path(__file__).resolve().parents[1]
ROOT = NLU.parent
TOKEN = "bench-token"
LANGUAGES = ("ru", "uz", "uz_Cyrl", "tg", "ky", "en")

# helpline-rasa (helpline_nlu/cli.py) with a switch for the patches named in its first argument:
# each module keeps Rasa's own attribute on the class under its INSTALLED name
LAUNCHER = """
import importlib, signal, sys
from helpline_nlu import cli

SWITCHES = {
    "graph_runner": ("rasa.engine.runner.dask", "DaskGraphRunner", "run"),
    "rule_keys": ("rasa.core.policies.rule_policy", "RulePolicy", "_get_possible_keys"),
    "payloads": ("rasa.core.processor", "MessageProcessor", "_parse_message_with_graph"),
}
names = [name for name in sys.argv.pop(1).split(",") if name]

def switch(own):
    for name in names:
        module, owner, attribute = SWITCHES[name]
        cls = getattr(importlib.import_module(module), owner)
        installed = importlib.import_module("helpline_nlu." + name).INSTALLED
        ours = cls.__dict__.get("_bench_ours_" + attribute) or cls.__dict__[attribute]
        setattr(cls, "_bench_ours_" + attribute, ours)
        setattr(cls, attribute, cls.__dict__[installed] if own else ours)
    print("bench: Rasa's own" if own else "bench: ours", names, file=sys.stderr, flush=True)

signal.signal(signal.SIGUSR1, lambda *_: switch(own=True))
signal.signal(signal.SIGUSR2, lambda *_: switch(own=False))
sys.argv[0] = "helpline-rasa"
cli.main()
"""


def questions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests" / "data" / "eval").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                found.setdefault(row["lang"].split("_")[0], []).append(row["text"])
    return found


def script(user: int, asked: dict[str, list[str]]) -> list[str]:
    """The load benchmark's turns for one user, as Rasa receives them from the gateway."""
    language = LANGUAGES[user % len(LANGUAGES)]
    texts = asked.get(language.split("_")[0]) or asked["ru"]
    first, second = texts[user % len(texts)], texts[(user * 7 + 3) % len(texts)]
    return [f'/choose_language{{"language":"{language}"}}', first, "/menu", second]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url}: not ready after {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_actions(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "VIRTUAL_ENV"))},
           "HELPLINE_DATA_DIR": str(folder / "actions"), "HELPLINE_LOG_LEVEL": "WARNING",
           "SANIC_HOST": "127.0.0.1", "PYTHONWARNINGS": "ignore"}
    log = (folder / "actions.log").open("ab")
    process = subprocess.Popen(["uv", "run", "--locked", "python", "-m", "actions.serve", "-p", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(f"http://127.0.0.1:{port}/health", process)
    return process


def start_rasa(folder: Path, model: Path, port: int, action_port: int, toggled: str) -> subprocess.Popen[bytes]:
    (folder / "endpoints.yml").write_text(json.dumps({
        "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"},
        "tracker_store": {"type": "helpline_nlu.tracker_store.CachedSQLTrackerStore", "dialect": "sqlite",
                          "db": str(folder / "tracker.db")},
        "lock_store": {"type": "helpline_nlu.lock_store.BoundedInMemoryLockStore", "lock_wait": 10.0},
    }))
    (folder / "credentials.yml").write_text(json.dumps({"rest": None}))
    env = {**{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}, "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    log = (folder / "rasa.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, toggled, "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port),
         f"--auth-token={TOKEN}", "--model", str(model), "--endpoints", str(folder / "endpoints.yml"),
         "--credentials", str(folder / "credentials.yml")],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(f"http://127.0.0.1:{port}/status?token={TOKEN}", process)
    return process


async def converse(url: str, users: range, tag: str, concurrency: int,
                   asked: dict[str, list[str]]) -> dict[int, list[Any]]:
    """Every user's script, `concurrency` users at a time: each user's answers. `tag` makes
    the conversations new ones (sender ids) while the texts stay those of the user number."""
    pending: Iterator[int] = iter(users)
    answers: dict[int, list[Any]] = {}

    async def worker(http: aiohttp.ClientSession) -> None:
        for user in pending:
            sender = f"tg:{tag}{user:06d}" if user % 2 else f"web:{tag}{user:06d}"
            metadata = {"language_code": "ru"} if user % 2 else {}
            for text in script(user, asked):
                async with http.post(url, json={"sender": sender, "message": text, "metadata": metadata}) as reply:
                    reply.raise_for_status()
                    answer: list[dict[str, Any]] = await reply.json()
                if not answer:
                    raise RuntimeError(f"no answer to a turn of user {user}: see the Rasa log")
                answers.setdefault(user, []).append([{k: v for k, v in m.items() if k != "recipient_id"}
                                                     for m in answer])

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return answers


def block(rasa: subprocess.Popen[bytes], url: str, own: bool, users: range, tag: str,
          args: argparse.Namespace, asked: dict[str, list[str]]) -> tuple[float, int, dict[int, list[Any]]]:
    """(CPU seconds, messages, answers) of one block, with Rasa's own or our patches."""
    os.kill(rasa.pid, signal.SIGUSR1 if own else signal.SIGUSR2)
    time.sleep(0.2)
    before = cpu_seconds(rasa.pid)
    answers = asyncio.run(converse(url, users, tag, args.concurrency, asked))
    return cpu_seconds(rasa.pid) - before, sum(len(a) for a in answers.values()), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--toggle", required=True, help="NAME[,NAME]: patches switched to Rasa's own")
    parser.add_argument("--pairs", type=int, default=12)
    parser.add_argument("--users", type=int, default=40, help="users a block (4 messages each)")
    parser.add_argument("--warm", type=int, default=40, help="users before the first block, not counted")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--model", type=Path, default=ROOT / "build" / "models" / "helpline.tar.gz")
    parser.add_argument("--json", type=Path, help="write every block's figures here")
    args = parser.parse_args()
    asked = questions()
    folder = Path(tempfile.mkdtemp(prefix="bench-turns-"))
    model = folder / "model.tar.gz"          # a copy: a training meanwhile does not change the runs
    shutil.copyfile(args.model, model)
    blocks: list[dict[str, Any]] = []
    differences: list[float] = []
    same = True
    actions = start_actions(folder, action_port := free_port())
    try:
        rasa = start_rasa(folder, model, port := free_port(), action_port, args.toggle)
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        try:
            asyncio.run(converse(url, range(args.warm), "w", args.concurrency, asked))
            for pair in range(args.pairs):
                users = range(args.warm + pair * args.users, args.warm + (pair + 1) * args.users)
                figures: dict[bool, float] = {}
                answered: dict[bool, dict[int, list[Any]]] = {}
                for own in ((False, True) if pair % 2 == 0 else (True, False)):
                    cpu, messages, answered[own] = block(rasa, url, own, users, "r" if own else "o", args, asked)
                    figures[own] = cpu * 1000 / messages
                    blocks.append({"pair": pair + 1, "patches": "rasa's own" if own else "ours",
                                   "messages": messages, "cpu_s": round(cpu, 2),
                                   "cpu_ms_a_message": round(figures[own], 2)})
                    print(json.dumps(blocks[-1]), flush=True)
                differences.append(figures[True] - figures[False])
                same = same and answered[True] == answered[False]
        finally:
            stop(rasa)
    finally:
        stop(actions)
    ours = [b["cpu_ms_a_message"] for b in blocks if b["patches"] == "ours"]
    rasas = [b["cpu_ms_a_message"] for b in blocks if b["patches"] != "ours"]
    error = statistics.stdev(differences) / len(differences) ** 0.5 if len(differences) > 1 else float("nan")
    summary = {"toggled": args.toggle, "pairs": args.pairs, "messages_a_block": blocks[0]["messages"],
               "ours_median_ms": round(statistics.median(ours), 2),
               "rasas_own_median_ms": round(statistics.median(rasas), 2),
               "saved_ms_mean": round(statistics.mean(differences), 3), "standard_error_ms": round(error, 3),
               "saved_ms_median": round(statistics.median(differences), 3),
               "pairs_where_ours_used_less": sum(d > 0 for d in differences),
               "same_answers": same}
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps({"blocks": blocks, "summary": summary}, indent=1))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
