"""A crash is not an outage (bot/supervisor.py): the back-off and give-up policy on a fake
clock; a real command that exits at once given up on while another keeps running; and the
real `helpline run` under traffic, its action server, Rasa and gateway each SIGKILLed in turn."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.processes import kill_group, settings_env
from bot.replies import CASE_OPEN_PRIVATE, Responder
from bot.settings import ROOT, Settings
from bot.supervisor import STATUS_FILE, Child, Policy, Process, Supervisor, read_status
from tests.conftest import make_settings
from tests.console_client import Console, add_caseworker
from tests.web_user import WebUser, web_session

# ---------------------------------------------------------------- the policy, on a fake clock


@dataclass
class FakeProcess:
    pid: int
    code: int | None = None

    def poll(self) -> int | None:
        return self.code


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Starts:
    """A child's start function: each call a new running fake process (or an error)."""

    made: list[FakeProcess] = field(default_factory=list)
    fail: bool = False

    def __call__(self) -> Process:
        if self.fail:
            raise OSError("no such command")
        self.made.append(FakeProcess(pid=100 + len(self.made)))
        return self.made[-1]


def fake_supervisor(clock: Clock, **starts: Starts) -> Supervisor:
    children = {name: Child(name, start, start()) for name, start in starts.items()}
    return Supervisor(children, clock=clock)


def crash(supervisor: Supervisor, name: str, code: int = -9) -> None:
    process = supervisor.children[name].process
    assert isinstance(process, FakeProcess)
    process.code = code
    supervisor.check()


def test_back_off_doubles_and_is_capped() -> None:
    policy = Policy(first_delay=1, max_delay=60, max_crashes=100, window=600)
    delays = [policy.delay([float(t) for t in range(n)], float(n - 1)) for n in range(1, 9)]
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]


def test_five_crashes_within_ten_minutes_give_up_and_older_ones_are_forgotten() -> None:
    policy = Policy()
    assert policy.delay([0, 1, 2, 3], 3) == 8
    assert policy.delay([0, 1, 2, 3, 4], 4) is None
    assert policy.delay([0, 1, 2, 3, 700], 700) == 1          # the first four are out of the window


def test_a_child_that_exits_is_started_again_after_its_back_off(caplog: pytest.LogCaptureFixture) -> None:
    clock, actions, rasa = Clock(), Starts(), Starts()
    supervisor = fake_supervisor(clock, actions=actions, rasa=rasa)
    with caplog.at_level(logging.INFO, logger="bot.supervisor"):
        crash(supervisor, "actions")
        assert supervisor.children["actions"].report() == {"state": "restarting", "restarts": 0, "last_exit": -9}
        clock.now += 0.9
        supervisor.check()
        assert len(actions.made) == 1                          # not before its second
        clock.now += 0.1
        supervisor.check()
    assert len(actions.made) == 2 and supervisor.children["actions"].process is actions.made[1]
    assert supervisor.children["actions"].report() == {"state": "running", "restarts": 1, "last_exit": -9}
    assert len(rasa.made) == 1                                 # the others untouched
    assert [r.getMessage() for r in caplog.records] == [
        "actions was killed by SIGKILL; restarting it in 1 s (crash 1 of 5 allowed within 600 s)",
        "actions restarted (pid 101, restart 1)"]


def test_a_child_that_keeps_crashing_is_given_up_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    clock, rasa, gateway = Clock(), Starts(), Starts()
    supervisor = fake_supervisor(clock, rasa=rasa, gateway=gateway)
    waits = []
    for _ in range(4):
        crash(supervisor, "rasa", code=1)
        due = supervisor.children["rasa"].due
        assert due is not None
        waits.append(due - clock.now)
        clock.now = due
        supervisor.check()
    crash(supervisor, "rasa", code=1)
    assert waits == [1, 2, 4, 8]
    assert supervisor.children["rasa"].report() == {"state": "given up", "restarts": 4, "last_exit": 1}
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "rasa exited with code 1: 5 crashes within 600 s, not restarting it; the others keep running"]
    clock.now += 3600
    supervisor.check()
    assert len(rasa.made) == 5                                 # never again
    assert supervisor.children["gateway"].report() == {"state": "running", "restarts": 0, "last_exit": None}


def test_a_child_that_cannot_even_start_counts_as_a_crash() -> None:
    clock, actions = Clock(), Starts()
    supervisor = fake_supervisor(clock, actions=actions)
    actions.fail = True
    crash(supervisor, "actions")
    clock.now += 1
    supervisor.check()
    child = supervisor.children["actions"]
    assert child.report() == {"state": "restarting", "restarts": 0, "last_exit": None} and len(child.crashes) == 2


