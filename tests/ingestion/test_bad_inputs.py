"""The bad-input corpus (tests/fixtures/bad_inputs/, README there): every file's exact outcome.

Each file is ingested as the pipeline does it (adapt, log adapter errors, load every family with
the stage definitions) into its own warehouse, beside `_base/opportunities_0_base.csv` (the
opportunities O1, O2 that history and contracts point to). Nothing raises; every row read is
loaded or quarantined; the first quarantined row's reason, column and place are checked, and
its message names the file, the place and the column.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import FAMILIES, OPPORTUNITIES
from ingestion.definitions import DEFAULT_FOLDER
from ingestion.intake import ingest_inbox
from ingestion.loader import reconcile
from ingestion.stages import load_stage_catalog

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
LOADED_AT = datetime(2026, 1, 1, 2, 0, 0)


@dataclass(frozen=True)
class Outcome:
    family: str
    status: str  # load_log status: loaded | rejected
    counts: tuple[int, int, int]  # rows read, loaded, quarantined
    reason: str | None = None  # first quarantined row's reason code
    column: str | None = None
    place: str | None = None  # 'row N' (data row / source row) or 'line N' (physical line)
    says: str = ""  # a phrase of the message (quarantine, or load_log when rejected)


OUTCOMES: dict[str, Outcome] = {
    "opportunities_latin1.csv": Outcome(
        "opportunities",
        "loaded",
        (2, 1, 1),
        "invalid_encoding",
        "opportunity_name",
        "line 3",
        "not utf-8 encoded",
    ),
    "商機_big5.csv": Outcome("unknown", "rejected", (0, 0, 0), says="no header row"),
    "accounts_truncated.csv": Outcome(
        "accounts",
        "loaded",
        (2, 1, 1),
        "unquoted_value",
        "account_name",
        "line 3",
        "unterminated quote",
    ),
    "accounts_empty.csv": Outcome("accounts", "rejected", (0, 0, 0), says="the file is empty"),
    "accounts_header_only.csv": Outcome("accounts", "loaded", (0, 0, 0)),
    "opportunities_no_owner_id.csv": Outcome(
        "opportunities",
        "rejected",
        (2, 0, 2),
        "missing_required_column",
        "owner_id",
        "row 1",
        "lacks required column(s) owner_id",
    ),
    "accounts_duplicate_ids.csv": Outcome(
        "accounts", "loaded", (3, 2, 1), "duplicate_key", "account_id", "row 3", "key D1"
    ),
    "opportunities_unknown_stage.csv": Outcome(
        "opportunities",
        "loaded",
        (2, 1, 1),
        "unknown_stage",
        "current_stage",
        "row 2",
        "stage demo_done is not a stage of sales process standard",
    ),
    "stage_history_future.csv": Outcome(
        "stage_history",
        "loaded",
        (2, 1, 1),
        "future_timestamp",
        "changed_at",
        "row 2",
        "in the future",
    ),
    "contracts_negative_amount.csv": Outcome(
        "contracts", "loaded", (2, 1, 1), "negative_amount", "amount", "row 1", "-12000.00"
    ),
    "stage_history_unknown_opportunity.csv": Outcome(
        "stage_history",
        "loaded",
        (2, 1, 1),
        "unknown_parent",
        "opportunity_id",
        "row 2",
        "no opportunities row with this opportunity_id: O404",
    ),
    # Loaded: a wrong check digit is a data-quality finding, not an unreadable value. dbt's
    # invalid_credit_code alert names the account (mart_bottleneck_alerts).
    "accounts_bad_credit_code.csv": Outcome("accounts", "loaded", (1, 1, 0)),
    "opportunities_mixed_dates.csv": Outcome(
        "opportunities",
        "loaded",
        (3, 1, 2),
        "bad_timestamp",
        "created_at",
        "row 2",
        "not a YYYY-MM-DD HH:MM:SS timestamp: 2025/03/05 10:00",
    ),
    # Not canonical (Chinese headers): the adapter reads every date format, so all rows load.
    "商机_混合日期.csv": Outcome("opportunities", "loaded", (3, 3, 0)),
    "opportunities_formula.csv": Outcome(
        "opportunities",
        "loaded",
        (3, 2, 1),
        "formula_cell",
        "opportunity_name",
        "row 1",
        "=cmd|' /C calc'!A0",
    ),
    "orders_semicolon.csv": Outcome("orders", "rejected", (0, 0, 0), says="no header row"),
    "orders_bad_amount.csv": Outcome(
        "orders", "loaded", (3, 1, 2), "bad_decimal", "amount", "row 1", "not a decimal: 1,200.00"
    ),
    "orders_bad_status.csv": Outcome(
        "orders", "loaded", (1, 0, 1), "bad_enum", "status", "row 1", "shipped"
    ),
    "sales_reps_bad_active.csv": Outcome(
        "sales_reps", "loaded", (2, 1, 1), "bad_boolean", "active", "row 2", "maybe"
    ),
    "opportunities_won_without_date.csv": Outcome(
        "opportunities",
        "loaded",
        (1, 0, 1),
        "closed_without_date",
        "closed_date",
        "row 1",
        "required when status is won/lost/invalid",
    ),
    "opportunities_unknown_process.csv": Outcome(
        "opportunities",
        "loaded",
        (1, 0, 1),
        "unknown_sales_process",
        "sales_process",
        "row 1",
        "channel",
    ),
    "商机_corrupt.xlsx": Outcome("unknown", "rejected", (0, 0, 0), says="not a readable XLSX"),
    "contracts_too_many_columns.csv": Outcome(
        "contracts", "loaded", (2, 1, 1), "too_many_columns", None, "line 3", "Found: 8"
    ),
    # GBK with Chinese headers: the row number is the source file's (header is row 1) and the
    # column is named by the export's own header too.
    "商机_gbk_面议.csv": Outcome(
        "opportunities",
        "loaded",
        (2, 1, 1),
        "bad_decimal",
        "amount",
        "row 3",
        "column amount (商机金额): not a decimal: 面议",
    ),
    "客户满意度调查.csv": Outcome("unknown", "rejected", (0, 0, 0), says="no header row"),
    "contracts_bad_date.csv": Outcome(
        "contracts", "loaded", (1, 0, 1), "bad_date", "signed_date", "row 1", "2025-02-30"
    ),
    "accounts_bom.csv": Outcome("accounts", "loaded", (1, 1, 0)),
    "opportunities_quoted_newline.csv": Outcome("opportunities", "loaded", (2, 2, 0)),
    "stage_history_bad_hour.csv": Outcome(
        "stage_history",
        "loaded",
        (1, 0, 1),
        "bad_timestamp",
        "changed_at",
        "row 1",
        "2025-01-01 25:00:00",
    ),
    # generated by the test, not committed: header + a 50 MB value + a good row
    "opportunities_50mb_line.csv": Outcome(
        "opportunities",
        "loaded",
        (2, 1, 1),
        "value_too_long",
        "opportunity_name",
        "row 1",
        "longer than 100000 characters: 52428800 characters",
    ),
}
GENERATED = {"opportunities_50mb_line.csv"}


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "README.md")


def test_every_corpus_file_has_an_outcome_and_a_readme_line() -> None:
    assert len(corpus_files()) >= 25
    assert sorted(set(OUTCOMES) - GENERATED) == corpus_files()
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [n for n in OUTCOMES if f"`{n}`" not in readme] == []


def write_50mb_line(path: Path) -> None:
    header = ",".join(OPPORTUNITIES.column_names)
    good = "G1,Deal,A1,R1,new,lead,standard,software,1.00,CNY,proposal,2025-01-01 10:00:00,,open,,,"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        handle.write("H1," + "x" * (50 * 1024 * 1024) + good[len("G1,Deal") :] + "\n")
        handle.write(good + "\n")


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_corpus_file_outcome(name: str, tmp_path: Path) -> None:
    expected = OUTCOMES[name]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / "_base" / "opportunities_0_base.csv", inbox)
    if name in GENERATED:
        write_50mb_line(inbox / name)
    else:
        shutil.copy(CORPUS / name, inbox)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        ingest_inbox(
            con, inbox, tmp_path / "staging", LOADED_AT, load_stage_catalog(DEFAULT_FOLDER)
        )
        logged = con.execute(
            "select family, status, rows_read, rows_loaded, rows_quarantined, message "
            "from raw.load_log where source_file = ?",
            [name],
        ).fetchall()
        quarantined = con.execute(
            "select reason_code, column_name, coalesce('row ' || row_number, "
            "'line ' || line_number), message from raw.quarantine where source_file = ? "
            "order by coalesce(row_number, line_number)",
            [name],
        ).fetchall()
        for family in FAMILIES:
            assert reconcile(con, family) == [], family.name
    [(family, status, read, loaded, n_quarantined, log_message)] = logged
    assert (family, status, (read, loaded, n_quarantined)) == (
        expected.family,
        expected.status,
        expected.counts,
    )
    assert len(quarantined) == n_quarantined
    if expected.reason is None:
        assert quarantined == []
        if status == "rejected":
            assert log_message.startswith(name) and expected.says in log_message
        return
    reason, column, place, message = quarantined[0]
    assert (reason, column, place) == (expected.reason, expected.column, expected.place)
    assert message.startswith(f"{name}, {place}")
    if column is not None:
        assert f"column {column}" in message
    assert expected.says in message
