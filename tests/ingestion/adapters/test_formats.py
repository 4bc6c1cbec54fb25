"""Formats and headers: encodings, XLSX, header row search, blank rows, errors, pass-through."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingestion.adapters import AdapterError, adapt_file, normalize_inbox
from tests.ingestion.adapters.conftest import FIXTURES

HEADER_ZH = (
    "商机编号,商机名称,客户编号,负责人ID,商机类型,销售流程,商机金额,当前阶段,创建时间,商机状态"
)
ROW_ZH = "OPP1,华东 扩容,ACC1,REP1,新签,standard,12.5万,proposal,2024年3月5日 14:30,跟进中"
CANONICAL_ROW = [
    "OPP1",
    "华东 扩容",
    "ACC1",
    "REP1",
    "new",
    "standard",
    "125000.00",
    "proposal",
    "2024-03-05 14:30:00",
    "open",
]


def read_out(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_bytes(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


@pytest.mark.parametrize(
    ("encoding", "prefix", "reported"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("gb18030", b"", "gb18030"),
        ("gbk", b"", "gb18030"),
    ],
)
def test_csv_encodings(tmp_path: Path, encoding: str, prefix: bytes, reported: str) -> None:
    text = f"{HEADER_ZH}\r\n{ROW_ZH}\r\n"
    src = write_bytes(tmp_path / "in", "商机.csv", prefix + text.encode(encoding))
    (tmp_path / "out").mkdir()
    result = adapt_file(src, tmp_path / "out")
    assert (result.status, result.encoding, result.family) == (
        "converted",
        reported,
        "opportunities",
    )
    assert result.output == "opportunities__商机.csv"
    rows = read_out(tmp_path / "out" / result.output)
    assert rows[0][:10] == [
        "opportunity_id",
        "opportunity_name",
        "account_id",
        "owner_id",
        "opportunity_type",
        "sales_process",
        "amount",
        "current_stage",
        "created_at",
        "status",
    ]
    assert rows[0][-1] == "source_row"
    assert rows[1] == [*CANONICAL_ROW, "2"]
    assert result.header_mapping["amount"] == "商机金额"


def test_undecodable_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    src = write_bytes(tmp_path / "in", "bad.csv", b"opportunity_id\n\xff\xfe\xfa\n")
    results = normalize_inbox(tmp_path / "in", tmp_path / "out")
    assert [r.status for r in results] == ["error"]
    assert "bad.csv" in results[0].error and "GB18030" in results[0].error
    assert not list((tmp_path / "out").iterdir())
    assert src.exists()


def test_header_not_on_first_row_and_blank_trailing_rows(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = adapt_file(FIXTURES / "adapters" / "商机导出_gbk.csv", tmp_path / "out")
    assert result.encoding == "gb18030"
    assert (result.rows_above_header, result.rows_in, result.rows_out) == (2, 3, 3)
    assert result.rows_blank_trailing == 2
    rows = read_out(tmp_path / "out" / result.output)
    header = rows[0]
    got = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [r["source_row"] for r in got] == ["4", "5", "6"]
    assert [r["amount"] for r in got] == ["1250000.00", "125000.00", "金额待定"]
    assert [r["created_at"] for r in got] == [
        "2024-03-05 14:30:00",
        "2024-01-10 09:00:00",
        "2023-12-01 08:15:00",
    ]
    assert [r["status"] for r in got] == ["open", "won", "lost"]
    assert [r["opportunity_type"] for r in got] == ["new", "renewal", "upsell"]
    assert got[2]["备注"] == "=cmd|' /C calc'!A0"  # unknown column kept, formula as text
    assert "header found on row 3" in result.warnings[0]


def test_missing_required_column_names_file_column_and_aliases(tmp_path: Path) -> None:
    header = HEADER_ZH.replace(",当前阶段", "")  # sales_process is optional: not this one
    row = ROW_ZH.replace(",proposal", "")
    src = write_bytes(tmp_path / "in", "商机_缺列.csv", f"{header}\n{row}\n".encode())
    with pytest.raises(AdapterError) as caught:
        adapt_file(src, tmp_path)
    message = str(caught.value)
    assert "商机_缺列.csv" in message
    assert "current_stage" in message and "当前阶段" in message and "销售阶段" in message


def test_no_header_row_is_an_error(tmp_path: Path) -> None:
    src = write_bytes(tmp_path / "in", "notes.csv", b"a,b,c\n1,2,3\n")
    with pytest.raises(AdapterError, match=r"notes\.csv: no header row in the first 10 rows"):
        adapt_file(src, tmp_path)


def test_ambiguous_family_is_an_error(tmp_path: Path) -> None:
    text = "客户编号,客户名称,工号,姓名\nACC1,某公司,REP1,张伟\n"  # half accounts, half reps
    src = write_bytes(tmp_path / "in", "mixed.csv", text.encode())
    with pytest.raises(
        AdapterError,
        match=r"mixed\.csv: row 1 fits the families accounts and "
        r"sales_reps equally well",
    ):
        adapt_file(src, tmp_path)


def test_duplicate_and_blank_headers_are_kept_as_extra_columns(tmp_path: Path) -> None:
    text = f"{HEADER_ZH},金额,,Amount\n{ROW_ZH},1,x,2\n"
    src = write_bytes(tmp_path / "in", "dup.csv", text.encode())
    (tmp_path / "out").mkdir()
    result = adapt_file(src, tmp_path / "out")
    rows = read_out(tmp_path / "out" / result.output)
    # "Amount" would clash with "amount" in DuckDB (names are case-insensitive)
    assert rows[0][10:] == ["金额", "column_12", "Amount_2", "source_row"]
    assert rows[1][10:] == ["1", "x", "2", "2"]
    assert any("both mean amount" in w for w in result.warnings)


def test_canonical_file_passes_through_byte_identical(tmp_path: Path) -> None:
    src = FIXTURES / "adapters" / "opportunities_canonical.csv"
    (tmp_path / "in").mkdir()
    shutil.copy(src, tmp_path / "in" / src.name)
    results = normalize_inbox(tmp_path / "in", tmp_path / "out")
    assert [(r.status, r.rows_in, r.rows_out) for r in results] == [("passed_through", 3, 3)]
    assert (tmp_path / "out" / results[0].output).read_bytes() == src.read_bytes()


def test_output_is_deterministic(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(FIXTURES / "adapters" / "商机导出_gbk.csv", tmp_path / "in")
    first = normalize_inbox(tmp_path / "in", tmp_path / "a")
    second = normalize_inbox(tmp_path / "in", tmp_path / "b")
    assert first == second
    for result in first:
        assert (tmp_path / "a" / result.output).read_bytes() == (
            tmp_path / "b" / result.output
        ).read_bytes()


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "商机") -> Path:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for row_cells in worksheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text cell that looks like a formula, not a formula
    workbook.create_sheet("其他").append(["nothing", "here"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def test_xlsx_first_sheet_cells_and_blank_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["商机列表"],
        [],
        list[object](HEADER_ZH.split(",")),
        [
            "OPP1",
            "华东 扩容",
            "ACC1",
            "REP1",
            "新签",
            "standard",
            "12.5万",
            "proposal",
            datetime(2024, 3, 5, 14, 30),
            "跟进中",
        ],
        [
            1002,
            "西南",
            "ACC2",
            "REP2",
            "续签",
            "renewal",
            1250000,
            "signed",
            45356.6041666667,
            "赢单",
        ],
        [
            "OPP3",
            '=HYPERLINK("x")',
            "ACC3",
            "REP1",
            "增购",
            "standard",
            "1.2亿",
            "proposal",
            "2024年3月5日",
            "暂停",
        ],
        [" "],
        ["", None, " "],
    ]
    src = _xlsx(tmp_path / "in" / "商机.xlsx", rows)
    (tmp_path / "out").mkdir()
    result = adapt_file(src, tmp_path / "out")
    assert (result.format, result.encoding, result.family) == ("xlsx", "xlsx", "opportunities")
    assert (result.rows_in, result.rows_out, result.rows_above_header) == (3, 3, 2)
    assert result.rows_blank_trailing == 2
    out = read_out(tmp_path / "out" / "opportunities__商机.csv")
    assert out[1] == [*CANONICAL_ROW, "4"]
    assert out[2] == [
        "1002",
        "西南",
        "ACC2",
        "REP2",
        "renewal",
        "renewal",
        "1250000",
        "signed",
        "2024-03-05 14:30:00",
        "won",
        "5",
    ]
    assert out[3][1] == '=HYPERLINK("x")'
    assert out[3][6:] == ["120000000.00", "proposal", "2024-03-05 00:00:00", "paused", "6"]


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    from ingestion.adapters.readers import read_xlsx

    src = _xlsx(tmp_path / "b.xlsx", [list[object](HEADER_ZH.split(","))])
    assert read_xlsx(src, "其他").rows == [["nothing", "here"]]
    assert read_xlsx(src).sheet == "商机"
    with pytest.raises(AdapterError, match="no sheet 'x'"):
        read_xlsx(src, "x")


def test_unsupported_files_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    write_bytes(tmp_path / "in", "notes.txt", b"hello")
    results = normalize_inbox(tmp_path / "in", tmp_path / "out")
    assert [(r.source, r.status) for r in results] == [("notes.txt", "ignored")]
