"""Tests marked `postgres`, `redis` or `browser` (tests/conftest.py): skipped with a reason when
their service is absent, failed instead when CI is set, the service looked for once a session
and before any fixture starts."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.devtools.ports import free_port
from tests import conftest
from tests.conftest import file_missing, in_ci, require, tcp_missing

REASON = "Redis not reachable at 127.0.0.1:6379"
INNER = """
import pytest

@pytest.fixture
def server():
    raise AssertionError("a fixture started for a test that should not run")

@pytest.mark.redis
def test_one(server): pass

@pytest.mark.redis
def test_two(server): pass

def test_without_services(): pass
"""


def test_a_service_that_is_there_lets_the_test_run() -> None:
    require(None, ci=False)
    require(None, ci=True)


def test_an_absent_service_skips_with_its_reason() -> None:
    with pytest.raises(pytest.skip.Exception) as skipped:
        require(REASON, ci=False)
    assert skipped.value.msg == REASON


def test_under_ci_an_absent_service_fails() -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        require(REASON, ci=True)
    assert failed.value.msg == f"{REASON} (CI is set: a test that needs it must run, not skip)"
    assert not failed.value.pytrace                    # the reason alone, no traceback into conftest


@pytest.mark.parametrize(("environ", "ci"), [({}, False), ({"CI": ""}, False), ({"CI": "false"}, False),
                                             ({"CI": "0"}, False), ({"CI": "true"}, True), ({"CI": "1"}, True)])
def test_ci_is_any_true_value_of_the_variable(environ: dict[str, str], ci: bool) -> None:
    assert in_ci(environ) is ci


def test_a_server_is_there_when_it_accepts_a_connection() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        assert tcp_missing("Redis", "127.0.0.1", server.getsockname()[1]) is None
    port = free_port()
    assert tcp_missing("Redis", "127.0.0.1", port) == f"Redis not reachable at 127.0.0.1:{port}"


def test_a_program_is_there_when_it_can_be_run(tmp_path: Path) -> None:
    program = tmp_path / "chromium"
    assert file_missing("Chromium", str(program)) == f"Chromium not found at {program}"
    program.write_text("#!/bin/sh\n")
    assert file_missing("Chromium", str(program)) == f"Chromium not found at {program}"
    program.chmod(0o755)
    assert file_missing("Chromium", str(program)) is None


@dataclass
class AbsentRedis:
    port: int                                          # where nobody listens
    looks: list[int] = field(default_factory=list)     # each time the session looked there


@pytest.fixture
def absent_redis(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> AbsentRedis:
    """A pytest run of its own with the conftest's hook, Redis looked for where nobody listens."""
    absent = AbsentRedis(free_port())

    def missing() -> str | None:
        absent.looks.append(absent.port)
        return tcp_missing("Redis", "127.0.0.1", absent.port)

    monkeypatch.setitem(conftest.SERVICES, "redis", missing)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nmarkers =\n    redis: needs Redis\n")
    pytester.makeconftest("from tests.conftest import pytest_runtest_setup  # noqa: F401\n")
    pytester.makepyfile(test_inner=INNER)
    return absent


def test_a_session_without_redis_skips_its_tests_with_the_reason(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, absent_redis: AbsentRedis) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = pytester.runpytest("-ra", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([f"SKIPPED *: Redis not reachable at 127.0.0.1:{absent_redis.port}"])
    assert len(absent_redis.looks) == 1                # looked for once in the session


def test_a_ci_session_without_redis_fails_them(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, absent_redis: AbsentRedis) -> None:
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest("-ra", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([f"ERROR *test_one* - Failed: Redis not reachable at 127.0.0.1:{absent_redis.port}"
                                 " (CI is set*"])
    assert len(absent_redis.looks) == 1
