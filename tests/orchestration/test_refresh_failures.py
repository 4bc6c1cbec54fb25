"""Failures stop the publish: the dashboards keep serving the previous snapshot, untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import OPPORTUNITIES
from orchestration.lib.publish import read_pointer
from tests.orchestration.conftest import Pipeline, make_pipeline

pytestmark = pytest.mark.slow  # three pipeline runs on a small inbox


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    yield from make_pipeline(tmp_path_factory.mktemp("small"), 400, 11)


def serving_bytes(warehouse: Path) -> tuple[bytes, bytes]:
    pointer = read_pointer(warehouse)
    assert pointer is not None
    return (warehouse / "serving.json").read_bytes(), (warehouse / pointer["snapshot"]).read_bytes()


def test_a_failing_blocking_gx_check_stops_the_publish_and_the_refresh_exits_1(small, tmp_path):
    assert small.run().success
    before = serving_bytes(small.warehouse)
    # A newer export of one opportunity, closed before it was created: every value parses, so
    # the loader keeps it, but the Great Expectations business rules reject it.
    with duckdb.connect(str(small.warehouse / "build.duckdb"), read_only=True) as con:
        header = ",".join(OPPORTUNITIES.column_names)
        row = con.execute(
            f"select {', '.join(OPPORTUNITIES.column_names)} from raw.opportunities "
            "where status = 'won' order by opportunity_id limit 1"
        ).fetchone()
    assert row is not None
    values = dict(zip(OPPORTUNITIES.column_names, row, strict=True))
    values["closed_date"] = "2001-01-01"
    bad = small.inbox / "opportunities_zz_closed_before_created.csv"
    bad.write_text(
        header + "\n" + ",".join(values[c] or "" for c in OPPORTUNITIES.column_names) + "\n",
        encoding="utf-8",
    )
    result = small.run()
    assert not result.success
    failed = [
        e.asset_check_evaluation_data.asset_check_key.name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
    ]
    assert "gx_opportunities_business_rules" in failed
    assert serving_bytes(small.warehouse) == before

    # `make refresh` runs the same job and says so with its exit code.
    from orchestration import refresh

    with small.environment(DAGSTER_HOME=str(tmp_path)):
        assert refresh.main() == 1
    assert serving_bytes(small.warehouse) == before