def test_the_status_file_is_read_only_by_the_supervisors_own_children(tmp_path: Path) -> None:
    clock, actions = Clock(), Starts()
    supervisor = fake_supervisor(clock, actions=actions)
    supervisor.status_path = tmp_path / STATUS_FILE
    crash(supervisor, "actions")
    expected = {"actions": {"state": "restarting", "restarts": 0, "last_exit": -9}}
    assert read_status(tmp_path / STATUS_FILE, os.getpid()) == expected
    assert read_status(tmp_path / STATUS_FILE, os.getpid() + 1) is None       # a file some other one left
    supervisor.close()
    assert read_status(tmp_path / STATUS_FILE, os.getpid()) is None
    (tmp_path / STATUS_FILE).write_text("{not json")
    assert read_status(tmp_path / STATUS_FILE, os.getpid()) is None


# ---------------------------------------------------------------- real processes, no Rasa


def python(code: str) -> Callable[[], Process]:
    return lambda: subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


def until(done: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> None:
    """Wait for `done`; the timeout only bounds a hung test, it is not what is tested."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after {timeout:.0f} s")
        time.sleep(every)


def test_a_command_that_exits_at_once_is_given_up_while_another_keeps_running(
        caplog: pytest.LogCaptureFixture) -> None:
    starts = {"crasher": python("raise SystemExit(3)"), "steady": python("import time; time.sleep(300)")}
    children = {name: Child(name, start, start()) for name, start in starts.items()}
    supervisor = Supervisor(children, policy=Policy(first_delay=0.05, max_crashes=3, window=60), reap=kill_group)

    def given_up() -> bool:
        supervisor.check()
        return children["crasher"].given_up

    try:
        with caplog.at_level(logging.WARNING, logger="bot.supervisor"):
            until(given_up, 30, "given up", every=0.02)
        assert children["crasher"].report() == {"state": "given up", "restarts": 2, "last_exit": 3}
        assert children["steady"].process.poll() is None and children["steady"].report()["state"] == "running"
        assert caplog.records[-1].levelno == logging.ERROR
        assert caplog.records[-1].getMessage().startswith("crasher exited with code 3: 3 crashes within 60 s")
    finally:
        kill_group(children["steady"].process)
        assert isinstance(children["steady"].process, subprocess.Popen)
        children["steady"].process.wait(timeout=10)


# ---------------------------------------------------------------- `helpline run` under traffic


@dataclass
class Traffic:
    """Users on the web chat while processes die: each reply sorted as an answer, the apology
    (with the emergency numbers), refused (no connection at all) or an HTTP error."""

    base: str
    apologies: set[str]
    seen: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as http:
            turn = 0
            while not self.stop.is_set():
                turn += 1
                self.seen.append(self.one(http, f"traffic-session-{turn % 3:02d}"))
                self.stop.wait(0.3)                  # pace: a few users, not a load test

    def one(self, http: httpx.Client, session: str) -> str:
        try:
            response = http.post("/api/chat", json={"session_id": web_session(session), "payload": "/wages_unpaid"})
        except httpx.TransportError:
            return "refused"
        if response.status_code != 200:
            return f"error {response.status_code}"
        texts = [m["text"] for m in response.json()["messages"]]
        return "apology" if texts and texts[0] in self.apologies else "answer"

    def since(self, mark: int) -> list[str]:
        return self.seen[mark:]


@dataclass
class Helpline:
    process: subprocess.Popen[bytes]
    settings: Settings
    output: Path
    traffic: Traffic

    @property
    def base(self) -> str:
        return f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"

    def status(self) -> dict[str, dict[str, object]]:
        path = self.settings.data_dir / "run" / STATUS_FILE
        processes: dict[str, dict[str, object]] = json.loads(path.read_text())["processes"]
        return processes

    def pid(self, name: str) -> int:
        return int(str(self.status()[name]["pid"]))

    def health(self) -> dict[str, object]:
        try:
            response = httpx.get(f"{self.base}/healthz", timeout=10)
        except httpx.TransportError:
            return {"http_status": None}
        body: dict[str, object] = response.json()
        body["http_status"] = response.status_code
        return body

    def kill(self, name: str) -> int:
        pid = self.pid(name)
        os.killpg(pid, signal.SIGKILL)
        return pid

    def back(self, name: str, old_pid: int) -> None:
        until(lambda: self.status()[name]["state"] == "running" and self.pid(name) != old_pid, 120, f"{name} restarted")
        until(lambda: self.health().get("status") == "ok", 240, "healthy again", every=0.5)

    def log(self) -> str:
        return self.output.read_text(errors="replace")


@pytest.fixture(scope="module")
def helpline(model: Path, responder: Responder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Helpline]:
    """`helpline run --no-train` itself, on free loopback ports, with web users talking to it."""
    folder = tmp_path_factory.mktemp("supervised")
    settings = make_settings(folder / "var")
    output = folder / "helpline-run.log"
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--no-train"], cwd=ROOT,
                                   env=settings_env(settings), stdout=sink, stderr=subprocess.STDOUT)
    apologies = {responder.unavailable(language)[0].text for language in responder.library.languages}
    running = Helpline(process, settings, output, Traffic(f"http://127.0.0.1:{settings.gateway_port}", apologies))
    user = threading.Thread(target=running.traffic.run)
    try:
        # ready = healthy *and* supervised: the gateway can answer /healthz a moment before
        # `helpline run` has written its supervisor's status file (a race seen once in CI)
        until(lambda: process.poll() is not None or (running.health().get("status") == "ok"
                                                     and "supervisor" in running.health()), 300, "ready", every=1)
        assert process.poll() is None, running.log()
        add_caseworker(settings.database, "night@helpline.example")
        user.start()
        yield running
    finally:
        running.traffic.stop.set()
        if user.is_alive():
            user.join(timeout=90)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=90)


def apology_now(helpline: Helpline) -> bool:
    with httpx.Client(base_url=helpline.base, timeout=60) as http:
        return helpline.traffic.one(http, "probe-session-01") == "apology"


@pytest.mark.rasa
def test_the_action_server_killed_under_traffic_comes_back(helpline: Helpline) -> None:
    mark = len(helpline.traffic.seen)
    old = helpline.kill("actions")
    assert apology_now(helpline)                      # while it is down: the apology, not an error
    helpline.back("actions", old)
    during = helpline.traffic.since(mark)
    assert set(during) <= {"answer", "apology"}, during
    health = helpline.health()
    assert health["actions"] == "ok"
    assert health["supervisor"] == {"actions": {"state": "running", "restarts": 1, "last_exit": -9},
                                    "rasa": {"state": "running", "restarts": 0, "last_exit": None},
                                    "gateway": {"state": "running", "restarts": 0, "last_exit": None}}
    assert "actions was killed by SIGKILL; restarting it in 1 s" in helpline.log()


@pytest.mark.rasa
def test_rasa_killed_under_traffic_comes_back(helpline: Helpline) -> None:
    mark = len(helpline.traffic.seen)
    old = helpline.kill("rasa")
    assert apology_now(helpline)
    helpline.back("rasa", old)
    during = helpline.traffic.since(mark)
    assert "apology" in during and set(during) <= {"answer", "apology"}, during
    until(lambda: "answer" in helpline.traffic.since(mark + len(during)), 60, "answered again")
    supervised = helpline.health()["supervisor"]
    assert isinstance(supervised, dict) and supervised["rasa"] == {"state": "running", "restarts": 1,
                                                                   "last_exit": -9}
    assert "rasa was killed by SIGKILL; restarting it in 1 s" in helpline.log()


@pytest.mark.rasa
def test_the_gateway_killed_comes_back_and_what_was_stored_is_still_there(helpline: Helpline) -> None:
    session = "stored-before-kill-01"
    with WebUser(helpline.base, session) as user:
        user.say(payload=CASE_OPEN_PRIVATE)
        user.say(text="хозяин забрал паспорт, что делать")
    old = helpline.kill("gateway")
    helpline.back("gateway", old)
    with WebUser(helpline.base, session) as user:
        user.say(text="я ещё здесь")                  # the same conversation goes on, still with the case
    console = Console(helpline.base)
    assert console.login("night@helpline.example").status_code == 303
    bodies = [message["body"] for case in console.case_ids() for message in console.messages(case)]
    assert "хозяин забрал паспорт, что делать" in bodies and "я ещё здесь" in bodies
    mark = len(helpline.traffic.seen)
    until(lambda: "answer" in helpline.traffic.since(mark), 60, "answered again")
    supervised = helpline.health()["supervisor"]
    assert isinstance(supervised, dict) and supervised["gateway"] == {"state": "running", "restarts": 1,
                                                                      "last_exit": -9}


@pytest.mark.rasa
def test_an_action_server_that_keeps_dying_is_given_up_and_the_rest_keep_answering(helpline: Helpline) -> None:
    def state() -> object:
        return helpline.status()["actions"]["state"]

    killed: list[int] = []

    def settled() -> bool:                            # started again (a new pid) or given up
        return state() == "given up" or (state() == "running" and helpline.pid("actions") != killed[-1])

    while state() != "given up":                      # five crashes within ten minutes (earlier tests' count)
        killed.append(helpline.kill("actions"))
        assert len(killed) <= 5
        until(settled, 120, "restarted or given up")
    health = helpline.health()
    assert health["http_status"] == 503 and health["actions"] == "down" and health["rasa"] == "ok"
    supervised = health["supervisor"]
    assert isinstance(supervised, dict)
    assert supervised["actions"] == {"state": "given up", "restarts": 4, "last_exit": -9}
    assert "actions was killed by SIGKILL: 5 crashes within 600 s, not restarting it" in helpline.log()
    assert apology_now(helpline)                      # the gateway still answers, kindly


@pytest.mark.rasa
def test_sigterm_still_stops_everything(helpline: Helpline) -> None:
    pids = [helpline.pid(name) for name in ("rasa", "gateway")]
    helpline.process.send_signal(signal.SIGTERM)
    assert helpline.process.wait(timeout=90) == 143
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not (helpline.settings.data_dir / "run" / STATUS_FILE).exists()
