"""`helpline rates update` and the key-rate table: the committed table is legal-facts.md §15, and
the update reads the Bank of Russia's DailyInfo KeyRate answer through the real httpx client from
a real HTTP server on loopback. The answer it serves (tests/fixtures/cbr/keyrate_answer.xml) is
built from the documented shape, not recorded: there is no internet here."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.calc import cbr
from bot.calc.compensation import compensation
from bot.calc.key_rates import KeyRates, Rate, load_key_rates
from bot.calc.rates_update import Refused, merge, update
from bot.cli import main
from bot.devtools.ports import free_port
from bot.settings import ROOT

D = dt.date
TODAY = D(2026, 12, 7)
ANSWER = (Path(__file__).parent / "fixtures" / "cbr" / "keyrate_answer.xml").read_bytes()
# legal-facts.md §15, "Key-rate history", as the sheet writes it
SECTION_15 = ("28.02.2022 20; 11.04.2022 17; 04.05.2022 14; 27.05.2022 11; 14.06.2022 9.5; 25.07.2022 8; "
              "19.09.2022 7.5; 24.07.2023 8.5; 15.08.2023 12; 18.09.2023 13; 30.10.2023 15; 18.12.2023 16; "
              "29.07.2024 18; 16.09.2024 19; 28.10.2024 21; 09.06.2025 20; 28.07.2025 18; 15.09.2025 17; "
              "27.10.2025 16.5; 22.12.2025 16; 16.02.2026 15.5")
HISTORY = [(dt.datetime.strptime(day, "%d.%m.%Y").date(), Decimal(rate))
           for day, rate in (item.split() for item in SECTION_15.split("; "))]
RECALLED = "from Bank of Russia press releases as recalled, not re-read"


@dataclass
class FakeBank:
    """A DailyInfo service on loopback: answers every POST with `status` and `body`, keeps the requests."""

    url: str
    status: int = 200
    body: bytes = ANSWER
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def bank() -> Iterator[FakeBank]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            fake.requests.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(fake.status)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(fake.body)))
            self.end_headers()
            self.wfile.write(fake.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeBank(f"http://127.0.0.1:{server.server_port}/DailyInfoWebServ/DailyInfo.asmx")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A content folder holding a copy of the committed key-rate table, and the CLI pointed at it."""
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(ROOT / "content" / "key_rates.yml", folder / "key_rates.yml")
    monkeypatch.setenv("HELPLINE_CONTENT_DIR", str(folder))
    monkeypatch.delenv("HELPLINE_CHECK_LANGUAGE", raising=False)
    return folder


def table(folder: Path) -> Path:
    return folder / "key_rates.yml"


def answer(*rows: tuple[str, str]) -> bytes:
    """A KeyRate answer in the documented shape with these (DT, Rate) rows."""
    kr = "".join(f"<KR><DT>{when}</DT><Rate>{rate}</Rate></KR>" for when, rate in rows)
    return (b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
            b'envelope/"><soap:Body><KeyRateResponse xmlns="http://web.cbr.ru/"><KeyRateResult><diffgr:diffgram '
            b'xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><KeyRate xmlns="">' + kr.encode()
            + b"</KeyRate></diffgr:diffgram></KeyRateResult></KeyRateResponse></soap:Body></soap:Envelope>")


# ---------------------------------------------------------------- the committed table


def test_the_committed_table_is_section_15_with_honest_sources() -> None:
    rates, problems = load_key_rates(ROOT / "content")
    assert rates is not None, problems
    assert [(rate.start, rate.percent) for rate in rates.rates] == HISTORY
    assert rates.checked_on == D(2026, 3, 6) and rates.confirm_at == "https://www.cbr.ru/hd_base/KeyRate/"
    found = {rate.start: rate for rate in rates.rates if rate.source}
    assert sorted(found) == [D(2022, 2, 28), D(2022, 9, 19), D(2024, 10, 28), D(2025, 9, 15), D(2026, 2, 16)]
    assert all(rate.confidence == "medium" for rate in found.values())
    recalled = [rate for rate in rates.rates if not rate.source]
    assert len(recalled) == 16
    assert all(rate.note == RECALLED and rate.confidence == "low" for rate in recalled)
    assert not [rate for rate in rates.rates if "cbr.ru" in rate.source]     # nothing was read there


