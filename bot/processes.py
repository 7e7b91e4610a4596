"""Starting the helpline's processes (Rasa server, action server, gateway), keeping them running
(bot/supervisor.py) and stopping them together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import yaml

from bot.logs import configure
from bot.rasa_env import ensure_env, rasa_env
from bot.settings import Settings
from bot.studio.serve import live_model, studio_settings
from bot.supervisor import STATUS_FILE, Child, Policy, Process, Supervisor
from bot.training.train import model_path, train

READY_TIMEOUT = 180.0


# Rasa's SQL tracker store (same tables and rows) that reads only new rows each turn
# (nlu/helpline_nlu/tracker_store.py).
TRACKER_STORE = "helpline_nlu.tracker_store.CachedSQLTrackerStore"


def tracker_store_config(settings: Settings) -> dict[str, Any]:
    if settings.tracker_store.startswith("sqlite:///"):
        path = Path(settings.tracker_store.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(path)}
    url = urlsplit(settings.tracker_store)
    return {"type": TRACKER_STORE, "dialect": url.scheme.split("+")[0], "url": url.hostname,
            "port": url.port or 5432, "db": url.path.lstrip("/"), "username": url.username,
            "password": url.password}


def lock_store_config(settings: Settings) -> dict[str, Any]:
    # Rasa's lock stores with a bounded wait (nlu/helpline_nlu/lock_store.py): a turn that cannot
    # have its conversation's lock within the gateway's timeout fails instead of running later
    wait = settings.request_timeout
    if not settings.lock_store_url:
        return {"type": "helpline_nlu.lock_store.BoundedInMemoryLockStore", "lock_wait": wait}
    url = urlsplit(settings.lock_store_url)
    # the Redis one also atomic across Rasa processes
    return {"type": "helpline_nlu.lock_store.AtomicRedisLockStore", "url": url.hostname, "port": url.port or 6379,
            "db": int(url.path.lstrip("/") or 0), "password": url.password, "lock_wait": wait}


def write_rasa_config(settings: Settings) -> tuple[Path, Path]:
    run_dir = settings.data_dir / "run"     # per stack: two stacks never share one endpoints file
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = run_dir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({
        "action_endpoint": {"url": settings.action_url},
        "tracker_store": tracker_store_config(settings),
        "lock_store": lock_store_config(settings),
    }))
    credentials = run_dir / "credentials.yml"
    credentials.write_text(yaml.safe_dump({"rest": None}))
    return endpoints, credentials


@dataclass
class Stack:
    """The running processes; `stop()` ends them all."""

    settings: Settings
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, IO[bytes]] = field(default_factory=dict)
    ready_urls: dict[str, str] = field(default_factory=dict)   # extra processes: their health URL

    @property
    def log_dir(self) -> Path:
        return self.settings.data_dir / "log"

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
        """Start `name` (again: the old log file is closed, the new output appended to it)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if name in self.logs:
            self.logs.pop(name).close()
        log = self.logs[name] = (self.log_dir / f"{name}.log").open("ab")
        process = self.processes[name] = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return process

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        checks = {
            "gateway": f"http://{self.settings.gateway_host}:{self.settings.gateway_port}/healthz",
            "actions": self.settings.action_health_url,
            "rasa": f"{self.settings.rasa_url}/status?token="
                    f"{self.settings.rasa_token.get_secret_value()}",
        }
        deadline = time.monotonic() + timeout
        checks.update(self.ready_urls)
        pending = {n: u for n, u in checks.items() if n in self.processes}
        while pending:
            for name, url in list(pending.items()):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.settings.data_dir}/log/{name}.log")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2).status_code == 200:
                        del pending[name]
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
            time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                kill_group(process)
        for log in self.logs.values():
            log.close()


def kill_group(process: Process) -> None:
    """SIGKILL the process group a child leads (every child starts its own session), so
    nothing it started outlives it, holding its port."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process exactly these settings (inherited
    HELPLINE_* and TELEGRAM_* variables are dropped, so a test never picks up a real token)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TELEGRAM_"))}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        secret = getattr(value, "get_secret_value", None)
        env[f"HELPLINE_{name.upper()}"] = str(secret() if secret else value)
    return env


def start_actions(stack: Stack) -> subprocess.Popen[bytes]:
    settings = stack.settings
    env = {**settings_env(settings), "SANIC_HOST": settings.host, "PYTHONWARNINGS": "ignore"}
    return stack.start("actions", [sys.executable, "-m", "actions.serve",
                            "-p", str(settings.action_port)], env, settings.content_dir.parent)


def start_gateway(stack: Stack) -> subprocess.Popen[bytes]:
    settings = stack.settings
    return stack.start("gateway", gateway_command(settings), settings_env(settings), settings.content_dir.parent)


def gateway_command(settings: Settings) -> list[str]:
    """uvicorn for the gateway. It believes X-Forwarded-* only from the configured proxies
    (HELPLINE_FORWARDED_ALLOW_IPS); unset, uvicorn's default: a proxy on this machine (loopback)."""
    proxies = ["--forwarded-allow-ips", settings.trusted_proxies] if settings.trusted_proxies else []
    return [sys.executable, "-m", "uvicorn", "--factory", "bot.gateway.app:create_app",
            "--host", settings.gateway_host, "--port", str(settings.gateway_port), "--no-access-log", *proxies]


