"""A snapshot-only CRM end to end: nightly opportunities exports, no stage_history file.

The exports in `fixtures/snapshot_only/` (see its README for the table and the changes
worked out by hand) go through the real loader (`ingestion.loader.load_file`), as the ingest
assets load them, one night at a time; then a lean dbt build of the models the stage facts
need (and their data tests) infers the stage changes from the consecutive exports.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import FAMILIES_BY_NAME
from ingestion.loader import FileLoad, ensure_schema, load_file
from ingestion.stages import load_stage_catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "snapshot_only"
AS_OF_DATE = "2025-06-30"
INFERRED = "inferred_from_snapshots"
# only the stage facts and their parents (the full build with every unit test runs once, in
# test_dbt_build.py), with the data tests declared for the models that infer and carry the
# changes: selected by file, as the parents' own tests ran on the fixture warehouse already
CHECKED_FILES = (
    "models/intermediate/int_stage_changes_inferred_from_snapshots.yml",
    "models/intermediate/int_stage_changes_sequenced.yml",
    "models/marts/fct_stage_transitions.yml",
    "models/marts/fct_stage_visits.yml",
    "tests/assert_stage_changes_one_source_per_opportunity.sql",
)
LEAN_BUILD = [
    "build",
    "--select",
    "+fct_stage_transitions +fct_stage_visits dim_opportunities",
    *(f"path:{path}" for path in CHECKED_FILES),
    "--indirect-selection",
    "empty",
    *("--resource-type", "model", "--resource-type", "seed", "--resource-type", "test"),
    "--vars",
    f'{{"as_of_date": "{AS_OF_DATE}"}}',
]


def _night(day: str) -> dt.datetime:
    """The nightly load of the export of `day`."""
    return dt.datetime.fromisoformat(f"{day} 23:30:00")


def _load(db_path: Path, inbox: Path) -> list[FileLoad]:
    """Load the inbox night by night, as the ingest assets do; the export of 06-02 is sent a
    second time with the 06-03 load (a re-sent file)."""
    stages = load_stage_catalog()
    nights = [
        ("2025-06-01", "accounts_2025-06-01.csv"),
        ("2025-06-01", "sales_reps_2025-06-01.csv"),
        ("2025-06-01", "opportunities_2025-06-01.csv"),
        ("2025-06-02", "opportunities_2025-06-02.csv"),
        ("2025-06-03", "opportunities_2025-06-03.csv"),
        ("2025-06-03", "opportunities_2025-06-02.csv"),
        ("2025-06-04", "opportunities_2025-06-04.csv"),
    ]
    with duckdb.connect(str(db_path)) as con:
        ensure_schema(con)
        return [
            load_file(
                con, FAMILIES_BY_NAME[name.split("_2025")[0]], inbox / name, _night(day), stages
            )
            for day, name in nights
        ]


@pytest.fixture(scope="module")
def snapshot_only(tmp_path_factory: pytest.TempPathFactory, dbt_cli):
    warehouse_dir = tmp_path_factory.mktemp("snapshot_only")
    inbox = warehouse_dir / "inbox"
    shutil.copytree(FIXTURES, inbox)
    db_path = warehouse_dir / "build.duckdb"
    loads = _load(db_path, inbox)
    result = dbt_cli(LEAN_BUILD, warehouse_dir)
    assert result.returncode == 0, result.output[-6000:]

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return con.execute(sql).fetchall()

    return loads, query


def test_every_distinct_export_is_kept_and_a_resent_one_is_not_loaded_twice(
    snapshot_only,
) -> None:
    loads, query = snapshot_only
    opportunity_loads = [(r.source_file, r.status, r.rows_loaded) for r in loads[2:]]
    assert opportunity_loads == [
        ("opportunities_2025-06-01.csv", "loaded", 4),
        ("opportunities_2025-06-02.csv", "loaded", 4),
        # the same bytes as 06-02 under another name, then 06-02 itself again
        ("opportunities_2025-06-03.csv", "skipped", 0),
        ("opportunities_2025-06-02.csv", "skipped", 0),
        ("opportunities_2025-06-04.csv", "loaded", 5),
    ]
    assert all(r.rows_quarantined == 0 for r in loads)
    assert query("select _source_file, count(*) from raw.opportunities group by 1 order by 1") == [
        ("opportunities_2025-06-01.csv", 4),
        ("opportunities_2025-06-02.csv", 4),
        ("opportunities_2025-06-04.csv", 5),
    ]
    assert query("select count(*) from raw.stage_history") == [(0,)]
    assert query("select count(*) from staging.stg_crm__opportunity_versions") == [(13,)]


def test_stage_transitions_are_inferred_from_consecutive_exports(snapshot_only) -> None:
    _, query = snapshot_only
    midnight = dt.datetime.fromisoformat
    assert query(
        "select opportunity_id, from_stage, to_stage, changed_at, direction, change_source, "
        "changed_at_basis, previous_export_date, changed_by "
        "from marts.fct_stage_transitions order by opportunity_id, changed_at"
    ) == [
        ("S1", None, "initial_contact", midnight("2025-06-01"), "entry", INFERRED,
         "first_export", None, None),
        ("S1", "initial_contact", "proposal", midnight("2025-06-04"), "skip", INFERRED,
         "export_date", dt.date(2025, 6, 2), None),
        ("S2", None, "initial_contact", midnight("2025-06-01 14:00"), "entry", INFERRED,
         "created_at", None, None),
        ("S2", "initial_contact", "needs_confirmed", midnight("2025-06-02"), "forward",
         INFERRED, "export_date", dt.date(2025, 6, 1), None),
        ("S3", None, "proposal", midnight("2025-06-02 10:00"), "entry", INFERRED,
         "created_at", None, None),
        ("S3", "proposal", "signed", midnight("2025-06-03"), "skip", INFERRED,
         "closed_date", dt.date(2025, 6, 2), None),
        ("S4", None, "needs_confirmed", midnight("2025-06-01"), "entry", INFERRED,
         "first_export", None, None),
        ("S4", "needs_confirmed", "initial_contact", midnight("2025-06-04"), "backward",
         INFERRED, "export_date", dt.date(2025, 6, 1), None),
        ("S5", None, "negotiation", midnight("2025-06-01"), "entry", INFERRED,
         "first_export", None, None),
    ]  # fmt: skip
    # the latest inferred stage is the latest export's
    assert query(
        "select opportunity_id, current_stage, status from marts.dim_opportunities order by 1"
    ) == [
        ("S1", "proposal", "open"),
        ("S2", "needs_confirmed", "lost"),
        ("S3", "signed", "won"),
        ("S4", "initial_contact", "open"),
        ("S5", "negotiation", "open"),
    ]


def test_stage_visits_are_day_granular(snapshot_only) -> None:
    _, query = snapshot_only
    rows = query(
        "select opportunity_id, stage_code, exit_reason, entered_at_basis, change_source, "
        "round(coalesce(days_in_stage, open_age_days), 4) "
        "from marts.fct_stage_visits order by opportunity_id, entered_at"
    )
    # open visits' ages run to the end of the as-of day, 2025-07-01 00:00
    assert rows == [
        ("S1", "initial_contact", "stage_change", "first_export", INFERRED, 3.0),
        ("S1", "proposal", None, "export_date", INFERRED, 27.0),
        ("S2", "initial_contact", "stage_change", "created_at", INFERRED, round(10 / 24, 4)),
        ("S2", "needs_confirmed", "closed", "export_date", INFERRED, 1.0),
        ("S3", "proposal", "stage_change", "created_at", INFERRED, round(14 / 24, 4)),
        ("S4", "needs_confirmed", "stage_change", "first_export", INFERRED, 3.0),
        ("S4", "initial_contact", None, "export_date", INFERRED, 27.0),
        ("S5", "negotiation", None, "first_export", INFERRED, 30.0),
    ]
