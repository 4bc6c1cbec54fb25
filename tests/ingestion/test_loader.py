"""The loader: faithful text load, quarantine with reasons, idempotence, reconciliation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import OPPORTUNITIES, STAGE_HISTORY
from ingestion.loader import load_family, reconcile

LOADED_AT = datetime(2026, 1, 1, 2, 0, 0)
HEADER = (
    "opportunity_id,opportunity_name,account_id,owner_id,opportunity_type,source,"
    "sales_process,product_category,amount,currency,current_stage,created_at,"
    "expected_close_date,status,closed_date,lost_reason,next_follow_up_date"
)


def opp(oid: str, **overrides: str) -> str:
    row = {
        "opportunity_id": oid,
        "opportunity_name": f"Deal {oid}",
        "account_id": "A1",
        "owner_id": "R1",
        "opportunity_type": "new",
        "source": "lead",
        "sales_process": "standard",
        "product_category": "software",
        "amount": "1000.00",
        "currency": "CNY",
        "current_stage": "proposal",
        "created_at": "2025-01-01 10:00:00",
        "expected_close_date": "2025-03-01",
        "status": "open",
        "closed_date": "",
        "lost_reason": "",
        "next_follow_up_date": "",
    }
    row.update(overrides)
    return ",".join(row[c] for c in HEADER.split(","))


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield connection
    connection.close()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select row_number, line_number, column_name, reason_code, message from raw.quarantine "
        "order by coalesce(row_number, line_number)"
    ).fetchall()


def test_good_rows_load_as_text_with_lineage(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "opportunities.csv", [HEADER, opp("O1"), opp("O2", amount="25.5")])
    [result] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        2,
        2,
        0,
    )
    rows = con.execute(
        "select opportunity_id, amount, _source_file, _row_number, _loaded_at "
        "from raw.opportunities order by 1"
    ).fetchall()
    assert rows == [
        ("O1", "1000.00", "opportunities.csv", 1, LOADED_AT),
        ("O2", "25.5", "opportunities.csv", 2, LOADED_AT),
    ]


def test_bad_rows_are_quarantined_with_file_row_column(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(
        inbox / "opportunities.csv",
        [
            HEADER,
            opp("O1"),
            opp("O2", amount="-5"),  # row 2: negative amount
            opp("O1", opportunity_name="again"),  # row 3: duplicate id
            opp("O3", created_at="2025/01/01"),  # row 4: bad timestamp
            opp("O4", status="won"),  # row 5: won without closed_date
            opp("O5", opportunity_type="bogus"),  # row 6: not an allowed value
            "O6,too,few",  # line 8: wrong column count
        ],
    )
    [result] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7, 1, 6)
    got = quarantine(con)
    assert [(r[0], r[1], r[2], r[3]) for r in got] == [
        (2, None, "amount", "negative_amount"),
        (3, None, "opportunity_id", "duplicate_key"),
        (4, None, "created_at", "bad_timestamp"),
        (5, None, "closed_date", "closed_without_date"),
        (6, None, "opportunity_type", "bad_enum"),
        (None, 8, "owner_id", "missing_columns"),
    ]
    assert got[0][4] == "opportunities.csv, row 2: column amount: negative amount: -5"
    assert got[5][4].startswith("opportunities.csv, line 8, column owner_id: ")
    assert reconcile(con, OPPORTUNITIES) == []


def test_missing_required_column_quarantines_the_file_and_names_it(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    header = HEADER.replace("owner_id,", "")
    line = opp("O1").split(",")
    del line[3]
    write(inbox / "opportunities.csv", [header, ",".join(line)])
    [result] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT)
    assert result.status == "rejected"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (1, 0, 1)
    assert "owner_id" in result.message
    [(row, _, column, code, message)] = quarantine(con)
    assert (row, column, code) == (1, "owner_id", "missing_required_column")
    assert "opportunities.csv" in message and "owner_id" in message


def test_unknown_columns_are_kept_as_json(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "opportunities.csv", [HEADER + ",crm_note", opp("O1") + ",悟空"])
    list(load_family(con, OPPORTUNITIES, inbox, LOADED_AT))
    assert con.execute("select _extra from raw.opportunities").fetchone() == (
        '{"crm_note":"悟空"}',
    )


def test_loading_the_same_content_twice_changes_nothing(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "opportunities.csv", [HEADER, opp("O1"), opp("O2", amount="x")])
    list(load_family(con, OPPORTUNITIES, inbox, LOADED_AT))
    # The same bytes under another name are the same export.
    write(inbox / "opportunities_copy.csv", [HEADER, opp("O1"), opp("O2", amount="x")])
    results = list(load_family(con, OPPORTUNITIES, inbox, LOADED_AT))
    assert [r.status for r in results] == ["skipped", "skipped"]
    counts = con.execute(
        "select (select count(*) from raw.opportunities), (select count(*) from raw.quarantine)"
    ).fetchone()
    assert counts == (1, 1)


def test_history_for_an_unknown_opportunity_is_quarantined(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "opportunities.csv", [HEADER, opp("O1")])
    write(
        inbox / "stage_history.csv",
        [
            "opportunity_id,from_stage,to_stage,changed_at,changed_by",
            "O1,,initial_contact,2025-01-01 10:00:00,R1",
            "O9,,initial_contact,2025-01-01 10:00:00,R1",
        ],
    )
    list(load_family(con, OPPORTUNITIES, inbox, LOADED_AT))
    [result] = load_family(con, STAGE_HISTORY, inbox, LOADED_AT)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(_, _, column, code, message)] = quarantine(con)
    assert (column, code) == ("opportunity_id", "unknown_parent")
    assert "O9" in message


def test_an_empty_file_is_reported_not_crashed(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "opportunities.csv").write_bytes(b"")
    [result] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT)
    assert result.status == "rejected"
    assert result.rows_read == result.rows_loaded + result.rows_quarantined


def test_reconcile_detects_a_lost_row(con, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "opportunities.csv", [HEADER, opp("O1"), opp("O2")])
    list(load_family(con, OPPORTUNITIES, inbox, LOADED_AT))
    con.execute("delete from raw.opportunities where opportunity_id = 'O2'")
    [mismatch] = reconcile(con, OPPORTUNITIES)
    assert (mismatch.rows_read, mismatch.rows_loaded, mismatch.rows_quarantined) == (2, 1, 0)
