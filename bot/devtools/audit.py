"""The dependency audit behind scripts/audit: pip-audit's findings for both lock files, judged
against the reviewed ignore file (audit-ignore.toml at the top of the checkout).

scripts/audit exports each lock file, runs pip-audit on it and leaves DIR/main.json and
DIR/nlu.json (with pip-audit's stderr beside them as .err); `python -m bot.devtools.audit
--results DIR` then decides. It fails on a known vulnerability that no entry lists, on an entry
without a reason, a reviewer or a review date, and on an entry whose review date has passed; an
entry that no longer matches anything is a warning (remove it). A package whose locked version
could not be checked at all fails the audit too, unless HELPLINE_AUDIT_OFFLINE=skip.

pip-audit asks PyPI about each locked version (/pypi/NAME/VERSION/json). Where only the
project pages answer (/pypi/NAME/json, as behind a registry mirror), pip-audit reports every
package as "not found"; the project page still carries the vulnerabilities of the latest
release, so a package locked at its latest release is checked from there (`from_latest`).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import functools
import json
import os
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from packaging.version import InvalidVersion, Version

ENVIRONMENTS = {"main": "uv.lock", "nlu": "nlu/uv.lock"}
OFFLINE_VARIABLE = "HELPLINE_AUDIT_OFFLINE"
IGNORE_FILE = "audit-ignore.toml"
REQUIRED_KEYS = ("id", "package", "environment", "reason", "reviewed_by", "review_by")
OPTIONAL_KEYS = ("aliases",)
LONGEST_REVIEW = dt.timedelta(days=366)
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"


def canonical(name: str) -> str:
    """PEP 503 normalised package name: 'Scikit_Learn' and 'scikit-learn' are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Vulnerability:
    environment: str
    package: str
    version: str
    id: str
    aliases: frozenset[str]
    fix_versions: tuple[str, ...]
    description: str

    @property
    def names(self) -> frozenset[str]:
        return self.aliases | {self.id}

    def title(self) -> str:
        also = f" (also {', '.join(sorted(self.aliases))})" if self.aliases else ""
        return f"{self.environment}: {self.package} {self.version} {self.id}{also}"


@dataclass(frozen=True)
class Entry:
    id: str
    aliases: frozenset[str]
    package: str
    environment: str
    reason: str
    reviewed_by: str
    review_by: dt.date

    @property
    def names(self) -> frozenset[str]:
        return self.aliases | {self.id}

    def matches(self, vulnerability: Vulnerability) -> bool:
        return (self.environment == vulnerability.environment
                and canonical(self.package) == canonical(vulnerability.package)
                and bool(self.names & vulnerability.names))


@dataclass(frozen=True)
class Skipped:
    package: str
    version: str | None
    reason: str


@dataclass
class Result:
    """What is known about one environment's lock file after pip-audit (and `from_latest`)."""

    environment: str
    audited: set[str] = field(default_factory=set)   # canonical names of the packages checked
    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failure: str | None = None   # pip-audit gave no answer at all: nothing in it was checked


@dataclass(frozen=True)
class Latest:
    """The latest release of a project and the vulnerabilities PyPI lists for it."""

    version: str
    vulnerabilities: tuple[Mapping[str, Any], ...]


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _skipped_version(dependency: Mapping[str, Any]) -> str | None:
    if dependency.get("version"):
        return str(dependency["version"])
    # pip-audit leaves the version out of a skipped dependency, but names it: "... aiofiles (25.1.0)"
    found = re.search(r"\(([^()\s]+)\)\s*$", str(dependency.get("skip_reason", "")))
    return found.group(1) if found else None


def parse_pip_audit(environment: str, data: Mapping[str, Any]) -> Result:
    """pip-audit's JSON (`--format json`) for one lock file."""
    result = Result(environment)
    for dependency in data["dependencies"]:
        name = str(dependency["name"])
        if "skip_reason" in dependency:
            # "Dependency not found on PyPI and could not be audited: aiofiles (25.1.0)": the
            # reason without the package, so one line can say it for all of them
            reason = re.sub(r":[^:]*\([^()]*\)\s*$", "", str(dependency["skip_reason"])).strip()
            result.skipped.append(Skipped(name, _skipped_version(dependency), reason))
            continue
        result.audited.add(canonical(name))
        for vuln in dependency.get("vulns", []):
            result.vulnerabilities.append(Vulnerability(
                environment, name, str(dependency["version"]), str(vuln["id"]),
                frozenset(str(a) for a in vuln.get("aliases") or []),
                tuple(str(v) for v in vuln.get("fix_versions") or []),
                str(vuln.get("description") or ""),
            ))
    return result


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _from_pypi(environment: str, package: str, version: str,
               records: Iterable[Mapping[str, Any]]) -> list[Vulnerability]:
    """PyPI's vulnerability records, one per vulnerability: a PYSEC record and the GHSA it is an
    alias of are one (as pip-audit merges them); withdrawn records are left out."""
    found: list[Vulnerability] = []
    for record in records:
        if record.get("withdrawn"):
            continue
        vuln = Vulnerability(
            environment, package, version, str(record["id"]),
            frozenset(str(a) for a in record.get("aliases") or []),
            tuple(str(v) for v in record.get("fixed_in") or []),
            str(record.get("details") or record.get("summary") or ""),
        )
        same = next((i for i, known in enumerate(found) if known.names & vuln.names), None)
        if same is None:
            found.append(vuln)
        else:
            known = found[same]
            found[same] = Vulnerability(
                environment, package, version, known.id, (known.names | vuln.names) - {known.id},
                tuple(dict.fromkeys(known.fix_versions + vuln.fix_versions)), known.description,
            )
    return found


