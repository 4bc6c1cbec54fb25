"""dim_sales_reps, dim_accounts, dim_date and the organisation attribution of the stage facts.

On the fixture warehouse (one sales_reps export, 2025-07-01, after every stage change up to
the as-of date 2025-06-30) every rep has one current range and every change predates it, so
it is attributed to that earliest range (before_first_export). The second part adds an
older sales_reps export to a copy of the raw data (REP001 in team east-2, region central, in
the export of 2025-05-01) and an older opportunities export (OPP005 owned by REP003 in the
export of 2025-05-01), points FUNNEL_DEFINITIONS at a copy of the definitions with a
fiscal year starting in April, and builds as of 2025-07-31 with the attribution switch off
and on.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
pytestmark = pytest.mark.slow  # builds the dbt project twice more: about half a minute


def _require_build(built_warehouse) -> None:
    if built_warehouse.build.returncode != 0:
        pytest.fail("dbt build failed:\n" + built_warehouse.build.output[-6000:])


def test_fixture_dimensions(built_warehouse) -> None:
    _require_build(built_warehouse)
    assert built_warehouse.query(
        "select rep_id, team, region, valid_from, valid_to, is_current, as_of_date "
        "from marts.dim_sales_reps order by rep_id"
    ) == [
        ("REP001", "east-1", "east", dt.date(2025, 7, 1), None, True, dt.date(2025, 6, 30)),
        ("REP002", "north-1", "north", dt.date(2025, 7, 1), None, True, dt.date(2025, 6, 30)),
        ("REP003", "south-1", "south", dt.date(2025, 7, 1), None, True, dt.date(2025, 6, 30)),
    ]
    # segment_rules: A -> KA, B and C -> SMB
    assert built_warehouse.query(
        "select account_id, tier, importance from marts.dim_accounts order by account_id"
    ) == [
        ("ACC001", "A", "KA"),
        ("ACC002", "B", "SMB"),
        ("ACC003", "C", "SMB"),
        ("ACC004", "B", "SMB"),
    ]
    # 2020-01-01 .. 2026-12-31 (the as-of year 2025 + 1): 366 + 365 * 3 + 366 + 365 * 2 days
    assert built_warehouse.query(
        "select min(date_day), max(date_day), count(*) from marts.dim_date"
    ) == [(dt.date(2020, 1, 1), dt.date(2026, 12, 31), 2557)]
    # default fiscal calendar: the fiscal year is the calendar year; 2025-06-30 is a Monday
    assert built_warehouse.query(
        "select fiscal_year, fiscal_quarter, fiscal_quarter_start, week_start, is_business_day "
        "from marts.dim_date where date_day = date '2025-06-30'"
    ) == [("FY2025", 2, dt.date(2025, 4, 1), dt.date(2025, 6, 30), True)]


def test_fixture_changes_predate_the_only_export(built_warehouse) -> None:
    _require_build(built_warehouse)
    for fact in ("fct_stage_transitions", "fct_stage_visits"):
        assert built_warehouse.query(f"select distinct org_attribution from marts.{fact}") == [
            ("before_first_export",)
        ], fact
        # the only range is the current one: the same team as dim_opportunities
        assert built_warehouse.query(
            f"select count(*) from marts.{fact} as f inner join marts.dim_opportunities as o "
            "on f.opportunity_id = o.opportunity_id "
            "where f.team is distinct from o.team or f.region is distinct from o.region"
        ) == [(0,)], fact


@pytest.fixture(scope="module")
def reorganised(tmp_path_factory: pytest.TempPathFactory, raw_warehouse):
    """A raw warehouse with an older REP001 version, and definitions with an April FY."""
    warehouse_dir = tmp_path_factory.mktemp("reorganised")
    handle = raw_warehouse(warehouse_dir)
    con = duckdb.connect(str(handle.db_path))
    try:
        con.execute(
            "insert into raw.sales_reps (rep_id, rep_name, team, branch, region, manager_id, "
            "active, _source_file, _content_hash, _row_number, _loaded_at) values "
            "('REP001', '张伟', 'east-2', 'hangzhou', 'central', null, 'true', "
            "'sales_reps_2025-05-01.csv', 'older', 1, timestamp '2025-05-01 06:00:00')"
        )
        # an older opportunities export: OPP005 was REP003's until the export of 07-01
        con.execute(
            "insert into raw.opportunities by name select * replace ("
            "'REP003' as owner_id, 'opportunities_2025-05-01.csv' as _source_file, "
            "'older' as _content_hash, timestamp '2025-05-01 06:00:00' as _loaded_at) "
            "from raw.opportunities where opportunity_id = 'OPP005'"
        )
    finally:
        con.close()
    definitions = warehouse_dir / "definitions"
    shutil.copytree(DBT_PROJECT_DIR / "seeds", definitions)
    (definitions / "fiscal_calendar.csv").write_text(
        "fiscal_year_start_month,week_start,timezone\n4,monday,Asia/Shanghai\n", encoding="utf-8"
    )
    return handle, definitions


LEAN_SELECTION = "+fct_stage_transitions +fct_stage_visits +dim_sales_reps +dim_date"
LEAN_RESOURCE_TYPES = ["--resource-type", "model", "--resource-type", "seed"]


def _build(dbt_cli, handle, definitions: Path, restate: bool, monkeypatch) -> None:
    # relative to dbt_project/: an absolute seed path would make dbt overwrite the CSVs
    monkeypatch.setenv("FUNNEL_DEFINITIONS", os.path.relpath(definitions, DBT_PROJECT_DIR))
    variables = f'{{"as_of_date": "2025-07-31", "restate_to_current_org": {str(restate).lower()}}}'
    # only the models these tests read, and their parents; the full build with every data and
    # unit test runs once, in tests/dbt/test_dbt_build.py
    result = dbt_cli(
        ["build", "--select", LEAN_SELECTION, *LEAN_RESOURCE_TYPES, "--vars", variables],
        handle.warehouse_dir,
    )
    assert result.returncode == 0, result.output[-6000:]


def _team_by_change(handle) -> dict[tuple[str, str], tuple]:
    rows = handle.query(
        "select opportunity_id, to_stage, team, region, org_attribution "
        "from marts.fct_stage_transitions where opportunity_id in ('OPP001', 'OPP005', 'OPP010')"
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def test_event_time_attribution_and_fiscal_year_from_the_definitions_folder(
    reorganised, dbt_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle, definitions = reorganised
    _build(dbt_cli, handle, definitions, False, monkeypatch)
    assert handle.query(
        "select team, region, valid_from, valid_to, is_current from marts.dim_sales_reps "
        "where rep_id = 'REP001' order by valid_from"
    ) == [
        ("east-2", "central", dt.date(2025, 5, 1), dt.date(2025, 7, 1), False),
        ("east-1", "east", dt.date(2025, 7, 1), None, True),
    ]
    teams = _team_by_change(handle)
    # April, before REP001's first export (05-01): the earliest range
    assert teams[("OPP001", "initial_contact")] == ("east-2", "east", "before_first_export")
    # June: the 05-01 range; ACC004 has no region, so the rep's region of the time
    assert teams[("OPP010", "initial_contact")] == ("east-2", "central", "event_time")
    # 06-01: OPP005 was still REP003's (until its export of 07-01), whose only sales_reps
    # export (07-01) is later: REP003's earliest range; ACC004 has no region: REP003's
    assert teams[("OPP005", "proposal")] == ("south-1", "south", "before_first_export")
    # 07-10, REP001's again, after REP001's move on 07-01
    assert teams[("OPP005", "signed")] == ("east-1", "east", "event_time")
    assert handle.query(
        "select to_stage, owner_id, current_owner_id, owner_attribution "
        "from marts.fct_stage_transitions where opportunity_id in ('OPP005', 'OPP010') "
        "order by opportunity_id, changed_at"
    ) == [
        ("initial_contact", "REP003", "REP001", "event_time"),
        ("needs_confirmed", "REP003", "REP001", "event_time"),
        ("proposal", "REP003", "REP001", "event_time"),
        ("signed", "REP001", "REP001", "event_time"),
        # OPP010's first export is that of 06-15: its change of 06-02 is older
        ("initial_contact", "REP001", "REP001", "before_first_export"),
    ]
    assert handle.query(
        "select team from marts.fct_stage_visits where opportunity_id = 'OPP010'"
    ) == [("east-2",)]
    # the definitions folder's fiscal year starts in April, named by its end year
    assert handle.query(
        "select date_day, fiscal_year, fiscal_quarter from marts.dim_date "
        "where date_day in (date '2026-03-31', date '2026-04-01') order by date_day"
    ) == [(dt.date(2026, 3, 31), "FY2026", 4), (dt.date(2026, 4, 1), "FY2027", 1)]


def test_restated_to_the_current_organisation(
    reorganised, dbt_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle, definitions = reorganised
    _build(dbt_cli, handle, definitions, True, monkeypatch)
    teams = _team_by_change(handle)
    assert teams[("OPP010", "initial_contact")] == ("east-1", "east", "current")
    assert teams[("OPP005", "signed")] == ("east-1", "east", "current")
    assert teams[("OPP005", "proposal")] == ("east-1", "east", "current")
    assert {r[2] for r in teams.values()} == {"current"}
    assert handle.query(
        "select distinct owner_id, owner_attribution from marts.fct_stage_transitions "
        "where opportunity_id = 'OPP005'"
    ) == [("REP001", "current")]


def test_an_absolute_definitions_folder_is_refused(
    reorganised, dbt_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, definitions = reorganised
    before = {p.name: p.read_bytes() for p in definitions.glob("*.csv")}
    monkeypatch.setenv("FUNNEL_DEFINITIONS", str(definitions))
    result = dbt_cli(["seed"], tmp_path)
    assert result.returncode != 0
    assert "FUNNEL_DEFINITIONS must be a path relative to" in result.output
    assert {p.name: p.read_bytes() for p in definitions.glob("*.csv")} == before
