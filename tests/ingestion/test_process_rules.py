"""sales_process is optional: a blank or absent process is chosen by sales_process_rules.csv at
load time, as dbt will choose it, and the stage checks use that process."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.contract import ACCOUNTS, OPPORTUNITIES, SALES_REPS, STAGE_HISTORY
from ingestion.definitions import DEFAULT_FOLDER
from ingestion.loader import load_family, reconcile
from ingestion.stages import ProcessRule, StageCatalog, load_stage_catalog, read_process_rules
from tests.ingestion.test_loader import HEADER, LOADED_AT, opp, write
from tests.ingestion.test_stages import HISTORY_HEADER

NO_PROCESS_HEADER = HEADER.replace(",sales_process", "")


def opp_without_process(oid: str, **overrides: str) -> str:
    """An opportunity row of a file that has no sales_process column."""
    fields = dict(zip(HEADER.split(","), opp(oid, **overrides).split(","), strict=True))
    return ",".join(fields[c] for c in NO_PROCESS_HEADER.split(","))


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select family, row_number, column_name, reason_code, message from raw.quarantine "
        "order by family, row_number"
    ).fetchall()


def test_the_default_rules_are_read_in_priority_order() -> None:
    assert read_process_rules(DEFAULT_FOLDER) == [
        ProcessRule(10, "*", "*", "*", "renewal", "renewal"),
        ProcessRule(100, "*", "*", "*", "*", "standard"),
    ]
    assert load_stage_catalog(DEFAULT_FOLDER).rules[0].sales_process == "renewal"


def test_a_file_without_sales_process_is_checked_against_the_rules_choice(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(
        inbox / "opportunities.csv",
        [
            NO_PROCESS_HEADER,
            opp_without_process("N1", current_stage="needs_confirmed"),  # new -> standard
            opp_without_process(
                "R1", opportunity_type="renewal", current_stage="needs_confirmed"
            ),  # row 2: the renewal process omits needs_confirmed
            opp_without_process("R2", opportunity_type="renewal", current_stage="negotiation"),
        ],
    )
    write(
        inbox / "stage_history.csv",
        [
            HISTORY_HEADER,
            "N1,,needs_confirmed,2025-01-01 10:00:00,R1",
            "R2,,needs_confirmed,2025-01-01 10:00:00,R1",  # row 2: not a renewal stage
            "R2,needs_confirmed,negotiation,2025-01-03 10:00:00,R1",
        ],
    )
    catalog = load_stage_catalog(DEFAULT_FOLDER)
    [opps] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT, catalog)
    [history] = load_family(con, STAGE_HISTORY, inbox, LOADED_AT, catalog)
    assert (opps.status, opps.rows_read, opps.rows_loaded, opps.rows_quarantined) == (
        "loaded",
        3,
        2,
        1,
    )
    assert (history.rows_read, history.rows_loaded, history.rows_quarantined) == (3, 2, 1)
    rule_note = (
        "is not a stage of sales process renewal, which sales_process_rules.csv (priority 10) "
        "chose for a blank sales_process (sales_process_stages.csv)"
    )
    assert quarantined(con) == [
        (
            "opportunities",
            2,
            "current_stage",
            "unknown_stage",
            f"opportunities.csv, row 2: column current_stage: stage needs_confirmed {rule_note}",
        ),
        (
            "stage_history",
            2,
            "to_stage",
            "unknown_stage",
            f"stage_history.csv, row 2: column to_stage: stage needs_confirmed {rule_note}",
        ),
    ]
    # the column is absent, so raw holds it empty: dbt chooses the process again
    assert con.execute(
        "select count(*) from raw.opportunities where sales_process is null"
    ).fetchone() == (2,)
    assert reconcile(con, OPPORTUNITIES) == [] and reconcile(con, STAGE_HISTORY) == []


def test_blank_values_follow_org_unit_rules_from_the_reps_and_accounts_exports(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Rules (priority first): 5 government accounts -> renewal; 20 team north-1 -> renewal;
    100 default -> standard. R1 is in team north-1 (its latest sales_reps version: an older
    one said south-1), R2 in south-1. A1 is an enterprise, A2 a government account."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(
        inbox / "accounts_1.csv",
        [
            ",".join(ACCOUNTS.column_names),
            "A1,Acme,,enterprise,B,power,north,beijing",
            "A2,Bureau,,government,A,power,south,guangzhou",
        ],
    )
    reps_header = ",".join(SALES_REPS.column_names)
    write(inbox / "sales_reps_1.csv", [reps_header, "R1,张伟,south-1,,,,true"])
    write(
        inbox / "sales_reps_2.csv",
        [reps_header, "R1,张伟,north-1,beijing,north,,true", "R2,李娜,south-1,,south,,true"],
    )
    write(
        inbox / "opportunities.csv",
        [
            HEADER,
            opp("P1", sales_process=" ", current_stage="needs_confirmed"),  # R1 north-1: 20
            opp("P2", sales_process="", owner_id="R2", current_stage="needs_confirmed"),  # 100
            opp("P3", sales_process="", owner_id="R2", account_id="A2", current_stage="proposal"),
            opp(
                "P4",
                sales_process="",
                owner_id="R2",
                account_id="A2",
                current_stage="needs_confirmed",
            ),
            opp("P5", owner_id="R1", current_stage="needs_confirmed"),  # exported standard wins
            opp("P6", sales_process="", owner_id="R9", account_id="A9", current_stage="signed"),
        ],
    )
    rules = [
        ProcessRule(100, "*", "*", "*", "*", "standard"),
        ProcessRule(20, "north-1", "*", "*", "*", "renewal"),
        ProcessRule(5, "*", "government", "*", "*", "renewal"),
    ]
    catalog = StageCatalog(load_stage_catalog(DEFAULT_FOLDER), rules)
    for family in (ACCOUNTS, SALES_REPS):
        list(load_family(con, family, inbox, LOADED_AT))
    [opps] = load_family(con, OPPORTUNITIES, inbox, LOADED_AT, catalog)
    assert (opps.rows_read, opps.rows_loaded, opps.rows_quarantined) == (6, 4, 2)
    got = [(r[1], r[4].split(": ", 2)[-1]) for r in quarantined(con)]
    assert got == [
        (
            1,
            "stage needs_confirmed is not a stage of sales process renewal, which "
            "sales_process_rules.csv (priority 20) chose for a blank sales_process "
            "(sales_process_stages.csv)",
        ),
        (
            4,
            "stage needs_confirmed is not a stage of sales process renewal, which "
            "sales_process_rules.csv (priority 5) chose for a blank sales_process "
            "(sales_process_stages.csv)",
        ),
    ]
    assert reconcile(con, OPPORTUNITIES) == []
