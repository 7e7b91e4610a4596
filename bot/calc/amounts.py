"""Reading an amount of money as people type it: "50 000 руб", "50к", "1500,50", "50 ming".

A separator followed by exactly three digits groups thousands ("50.000", "50,000", "50 000");
one or two digits after it are kopecks/tiyin ("1500,50", "1500.5"). After a multiplier
("1,5 млн", "2.5k") any fraction is a fraction. Currency words and signs are ignored, but when
a reply holds several numbers the one marked by a currency or multiplier is taken ("за 2 месяца
100 000 руб"); several unmarked numbers are ambiguous and give None, so the caller asks again.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
LARGEST = Decimal(100_000_000)

_NUMBER = re.compile(
    r"""
    (?<![\d.,])(?P<minus>[-−–]\s*)?
    (?P<whole>\d{1,3}(?P<sep>[ \u00a0\u202f.,'’])\d{3}(?:(?P=sep)\d{3})*(?!\d) | \d+)
    (?:[.,](?P<fraction>\d+))?
    (?!\d|[.,'’]\d)
    """,
    re.VERBOSE,
)
_NOT_LETTER = r"(?![^\W\d_])"
_MULTIPLIERS: tuple[tuple[Decimal, re.Pattern[str]], ...] = (
    (Decimal(1000), re.compile(
        r"\s*(?:тыс\w*|тыщ\w*|thousand\w*|т\.\s?р\b\.?|тр|k|к|ming\w*|минг\w*|ҳазор\w*|хазор\w*|hazor\w*|миң\w*|мың\w*)"
        + _NOT_LETTER)),
    (Decimal(1_000_000), re.compile(r"\s*(?:млн|mln|million\w*|миллион\w*)" + _NOT_LETTER)),
)
_CURRENCY = re.compile(
    r"\s*(?:₽|₸|\$|руб|rub|rur|р\b|тенге|тг\b|tenge|kzt|сум|сўм|so['ʻ’]?m\b|сом|som\b|somoni|usd|доллар|dollar)"
)


def parse_amount(text: str) -> Decimal | None:
    """The amount in a reply, to the kopeck; None when there is none, it is not above zero,
    it is over 100 million, or several unmarked numbers make it ambiguous."""
    lowered = text.lower()
    candidates = [_read(match, lowered) for match in _NUMBER.finditer(lowered)]
    marked = [amount for amount, is_marked in candidates if is_marked]
    if marked:
        amount = marked[0]
    elif len(candidates) == 1:
        amount = candidates[0][0]
    else:
        return None
    if amount is None or not Decimal(0) < amount <= LARGEST:
        return None
    return amount.quantize(KOPECK, ROUND_HALF_UP)


def _read(match: re.Match[str], text: str) -> tuple[Decimal | None, bool]:
    """One number with what follows it: (its value or None when unreadable, marked or not)."""
    whole = re.sub(r"\D", "", match["whole"])
    fraction = match["fraction"] or ""
    multiplier, end = Decimal(1), match.end()
    for factor, pattern in _MULTIPLIERS:
        if found := pattern.match(text, end):
            multiplier, end = factor, found.end()
            break
    marked = multiplier != 1 or _CURRENCY.match(text, end) is not None
    if len(fraction) > 2 and multiplier == 1:
        return None, marked                   # "1500.500": neither thousands nor kopecks
    value = Decimal(f"{whole}.{fraction or 0}") * multiplier
    return (-value if match["minus"] else value), marked
