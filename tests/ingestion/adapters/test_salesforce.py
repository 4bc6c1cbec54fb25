"""The real Salesforce Data Loader sample -> canonical files that load and reconcile, with stage
transitions worked out by hand from OpportunityHistory.csv."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.adapters import AdaptedFile, normalize_inbox
from tests.ingestion.adapters.conftest import FIXTURES, load_adapted, load_all

SAMPLE = FIXTURES / "salesforce_sample"


@pytest.fixture()
def adapted(tmp_path: Path) -> tuple[Path, list[AdaptedFile]]:
    (tmp_path / "in").mkdir()
    shutil.copytree(SAMPLE, tmp_path / "in" / "salesforce_sample")
    return tmp_path / "out", normalize_inbox(tmp_path / "in", tmp_path / "out")


def by_source(results: list[AdaptedFile]) -> dict[str, AdaptedFile]:
    return {r.source.split("/")[-1]: r for r in results}


def test_sample_files_and_row_counts(adapted: tuple[Path, list[AdaptedFile]]) -> None:
    out, results = adapted
    got = by_source(results)
    assert sorted(p.name for p in out.iterdir()) == [
        "accounts__salesforce_sample-Account.csv",
        "opportunities__salesforce_sample-Opportunity.csv",
        "sales_reps__salesforce_sample-owners.csv",
        "stage_history__salesforce_sample-OpportunityHistory.csv",
    ]
    assert (got["Opportunity.csv"].rows_in, got["Opportunity.csv"].rows_out) == (36, 36)
    assert (got["Account.csv"].rows_in, got["Account.csv"].rows_out) == (18, 18)
    history = got["OpportunityHistory.csv"]
    # 48 history rows: 40 stage changes + 8 'Closed Lost' rows folded into the status
    assert (history.rows_in, history.rows_out, history.rows_folded) == (48, 40, 8)
    assert history.rows_out + history.rows_folded == history.rows_in
    assert "8 row(s) folded, 'Closed Lost' is a status" in history.warnings[0]
    reps = got["(owner ids of Opportunity.csv)"]
    assert (reps.family, reps.rows_in, reps.rows_out) == ("sales_reps", 0, 1)
    for unused in ("Lead.csv", "Contact.csv", "OpportunityHistoryGroup.csv", "LICENSE"):
        assert got[unused].status == "ignored"


def test_sample_loads_and_reconciles(
    adapted: tuple[Path, list[AdaptedFile]], con: duckdb.DuckDBPyConnection
) -> None:
    out, _ = adapted
    loads = {load.family: load for load in load_all(con, out)}
    for family, read in (
        ("opportunities", 36),
        ("stage_history", 40),
        ("accounts", 18),
        ("sales_reps", 1),
    ):
        load = loads[family]
        assert load.status == "loaded"
        assert load.rows_read == read
        assert load.rows_loaded + load.rows_quarantined == load.rows_read
    # 7 deals were Closed Won, then Closed Lost: their 7 changes into signed are reversed wins,
    # and 6 of them had no stage before the win, so the opportunity has no stage to be lost from
    assert con.execute(
        "select family, reason_code, column_name, count(*) from raw.quarantine "
        "group by all order by 1"
    ).fetchall() == [
        ("opportunities", "reversed_win", "current_stage", 6),
        ("stage_history", "reversed_win", "StageName", 7),
    ]
    extra = con.execute(
        "select _extra from raw.opportunities where opportunity_id = '006bm00000LKJNSAA5'"
    ).fetchone()
    assert extra is not None
    fields = json.loads(extra[0])
    assert fields["probability"] == "0.75"  # Probability 75 -> fraction
    assert fields["source_row"] == "7"
    assert fields["StageName"] == "Proposal/Price Quote"
    assert fields["_defaults_applied"] == "owner_id,sales_process,opportunity_type,currency"


def transitions(con: duckdb.DuckDBPyConnection, opp: str) -> list[tuple[str | None, str, str]]:
    return con.execute(
        "select from_stage, to_stage, changed_at from raw.stage_history "
        "where opportunity_id = ? order by changed_at",
        [opp],
    ).fetchall()


def opportunity(con: duckdb.DuckDBPyConnection, opp: str) -> tuple[str, str, str | None]:
    row = con.execute(
        "select current_stage, status, closed_date from raw.opportunities where opportunity_id = ?",
        [opp],
    ).fetchone()
    assert row is not None
    return row


def test_transitions_agree_with_opportunity_history(
    adapted: tuple[Path, list[AdaptedFile]], con: duckdb.DuckDBPyConnection
) -> None:
    load_adapted(con, *adapted)
    # Zenith: Prospecting 02/24/26 02:19 AM, then Proposal/Price Quote 02:20 AM; still open
    assert transitions(con, "006bm00000LKdM8AAL") == [
        (None, "initial_contact", "2026-02-24 02:19:00"),
        ("initial_contact", "proposal", "2026-02-24 02:20:00"),
    ]
    assert opportunity(con, "006bm00000LKdM8AAL") == ("proposal", "open", None)
    # Jackson Controls: the file lists Closed Lost (02:20 AM) before Prospecting (02:15 AM);
    # in time order it was prospected, then lost: one stage, status lost
    assert transitions(con, "006bm00000LKg0bAAD") == [
        (None, "initial_contact", "2026-02-24 02:15:00"),
    ]
    # closed_date is the day it was closed (its latest history row), not CloseDate 03/31/26
    assert opportunity(con, "006bm00000LKg0bAAD") == ("initial_contact", "lost", "2026-02-24")
    # United Oil SLA: Closed Won 02/23/26 08:55 PM, moved to Closed Lost 03/07/26 09:00 PM.
    # The win is reversed: quarantined, and with no stage before it the deal is quarantined too.
    assert transitions(con, "006bm00000LKJNTAA5") == []
    assert con.execute(
        "select family, row_number, message from raw.quarantine "
        "where json_extract_string(record, '$.opportunity_id') = '006bm00000LKJNTAA5' order by 1"
    ).fetchall() == [
        (
            "opportunities",
            8,
            "salesforce_sample/Opportunity.csv, row 8: column current_stage: the deal was Closed "
            "Won, then Closed Lost, and has no stage before the win: it has no stage to be lost "
            "from; column current_stage: required column current_stage is empty",
        ),
        (
            "stage_history",
            8,
            "salesforce_sample/OpportunityHistory.csv, row 8: column StageName: Closed Won on "
            "02/23/26 08:55 PM was reversed (the deal is Closed Lost now): not counted as "
            "reaching the won stage; column opportunity_id (OpportunityId): no opportunities row "
            "with this opportunity_id: 006bm00000LKJNTAA5",
        ),
    ]
    # Farmers Coop.: Prospecting 02:18 AM -> Closed Won 02:20 AM -> Closed Lost 03/07/26: lost
    # from initial_contact; the reversed win is quarantined
    assert transitions(con, "006bm00000LKgOnAAL") == [
        (None, "initial_contact", "2026-02-24 02:18:00"),
    ]
    assert opportunity(con, "006bm00000LKgOnAAL") == ("initial_contact", "lost", "2026-03-07")
    # Express Logistics Standby Generator: Closed Won 02/23/26 08:55 PM, and still won
    assert opportunity(con, "006bm00000LKJNPAA5") == ("signed", "won", "2026-02-23")


def test_won_then_lost_deals_are_reported(adapted: tuple[Path, list[AdaptedFile]]) -> None:
    _, results = adapted
    warnings = by_source(results)["Opportunity.csv"].warnings
    assert any("7 opportunity(ies) were Closed Won, then Closed Lost" in w for w in warnings)
    assert any("the win is quarantined as reversed_win" in w for w in warnings)


def test_defaults_are_flagged(adapted: tuple[Path, list[AdaptedFile]]) -> None:
    out, _ = adapted
    accounts = (out / "accounts__salesforce_sample-Account.csv").read_text(encoding="utf-8")
    first = accounts.splitlines()[1]
    assert first.startswith("001bm00001ZL8U9AAL,Edge Communications,,enterprise,C,Electronics")
    assert first.endswith(',2,"customer_type,tier"')
    reps = (out / "sales_reps__salesforce_sample-owners.csv").read_text(encoding="utf-8")
    assert reps.splitlines()[1] == (
        '005bm00000NCJmQAAX,005bm00000NCJmQAAX,unassigned,,,,true,,"rep_name,team,active"'
    )


def test_user_csv_gives_the_sales_reps(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "sf"
    shutil.copytree(SAMPLE, folder)
    (folder / "User.csv").write_text(
        "Id,Name,Department,IsActive,ManagerId,Email\n"
        "005bm00000NCJmQAAX,Ian Fink,East-1,TRUE,,ian@example.com\n"
        "005bm00000NCJmRAAX,Old Rep,,FALSE,005bm00000NCJmQAAX,\n",
        encoding="utf-8",
    )
    results = by_source(normalize_inbox(tmp_path / "in", tmp_path / "out"))
    assert results["User.csv"].family == "sales_reps"
    lines = (tmp_path / "out" / "sales_reps__sf-User.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        "rep_id,rep_name,team,branch,region,manager_id,active,Email,source_row,_defaults_applied",
        "005bm00000NCJmQAAX,Ian Fink,East-1,,,,true,ian@example.com,2,",
        "005bm00000NCJmRAAX,Old Rep,unassigned,,,005bm00000NCJmQAAX,false,,3,team",
    ]
