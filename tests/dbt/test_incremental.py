"""An incremental build of the stage facts gives the same marts as a full rebuild.

Starts from the session's fixture warehouse (`built_warehouse`: raw fixtures, `dbt build` as of
2025-06-30), loads the exports of `fixtures/incremental/` as the next night's files (loaded
2025-07-02 06:00), and builds again, incrementally. The new exports touch 6 of the 11
opportunities:

- OPP002: a new stage change (proposal → negotiation, 06-20) and its export moved to it;
- OPP004: a late-arriving change dated 05-08, before the previous build and in the middle of
  its history (its later moves change direction);
- OPP009: product category hardware → software (an attribute the facts carry);
- OPP011: a new opportunity with two stage changes;
- OPP003 and OPP008: their account ACC003 moved from tier C to B.

A second warehouse gets the same raw rows and one fresh build. Every table of its marts schema
must equal the incremental one row for row; and the incremental build must have taken the
incremental path: dbt logs 6 rebuilt opportunities, and a marker written into an untouched
opportunity's row survives while one in a touched opportunity's row is rewritten.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import FAMILIES
from tests.dbt.conftest import (
    FIXTURE_AS_OF_DATE,
    BuiltWarehouse,
    as_of_vars,
    build_raw_schema,
    build_scoring_schema,
    run_dbt,
)

pytestmark = pytest.mark.slow  # two dbt builds of the project (no tests): about a minute

NEXT_NIGHT = Path(__file__).resolve().parent / "fixtures" / "incremental"
NEXT_NIGHT_LOADED_AT = dt.datetime(2025, 7, 2, 6, 0)
TOUCHED = {"OPP002", "OPP003", "OPP004", "OPP008", "OPP009", "OPP011"}
# seeds and models, no data or unit tests: the comparison is the test
MODELS_ONLY = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
MARKER = "marker-not-rewritten"


def append_exports(db_path: Path, folder: Path, loaded_at: dt.datetime) -> None:
    """Append every CSV in `folder` to its raw table as a file loaded at `loaded_at`."""
    con = duckdb.connect(str(db_path))
    try:
        for csv_path in sorted(folder.glob("*.csv")):
            family = next(f for f in FAMILIES if fnmatch.fnmatch(csv_path.name, f.file_glob))
            columns = ", ".join(f'"{name}"' for name in family.column_names)
            con.execute(
                f"""
                insert into raw.{family.name}
                select {columns}, ?, ?, row_number() over (), ?
                from read_csv(?, all_varchar = true, header = true)
                """,
                [
                    csv_path.name,
                    hashlib.sha256(csv_path.read_bytes()).hexdigest(),
                    loaded_at,
                    str(csv_path),
                ],
            )
    finally:
        con.close()


def marts_tables(db_path: Path) -> list[str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name"
        ).fetchall()
    finally:
        con.close()
    return [name for (name,) in rows]


def table_differences(left: Path, right: Path, table: str) -> tuple[int, int, int]:
    """(rows, rows only in left, rows only in right) of marts.`table`, as multisets.

    Doubles match within 1e-9 (relative): a mean sums its rows in table order, which a
    delete+insert changes, so its last bits may differ (4e-14 at 10k opportunities; rounding
    would not do, as many dwell means end in a 5 exactly where they would be rounded). Rows
    are paired on every other column, then in the order of their doubles.
    """
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = 'r' and table_schema = 'marts' and table_name = ? "
            "order by ordinal_position",
            [table],
        ).fetchall()
        doubles = [f'"{n}"' for n, t in columns if t in ("DOUBLE", "FLOAT")]
        exact = [f'"{n}"' for n, t in columns if t not in ("DOUBLE", "FLOAT")]
        order = ", ".join(doubles) or "1"
        numbered = (
            f"select *, row_number() over (partition by {', '.join(exact)} order by {order}) "
            "as pair_number from {side}.marts." + table
        )
        same_pair = " and ".join(
            [f"a.{c} is not distinct from b.{c}" for c in exact] + ["a.pair_number = b.pair_number"]
        )
        doubles_differ = " or ".join(
            f"(a.{c} is null) != (b.{c} is null) "
            f"or abs(a.{c} - b.{c}) > 1e-9 * greatest(1, abs(b.{c}))"
            for c in doubles
        )
        counts = []
        for a, b in (("l", "r"), ("r", "l")):
            query = (
                f"select count(*) from ({numbered.format(side=a)}) as a "
                f"left join ({numbered.format(side=b)}) as b on {same_pair} "
                f"where b.pair_number is null{' or ' + doubles_differ if doubles else ''}"
            )
            counts.append(con.execute(query).fetchone()[0])
        total = con.execute(f"select count(*) from r.marts.{table}").fetchone()[0]
    finally:
        con.close()
    return total, counts[0], counts[1]


def changed_by(db_path: Path, opportunity_id: str) -> list[str | None]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(
            "select changed_by from marts.fct_stage_transitions where opportunity_id = ? "
            "order by changed_at",
            [opportunity_id],
        ).fetchall()
    finally:
        con.close()
    return [value for (value,) in rows]


def set_changed_by(db_path: Path, opportunity_id: str, values: list[str | None]) -> None:
    """Write `values` into the opportunity's transitions, in changed_at order."""
    con = duckdb.connect(str(db_path))
    try:
        ids = con.execute(
            "select transition_id from marts.fct_stage_transitions where opportunity_id = ? "
            "order by changed_at",
            [opportunity_id],
        ).fetchall()
        assert len(ids) == len(values)
        for (transition_id,), value in zip(ids, values, strict=True):
            con.execute(
                "update marts.fct_stage_transitions set changed_by = ? where transition_id = ?",
                [value, transition_id],
            )
    finally:
        con.close()