def from_latest(result: Result, latest: Callable[[str], Latest | None]) -> Result:
    """Check what pip-audit skipped from the project pages: exact for a package locked at its
    latest release; any other stays skipped, saying why."""
    skipped: list[Skipped] = []
    for skip in result.skipped:
        release = latest(skip.package) if skip.version else None
        if release is None or skip.version is None:
            skipped.append(skip)
        elif not _same_version(release.version, skip.version):
            skipped.append(Skipped(skip.package, skip.version, "older than the latest release, the only "
                                   "one whose vulnerabilities PyPI's project page lists"))
        else:
            result.audited.add(canonical(skip.package))
            result.vulnerabilities.extend(_from_pypi(result.environment, skip.package, skip.version,
                                                     release.vulnerabilities))
    result.skipped = skipped
    return result


def load_ignore_file(path: Path, today: dt.date) -> tuple[list[Entry], list[str]]:
    """The reviewed entries, and every problem with the file (each one fails the audit)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], [f"{path.name}: missing (an empty file, or one with only comments, lists nothing)"]
    except tomllib.TOMLDecodeError as exc:
        return [], [f"{path.name}: not valid TOML: {exc}"]
    problems = [f"{path.name}: unknown top-level key {key!r} (entries are [[vulnerability]] tables)"
                for key in data if key != "vulnerability"]
    tables = data.get("vulnerability", [])
    if not isinstance(tables, list):
        return [], [*problems, f"{path.name}: 'vulnerability' must be [[vulnerability]] tables"]
    entries: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for number, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            problems.append(f"{path.name}, entry {number}: not a [[vulnerability]] table")
            continue
        where = f"{path.name}, entry {number}" + (f" ({table['id']})" if isinstance(table.get("id"), str) else "")
        wrong = [f"{where}: unknown key {key!r}" for key in table if key not in REQUIRED_KEYS + OPTIONAL_KEYS]
        for key in REQUIRED_KEYS:
            value = table.get(key)
            if key == "review_by":
                if value is None:
                    wrong.append(f"{where}: no review_by (the date to look again, e.g. review_by = 2027-03-01)")
                elif not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                    wrong.append(f"{where}: review_by must be a TOML date without quotes, e.g. 2027-03-01")
                elif value - today > LONGEST_REVIEW:
                    wrong.append(f"{where}: review_by {value} is more than a year away")
            elif not isinstance(value, str) or not value.strip():
                wrong.append(f"{where}: no {key}" if value is None else f"{where}: {key} must be a non-empty string")
        if isinstance(table.get("environment"), str) and table["environment"] not in ENVIRONMENTS:
            wrong.append(f"{where}: environment must be one of {', '.join(ENVIRONMENTS)}")
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            wrong.append(f"{where}: aliases must be a list of ids")
        if not wrong:
            listed = (table["environment"], table["id"])
            if listed in seen:
                wrong.append(f"{where}: listed twice for {table['environment']}")
            seen.add(listed)
        if wrong:
            problems.extend(wrong)
            continue
        entries.append(Entry(table["id"], frozenset(aliases), table["package"], table["environment"],
                             table["reason"].strip(), table["reviewed_by"].strip(), table["review_by"]))
    return entries, problems


def _summary(vuln: Vulnerability) -> str:
    fixed = f"fixed in {', '.join(vuln.fix_versions)}" if vuln.fix_versions else "no fixed version"
    text = " ".join(vuln.description.split())
    return f"{fixed}; {text[:300]}{'...' if len(text) > 300 else ''}"


def judge(results: Sequence[Result], entries: Sequence[Entry], problems: Sequence[str],
          today: dt.date, offline_skip: bool) -> Report:
    report = Report(errors=list(problems))
    used: set[Entry] = set()
    for result in results:
        lock = ENVIRONMENTS[result.environment]
        for vuln in result.vulnerabilities:
            listed = [e for e in entries if e.matches(vuln)]
            used.update(listed)
            if not listed:
                report.errors.append(f"{vuln.title()}: not listed in {IGNORE_FILE}. Upgrade it, or add an "
                                     f"entry saying why it does not apply here ({_summary(vuln)})")
            elif any(e.review_by < today for e in listed):
                report.errors.append(f"{vuln.title()}: its {IGNORE_FILE} entry was due for review on "
                                     f"{min(e.review_by for e in listed)}: look again, then upgrade or renew it")
            else:
                report.notes.append(f"ignored {vuln.title()}: listed until {min(e.review_by for e in listed)}")
        if result.failure is not None:
            line = (f"{result.environment} ({lock}): nothing checked, the vulnerability service could not be "
                    f"reached (pip-audit: {result.failure})")
        elif result.skipped:
            reasons = "; ".join(sorted({s.reason for s in result.skipped}))
            line = (f"{result.environment} ({lock}): {len(result.skipped)} packages not checked ({reasons}): "
                    + ", ".join(f"{s.package} {s.version or '?'}" for s in result.skipped))
        else:
            continue
        if offline_skip:
            report.warnings.append(f"{line} [{OFFLINE_VARIABLE}=skip]")
        else:
            report.errors.append(f"{line}. Set {OFFLINE_VARIABLE}=skip to pass without checking them")
    by_environment = {r.environment: r for r in results}
    for entry in entries:
        if entry in used:
            continue
        checked = by_environment.get(entry.environment)
        name = canonical(entry.package)
        if checked is None or checked.failure is not None or any(canonical(s.package) == name for s in checked.skipped):
            if entry.review_by < today:   # unconfirmed is no reason to let the date pass unseen
                report.errors.append(f"{entry.environment}: {entry.package} {entry.id}: its {IGNORE_FILE} "
                                     f"entry was due for review on {entry.review_by}: look again, then renew "
                                     f"or remove it")
            else:
                report.notes.append(f"not confirmed {entry.environment}: {entry.package} {entry.id}: "
                                    f"the package could not be checked here")
        elif name in checked.audited:
            report.warnings.append(f"stale entry {entry.environment}: {entry.package} {entry.id}: no longer "
                                   f"reported; remove it from {IGNORE_FILE}")
        else:
            report.warnings.append(f"stale entry {entry.environment}: {entry.package} {entry.id}: "
                                   f"{entry.package} is not in {ENVIRONMENTS[entry.environment]}; remove it")
    return report


def read_results(directory: Path) -> list[Result]:
    results = []
    for environment in ENVIRONMENTS:
        found = directory / f"{environment}.json"
        try:
            results.append(parse_pip_audit(environment, json.loads(found.read_text(encoding="utf-8"))))
        except (FileNotFoundError, json.JSONDecodeError, KeyError) as exc:
            errors = directory / f"{environment}.err"
            lines = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines() if errors.exists() else []
            why = lines[-1] if lines else f"no usable result ({type(exc).__name__})"
            results.append(Result(environment, failure=why[:300]))
    return results


def pypi_latest(client: httpx.Client, name: str) -> Latest | None:
    """The project's page on PyPI (network); None when it does not answer."""
    try:
        response = client.get(PYPI_PROJECT.format(name=name))
        response.raise_for_status()
        data = response.json()
        return Latest(str(data["info"]["version"]), tuple(data.get("vulnerabilities") or ()))
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def _ask(wanted: Iterable[str], latest: Callable[[str], Latest | None] | None) -> dict[str, Latest | None]:
    """Each package's project page, once and in parallel (one client: a new TLS connection per
    request made this seven times slower)."""
    names = sorted(set(wanted))
    with contextlib.ExitStack() as stack:
        if latest is None:
            client = stack.enter_context(httpx.Client(timeout=30, follow_redirects=True,
                                                      limits=httpx.Limits(max_connections=16)))
            latest = functools.partial(pypi_latest, client)
        pool = stack.enter_context(concurrent.futures.ThreadPoolExecutor(16))
        return dict(zip(names, pool.map(latest, names), strict=True))


