"""Format figures for the sentences of every language: amounts, percentages and rates, as printed or computed.

Every figure in a sentence goes through one of these, so the notebooks read the same way and a
corrected figure in the data changes the sentence with it.
"""

from __future__ import annotations

import math


def amount(value: float, digits: int = 2) -> str:
    """17211.32 -> '17,211.32' (the figure alone; the template adds 万元 in the reader's language)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def pct(fraction: float, digits: int = 1) -> str:
    """0.049 -> '4.9%'; NaN -> '–' (no figure, in any language)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return f"{fraction * 100:.{digits}f}%"


def signed_pct(fraction: float, digits: int = 1) -> str:
    """-0.049 -> '−4.9%', 2.429 -> '+242.9%' (a true minus sign, as in print)."""
    text = pct(abs(fraction), digits)
    return ("+" if fraction > 0 else "−" if fraction < 0 else "±") + text


def pct_as_printed(fraction: float) -> str:
    """A rate with the decimals the report printed it with: 0.912 -> '91.2%', 0.75 -> '75%', 0.6281 -> '62.81%'."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
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
        return "–"
    if fraction in (0, 1):
        return f"{fraction:.0%}"
    digits = 1
    while digits < 4 and round(fraction * 100, digits) in (0, 100):
        digits += 1
    return f"{fraction * 100:.{digits}f}%"