def test_compensation_across_four_rates_with_the_committed_table() -> None:
    rates, _ = load_key_rates(ROOT / "content")
    assert rates is not None
    result = compensation(Decimal("50000"), D(2025, 10, 15), D(2026, 3, 6), rates)
    assert [(p.first, p.last, p.days, p.percent) for p in result.periods] == [
        (D(2025, 10, 16), D(2025, 10, 26), 11, Decimal(17)),
        (D(2025, 10, 27), D(2025, 12, 21), 56, Decimal("16.5")),
        (D(2025, 12, 22), D(2026, 2, 15), 56, Decimal(16)),
        (D(2026, 2, 16), D(2026, 3, 6), 19, Decimal("15.5")),
    ]
    # 623.33 + 3 080.00 + 2 986.67 + 981.67
    assert result.total == Decimal("7671.67")


@pytest.mark.parametrize(("row", "complaint"), [
    ("    percent: 15.5\n    confidence: low\n", "every rate needs a source address or a note"),
    ("    percent: 15.5\n    source: cbr.ru\n    confidence: high\n", "source must be a web address"),
    ("    percent: 15.5\n    note: recalled\n    confidence: sure\n", "'confidence' is 'sure'"),
    ("    percent: 15.5\n    note: recalled\n    confidence: low\n    sorce: x\n", "'sorce' is not a known key"),
])
def test_a_rate_without_honest_provenance_names_the_line(tmp_path: Path, row: str, complaint: str) -> None:
    (tmp_path / "key_rates.yml").write_text(f"checked_on: 2026-03-06\nrates:\n  - from: 2026-02-16\n{row}")
    rates, problems = load_key_rates(tmp_path)
    assert rates is None and [p.line for p in problems if complaint in p.what] != []


# ---------------------------------------------------------------- reading the answer


def test_the_answer_compresses_into_change_days() -> None:
    days = cbr.parse(ANSWER)
    assert days[0] == cbr.Day(D(2022, 2, 14), Decimal("9.50")) and days[-1].day == D(2026, 12, 4)
    # the fixture's days before 28.02.2022 and its change on 27.04.2026 are invented for the test
    assert [(d.day, d.percent) for d in cbr.changes(days)] == [
        (D(2022, 2, 14), Decimal("9.5")), *HISTORY, (D(2026, 4, 27), Decimal("15.25"))]


def test_the_request_is_the_documented_soap_call() -> None:
    body = ElementTree.fromstring(cbr.request_body(D(2022, 2, 13), TODAY))
    call = body.find(".//{http://web.cbr.ru/}KeyRate")
    assert call is not None
    assert [(child.tag, child.text) for child in call] == [
        ("{http://web.cbr.ru/}fromDate", "2022-02-13T00:00:00"), ("{http://web.cbr.ru/}ToDate", "2026-12-07T00:00:00")]


# ---------------------------------------------------------------- updating the table