def main(argv: Sequence[str] | None = None, latest: Callable[[str], Latest | None] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.devtools.audit",
                                     description="Judge pip-audit's results against audit-ignore.toml.")
    parser.add_argument("--results", type=Path, required=True, help="folder with pip-audit's main.json, nlu.json")
    parser.add_argument("--ignore-file", type=Path, default=Path(IGNORE_FILE))
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)
    mode = os.environ.get(OFFLINE_VARIABLE, "") or "fail"
    if mode not in ("fail", "skip"):
        print(f"{OFFLINE_VARIABLE}={mode!r}: use 'skip' (pass when packages cannot be checked) or 'fail'")
        return 2
    results = read_results(args.results)
    answers = _ask((s.package for r in results for s in r.skipped if s.version), latest)
    results = [from_latest(r, answers.__getitem__) if r.skipped else r for r in results]
    entries, problems = load_ignore_file(args.ignore_file, args.today)
    report = judge(results, entries, problems, args.today, offline_skip=mode == "skip")
    for result in results:
        if result.failure is None:  # a failure is among the errors or warnings
            print(f"{result.environment} ({ENVIRONMENTS[result.environment]}): {len(result.audited)} packages "
                  f"checked, {len(result.skipped)} not checked, {len(result.vulnerabilities)} known vulnerabilities")
    for line in report.notes:
        print(f"  {line}")
    for line in report.warnings:
        print(f"warning: {line}")
    for line in report.errors:
        print(f"error: {line}")
    verdict = "FAILED" if report.errors else "ok"
    print(f"dependency audit {verdict}: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
