"""Dates as people type them in ru, uz (Latin and Cyrillic), tg, ky and en, on 28 November 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.calc.dates import parse_date

TODAY = dt.date(2026, 11, 28)
D = dt.date
MARCH_15 = D(2026, 3, 15)

NUMERIC = [
    ("15.03.2026", MARCH_15),
    ("15.03.26", MARCH_15),
    ("15/03/2026", MARCH_15),
    ("15-03-2026", MARCH_15),
    ("2026-03-15", MARCH_15),
    ("15 03 2026", MARCH_15),
    ("5.3.2026", D(2026, 3, 5)),
    ("15.03.2026г.", MARCH_15),
    ("15.03", MARCH_15),
    ("15/03", MARCH_15),
    ("15.12", D(2025, 12, 15)),                 # no year: the most recent one not after today
    ("28.11", TODAY),
    ("29.11", D(2025, 11, 29)),
    ("должны были 15.03.2025", D(2025, 3, 15)),
]

NAMED = [
    # ru
    ("15 марта", MARCH_15),
    ("15 март", MARCH_15),
    ("15 мар 2026", MARCH_15),
    ("15-го марта", MARCH_15),
    ("15 Марта 2026 года", MARCH_15),
    ("зарплату должны были дать 15 марта", MARCH_15),
    ("1 января", D(2026, 1, 1)),
    ("7 февраля 2025", D(2025, 2, 7)),
    ("10 апреля", D(2026, 4, 10)),
    ("1-е мая", D(2026, 5, 1)),
    ("5 июня", D(2026, 6, 5)),
    ("5 июля", D(2026, 7, 5)),
    ("20 августа", D(2026, 8, 20)),
    ("1 сентября", D(2026, 9, 1)),
    ("10 октября", D(2026, 10, 10)),
    ("5 ноября", D(2026, 11, 5)),
    ("30 ноября", D(2025, 11, 30)),
    ("25 декабря", D(2025, 12, 25)),
    ("25 дек.", D(2025, 12, 25)),
    ("с 1 по 15 марта", MARCH_15),
    ("в 2025 году 7 февраля", D(2025, 2, 7)),
    # Russian typed in Latin letters, typos, mixed scripts
    ("15 marta", MARCH_15),
    ("1 yanvarya", D(2026, 1, 1)),
    ("1 sentjabrja", D(2026, 9, 1)),
    ("15 сентебря", D(2026, 9, 15)),
    ("15 ноебря", D(2026, 11, 15)),
    ("15 fevralya", D(2026, 2, 15)),
    ("15 мaрта", MARCH_15),                     # Latin "a"
    ("15 cентября", D(2026, 9, 15)),            # Latin "c"
    # uz Latin
    ("15-mart", MARCH_15),
    ("15 mart", MARCH_15),
    ("15-martda", MARCH_15),
    ("mart 15", MARCH_15),
    ("2026-yil 15-mart", MARCH_15),
    ("5-yanvar", D(2026, 1, 5)),
    ("5 fevral", D(2026, 2, 5)),
    ("5 aprelda", D(2026, 4, 5)),
    ("1-mayda", D(2026, 5, 1)),
    ("10-iyulda", D(2026, 7, 10)),
    ("20-avgustdan", D(2026, 8, 20)),
    ("1-sentabr", D(2026, 9, 1)),
    ("15 oʻktabr", D(2026, 10, 15)),
    ("3-noyabr", D(2026, 11, 3)),
    ("25-dekabrgacha", D(2025, 12, 25)),
    # uz Cyrillic
    ("15-март", MARCH_15),
    ("1-июнда", D(2026, 6, 1)),
    ("10 октабр", D(2026, 10, 10)),
    # tg
    ("15-уми март", MARCH_15),
    ("15 марти соли 2026", MARCH_15),
    ("2-юми феврал", D(2026, 2, 2)),
    ("10 сентябр", D(2026, 9, 10)),
    # ky
    ("15-марта", MARCH_15),
    ("5 августта", D(2026, 8, 5)),
    ("1 январдан", D(2026, 1, 1)),
    ("25-декабрда", D(2025, 12, 25)),
    # en
    ("March 15", MARCH_15),
    ("15 March 2026", MARCH_15),
    ("15th of March", MARCH_15),
    ("MARCH 15TH", MARCH_15),
    ("the 3rd of May", D(2026, 5, 3)),
    ("Dec 25 2025", D(2025, 12, 25)),
    ("June 1, 2026", D(2026, 6, 1)),
]

RELATIVE = [
    ("сегодня", TODAY), ("today", TODAY), ("bugun", TODAY), ("бугун", TODAY), ("имрӯз", TODAY), ("бүгүн", TODAY),
    ("вчера", D(2026, 11, 27)), ("yesterday", D(2026, 11, 27)), ("kecha", D(2026, 11, 27)),
    ("кеча", D(2026, 11, 27)), ("дирӯз", D(2026, 11, 27)), ("кечээ", D(2026, 11, 27)),
    ("позавчера", D(2026, 11, 26)),
    ("2 weeks ago", D(2026, 11, 14)),
    ("a week ago", D(2026, 11, 21)),
    ("2 недели назад", D(2026, 11, 14)),
    ("две недели тому назад", D(2026, 11, 14)),
    ("неделю назад", D(2026, 11, 21)),
    ("3 дня назад", D(2026, 11, 25)),
    ("месяц назад", D(2026, 10, 28)),
    ("год назад", D(2025, 11, 28)),
    ("2 hafta oldin", D(2026, 11, 14)),
    ("3 kun oldin", D(2026, 11, 25)),
    ("bir oy oldin", D(2026, 10, 28)),
    ("toʻrt kun avval", D(2026, 11, 24)),
    ("2 ҳафта пеш", D(2026, 11, 14)),
    ("3 рӯз пеш", D(2026, 11, 25)),
    ("як моҳ пеш", D(2026, 10, 28)),
    ("2 апта мурун", D(2026, 11, 14)),
    ("3 күн мурун", D(2026, 11, 25)),
    ("бир ай мурун", D(2026, 10, 28)),
]

NOTHING = [
    "",
    "не помню",
    "15",                                       # a day alone: which month?
    "31.02.2026",                               # no such day
    "31.02",
    "29.02",                                    # 2026 and 2025 are not leap years
    "15.13.2026",
    "32 марта",
    "0 марта",
    "15.03.2027",                               # in the future: the caller asks again
    "15 dekabr 2026",
    "29 ноября 2026",
    "через 3 дня",
    "2 martaba",                                # uz "twice", not March
    "mayli",                                    # uz "all right", not May
    "50 000 руб",
    "1500.50",
    "9999 лет назад",
    "1" * 5000 + " дней назад",
]


@pytest.mark.parametrize(("text", "expected"), NUMERIC + NAMED + RELATIVE)
def test_a_typed_date_is_read(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", NOTHING)
def test_no_date_impossible_or_future_gives_none(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


@pytest.mark.parametrize("language", [None, "ru", "uz", "uz_Cyrl", "tg", "ky", "en"])
def test_the_language_does_not_narrow_what_is_understood(language: str | None) -> None:
    assert parse_date("15-martda", today=TODAY, language=language) == MARCH_15
    assert parse_date("15 марта", today=TODAY, language=language) == MARCH_15
