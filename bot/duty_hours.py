"""When caseworkers are on duty: "mon-fri 09:00-18:00 Europe/Moscow"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class DutyHours:
    days: frozenset[int]          # 0 = Monday
    start: dt.time
    end: dt.time
    zone: ZoneInfo

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, now: dt.datetime) -> dt.datetime:
        """The next opening time (aware, in the duty time zone); `now` if open now."""
        if self.is_open(now):
            return now.astimezone(self.zone)
        local = now.astimezone(self.zone)
        for ahead in range(8):
            day = local.date() + dt.timedelta(days=ahead)
            opening = dt.datetime.combine(day, self.start, tzinfo=self.zone)
            if day.weekday() in self.days and opening > local:
                return opening
        raise AssertionError("no duty day in a week")   # parse_hours guarantees one


def parse_hours(text: str) -> DutyHours:
    """Parse "mon-fri 09:00-18:00 Europe/Moscow", "mon,wed,sat 10:00-14:00 Asia/Almaty" or
    "mon-sun 00:00-24:00 Asia/Almaty" (always)."""
    parts = text.split()
    if len(parts) != 3:
        raise ValueError(f"duty hours {text!r}: write days, times and a time zone, "
                         "e.g. 'mon-fri 09:00-18:00 Europe/Moscow'")
    days_text, times_text, zone_text = parts
    days: set[int] = set()
    for item in days_text.lower().split(","):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"duty hours {text!r}: days are mon tue wed thu fri sat sun")
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    try:
        start_text, end_text = times_text.split("-")
        start = dt.time.fromisoformat(start_text)
        end = dt.time.max if end_text == "24:00" else dt.time.fromisoformat(end_text)
    except ValueError:
        raise ValueError(f"duty hours {text!r}: times look like 09:00-18:00") from None
    if start >= end:
        raise ValueError(f"duty hours {text!r}: the start must be before the end")
    try:
        zone = ZoneInfo(zone_text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"duty hours {text!r}: unknown time zone {zone_text!r}") from None
    return DutyHours(frozenset(days), start, end, zone)
