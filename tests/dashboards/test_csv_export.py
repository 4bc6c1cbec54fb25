"""The alert CSV export: UTF-8 with BOM, formula cells escaped, numbers untouched."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from data import queries
from ui import alerts_view
from ui.csv_export import BOM, csv_bytes, escape_cell

from .conftest import CSV_INJECTION


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))


@pytest.mark.parametrize("cell", ["=cmd", "+1+2", "-2+3", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_cells_are_prefixed_with_a_quote(cell: str) -> None:
    assert escape_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["cmd", "华东 = east", "", 5, -3.5, None])
def test_other_cells_are_left_alone(cell: object) -> None:
    assert escape_cell(cell) == cell


def test_csv_bytes_bom_chinese_and_escaping() -> None:
    df = pd.DataFrame(
        {
            "详情": ["=cmd|' /C calc'!A0", "方案/报价 停滞", None],
            "Days over SLA": [15, -5, None],
            "=header": pd.Series(["@x", "ok", "-1"], dtype="string"),
        }
    )
    data = csv_bytes(df)
    assert data[:3] == b"\xef\xbb\xbf"
    assert _rows(data) == [
        ["详情", "Days over SLA", "'=header"],
        ["'=cmd|' /C calc'!A0", "15.0", "'@x"],
        ["方案/报价 停滞", "-5.0", "ok"],
        ["", "", "'-1"],
    ]
    assert data.decode("utf-8-sig").count("\r\n") == 4


def test_alert_csv_of_the_fixture(warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table the alerts page offers for download: the stalled alerts, all filters open."""
    rows = alerts_view.filter_alerts(
        queries.alerts(), "stalled", ["high", "medium", "low"], alerts_view.ALL_SEGMENTS
    )
    monkeypatch.setenv("FUNNEL_DASHBOARD_LANG", "en")
    data = csv_bytes(alerts_view.alert_table(rows))
    assert data.startswith(b"\xef\xbb\xbf")
    table = _rows(data)
    header = table[0]
    assert "Owner" in header and "Days over SLA" in header
    details = [r[header.index("Detail")] for r in table[1:]]
    assert details[1] == "'" + CSV_INJECTION
    assert [r[header.index("Owner")] for r in table[1:]] == ["R1", "R2", "R1"]
    monkeypatch.setenv("FUNNEL_DASHBOARD_LANG", "zh")
    table = _rows(csv_bytes(alerts_view.alert_table(rows)))
    assert [r[table[0].index("详情")] for r in table[1:]][0] == "方案/报价 停滞 45 天"
    assert "负责人" in table[0]
