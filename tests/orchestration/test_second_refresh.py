"""The session pipeline's second refresh (after tests/orchestration/test_full_refresh.py has
checked the first against the generator's truth): the same inbox, with one SLA threshold
lowered in the sales-ops definitions.

- Nothing is loaded twice: every raw table, the quarantine and every published table that
  does not depend on the SLA thresholds keep their row counts.
- The changed definition takes effect on this refresh, without a code change: the stalled
  alerts grow by exactly the open opportunities in that stage and importance whose current
  stage visit is older than the new threshold but not older than the old one (and that are
  not future opportunities), computed independently from ``fct_stage_visits``.

The definitions (dbt seeds) are copied to a temporary folder that ``FUNNEL_DEFINITIONS``
points dbt at (a path relative to ``dbt_project/``). One refresh serves both checks: every
full refresh costs a whole dbt build.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import FAMILIES
from orchestration.lib.publish import PUBLISHED_TABLES, read_pointer
from tests.orchestration.conftest import AS_OF, Pipeline

pytestmark = pytest.mark.slow  # a second full refresh of the session pipeline

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DEFINITIONS = DBT_PROJECT_DIR / "seeds"
THRESHOLDS_CSV = "stage_sla_thresholds.csv"
# the threshold row that is changed: standard process, needs_confirmed, SMB customers
PROCESS, STAGE, IMPORTANCE = "standard", "needs_confirmed", "SMB"
NEW_REMIND_DAYS = 10
# the published tables built from the SLA thresholds: their rows may change
ALERT_TABLES = {"mart_bottleneck_alerts", "fct_alert_opportunities"}


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def row_counts(warehouse: Path) -> dict[str, int]:
    pointer = read_pointer(warehouse)
    assert pointer is not None, "nothing was published"
    snapshot, build = warehouse / pointer["snapshot"], warehouse / "build.duckdb"
    counts = {t: query(snapshot, f"select count(*) from {t}")[0][0] for t in PUBLISHED_TABLES}
    for family in FAMILIES:
        counts[f"raw.{family.name}"] = query(build, f"select count(*) from raw.{family.name}")[0][0]
    counts["raw.quarantine"] = query(build, "select count(*) from raw.quarantine")[0][0]
    return counts


def stalled_opportunities(warehouse: Path) -> set[str]:
    """Opportunity ids of the stalled alerts of the latest published refresh."""
    pointer = read_pointer(warehouse)
    assert pointer is not None, "nothing was published"
    rows = query(
        warehouse / pointer["snapshot"],
        "select opportunity_id from mart_bottleneck_alerts where alert_type = 'stalled'",
    )
    return {r[0] for r in rows}


def _is_changed_row(row: dict[str, str]) -> bool:
    return (row["sales_process"], row["stage_code"], row["importance"]) == (
        PROCESS,
        STAGE,
        IMPORTANCE,
    )


def remind_days(definitions: Path) -> int:
    with (definitions / THRESHOLDS_CSV).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if _is_changed_row(row):
                return int(row["remind_days"])
    raise AssertionError(f"no threshold row for {PROCESS}/{STAGE}/{IMPORTANCE}")


def set_remind_days(definitions: Path, days: int) -> None:
    path = definitions / THRESHOLDS_CSV
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    changed = [row for row in rows if _is_changed_row(row)]
    assert len(changed) == 1
    changed[0]["remind_days"] = str(days)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def newly_over(warehouse: Path, low: int, high: int) -> set[str]:
    """Open opportunities in the changed stage and importance whose open visit's age lies in
    (low, high] days and whose next follow-up is not after the as-of date: straight from
    fct_stage_visits, dim_opportunities and the tier rule, not from the alert models."""
    rows = query(
        warehouse / "build.duckdb",
        """
        select visits.opportunity_id
        from marts.fct_stage_visits as visits
        inner join marts.dim_opportunities as opportunities
            on visits.opportunity_id = opportunities.opportunity_id
        left join config.segment_rules as rules
            on opportunities.tier = rules.tier
        where visits.is_open
            and opportunities.status = 'open'
            and visits.sales_process = ? and visits.stage_code = ?
            and coalesce(rules.importance, 'SMB') = ?
            and visits.open_age_days > ? and visits.open_age_days <= ?
            and (opportunities.next_follow_up_date is null
                 or opportunities.next_follow_up_date <= ?)
        """,
        [PROCESS, STAGE, IMPORTANCE, low, high, AS_OF],
    )
    return {r[0] for r in rows}


@dataclass
class SecondRun:
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    stalled_before: set[str]
    stalled_after: set[str]
    expected_new: set[str]


@pytest.fixture(scope="module")
def second_run(
    pipeline: Pipeline, first_run, tmp_path_factory: pytest.TempPathFactory
) -> SecondRun:
    definitions = tmp_path_factory.mktemp("definitions") / "seeds"
    shutil.copytree(DEFINITIONS, definitions)
    old_days = remind_days(definitions)
    assert old_days > NEW_REMIND_DAYS
    counts_before = row_counts(pipeline.warehouse)
    stalled_before = stalled_opportunities(pipeline.warehouse)
    expected_new = newly_over(pipeline.warehouse, NEW_REMIND_DAYS, old_days)

    set_remind_days(definitions, NEW_REMIND_DAYS)
    # relative to dbt_project/: with an absolute seed path dbt would write its run files over
    # the CSVs (dbt_project.yml refuses one)
    result = pipeline.run(FUNNEL_DEFINITIONS=os.path.relpath(definitions, DBT_PROJECT_DIR))
    assert result.success, "the refresh after the SLA change must succeed"
    return SecondRun(
        counts_before,
        row_counts(pipeline.warehouse),
        stalled_before,
        stalled_opportunities(pipeline.warehouse),
        expected_new,
    )


def test_a_second_refresh_on_the_same_inbox_loads_nothing_twice(second_run: SecondRun) -> None:
    before, after = second_run.counts_before, second_run.counts_after
    assert after.keys() == before.keys()
    changed = {table for table in before if after[table] != before[table]}
    assert changed <= ALERT_TABLES, {t: (before[t], after[t]) for t in changed}


def test_lowering_one_remind_threshold_grows_the_stalled_list(second_run: SecondRun) -> None:
    before, after = second_run.stalled_before, second_run.stalled_after
    assert second_run.expected_new, "the demo data must have deals between the two thresholds"
    assert not second_run.expected_new & before
    assert before <= after
    assert after - before == second_run.expected_new
