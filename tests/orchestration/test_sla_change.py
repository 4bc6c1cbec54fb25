"""Changing one SLA threshold in the sales-ops definitions changes the stalled list on the
next refresh.

The definitions (dbt seeds) are copied to a temporary folder that ``FUNNEL_DEFINITIONS``
points dbt at (a path relative to ``dbt_project/``), for the duration of each run only.
The pipeline (Dagster ``full_refresh``) runs on generated demo data, then one
stage's ``remind_days`` is lowered in the copy and the pipeline runs again. The stalled
alerts must grow by exactly the open opportunities in that stage and importance whose
current stage visit is older than the new threshold but not older than the old one (and
that are not future opportunities), computed independently from ``fct_stage_visits``.

The runs use a warehouse folder of their own: other tests of the session leave the shared
warehouse in states of their own (e.g. a bad stage row loaded on purpose), and this test must
not depend on their order. The alerts are read from ``build.duckdb`` (``marts`` schema), or
from the published snapshot once ``mart_bottleneck_alerts`` is in ``PUBLISHED_TABLES``.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.publish import PUBLISHED_TABLES, read_pointer
from tests.orchestration.conftest import AS_OF, Pipeline, make_pipeline

pytestmark = pytest.mark.slow  # two full pipeline runs


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """A smaller inbox than the session's: enough stalled deals, half the run time."""
    yield from make_pipeline(tmp_path_factory.mktemp("sla"), 3000, 5)


DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DEFINITIONS = DBT_PROJECT_DIR / "seeds"
THRESHOLDS_CSV = "stage_sla_thresholds.csv"
# the threshold row that is changed: standard process, needs_confirmed, SMB customers
PROCESS, STAGE, IMPORTANCE = "standard", "needs_confirmed", "SMB"
NEW_REMIND_DAYS = 10


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def stalled_opportunities(warehouse: Path) -> set[str]:
    """Opportunity ids of the stalled alerts of the latest refresh."""
    pointer = read_pointer(warehouse)
    if "mart_bottleneck_alerts" in PUBLISHED_TABLES and pointer is not None:
        path, table = warehouse / pointer["snapshot"], "mart_bottleneck_alerts"
    else:
        path, table = warehouse / "build.duckdb", "marts.mart_bottleneck_alerts"
    rows = query(path, f"select opportunity_id from {table} where alert_type = 'stalled'")
    return {r[0] for r in rows}


def remind_days(definitions: Path) -> int:
    with (definitions / THRESHOLDS_CSV).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row["sales_process"], row["stage_code"], row["importance"]) == (
                PROCESS,
                STAGE,
                IMPORTANCE,
            ):
                return int(row["remind_days"])
    raise AssertionError(f"no threshold row for {PROCESS}/{STAGE}/{IMPORTANCE}")


def set_remind_days(definitions: Path, days: int) -> None:
    path = definitions / THRESHOLDS_CSV
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    changed = 0
    for row in rows:
        if (row["sales_process"], row["stage_code"], row["importance"]) == (
            PROCESS,
            STAGE,
            IMPORTANCE,
        ):
            row["remind_days"] = str(days)
            changed += 1
    assert changed == 1
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


def test_lowering_one_remind_threshold_grows_the_stalled_list(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, definitions)
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    env = {
        # relative to dbt_project/: with an absolute seed path dbt would write its run files
        # over the CSVs (dbt_project.yml refuses one)
        "FUNNEL_DEFINITIONS": os.path.relpath(definitions, DBT_PROJECT_DIR),
        "FUNNEL_WAREHOUSE": str(warehouse),
    }

    assert pipeline.run(**env).success, "the refresh with the copied definitions must succeed"
    before = stalled_opportunities(warehouse)
    old_days = remind_days(definitions)
    assert old_days > NEW_REMIND_DAYS
    expected_new = newly_over(warehouse, NEW_REMIND_DAYS, old_days)
    assert expected_new, "the demo data must have opportunities between the two thresholds"
    assert not expected_new & before

    set_remind_days(definitions, NEW_REMIND_DAYS)
    assert pipeline.run(**env).success, "the refresh after the SLA change must succeed"
    after = stalled_opportunities(warehouse)

    assert before <= after
    assert after - before == expected_new
