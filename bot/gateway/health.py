"""`GET /healthz`: whether the gateway can serve, for anyone; what it depends on, for a monitor.

Anyone gets `{"status": "ok" | "degraded"}`, 200 while it serves and 503 when it cannot (no
action server or database, or no Rasa at all): enough for a load balancer or an uptime check.
A monitor also gets each dependency's state, how Rasa replicas share conversations and, under
`helpline run`, each process's restarts: a request from loopback (the socket's peer, or the
address a trusted proxy forwarded, as uvicorn's --proxy-headers sets it) or one carrying
`Authorization: Bearer <HELPLINE_HEALTH_TOKEN>`. A monitor's request asks the dependencies;
anyone else's reuses a report up to a second old, so a flood of /healthz costs Rasa, the action
server and the database no more than one monitor does."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import cast

import anyio
import httpx
from pydantic import SecretStr
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.gateway.state import GatewayState
from bot.supervisor import STATUS_FILE, read_status

FRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Report:
    detail: dict[str, object]     # "status" and everything a monitor sees
    serving: bool


def is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def is_monitor(request: Request, token: SecretStr | None) -> bool:
    if request.client is not None and is_loopback(request.client.host):
        return True
    if token is None:
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.get_secret_value().encode())


async def _reachable(state: GatewayState, url: str) -> bool:
    try:
        return (await state.http.get(url, timeout=3)).status_code == 200
    except httpx.HTTPError:
        return False


async def check(state: GatewayState) -> Report:
    settings, urls = state.settings, state.settings.rasa_urls
    checks = {("rasa" if len(urls) == 1 else f"rasa-{i + 1}"): f"{url}/" for i, url in enumerate(urls)}
    checks["actions"] = settings.action_health_url
    report = {name: "ok" if await _reachable(state, url) else "down" for name, url in checks.items()}
    report["database"] = "ok" if await state.database.reachable() else "down"
    if state.shared is not None:      # limits and languages shared by several gateways
        try:
            report["shared_state"] = "ok" if await cast(Awaitable[bool], state.shared.ping()) else "down"
        except RedisError:
            report["shared_state"] = "down"
    everything = all(v == "ok" for v in report.values())
    # with several Rasa replicas one down is degraded, not down: the others answer
    serving = report["actions"] == report["database"] == "ok" and any(
        report[name] == "ok" for name in checks if name.startswith("rasa"))
    detail: dict[str, object] = {"status": "ok" if everything else "degraded", **report}
    if len(urls) > 1:
        detail["rasa_answered"] = list(state.rasa.sent)      # how conversations are spread (counts only)
    supervised = await anyio.to_thread.run_sync(read_status, settings.data_dir / "run" / STATUS_FILE, os.getppid())
    if supervised is not None:   # started by `helpline run`: restarts and last exit code of each process
        detail["supervisor"] = supervised
    return Report(detail, serving)


@dataclass
class Health:
    """The last report, reused for FRESH_SECONDS unless `fresh`; one check at a time."""

    last: tuple[float, Report] | None = None
    lock: anyio.Lock | None = field(default=None, repr=False)

    async def report(self, state: GatewayState, *, fresh: bool = False) -> Report:
        self.lock = self.lock or anyio.Lock()       # made in the event loop, at the first request
        async with self.lock:
            if fresh or self.last is None or time.monotonic() - self.last[0] >= FRESH_SECONDS:
                self.last = (time.monotonic(), await check(state))
            return self.last[1]


async def healthz(request: Request) -> JSONResponse:
    state: GatewayState = request.app.state.gateway
    health: Health = request.app.state.health
    monitor = is_monitor(request, state.settings.health_token)
    report = await health.report(state, fresh=monitor)
    shown = report.detail if monitor else {"status": report.detail["status"]}
    return JSONResponse(shown, status_code=200 if report.serving else 503)
