"""The Bank of Russia's key-rate history, read from its DailyInfo web service (method KeyRate).

The request is SOAP 1.1: a POST of `text/xml` with the header SOAPAction "http://web.cbr.ru/KeyRate"
and the body `<KeyRate xmlns="http://web.cbr.ru/"><fromDate>…</fromDate><ToDate>…</ToDate></KeyRate>`
(both xsd:dateTime). The answer is a .NET DataSet: `KeyRateResponse/KeyRateResult` holds an
`xs:schema` and a `diffgr:diffgram` whose `<KeyRate xmlns="">` has one `<KR>` row per day, with
`<DT>` (2026-02-16T00:00:00+03:00) and `<Rate>` (15.50). The service lists working days, newest
first; this module accepts either order but not a mix, and compresses the days into the days
the rate changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from xml.etree import ElementTree

import httpx

OFFICIAL = "https://www.cbr.ru/DailyInfoWebServ/DailyInfo.asmx"
SOAP_ACTION = "http://web.cbr.ru/KeyRate"
_CBR = "{http://web.cbr.ru/}"
_DIFFGRAM = "{urn:schemas-microsoft-com:xml-diffgram-v1}"
# No key rate has been outside this (4.25 % to 21 % since 2013, 17 % in December 2014): a value
# outside it is more likely a misread answer than a decision, so it is refused, not written.
LOWEST, HIGHEST = Decimal(1), Decimal(50)


class KeyRateError(Exception):
    """The history could not be read; the message says why, for the person running the command."""


class Unreachable(KeyRateError):
    """No answer at all: no network, the address is wrong, or the service is down."""


class BadAnswer(KeyRateError):
    """An answer that cannot be trusted as the key-rate history."""


@dataclass(frozen=True)
class Day:
    day: dt.date
    percent: Decimal


def request_body(start: dt.date, end: dt.date) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        '<soap:Body><KeyRate xmlns="http://web.cbr.ru/">'
        f"<fromDate>{start.isoformat()}T00:00:00</fromDate><ToDate>{end.isoformat()}T00:00:00</ToDate>"
        "</KeyRate></soap:Body></soap:Envelope>"
    ).encode()


def fetch(url: str, start: dt.date, end: dt.date, *, timeout: float) -> bytes:
    """The service's answer for the days from `start` to `end`."""
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"'}
    try:
        response = httpx.post(url, content=request_body(start, end), headers=headers, timeout=timeout)
    except httpx.TransportError as error:
        raise Unreachable(f"cannot reach {url} ({type(error).__name__}: {error or 'no details'}); "
                          "is this computer online?") from error
    if response.status_code != httpx.codes.OK:
        try:
            fault = _fault(_root(response.content))
        except BadAnswer:
            fault = ""
        raise BadAnswer(f"{url} answered HTTP {response.status_code}{fault}")
    return response.content


def parse(body: bytes) -> list[Day]:
    """The days in a KeyRate answer, oldest first."""
    root = _root(body)
    fault = _fault(root)
    if fault:
        raise BadAnswer(f"the service answered with an error{fault}")
    result = root.find(f".//{_CBR}KeyRateResult")
    if result is None:
        raise BadAnswer("the answer has no KeyRateResult; is the address the DailyInfo service?")
    rows = result.findall(f"{_DIFFGRAM}diffgram/KeyRate/KR")
    if not rows:
        raise BadAnswer("the answer holds no key-rate rows (no KR in KeyRateResult)")
    return _in_order([_day(row, number) for number, row in enumerate(rows, 1)])


def changes(days: list[Day]) -> list[Day]:
    """The first day and every day the rate differs from the day before (days oldest first)."""
    return days[:1] + [day for before, day in pairwise(days) if day.percent != before.percent]


def _day(row: ElementTree.Element, number: int) -> Day:
    when, rate = row.findtext("DT"), row.findtext("Rate")
    if when is None or rate is None:
        raise BadAnswer(f"row {number} has no DT or no Rate")
    try:
        day = dt.datetime.fromisoformat(when.strip()).date()
    except ValueError:
        raise BadAnswer(f"row {number}: DT {when!r} is not a date") from None
    try:
        percent = Decimal(rate.strip())
    except InvalidOperation:
        raise BadAnswer(f"row {number} ({day}): Rate {rate!r} is not a number") from None
    if not (percent.is_finite() and LOWEST <= percent <= HIGHEST):
        raise BadAnswer(f"row {number} ({day}): the rate {rate.strip()} is outside {LOWEST}-{HIGHEST} %, where "
                        "every key rate has been; if the Bank of Russia really set it, add the line by hand")
    return Day(day, percent)


def _in_order(days: list[Day]) -> list[Day]:
    if all(a.day > b.day for a, b in pairwise(days)):
        days = days[::-1]
    for a, b in pairwise(days):
        if a.day >= b.day:
            raise BadAnswer(f"the dates are out of order or repeated ({a.day} next to {b.day})")
    return days


def _root(body: bytes) -> ElementTree.Element:
    # SOAP forbids a DTD; refusing one keeps entity expansion out of the parser
    if b"<!DOCTYPE" in body.upper():
        raise BadAnswer("the answer has a DOCTYPE, which SOAP does not allow")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise BadAnswer(f"the answer is not well-formed XML ({error})") from error


def _fault(root: ElementTree.Element) -> str:
    """': <the fault's text>' for a SOAP 1.1 or 1.2 fault, else ''."""
    for element in root.iter():
        if element.tag.rpartition("}")[2] == "Fault":
            texts = (e.text.strip() for e in element.iter() if e.tag.rpartition("}")[2] in {"faultstring", "Text"}
                     and e.text)
            return f": {next(texts, 'SOAP fault')}"
    return ""
