"""A canonical sample, re-exported as a Chinese CRM would (Chinese headers, 万 amounts,
2024年3月5日 dates, Chinese labels) in XLSX and in GB18030 CSV, comes back with the same values."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from openpyxl import Workbook

from ingestion.adapters import normalize_inbox
from ingestion.contract import OPPORTUNITIES
from tests.ingestion.adapters.conftest import FIXTURES, load_all

CANONICAL = FIXTURES / "adapters" / "opportunities_canonical.csv"
HEADERS_ZH = {
    "opportunity_id": "商机编号",
    "opportunity_name": "商机名称",
    "account_id": "客户编号",
    "owner_id": "负责人ID",
    "opportunity_type": "商机类型",
    "source": "商机来源",
    "sales_process": "销售流程",
    "product_category": "产品类别",
    "amount": "商机金额",
    "currency": "币种",
    "current_stage": "当前阶段",
    "created_at": "创建时间",
    "expected_close_date": "预计成交日期",
    "status": "商机状态",
    "closed_date": "关闭日期",
    "lost_reason": "输单原因",
    "next_follow_up_date": "下次联系时间",
}
LABELS_ZH = {
    "open": "跟进中",
    "won": "赢单",
    "lost": "输单",
    "new": "新签",
    "renewal": "续签",
    "upsell": "增购",
}


def canonical_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(CANONICAL.read_text(encoding="utf-8"))))


def chinese_date(iso: str) -> str:
    if not iso:
        return ""
    day = datetime.fromisoformat(iso)
    text = f"{day.year}年{day.month}月{day.day}日"
    return text + (f" {day:%H:%M:%S}" if len(iso) > 10 else "")


def as_chinese(row: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = dict(row)
    out["amount"] = f"{Decimal(row['amount']) / 10000:f}万"  # 125000.00 -> 12.5万
    for column in ("created_at", "expected_close_date", "closed_date", "next_follow_up_date"):
        out[column] = chinese_date(row[column])
    for column in ("status", "opportunity_type"):
        out[column] = LABELS_ZH[row[column]]
    return out


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["商机导出"])  # a title row above the header
    sheet.append(list(HEADERS_ZH.values()))
    for i, row in enumerate(rows):
        cells = as_chinese(row)
        if i == 0:  # a real date-time cell, as Excel stores a typed date
            cells["created_at"] = datetime.fromisoformat(row["created_at"])
        sheet.append([cells[c] or None for c in HEADERS_ZH])
    workbook.save(path)


def write_gb18030(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS_ZH.values())
    for row in rows:
        cells = as_chinese(row)
        writer.writerow(cells[c] for c in HEADERS_ZH)
    writer.writerow([""] * len(HEADERS_ZH))  # a blank trailing row
    path.write_bytes(buffer.getvalue().encode("gb18030"))


def raw_values(con: duckdb.DuckDBPyConnection, source_file: str) -> list[tuple[object, ...]]:
    columns = ", ".join(OPPORTUNITIES.column_names)
    return con.execute(
        f"select {columns} from raw.opportunities where _source_file = ? order by opportunity_id",
        [source_file],
    ).fetchall()


def test_chinese_xlsx_and_gb18030_csv_give_the_canonical_values(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    rows = canonical_rows()
    write_xlsx(inbox / "商机_xlsx.xlsx", rows)
    write_gb18030(inbox / "商机_gb.csv", rows)
    (inbox / CANONICAL.name).write_bytes(CANONICAL.read_bytes())
    results = {r.source: r for r in normalize_inbox(inbox, tmp_path / "out")}
    assert results["商机_gb.csv"].encoding == "gb18030"
    assert results["商机_gb.csv"].rows_blank_trailing == 1
    assert results["商机_xlsx.xlsx"].rows_above_header == 1
    assert results[CANONICAL.name].status == "passed_through"
    for result in results.values():
        assert result.rows_in == result.rows_out == 3

    loads = load_all(con, tmp_path / "out")
    assert [(x.rows_read, x.rows_loaded, x.rows_quarantined) for x in loads] == [(3, 3, 0)] * 3
    expected = raw_values(con, results[CANONICAL.name].output)
    assert expected[0][:3] == ("OPP0000001", "华东电网 2024 扩容", "ACC000001")
    assert raw_values(con, results["商机_xlsx.xlsx"].output) == expected
    assert raw_values(con, results["商机_gb.csv"].output) == expected


def test_bad_values_are_quarantined_with_the_source_row(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "商机导出_gbk.csv").write_bytes(
        (FIXTURES / "adapters" / "商机导出_gbk.csv").read_bytes()
    )
    normalize_inbox(inbox, tmp_path / "out")
    load_all(con, tmp_path / "out")
    rows = con.execute(
        "select row_number, column_name, reason_code, json_extract_string(record, '$.amount') "
        "from raw.quarantine"
    ).fetchall()
    # the third data row is the source file's row 6 (title, blank line, header above), and the
    # loader numbers rows as the source does
    assert rows == [(6, "amount", "bad_decimal", "金额待定")]
    source_row = con.execute(
        "select json_extract_string(_extra, '$.source_row'), _row_number from raw.opportunities "
        "order by _row_number"
    ).fetchall()
    assert source_row == [("4", 4), ("5", 5)]
    adapted = next((tmp_path / "out").glob("opportunities__*.csv")).read_text(encoding="utf-8")
    third = list(csv.DictReader(io.StringIO(adapted)))[2]
    assert third["source_row"] == "6"