def test_update_shows_the_changes_and_writes_the_table(content: Path, bank: FakeBank) -> None:
    before = table(content).read_text(encoding="utf-8")
    done = update(content, today=TODAY, url=bank.url)
    headers, body = bank.requests[0]
    assert headers["SOAPAction"] == '"http://web.cbr.ru/KeyRate"' and headers["Content-Type"].startswith("text/xml")
    assert b"<fromDate>2022-02-13T00:00:00</fromDate><ToDate>2026-12-07T00:00:00</ToDate>" in body   # 15 days back
    report = done.report("content/key_rates.yml", TODAY)
    assert report[1:] == ["+ 2026-04-27  15.25 %  added", "1 added, 0 changed, 0 removed, 21 confirmed, 0 kept",
                          "wrote content/key_rates.yml (checked_on: 2026-12-07)"]
    after = table(content).read_text(encoding="utf-8")
    header = before[:before.index("checked_on:")]
    assert after.startswith(header + "checked_on: 2026-12-07 ")
    rates, problems = load_key_rates(content)
    assert rates is not None, problems
    assert [(r.start, r.percent) for r in rates.rates] == [*HISTORY, (D(2026, 4, 27), Decimal("15.25"))]
    assert rates.checked_on == TODAY and {r.source for r in rates.rates} == {bank.url}
    assert {r.confidence for r in rates.rates} == {"medium"}          # a test server is not the Bank of Russia
    first = rates.rates[0].note
    assert first.startswith(f"read from the Bank of Russia's DailyInfo service (KeyRate) on {TODAY}")
    assert "; before that the table had 20 % (https://grodno24.com/" in first    # where the line came from
    # run again: every line is now the service's and is copied as it is
    again = update(content, today=TODAY, url=bank.url)
    assert table(content).read_text(encoding="utf-8") == after and again.report("x", TODAY)[1] == \
        "0 added, 0 changed, 0 removed, 22 confirmed, 0 kept"


def test_changed_removed_and_kept_lines(content: Path, bank: FakeBank) -> None:
    text = table(content).read_text(encoding="utf-8").replace("percent: 16.5\n", "percent: 16.75\n")
    text = text.replace("  - from: 2024-07-29\n", "  - from: 2024-01-15\n    percent: 12\n    note: a typo\n"
                                                  "    confidence: low\n  - from: 2024-07-29\n")
    future = "  - from: 2027-01-11   # announced, not yet in force\n    percent: 14\n    note: x\n    confidence: low\n"
    table(content).write_text(text + future, encoding="utf-8")
    done = update(content, today=TODAY, url=bank.url)
    assert done.report("content/key_rates.yml", TODAY)[1:-1] == [
        "- 2024-01-15  12 %  removed: the Bank of Russia's rate did not change then",
        "~ 2025-10-27  16.75 % -> 16.5 %  changed",
        "+ 2026-04-27  15.25 %  added",
        "= 2027-01-11  14 %  kept: after 2026-12-04, the last day the service returned",
        "1 added, 1 changed, 1 removed, 20 confirmed, 1 kept"]
    written = table(content).read_text(encoding="utf-8")
    assert written.endswith(future) and "2024-01-15" not in written
    assert f"; before that the table had 16.75 % ({RECALLED})" in written


def test_a_first_line_where_the_rate_did_not_change_stays_with_a_note() -> None:
    rates = KeyRates((Rate(D(2022, 3, 9), Decimal(20), "", "recalled", "low"),), checked_on=D(2026, 3, 6))
    rows, lines = merge(rates, {}, cbr.parse(ANSWER), start=D(2022, 3, 9), today=TODAY, url=cbr.OFFICIAL)
    assert (lines[0].kind, lines[0].day, lines[1].kind, lines[1].day) == (
        "confirmed", D(2022, 3, 9), "added", D(2022, 4, 11))
    assert "in force on this day, where the table starts (it took effect on this day or earlier)" in rows[0].block
    assert "confidence: high" in rows[0].block                       # read from the Bank of Russia itself


def test_dry_run_writes_nothing(content: Path, bank: FakeBank, capsys: pytest.CaptureFixture[str]) -> None:
    before = table(content).read_bytes()
    assert main(["rates", "update", "--dry-run", "--url", bank.url]) == 0
    out = capsys.readouterr().out
    assert "+ 2026-04-27  15.25 %  added" in out and out.rstrip().endswith("dry run: nothing was written")
    assert table(content).read_bytes() == before and sorted(p.name for p in content.iterdir()) == ["key_rates.yml"]


