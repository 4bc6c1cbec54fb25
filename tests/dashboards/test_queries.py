"""Data access: pointer resolution, the query functions and their parameter binding."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest
from data import queries, snapshot

JUNE, MAY, Q2 = dt.date(2025, 6, 1), dt.date(2025, 5, 1), dt.date(2025, 4, 1)
HOSTILE_SEGMENT = "X'; DROP TABLE dim_stages; --"  # a real segment value in the fixture
STANDARD = ["initial_contact", "needs_confirmed", "proposal", "negotiation"]


def _same(actual: list[Any], expected: list[Any]) -> bool:
    """List equality where a null (None / NaN / NA) only matches None."""

    def norm(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "<NA>":
            return None
        return v

    return [norm(v) for v in actual] == expected


# ------------------------------------------------------------------------------- snapshot


def test_follows_the_pointer(warehouse) -> None:
    snap = snapshot.current_snapshot()
    assert snap.path == warehouse.snapshot_path("20250701T020000Z").resolve()
    assert snap.refresh_id == "20250701T020000Z"
    assert snapshot.find_snapshot() == snap


def test_relative_warehouse_resolves_against_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_WAREHOUSE", "some/wh")
    assert snapshot.warehouse_dir() == (snapshot.REPO_ROOT / "some" / "wh").resolve()
    monkeypatch.delenv("FUNNEL_WAREHOUSE")
    assert snapshot.warehouse_dir() == (snapshot.REPO_ROOT / "warehouse").resolve()
    assert Path(__file__).resolve().parents[2] == snapshot.REPO_ROOT


def test_missing_pointer_is_a_clear_no_snapshot_state(empty_warehouse: Path) -> None:
    assert snapshot.find_snapshot() is None
    with pytest.raises(snapshot.NoSnapshotError, match="No data published yet: run `make refresh`"):
        snapshot.current_snapshot()
    with pytest.raises(snapshot.NoSnapshotError):
        queries.funnel_conversion("month", JUNE, "all", "all", "standard")
    with pytest.raises(snapshot.NoSnapshotError):
        queries.publish_info()


@pytest.mark.parametrize(
    "doc",
    [
        {"snapshot": "build.duckdb", "refresh_id": "x"},
        {"snapshot": "../elsewhere.duckdb", "refresh_id": "x"},
        {"snapshot": "snapshots/does-not-exist.duckdb", "refresh_id": "x"},
        {"refresh_id": "x"},
        ["snapshots/old.duckdb"],
    ],
)
def test_unusable_pointer_raises_snapshot_error(warehouse, doc: object) -> None:
    warehouse.write_pointer(doc)
    with pytest.raises(snapshot.SnapshotError) as info:
        snapshot.current_snapshot()
    assert not isinstance(info.value, snapshot.NoSnapshotError)


def test_garbled_pointer_raises_snapshot_error(warehouse) -> None:
    warehouse.pointer.write_text("{not json", encoding="utf-8")
    with pytest.raises(snapshot.SnapshotError, match="not a valid serving pointer"):
        snapshot.current_snapshot()


# -------------------------------------------------------------------------------- queries


def test_publish_info(warehouse) -> None:
    info = queries.publish_info()
    assert info.refresh_id == "20250701T020000Z"
    assert info.as_of_date == dt.date(2025, 6, 30)
    assert info.published_at == dt.datetime(2025, 7, 1, 2, 5, tzinfo=dt.UTC)
    assert info.published_at_local().strftime("%Y-%m-%d %H:%M") == "2025-07-01 10:05"
    assert info.duration_seconds == 300.0


def test_funnel_options(warehouse) -> None:
    opts = queries.funnel_options()
    assert opts.grains() == ["month", "quarter"]
    assert opts.periods("month") == [JUNE, MAY]  # latest first
    assert opts.periods("quarter") == [Q2]
    assert opts.dimensions() == ["all", "region", "team"]
    assert opts.values("all") == ["all"]
    assert sorted(opts.values("region")) == sorted([HOSTILE_SEGMENT, "华东"])
    assert opts.processes() == ["standard", "renewal"]


def test_funnel_conversion_rows(warehouse) -> None:
    df = queries.funnel_conversion("month", JUNE, "all", "all", "standard")
    assert list(df["from_stage"]) == STANDARD
    assert list(df["to_stage"]) == [*STANDARD[1:], "signed"]
    assert list(df["entered_count"]) == [90, 60, 40, 22]  # not 999: the old snapshot is ignored
    assert list(df["advanced_count"]) == [60, 40, 22, 11]
    assert list(df["lost_count"]) == [20, 15, 12, 8]
    assert list(df["open_count"]) == [10, 5, 6, 3]
    assert df["conversion_rate"].round(4).tolist() == [0.6667, 0.6667, 0.55, 0.5]
    assert df["resolved_conversion_rate"].round(4).tolist() == [0.75, 0.7273, 0.6471, 0.5789]
    assert _same(df["benchmark_rate"].tolist(), [0.60, 0.70, None, 0.45])
    assert _same(df["below_benchmark"].tolist(), [False, True, None, False])


@pytest.mark.parametrize(
    ("filters", "entered"),
    [
        (("month", MAY, "all", "all", "standard"), [120, 75, 50, 28]),
        (("month", "2025-05-01", "all", "all", "standard"), [120, 75, 50, 28]),
        (("month", JUNE, "region", "华东", "standard"), [30, 20, 12, 7]),
        (("quarter", Q2, "all", "all", "standard"), [210, 135, 90, 50]),
        (("month", JUNE, "all", "all", "renewal"), [40, 34, 28]),
        (("month", JUNE, "region", "华东", "renewal"), []),
    ],
)
def test_funnel_conversion_filters(warehouse, filters: tuple, entered: list[int]) -> None:
    assert list(queries.funnel_conversion(*filters)["entered_count"]) == entered


def test_stage_dwell_rows(warehouse) -> None:
    df = queries.stage_dwell("month", JUNE, "all", "all", "standard")
    assert list(df["stage_code"]) == STANDARD
    assert list(df["completed_visits"]) == [70, 50, 30, 15]
    assert list(df["mean_days"]) == [6.5, 12.25, 20.0, 35.5]
    assert list(df["median_days"]) == [5.0, 10.0, 18.0, 33.0]
    assert list(df["p90_days"]) == [14.0, 25.0, 41.0, 60.0]
    assert list(df["open_visits"]) == [10, 5, 6, 3]
    assert list(df["open_median_age_days"]) == [8.0, 12.0, 22.0, 40.0]
    assert list(df["sla_days"]) == [14, 21, 30, 30]
    assert list(df["median_over_sla"]) == [False, False, False, True]
    assert list(queries.stage_dwell("month", MAY, "all", "all", "standard")["median_days"]) == [6.0]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (("month", JUNE, "all", "all", "standard"), [(80, 12, 0.15)]),
        (("month", "2025-05-01", "all", "all", "standard"), [(100, 25, 0.25)]),
        (("month", JUNE, "region", "华东", "standard"), [(20, 2, 0.1)]),
        (("quarter", Q2, "all", "all", "standard"), [(180, 37, round(37 / 180, 4))]),
        (("month", JUNE, "all", "all", "renewal"), [(30, 0, 0.0)]),
        (("month", JUNE, "region", HOSTILE_SEGMENT, "standard"), []),
    ],
)
def test_stage_skips(warehouse, filters: tuple, expected: list[tuple]) -> None:
    df = queries.stage_skips(*filters)
    assert list(df.columns) == ["opportunities", "skipping_opportunities", "skip_share"]
    rows = [(int(r[0]), int(r[1]), round(float(r[2]), 4)) for r in df.itertuples(index=False)]
    assert rows == expected


def test_stage_skips_binds_hostile_values(warehouse) -> None:
    for hostile in HOSTILE:
        assert queries.stage_skips("month", JUNE, hostile, hostile, hostile).empty
    assert len(queries.stage_skips("month", JUNE, "all", "all", "standard")) == 1


def test_stages(warehouse) -> None:
    df = queries.stages("renewal")
    assert list(df["stage_code"]) == ["initial_contact", "proposal", "negotiation", "signed"]
    assert list(df["stage_name_zh"])[1] == "方案/报价"
    assert list(df["is_won_stage"]) == [False, False, False, True]


# ------------------------------------------------------------------ binding and isolation

HOSTILE = [
    "' OR '1'='1",
    "all' --",
    "all'; DROP TABLE mart_funnel_conversion; --",
    'standard"; SELECT 1; --',
    ";",
    "--",
    "'",
]


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("position", [0, 2, 3, 4])  # grain, dimension, value, process
def test_hostile_filter_values_match_nothing_and_inject_nothing(
    warehouse, hostile: str, position: int
) -> None:
    filters: list[Any] = ["month", JUNE, "all", "all", "standard"]
    filters[position] = hostile
    assert queries.funnel_conversion(*filters).empty
    assert queries.stage_dwell(*filters).empty
    assert queries.stages(hostile).empty
    # everything still there
    assert list(
        queries.funnel_conversion("month", JUNE, "all", "all", "standard")["entered_count"]
    ) == [90, 60, 40, 22]
    with duckdb.connect(str(warehouse.snapshot_path("20250701T020000Z")), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mart_funnel_conversion").fetchone() == (39,)


def test_value_with_sql_characters_is_matched_literally(warehouse) -> None:
    df = queries.funnel_conversion("month", JUNE, "region", HOSTILE_SEGMENT, "standard")
    assert list(df["entered_count"]) == [5, 4, 3, 2]
    assert list(queries.stages("standard")["stage_code"])[-1] == "signed"  # not dropped


def test_hostile_period_is_rejected_before_sql(warehouse) -> None:
    with pytest.raises(ValueError):
        queries.funnel_conversion("month", "2025-06-01'; --", "all", "all", "standard")


def test_only_the_snapshot_is_opened_read_only(warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[str, bool]] = []
    real_connect = duckdb.connect

    def spy(database: str, read_only: bool = False, **kwargs: Any) -> Any:
        opened.append((database, read_only))
        return real_connect(database, read_only=read_only, **kwargs)

    monkeypatch.setattr(queries.duckdb, "connect", spy)
    queries.publish_info()
    queries.funnel_options()
    queries.funnel_conversion("month", JUNE, "all", "all", "standard")
    queries.stage_dwell("month", JUNE, "all", "all", "standard")
    queries.stages("standard")
    queries.stage_skips("month", JUNE, "all", "all", "standard")
    current = str(warehouse.snapshot_path("20250701T020000Z").resolve())
    assert opened and set(opened) == {(current, True)}


def test_new_publish_invalidates_the_cache(warehouse) -> None:
    args = ("month", JUNE, "all", "all", "standard")
    assert queries.funnel_conversion(*args)["entered_count"].iloc[0] == 90
    assert queries.funnel_conversion(*args)["entered_count"].iloc[0] == 90  # cached
    warehouse.publish(
        "20250702T020000Z",
        [
            "UPDATE mart_funnel_conversion SET entered_count = 91 WHERE period_start = DATE "
            "'2025-06-01' AND segment_dimension = 'all' AND from_stage = 'initial_contact'",
        ],
    )
    assert queries.funnel_conversion(*args)["entered_count"].iloc[0] == 91
    assert queries.publish_info().refresh_id == "20250702T020000Z"
    assert json.loads(warehouse.pointer.read_text())["refresh_id"] == "20250702T020000Z"
