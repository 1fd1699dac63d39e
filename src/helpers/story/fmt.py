"""Format figures for narrative text: 万元 amounts, percentages, percentage points, changes.

Every figure in a sentence goes through one of these, so the notebooks read the same way and a
corrected figure in the data changes the sentence with it.
"""

from __future__ import annotations

import math


def wan(amount: float, digits: int = 2) -> str:
    """17211.32 -> '17,211.32 万元' (an amount in 万元, ten-thousand yuan)."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "n/a"
    return f"{amount:,.{digits}f} 万元"


def amount(value: float, digits: int = 2) -> str:
    """17211.32 -> '17,211.32' (the figure alone; the template adds 万元 in the reader's language)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def yuan_m(amount: float) -> str:
    """An amount in 万元 as millions of yuan for English readers: 17211.32 -> '172.1 million yuan'."""
    return f"{amount / 100:,.1f} million yuan"


def pct(fraction: float, digits: int = 1) -> str:
    """0.049 -> '4.9%'; NaN -> 'n/a'."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "n/a"
    return f"{fraction * 100:.{digits}f}%"


def signed_pct(fraction: float, digits: int = 1) -> str:
    """-0.049 -> '−4.9%', 2.429 -> '+242.9%' (a true minus sign, as in print)."""
    text = pct(abs(fraction), digits)
    return ("+" if fraction > 0 else "−" if fraction < 0 else "±") + text


def pct_as_printed(fraction: float) -> str:
    """A rate with the decimals the report printed it with: 0.912 -> '91.2%', 0.75 -> '75%', 0.6281 -> '62.81%'."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "n/a"
    text = f"{fraction * 100:.6f}".rstrip("0").rstrip(".")
    return f"{text}%"


def signed_pct_as_printed(fraction: float) -> str:
    """-0.049 -> '−4.9%', 2.429 -> '+242.9%', keeping the printed decimals."""
    return ("+" if fraction > 0 else "−" if fraction < 0 else "±") + pct_as_printed(abs(fraction))


def rate(fraction: float) -> str:
    """A computed rate for reading: one decimal, never rounded up to a whole 100% or down to 0%.

    0.99532 -> '99.5%', 1.0 -> '100%', 0.0 -> '0%', 0.9996 -> '99.96%'.
    """
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "n/a"
    if fraction in (0, 1):
        return f"{fraction:.0%}"
    digits = 1
    while digits < 4 and round(fraction * 100, digits) in (0, 100):
        digits += 1
    return f"{fraction * 100:.{digits}f}%"


def signed_wan(amount: float, digits: int = 2) -> str:
    """-889.32 -> '−889.32 万元'."""
    return ("+" if amount > 0 else "−" if amount < 0 else "±") + wan(abs(amount), digits)


def pp(difference: float, digits: int = 1) -> str:
    """A difference of two fractions in percentage points: 0.012 -> '1.2 percentage points'."""
    return f"{abs(difference) * 100:.{digits}f} percentage points"


def change_verb(change: float, up: str = "rose", down: str = "fell", flat: str = "held steady") -> str:
    """The verb for a change: 'rose', 'fell' or 'held steady'."""
    return up if change > 0 else down if change < 0 else flat


def count(n: float, noun: str, plural: str | None = None) -> str:
    """3, 'project' -> '3 projects'; 1 -> '1 project'."""
    n = int(n)
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def listing(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