def test_incremental_build_equals_full_rebuild(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    assert built_warehouse.build is not None and built_warehouse.build.returncode == 0
    # both builds run in one warehouse folder, one after the other, so that the second
    # one reuses the first one's parse (same profile, same target folder)
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    db = warehouse / "build.duckdb"
    shutil.copy(built_warehouse.db_path, db)
    append_exports(db, NEXT_NIGHT, NEXT_NIGHT_LOADED_AT)
    untouched_original = changed_by(db, "OPP001")
    set_changed_by(db, "OPP001", [MARKER] * len(untouched_original))
    set_changed_by(db, "OPP004", [MARKER] * len(changed_by(db, "OPP004")))

    result = run_dbt([*MODELS_ONLY, *as_of_vars(FIXTURE_AS_OF_DATE)], warehouse)
    assert result.returncode == 0, result.output[-3000:]
    for model in ("fct_stage_transitions", "fct_stage_visits"):
        logged = re.search(rf"{model}: incremental, rebuilding (\d+) opportunities", result.output)
        assert logged is not None, f"{model} did not take the incremental path"
        assert int(logged.group(1)) == len(TOUCHED)
    # the untouched opportunity's rows were left alone, the touched one's rebuilt
    assert changed_by(db, "OPP001") == [MARKER] * len(untouched_original)
    rebuilt = changed_by(db, "OPP004")
    assert MARKER not in rebuilt and len(rebuilt) == 4  # the late row is in
    set_changed_by(db, "OPP001", untouched_original)
    incremental = db.rename(tmp_path / "incremental.duckdb")

    build_raw_schema(db)
    build_scoring_schema(db)
    append_exports(db, NEXT_NIGHT, NEXT_NIGHT_LOADED_AT)
    result = run_dbt([*MODELS_ONLY, *as_of_vars(FIXTURE_AS_OF_DATE)], warehouse)
    assert result.returncode == 0, result.output[-3000:]
    assert "incremental, rebuilding" not in result.output  # a first build is a full one

    tables = marts_tables(db)
    assert tables == marts_tables(incremental)
    assert {"fct_stage_transitions", "fct_stage_visits", "mart_stage_dwell"} <= set(tables)
    differences = {table: table_differences(incremental, db, table) for table in tables}
    assert {t: d for t, d in differences.items() if d[1] or d[2]} == {}
    assert differences["fct_stage_transitions"][0] > 0 and differences["fct_stage_visits"][0] > 0
