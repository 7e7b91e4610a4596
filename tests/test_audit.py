"""The dependency audit's verdicts (bot/devtools/audit.py), on made-up pip-audit results and
ignore files: no network, no pip-audit run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.devtools.audit import (
    OFFLINE_VARIABLE,
    Latest,
    Result,
    from_latest,
    judge,
    load_ignore_file,
    main,
    parse_pip_audit,
)
from bot.settings import ROOT

TODAY = dt.date(2026, 12, 7)
SKLEARN_VULN = {"id": "GHSA-jw8x-6495-233v", "fix_versions": ["1.5.0"], "aliases": ["CVE-2024-5206"],
                "description": "TfidfVectorizer keeps discarded tokens in stop_words_."}


def pip_audit(*dependencies: Mapping[str, Any]) -> dict[str, Any]:
    return {"dependencies": list(dependencies), "fixes": []}


def skipped(name: str, version: str) -> dict[str, str]:
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} ({version})"}


NLU = pip_audit(
    {"name": "scikit-learn", "version": "1.1.3", "vulns": [SKLEARN_VULN]},
    {"name": "pyyaml", "version": "6.0.1", "vulns": []},
    skipped("sanic-cors", "2.0.1"),
)


def entry(**changes: Any) -> str:
    fields: dict[str, Any] = {"id": "GHSA-jw8x-6495-233v", "package": "scikit-learn", "environment": "nlu",
                              "reason": "not yet mitigated", "reviewed_by": "a maintainer",
                              "review_by": dt.date(2027, 1, 31)}
    fields.update(changes)
    lines = ["[[vulnerability]]"]
    for key, value in fields.items():
        if value is not None:
            lines.append(f"{key} = {json.dumps(value) if not isinstance(value, dt.date) else value.isoformat()}")
    return "\n".join(lines) + "\n"


def verdict(tmp_path: Path, ignore: str, *results: Result, offline_skip: bool = False) -> tuple[
        list[str], list[str], list[str]]:
    path = tmp_path / "audit-ignore.toml"
    path.write_text(ignore, encoding="utf-8")
    entries, problems = load_ignore_file(path, TODAY)
    report = judge(results, entries, problems, TODAY, offline_skip)
    return report.errors, report.warnings, report.notes


def test_pip_audit_json_is_read_with_the_versions_of_what_it_skipped() -> None:
    result = parse_pip_audit("nlu", NLU)
    assert result.audited == {"scikit-learn", "pyyaml"}
    [vuln] = result.vulnerabilities
    assert (vuln.package, vuln.version, vuln.id, vuln.fix_versions) == ("scikit-learn", "1.1.3",
                                                                        "GHSA-jw8x-6495-233v", ("1.5.0",))
    [skip] = result.skipped
    assert (skip.package, skip.version) == ("sanic-cors", "2.0.1")
    assert skip.reason == "Dependency not found on PyPI and could not be audited"


def test_an_unlisted_vulnerability_fails_and_says_what_to_do(tmp_path: Path) -> None:
    errors, _, _ = verdict(tmp_path, "", parse_pip_audit("main", pip_audit(
        {"name": "Scikit_Learn", "version": "1.1.3", "vulns": [SKLEARN_VULN]})))
    [error] = errors
    assert "main: Scikit_Learn 1.1.3 GHSA-jw8x-6495-233v (also CVE-2024-5206)" in error
    assert "not listed" in error and "fixed in 1.5.0" in error and "stop_words_" in error


@pytest.mark.parametrize("listed", [
    entry(),
    entry(id="CVE-2024-5206"),                                     # the CVE, an alias of the report
    entry(id="PYSEC-2024-110", aliases=["CVE-2024-5206"]),         # another record of the same CVE
    entry(package="Scikit_Learn"),
])
def test_a_listed_vulnerability_passes(tmp_path: Path, listed: str) -> None:
    result = parse_pip_audit("nlu", pip_audit({"name": "scikit-learn", "version": "1.1.3", "vulns": [SKLEARN_VULN]}))
    errors, warnings, notes = verdict(tmp_path, listed, result)
    assert (errors, warnings) == ([], [])
    assert notes == ["ignored nlu: scikit-learn 1.1.3 GHSA-jw8x-6495-233v (also CVE-2024-5206): "
                     "listed until 2027-01-31"]


@pytest.mark.parametrize("other", [entry(environment="main"), entry(package="scipy"), entry(id="GHSA-xxxx-xxxx-xxxx")])
def test_an_entry_for_another_environment_package_or_id_does_not_cover_it(tmp_path: Path, other: str) -> None:
    result = parse_pip_audit("nlu", pip_audit({"name": "scikit-learn", "version": "1.1.3", "vulns": [SKLEARN_VULN]}))
    errors, _, _ = verdict(tmp_path, other, result)
    assert any("not listed" in e for e in errors)


def test_past_its_review_date_an_entry_fails_until_someone_looks_again(tmp_path: Path) -> None:
    result = parse_pip_audit("nlu", NLU)
    errors, _, _ = verdict(tmp_path, entry(review_by=dt.date(2026, 12, 6)), result)
    assert any("due for review on 2026-12-06" in e for e in errors)
    # also when the package could not be checked: the date is the promise to look
    errors, _, _ = verdict(tmp_path, entry(id="GHSA-94jw-hqvj-vw74", package="sanic-cors",
                                           review_by=dt.date(2026, 12, 6)), result, offline_skip=True)
    assert any("sanic-cors GHSA-94jw-hqvj-vw74: its audit-ignore.toml entry was due" in e for e in errors)


def test_entries_that_match_nothing(tmp_path: Path) -> None:
    result = parse_pip_audit("nlu", NLU)
    ignore = (entry() + entry(id="GHSA-0000-0000-0000", package="pyyaml")     # checked, not reported: stale
              + entry(id="GHSA-1111-1111-1111", package="flask")             # not in the lock: stale
              + entry(id="GHSA-94jw-hqvj-vw74", package="sanic-cors"))       # not checked: unconfirmed
    errors, warnings, notes = verdict(tmp_path, ignore, result, offline_skip=True)
    assert len(errors) == 0
    assert [w.split(":")[0] for w in warnings[1:]] == ["stale entry nlu", "stale entry nlu"]
    assert "pyyaml GHSA-0000-0000-0000: no longer reported" in warnings[1]
    assert "flask is not in nlu/uv.lock" in warnings[2]
    assert "not confirmed nlu: sanic-cors GHSA-94jw-hqvj-vw74: the package could not be checked here" in notes


@pytest.mark.parametrize(("ignore", "problem"), [
    (entry(reason=None), "entry 1 (GHSA-jw8x-6495-233v): no reason"),
    (entry(reason="  "), "reason must be a non-empty string"),
    (entry(reviewed_by=None), "no reviewed_by"),
    (entry(review_by=None), "no review_by"),
    (entry(review_by="2027-01-31"), "review_by must be a TOML date without quotes"),
    (entry(review_by=dt.date(2028, 1, 1)), "more than a year away"),
    (entry(environment="rasa"), "environment must be one of main, nlu"),
    (entry(reviwed_by="typo"), "unknown key 'reviwed_by'"),
    (entry(aliases="CVE-2024-5206"), "aliases must be a list of ids"),
    (entry() + entry(), "entry 2 (GHSA-jw8x-6495-233v): listed twice for nlu"),
    ("[[vulnerability]\n", "not valid TOML"),
    ("ignore = []\n", "unknown top-level key 'ignore'"),
    ("vulnerability = [1]\n", "entry 1: not a [[vulnerability]] table"),
])
def test_a_careless_entry_fails_the_audit(tmp_path: Path, ignore: str, problem: str) -> None:
    errors, _, _ = verdict(tmp_path, ignore, parse_pip_audit("nlu", pip_audit()))
    assert any(problem in e for e in errors), errors


def test_packages_not_checked_fail_unless_that_is_accepted(tmp_path: Path) -> None:
    result = parse_pip_audit("nlu", NLU)
    errors, _, _ = verdict(tmp_path, entry(), result)
    [error] = errors
    assert "nlu (nlu/uv.lock): 1 packages not checked" in error and "sanic-cors 2.0.1" in error
    assert f"{OFFLINE_VARIABLE}=skip" in error
    errors, warnings, _ = verdict(tmp_path, entry(), result, offline_skip=True)
    assert errors == [] and "sanic-cors 2.0.1" in warnings[0]
    failed = Result("main", failure="ConnectionError: pypi.org")
    errors, _, _ = verdict(tmp_path, "", failed)
    assert errors[0].startswith("main (uv.lock): nothing checked, the vulnerability service could not be "
                                "reached (pip-audit: ConnectionError: pypi.org)")


def test_a_package_at_its_latest_release_is_checked_from_the_project_page() -> None:
    records = [
        {"id": "GHSA-94jw-hqvj-vw74", "aliases": ["CVE-2026-37737"], "fixed_in": [], "details": "unanchored"},
        {"id": "PYSEC-2026-3539", "aliases": ["CVE-2026-37737", "GHSA-94jw-hqvj-vw74"], "fixed_in": [],
         "details": "unanchored"},
        {"id": "GHSA-gone-gone-gone", "aliases": [], "fixed_in": ["9"], "withdrawn": "2026-01-01T00:00:00Z"},
    ]
    pages = {"sanic-cors": Latest("2.0.1", tuple(records)), "aiohttp": Latest("3.14.5", ())}
    result = parse_pip_audit("nlu", pip_audit(skipped("sanic-cors", "2.0.1"), skipped("aiohttp", "3.9.5"),
                                              skipped("tensorflow", "2.12.0")))
    result = from_latest(result, pages.get)
    assert result.audited == {"sanic-cors"}
    [vuln] = result.vulnerabilities                      # the PYSEC record is the GHSA's alias: one
    assert vuln.id == "GHSA-94jw-hqvj-vw74" and vuln.aliases == {"CVE-2026-37737", "PYSEC-2026-3539"}
    assert [(s.package, s.reason.startswith("older than the latest")) for s in result.skipped] == [
        ("aiohttp", True), ("tensorflow", False)]


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ignore: str, results: Mapping[str, Any],
        offline: str | None = None) -> int:
    folder = tmp_path / "results"
    folder.mkdir()
    for name, data in results.items():
        (folder / name).write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    (tmp_path / "audit-ignore.toml").write_text(ignore, encoding="utf-8")
    if offline is None:
        monkeypatch.delenv(OFFLINE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(OFFLINE_VARIABLE, offline)
    pages = {"sanic-cors": Latest("2.0.1", ())}
    return main(["--results", str(folder), "--ignore-file", str(tmp_path / "audit-ignore.toml"),
                 "--today", TODAY.isoformat()], latest=pages.get)


def test_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    results = {"main.json": pip_audit({"name": "jinja2", "version": "3.1.6", "vulns": []}), "nlu.json": NLU}
    assert run(tmp_path, monkeypatch, entry(), results) == 0
    out = capsys.readouterr().out
    assert "nlu (nlu/uv.lock): 3 packages checked, 0 not checked, 1 known vulnerabilities" in out
    assert out.rstrip().endswith("dependency audit ok: 0 error(s), 0 warning(s)")


def test_the_command_without_an_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    results = {"main.err": "Traceback ...\nrequests.exceptions.ConnectionError: pypi.org", "nlu.json": NLU}
    assert run(tmp_path, monkeypatch, entry(), results) == 1
    out = capsys.readouterr().out
    assert "error: main (uv.lock): nothing checked, the vulnerability service could not be reached " \
           "(pip-audit: requests.exceptions.ConnectionError: pypi.org)" in out
    for name in ("again", "third"):
        (tmp_path / name).mkdir()
    assert run(tmp_path / "again", monkeypatch, entry(), results, offline="skip") == 0
    assert "warning: main (uv.lock): nothing checked" in capsys.readouterr().out
    assert run(tmp_path / "third", monkeypatch, entry(), results, offline="maybe") == 2


def test_the_reviewed_ignore_file_is_well_formed() -> None:
    entries, problems = load_ignore_file(ROOT / "audit-ignore.toml", dt.date.today())
    assert problems == []
    assert entries and all(e.reason and e.reviewed_by for e in entries)
    sklearn = next(e for e in entries if e.package == "scikit-learn")
    assert "mitigated" in sklearn.reason and "nlu/tests/test_stop_words.py" in sklearn.reason   # the test behind it
    assert (ROOT / "nlu" / "tests" / "test_stop_words.py").exists()
