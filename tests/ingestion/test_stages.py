"""Unknown stages and sales processes are quarantined at load time, from the sales-ops
definitions (dbt_project/seeds/sales_process_stages.csv), naming file, row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import OPPORTUNITIES, STAGE_HISTORY
from ingestion.definitions import DEFAULT_FOLDER
from ingestion.loader import load_family, reconcile
from ingestion.stages import DefinitionsInvalidError, load_stage_catalog
from tests.ingestion.test_loader import HEADER, LOADED_AT, opp, write

HISTORY_HEADER = "opportunity_id,from_stage,to_stage,changed_at,changed_by"


def test_the_catalog_lists_each_process_stages_in_order() -> None:
    catalog = load_stage_catalog(DEFAULT_FOLDER)
    assert catalog["standard"] == (
        "initial_contact",
        "needs_confirmed",
        "proposal",
        "negotiation",
        "signed",
    )
    assert catalog["renewal"] == ("initial_contact", "proposal", "negotiation", "signed")


def test_broken_definitions_stop_the_load_and_say_why(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(DEFAULT_FOLDER, folder)
    stages = folder / "sales_process_stages.csv"
    stages.write_text(
        stages.read_text(encoding="utf-8").replace("0.25", "1.25", 1), encoding="utf-8"
    )
    with pytest.raises(DefinitionsInvalidError) as error:
        load_stage_catalog(folder)
    assert "sales_process_stages.csv, line 3, field win_probability" in str(error.value)


def test_unknown_stage_and_process_are_quarantined_with_file_row_column(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(
        inbox / "opportunities.csv",
        [
            HEADER,
            opp("O1"),
            opp("O2", current_stage="demo"),  # row 2: no such stage anywhere
            opp("O3", sales_process="renewal", current_stage="needs_confirmed"),  # row 3
            opp("O4", sales_process="channel"),  # row 4: no such process
            opp("O5", sales_process="renewal", current_stage="negotiation"),
        ],
    )
    write(
        inbox / "stage_history.csv",
        [
            HISTORY_HEADER,
            "O1,,initial_contact,2025-01-01 10:00:00,R1",
            "O1,initial_contact,demo,2025-01-02 10:00:00,R1",  # row 2: unknown to_stage
            "O5,,needs_confirmed,2025-01-01 10:00:00,R1",  # row 3: not a renewal stage
            "O5,needs_confirmed,proposal,2025-01-03 10:00:00,R1",
        ],
    )
    catalog = load_stage_catalog(DEFAULT_FOLDER)
    [opps] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT, catalog)
    [history] = load_family(con, STAGE_HISTORY, inbox, LOADED_AT, catalog)
    assert (opps.rows_read, opps.rows_loaded, opps.rows_quarantined) == (5, 2, 3)
    assert (history.rows_read, history.rows_loaded, history.rows_quarantined) == (4, 2, 2)
    got = con.execute(
        "select source_file, row_number, column_name, reason_code, message from raw.quarantine "
        "order by family, row_number"
    ).fetchall()
    assert got == [
        (
            "opportunities.csv",
            2,
            "current_stage",
            "unknown_stage",
            "opportunities.csv, row 2: column current_stage: stage demo is not a stage of sales "
            "process standard (sales_process_stages.csv)",
        ),
        (
            "opportunities.csv",
            3,
            "current_stage",
            "unknown_stage",
            "opportunities.csv, row 3: column current_stage: stage needs_confirmed is not a stage "
            "of sales process renewal (sales_process_stages.csv)",
        ),
        (
            "opportunities.csv",
            4,
            "sales_process",
            "unknown_sales_process",
            "opportunities.csv, row 4: column sales_process: no such sales process in the "
            "definitions: channel",
        ),
        (
            "stage_history.csv",
            2,
            "to_stage",
            "unknown_stage",
            "stage_history.csv, row 2: column to_stage: stage demo is not a stage of sales "
            "process standard (sales_process_stages.csv)",
        ),
        (
            "stage_history.csv",
            3,
            "to_stage",
            "unknown_stage",
            "stage_history.csv, row 3: column to_stage: stage needs_confirmed is not a stage of "
            "sales process renewal (sales_process_stages.csv)",
        ),
    ]
    assert reconcile(con, OPPORTUNITIES) == [] and reconcile(con, STAGE_HISTORY) == []


def test_without_a_catalog_stages_are_not_checked(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "opportunities.csv", [HEADER, opp("O1", current_stage="demo")])
    [load] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT)
    assert (load.rows_loaded, load.rows_quarantined) == (1, 0)
