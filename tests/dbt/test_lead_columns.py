"""Leads are an optional export: the fixture warehouse has none, so mart_win_rates has no lead
rows and its lead columns are null on every row (never 0)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # reads the session's dbt build of the fixture warehouse

LEAD_COLUMNS = (
    "lead_count",
    "converted_lead_count",
    "lead_conversion_rate",
    "median_lead_conversion_days",
)


def test_without_a_leads_export_the_lead_columns_are_null(built_warehouse) -> None:
    if built_warehouse.build.returncode != 0:
        pytest.fail("dbt build failed:\n" + built_warehouse.build.output[-6000:])
    assert built_warehouse.query("select count(*) from staging.stg_crm__leads") == [(0,)]
    counts = ", ".join(f"count({c})" for c in LEAD_COLUMNS)
    [(rows, lead_rows, *non_null)] = built_warehouse.query(
        f"select count(*), count(*) filter (where sales_process = 'all'), {counts} "
        "from marts.mart_win_rates"
    )
    assert rows > 0
    assert (lead_rows, *non_null) == (0, 0, 0, 0, 0)
