"""Turn one cell into the contract's canonical text, or leave it exactly as it was.

A value that cannot be normalised is returned unchanged (as text), so the loader quarantines the
row naming file, row and column: nothing is dropped and nothing is guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from ingestion.adapters.config import key
from ingestion.adapters.readers import Cell
from ingestion.contract import Column
from ingestion.validation import FORMULA_PATTERN

EXCEL_EPOCH = datetime(1899, 12, 30)
FORMULA = re.compile(FORMULA_PATTERN)
CANONICAL_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
CURRENCY = re.compile(r"(RMB|CNY|USD|人民币|元|[¥￥$])", re.IGNORECASE)
UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
# date part, optional time part; each pattern names y / m / d (yy for two-digit years)
DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"),
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"),
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<yy>\d{2})"),
)
TIME_PATTERN = re.compile(
    r"^(?:[ T]|\s+)(?P<h>\d{1,2})[:：时](?P<mi>\d{2})(?:[:：分](?P<s>\d{2}(?:\.\d+)?))?秒?"
    r"\s*(?P<ampm>[AaPp][Mm])?$"
)


def as_text(cell: Cell) -> str:
    """A cell as plain text: numbers without a spurious ``.0``, dates and times in ISO."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def looks_like_formula(text: str) -> bool:
    return bool(FORMULA.match(text))


def fmt_decimal(value: Decimal) -> str:
    """At least two decimals (``125000`` -> ``125000.00``), more only if the value has them."""
    value = value.normalize()  # no trailing zeros: 1230.000 -> 1.23E+3, formatted below
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return format(value, "f")


def decimal_text(text: str) -> str | None:
    """``¥1,250,000``, ``12.5万``, ``1.2亿元``, ``RMB 3,000.5`` -> ``1250000.00`` ...; else None."""
    if CANONICAL_DECIMAL.match(text):
        return text
    cleaned = CURRENCY.sub("", text).replace(",", "").replace("，", "").replace(" ", "")
    factor = Decimal(1)
    if cleaned and cleaned[-1] in UNITS:
        factor, cleaned = UNITS[cleaned[-1]], cleaned[:-1]
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    try:
        return fmt_decimal(Decimal(cleaned) * factor)
    except InvalidOperation:
        return None


def parse_datetime(text: str) -> tuple[datetime, bool] | None:
    """The moment a date / timestamp text names, and whether it had a time part."""
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["y"]) if parts.get("y") else datetime.strptime(parts["yy"], "%y").year
        rest = text[match.end() :]
        hour = minute = second = 0
        has_time = bool(rest.strip())
        if has_time:
            clock = TIME_PATTERN.match(rest)
            if not clock:
                return None
            hour, minute = int(clock["h"]), int(clock["mi"])
            if clock["s"] and "." in clock["s"]:
                return None  # fractions of a second: left as is rather than truncated
            second = int(clock["s"] or 0)
            if clock["ampm"]:
                if not 1 <= hour <= 12:
                    return None
                hour = hour % 12 + (12 if clock["ampm"].lower() == "pm" else 0)
        try:
            moment = datetime(year, int(parts["m"]), int(parts["d"]), hour, minute, second)
        except ValueError:
            return None
        return moment, has_time
    return None


def excel_serial(value: float) -> datetime:
    return EXCEL_EPOCH + timedelta(seconds=round(value * 86400))


def _moment(cell: Cell, text: str, xlsx: bool) -> tuple[datetime, bool] | None:
    if isinstance(cell, datetime):
        return cell, True
    if isinstance(cell, date):
        return datetime(cell.year, cell.month, cell.day), False
    if xlsx and isinstance(cell, int | float) and not isinstance(cell, bool) and cell > 0:
        moment = excel_serial(float(cell))
        return moment, moment.time() != time(0)
    return parse_datetime(text)


def normalize(
    cell: Cell, column: Column, labels: dict[str, str], booleans: dict[str, str], xlsx: bool
) -> str:
    """Canonical text of one cell of a contract column, or the cell's own text."""
    text = as_text(cell)
    stripped = text.strip()
    if not stripped or looks_like_formula(stripped):
        return text
    if column.type == "decimal":
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return text
        return decimal_text(stripped) or text
    if column.type in ("date", "timestamp"):
        parsed = _moment(cell, stripped, xlsx)
        if parsed is None:
            return text
        moment, _ = parsed
        if column.type == "date":
            return moment.strftime("%Y-%m-%d")
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if column.type == "boolean":
        return booleans.get(key(stripped), text)
    if column.type == "enum":
        by_key = {key(v): v for v in column.allowed}
        return by_key.get(key(stripped)) or labels.get(key(stripped), text)
    return text
