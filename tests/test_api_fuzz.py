"""schemathesis against the gateway's OpenAPI description (/openapi.json): generated requests
to the web chat and console APIs, logged out and logged in, and no answer is a server error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.processes import Stack
from tests.conftest import gateway_beside
from tests.console_client import Console, add_caseworker

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def gateway(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with gateway_beside(stack, tmp_path_factory.mktemp("fuzz")) as own:
        yield own


def schemathesis(base: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/openapi.json",
               "--url", base, "--checks", "not_a_server_error", "--max-examples", "25",
               "--generation-deterministic", "--request-timeout", "30",
               "--phases", "examples,coverage,fuzzing", *extra]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=900)


def everything_passed(output: str) -> int:
    """How many generated requests there were, all of them passing."""
    found = re.search(r"(\d+) generated, (\d+) passed", output)
    assert found is not None and found.group(1) == found.group(2), output[-3000:]
    return int(found.group(1))


def test_no_generated_request_is_a_server_error(gateway: Stack, tmp_path: Path) -> None:
    base = f"http://{gateway.settings.gateway_host}:{gateway.settings.gateway_port}"
    assert httpx.get(f"{base}/openapi.json").json()["paths"]["/api/chat"]
    logged_out = schemathesis(base, tmp_path)
    assert logged_out.returncode == 0, logged_out.stdout[-4000:]
    assert everything_passed(logged_out.stdout) > 200

    add_caseworker(gateway.settings.database, "fuzz@helpline.example")
    console = Console(base)
    assert console.login("fuzz@helpline.example").status_code == 303
    cookies = "; ".join(f"{name}={value}" for name, value in console.http.cookies.items())
    logged_in = schemathesis(base, tmp_path, "--header", f"Cookie: {cookies}", "--include-path-regex", "^/console")
    assert logged_in.returncode == 0, logged_in.stdout[-4000:]
    assert everything_passed(logged_in.stdout) > 100
    assert "401 Unauthorized" not in logged_in.stdout        # the requests really were logged in