def test_the_command_writes_with_todays_date(content: Path, bank: FakeBank,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rates", "update", "--url", bank.url]) == 0
    assert f"wrote content/key_rates.yml (checked_on: {dt.date.today()})" in capsys.readouterr().out
    rates, problems = load_key_rates(content)
    assert rates is not None and rates.checked_on == dt.date.today(), problems


BAD_ANSWERS = {
    "truncated": (200, ANSWER[:5000], "not well-formed XML"),
    "no rows": (200, answer(), "no key-rate rows"),
    "a rate out of range": (200, answer(("2026-12-04T00:00:00+03:00", "155.00"),
                                        ("2022-02-14T00:00:00+03:00", "9.50")), "outside 1-50 %"),
    "dates out of order": (200, answer(("2026-12-04T00:00:00+03:00", "15.50"), ("2022-02-14T00:00:00+03:00", "9.50"),
                                       ("2024-01-10T00:00:00+03:00", "16.00")), "out of order"),
    "a repeated date": (200, answer(("2022-02-14T00:00:00+03:00", "9.50"),
                                    ("2022-02-14T00:00:00+03:00", "9.50")), "out of order or repeated"),
    "a date that is not one": (200, answer(("14.02.2022", "9.50")), "is not a date"),
    "a SOAP fault": (500, b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                          b"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process "
                          b"request.</faultstring></soap:Fault></soap:Body></soap:Envelope>",
                     "answered HTTP 500: Server was unable to process request."),
    "a web page": (200, b"<html><body>Maintenance</body></html>", "no KeyRateResult"),
    "a DTD": (200, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DOCTYPE"),
    "history from 2023 only": (200, answer(("2023-01-09T00:00:00+03:00", "7.50")),
                               "returned rates from 2023-01-09 only"),
}


@pytest.mark.parametrize("case", BAD_ANSWERS)
def test_an_answer_it_cannot_trust_changes_nothing(content: Path, bank: FakeBank, case: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bank.status, bank.body, message = BAD_ANSWERS[case]
    before = table(content).read_bytes()
    assert main(["rates", "update", "--url", bank.url]) == 1
    err = capsys.readouterr().err
    assert message in err and err.rstrip().endswith("content/key_rates.yml was not changed")
    assert table(content).read_bytes() == before and sorted(p.name for p in content.iterdir()) == ["key_rates.yml"]


def test_a_table_wrong_before_the_day_asked_from_is_refused(content: Path, bank: FakeBank) -> None:
    text = table(content).read_text(encoding="utf-8")
    table(content).write_text(text.replace("percent: 16\n", "percent: 16.25\n"), encoding="utf-8")
    before = table(content).read_bytes()
    with pytest.raises(Refused, match=r"the table has 16.25 % on 2026-02-13 .* --from 2025-12-22 or earlier"):
        update(content, today=TODAY, url=bank.url, start=D(2026, 2, 16))
    assert table(content).read_bytes() == before


def test_lines_before_the_day_asked_from_are_kept(content: Path, bank: FakeBank) -> None:
    before = table(content).read_text(encoding="utf-8")
    done = update(content, today=TODAY, url=bank.url, start=D(2025, 10, 27))
    assert done.report("x", TODAY)[-2] == "1 added, 0 changed, 0 removed, 3 confirmed, 18 kept"
    assert "= 2025-09-15  17 %  kept: before 2025-10-27, not asked for" in done.report("x", TODAY)
    kept = before[before.index("  - from: 2022-02-28"):before.index("  - from: 2025-10-27")]
    assert kept in table(content).read_text(encoding="utf-8")      # character for character


def test_without_network_it_says_so_and_changes_nothing(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = table(content).read_bytes()
    closed = f"http://127.0.0.1:{free_port()}/DailyInfoWebServ/DailyInfo.asmx"     # nothing listens there
    assert main(["rates", "update", "--url", closed, "--timeout", "5"]) == 1
    err = capsys.readouterr().err
    assert f"cannot reach {closed} (ConnectError" in err and "is this computer online?" in err
    assert table(content).read_bytes() == before


def test_a_broken_table_is_not_updated(content: Path, bank: FakeBank, capsys: pytest.CaptureFixture[str]) -> None:
    table(content).write_text("checked_on: 2026-03-06\nrates:\n  - from: 2026-02-16\n    percent: lots\n")
    assert main(["rates", "update", "--url", bank.url]) == 1
    err = capsys.readouterr().err
    assert "key_rates.yml:4: error: percent 'lots' is not a rate" in err and bank.requests == []
