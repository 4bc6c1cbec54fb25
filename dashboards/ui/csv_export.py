"""CSV export for Excel: UTF-8 with a byte-order mark and formula-injection escaping.

Pure functions (no Streamlit, no DuckDB) so they can be unit tested directly.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

BOM: Final[bytes] = b"\xef\xbb\xbf"
# A cell starting with one of these is run as a formula by Excel / LibreOffice (CSV injection).
FORMULA_PREFIXES: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """Prefix a text cell that Excel would read as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as CSV bytes (UTF-8 with BOM, no index); text cells and headers escaped.

    Numbers are left as numbers: only strings can carry a formula.
    """
    escaped = df.copy()
    escaped.columns = [str(escape_cell(str(c))) for c in df.columns]
    for column in escaped.columns:
        series = escaped[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            escaped[column] = series.map(escape_cell).astype(object)
    text = escaped.to_csv(index=False, lineterminator="\r\n")
    return BOM + text.encode("utf-8")
