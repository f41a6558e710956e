"""Numbers and names as the report prints them: money, counts, shares, years, HTML text.
fmt_money, fmt_num, fmt_count and fmt_pct print DASH for a missing (None, NaN or
non-numeric) value."""
import html

import numpy as np

DASH = "\u2014"


def finite(x):
    """True when x is a finite number."""
    try:
        return bool(np.isfinite(float(x)))
    except (TypeError, ValueError):
        return False


_CURRENCY = ["USD"]


def set_currency(currency):
    """The currency fmt_money uses when it is given none (the report sets the file's)."""
    _CURRENCY[0] = currency or "USD"


def fmt_money(x, signed=False, currency=None, cents=False):
    """'$1,234' (or '+$1,234' when signed; '$0.25' with cents), DASH when missing; another
    currency than USD is written after the number ('1,234 EUR'). currency None: the one of
    set_currency (USD unless the report set another)."""
    currency = currency or _CURRENCY[0]
    if not finite(x):
        return DASH
    sign = "-" if x < 0 else ("+" if signed and x > 0 else "")
    digits = format(abs(float(x)), ",.2f") if cents else format(abs(round(float(x))), ",.0f")
    if currency in (None, "USD"):
        return "%s$%s" % (sign, digits)
    return "%s%s %s" % (sign, digits, currency)


def fmt_num(x, digits=2, signed=False):
    """A number with fixed decimals, DASH when missing."""
    if not finite(x):
        return DASH
    return format(float(x), ("+" if signed else "") + ",.%df" % digits)


def fmt_count(x):
    """A whole number with thousands separators, DASH when missing."""
    return format(int(round(float(x))), ",d") if finite(x) else DASH


def fmt_pct(x, digits=0):
    """A share 0..1 as a percentage, DASH when missing."""
    return (format(100.0 * float(x), ".%df" % digits) + " %") if finite(x) else DASH


def fmt_years(x):
    """Years as a short number ('1', '0.75', '2.5')."""
    return ("%g" % float(x)) if finite(x) else str(x)


def pretty(name):
    """A snake_case name for reading: underscores as spaces."""
    return str(name).replace("_", " ")


def esc(text):
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def join_words(items, last="and"):
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " %s " % last + items[-1]


def breakable(name):
    """HTML of a snake_case name that may break after each underscore (<wbr>), so that narrow
    table columns wrap it at word ends rather than anywhere."""
    return esc(name).replace("_", "_<wbr>")