def rasa_command(settings: Settings, model: Path, endpoints: Path, credentials: Path,
                 rasa: str = "helpline-rasa") -> list[str]:
    """`helpline-rasa run`: Rasa's own command after our patches are installed, refusing any Rasa
    version but the pinned one (nlu/helpline_nlu/cli.py)."""
    return [
        rasa, "run", "--enable-api", "-i", settings.host, "-p", str(settings.rasa_port),
        # one argument with "=": a token that starts with "-" must not read as an option
        f"--auth-token={settings.rasa_token.get_secret_value()}", "--model", str(model),
        "--endpoints", str(endpoints), "--credentials", str(credentials),
    ]


def start_rasa(stack: Stack, model: Path, *, name: str = "rasa", port: int | None = None) -> subprocess.Popen[bytes]:
    """A Rasa server; another replica with `name` and `port` (same stores, same model)."""
    settings = stack.settings if port is None else stack.settings.model_copy(update={"rasa_port": port})
    rasa = ensure_env(settings.nlu_dir)
    endpoints, credentials = write_rasa_config(settings)
    if port is not None:
        stack.ready_urls[name] = f"http://{settings.host}:{port}/status?token={settings.rasa_token.get_secret_value()}"
    command = rasa_command(settings, model, endpoints, credentials, str(rasa.with_name("helpline-rasa")))
    return stack.start(name, command, rasa_env(),
                       settings.build_dir)


@contextlib.contextmanager
def running_stack(settings: Settings, model: Path | None = None) -> Iterator[Stack]:
    """Rasa and the action server, ready on return, stopped on exit."""
    stack = Stack(settings)
    try:
        start_actions(stack)
        start_rasa(stack, model or model_path(settings.model_dir))
        start_gateway(stack)
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()


def supervise(stack: Stack, model: Path | Callable[[], Path], policy: Policy | None = None) -> Supervisor:
    """A supervisor for the stack's gateway, Rasa and action server, as started by running_stack;
    `model` may be asked again at each restart of Rasa (the studio's live one moves)."""
    starts: dict[str, Callable[[], Process]] = {
        "actions": lambda: start_actions(stack),
        "rasa": lambda: start_rasa(stack, model() if callable(model) else model),
        "gateway": lambda: start_gateway(stack),
    }
    children = {name: Child(name, start, stack.processes[name]) for name, start in starts.items()}
    return Supervisor(children, policy=policy or Policy(), status_path=stack.settings.data_dir / "run" / STATUS_FILE,
                      reap=kill_group, log_dir=stack.log_dir)


def run_forever(settings: Settings, *, train_first: bool = True) -> int:
    studio = studio_settings(settings)       # the studio's live version, once it has one
    if studio is not None:
        settings = studio
        print(f"serving the studio's live version: HELPLINE_CONTENT_DIR={settings.content_dir}")
    elif train_first:
        train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir,
              build_dir=settings.build_dir)
    configure(settings.log_level)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop children on kill too
    print("starting Rasa, the action server and the gateway (about half a minute) ...")

    def current_model() -> Path:
        if studio is None:
            return model_path(settings.model_dir)
        return live_model(settings) or train(content_dir=settings.content_dir, nlu_dir=settings.nlu_dir,
                                             build_dir=settings.build_dir)
    model = current_model()
    with running_stack(settings, model) as stack:
        print(f"ready: web chat API on http://{settings.gateway_host}:{settings.gateway_port}"
              f" (Rasa {settings.rasa_url}, actions {settings.action_url}, both loopback only)")
        print("talk to it with `uv run helpline shell` in another terminal; Ctrl-C stops all; "
              "a process that stops is restarted (see /healthz and the log)")
        supervisor = supervise(stack, current_model)
        try:
            supervisor.run()
        finally:
            supervisor.close()
        print(f"every process kept crashing; stopped (logs in {stack.log_dir})", file=sys.stderr)
        return 1
