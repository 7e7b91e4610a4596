"""Reading an amount of money as people type it: "50 000 руб", "50к", "1500,50", "50 ming".

A separator followed by exactly three digits groups thousands ("50.000", "50,000", "50 000");
one or two digits after it are kopecks/tiyin ("1500,50", "1500.5"). After a multiplier
("1,5 млн", "2.5k") any fraction is a fraction. When a reply holds several numbers the one
marked by a currency or multiplier is taken ("за 2 месяца 100 000 руб"); several unmarked
numbers are ambiguous and give None, so the caller asks again.

`read_amount` also says which currency was written, next to the number ("500 000 сум",
"$300") or anywhere in the reply ("в тенге 50000"), so a calculator that counts in roubles can
ask again instead of taking so'm, som, tenge, somoni or dollars for roubles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
_WORD_END = r"(?![^\W_])"
# ISO codes; so'm (UZS) and som (KGS) are easy to mix up, and both are not roubles.
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("RUB", r"₽|руб\w*|rub\w*|rur|р\.?"),
    ("TJS", r"сомон\w*|somoni\w*|tjs"),
    ("KGS", r"сом(?:а|ов|ах|ы)?|som(?:a|ov)?|kgs"),
    ("UZS", r"сўм\w*|сум(?:а|ов|ах|ы)?|so['ʻ’‘`]m\w*|uzs"),
    ("KZT", r"₸|тенге|теңге|тг|tenge|kzt"),
    ("USD", r"\$|usd|доллар\w*|dollar\w*|долл"),
    ("EUR", r"€|eur|euro|евро"),
)
_CURRENCY = re.compile(r"\s*(?:" + "|".join(f"(?P<{code}>{words})" for code, words in _CURRENCIES) + ")" + _WORD_END)
_SIGN_BEFORE = re.compile(r"(?:(?P<RUB>₽)|(?P<KZT>₸)|(?P<USD>\$|usd)|(?P<EUR>€))\s*$")
# A currency named away from the number ("в тенге 50000"); one-letter "р" only next to a number.
_NAMED = re.compile(r"(?<![^\W_])(?:" + "|".join(
    f"(?P<{code}>{words})" for code, words in _CURRENCIES if code != "RUB") + r"|(?P<RUB>₽|руб\w*|rub\w*))" + _WORD_END)


@dataclass(frozen=True)
class Amount:
    value: Decimal           # to the kopeck
    currency: str | None     # ISO code of the currency written ("RUB", "UZS", "KZT", …), None when none

    @property
    def foreign(self) -> bool:
        """Written in another currency than roubles."""
        return self.currency not in (None, "RUB")


def parse_amount(text: str) -> Decimal | None:
    """The amount in a reply, to the kopeck, whatever its currency; None when there is none, it
    is not above zero, it is over 100 million, or several unmarked numbers make it ambiguous."""
    found = read_amount(text)
    return None if found is None else found.value


def read_amount(text: str) -> Amount | None:
    """The amount in a reply as `parse_amount` reads it, with the currency written, if any."""
    lowered = text.lower()
    candidates = [_read(match, lowered) for match in _NUMBER.finditer(lowered)]
    marked = [found for found in candidates if found[1]]
    if marked:
        amount, _marked, currency = marked[0]
    elif len(candidates) == 1:
        amount, _marked, currency = candidates[0]
    else:
        return None
    if amount is None or not Decimal(0) < amount <= LARGEST:
        return None
    return Amount(amount.quantize(KOPECK, ROUND_HALF_UP), currency or _named_currency(lowered))


def _read(match: re.Match[str], text: str) -> tuple[Decimal | None, bool, str | None]:
    """One number with what stands around it: its value (None when unreadable), whether a
    currency or multiplier marks it, and the currency written next to it."""
    whole = re.sub(r"\D", "", match["whole"])
    fraction = match["fraction"] or ""
    multiplier, end = Decimal(1), match.end()
    for factor, pattern in _MULTIPLIERS:
        if found := pattern.match(text, end):
            multiplier, end = factor, found.end()
            break
    currency = _code(_CURRENCY.match(text, end)) or _code(_SIGN_BEFORE.search(text, 0, match.start()))
    marked = multiplier != 1 or currency is not None
    if len(fraction) > 2 and multiplier == 1:
        return None, marked, currency           # "1500.500": neither thousands nor kopecks
    value = Decimal(f"{whole}.{fraction or 0}") * multiplier
    return (-value if match["minus"] else value), marked, currency


def _named_currency(text: str) -> str | None:
    """The one currency a reply names anywhere, or None when it names none or several."""
    named = {_code(found) for found in _NAMED.finditer(text)}
    return named.pop() if len(named) == 1 else None


def _code(found: re.Match[str] | None) -> str | None:
    if found is None:
        return None
    return next((code for code, value in found.groupdict().items() if value is not None), None)
