"""Keeping the helpline's processes running on one machine.

A child that exits, whatever its exit code, is started again after a back-off (1, 2, 4 … s,
at most a minute). One that exits `max_crashes` times within `window` seconds is given up on:
logged at ERROR, left stopped, while the others keep running. Log lines name the process and
how it ended, nothing else.

What the supervisor knows is written to `<data dir>/run/supervisor.json` (names, pids,
states, restart counts, exit codes). The gateway's /healthz shows it when the gateway's own
parent is the supervisor that wrote it, so a file left behind by a killed supervisor is never
reported as current.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypedDict

log = logging.getLogger(__name__)

STATUS_FILE = "supervisor.json"
State = Literal["running", "restarting", "given up"]


class Process(Protocol):
    pid: int

    def poll(self) -> int | None: ...


@dataclass(frozen=True)
class Policy:
    first_delay: float = 1.0
    max_delay: float = 60.0
    max_crashes: int = 5
    window: float = 600.0

    def delay(self, crashes: Sequence[float], now: float) -> float | None:
        """Seconds to wait before starting a child again after crashes at these times
        (the latest included), or None: it crashed too often, give up."""
        recent = sum(1 for at in crashes if now - at < self.window)
        if recent >= self.max_crashes:
            return None
        return float(min(self.first_delay * 2 ** max(recent - 1, 0), self.max_delay))


class Report(TypedDict):
    """One child as /healthz shows it; `last_exit` is the exit code, negative for a signal."""

    state: State
    restarts: int
    last_exit: int | None


@dataclass
class Child:
    name: str
    start: Callable[[], Process]
    process: Process
    crashes: list[float] = field(default_factory=list)
    restarts: int = 0
    last_exit: int | None = None
    due: float | None = None          # when to start it again
    given_up: bool = False

    @property
    def state(self) -> State:
        return "given up" if self.given_up else "restarting" if self.due is not None else "running"

    def report(self) -> Report:
        return {"state": self.state, "restarts": self.restarts, "last_exit": self.last_exit}


def ended(code: int | None) -> str:
    if code is None:
        return "could not be started"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _nothing(process: Process) -> None:
    return None


@dataclass
class Supervisor:
    children: dict[str, Child]
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], float] = time.monotonic
    status_path: Path | None = None
    reap: Callable[[Process], None] = _nothing    # what a dead child left behind (its process group)
    log_dir: Path | None = None

    def check(self) -> None:
        """One look at every child: note the ones that exited, start the ones that are due."""
        now = self.clock()
        changed = [self._look(child, now) for child in self.children.values()]
        if any(changed):
            self.write_status()

    def run(self, interval: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> None:
        """Check every `interval` seconds until every child is given up (or a signal ends it)."""
        self.write_status()
        while not all(child.given_up for child in self.children.values()):
            self.check()
            sleep(interval)

    def _look(self, child: Child, now: float) -> bool:
        if child.given_up:
            return False
        if child.due is not None:
            if now < child.due:
                return False
            self._restart(child, now)
            return True
        code = child.process.poll()
        if code is None:
            return False
        self.reap(child.process)
        self._crashed(child, code, now)
        return True

    def _crashed(self, child: Child, code: int | None, now: float) -> None:
        child.crashes = [at for at in child.crashes if now - at < self.policy.window] + [now]
        child.last_exit = code
        delay = self.policy.delay(child.crashes, now)
        if delay is None:
            child.given_up = True
            where = f" (its output: {self.log_dir / child.name}.log)" if self.log_dir else ""
            log.error("%s %s: %d crashes within %.0f s, not restarting it; the others keep running%s",
                      child.name, ended(code), len(child.crashes), self.policy.window, where)
            return
        child.due = now + delay
        log.warning("%s %s; restarting it in %.0f s (crash %d of %d allowed within %.0f s)", child.name,
                    ended(code), delay, len(child.crashes), self.policy.max_crashes, self.policy.window)

    def _restart(self, child: Child, now: float) -> None:
        child.due = None
        try:
            child.process = child.start()
        except Exception as error:   # a supervisor outlives its children's failures, even to start
            log.error("%s could not be started (%s: %s)", child.name, type(error).__name__, error)
            self._crashed(child, None, now)
            return
        child.restarts += 1
        log.info("%s restarted (pid %d, restart %d)", child.name, child.process.pid, child.restarts)

    def write_status(self) -> None:
        if self.status_path is None:
            return
        processes = {name: {**child.report(), "pid": child.process.pid}
                     for name, child in self.children.items()}
        temporary = self.status_path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"supervisor_pid": os.getpid(), "processes": processes}))
        temporary.replace(self.status_path)

    def close(self) -> None:
        if self.status_path is not None:
            self.status_path.unlink(missing_ok=True)


def read_status(path: Path, parent_pid: int) -> dict[str, Report] | None:
    """What the supervisor with pid `parent_pid` last wrote to `path`; None when no such
    supervisor wrote it (not supervised, or a file left behind)."""
    try:
        status = json.loads(path.read_text())
        if status["supervisor_pid"] != parent_pid:
            return None
        return {name: {"state": child["state"], "restarts": int(child["restarts"]), "last_exit": child["last_exit"]}
                for name, child in status["processes"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
