"""Plain column-level `not_null` tests live in one `not_null_columns` test per model
(scripts/not_null_columns.py), and that generic test names each column holding nulls."""

from __future__ import annotations

from pathlib import Path

import duckdb

from scripts import not_null_columns

MODEL_YAML = """\
version: 2

models:
  - name: m
    description: A model.
    data_tests:
      - not_null_columns:
          arguments:
            column_names: [a]
    columns:
      - name: a
        description: A.
      - name: b
        description: B.  # a comment that must survive
        data_tests:
          - not_null
      - name: c
        description: C.
        data_tests:
          - unique
          - not_null
          - not_null:
              config:
                where: "a = 1"
"""


def test_the_project_yaml_has_no_plain_not_null_test() -> None:
    assert not_null_columns.main(["--check"]) == 0


def test_plain_not_null_tests_move_into_the_existing_model_test(
    tmp_path: Path, monkeypatch
) -> None:
    models = tmp_path / "dbt_project" / "models"
    models.mkdir(parents=True)
    path = models / "m.yml"
    path.write_text(MODEL_YAML, encoding="utf-8")
    monkeypatch.setattr(not_null_columns, "DBT_PROJECT_DIR", tmp_path / "dbt_project")
    moved = not_null_columns.process(path, write=True)
    assert moved == ["dbt_project/models/m.yml: m.b", "dbt_project/models/m.yml: m.c"]
    text = path.read_text(encoding="utf-8")
    assert "column_names: [a, b, c]" in text
    assert "# a comment that must survive" in text
    # the where-configured not_null and the unique stay on column c; b's test list is gone
    assert text.count("- not_null:") == 1 and "- unique" in text
    assert text.count("data_tests:") == 2
    # a second pass finds nothing more to move
    assert not_null_columns.process(path, write=False) == []


def test_the_generic_test_names_each_column_with_nulls(dbt_cli, tmp_path: Path) -> None:
    compiled = dbt_cli(
        [
            "compile",
            "--quiet",
            "--inline",
            "{{ test_not_null_columns('t', ['a', 'b', 'c']) }}",
        ],
        tmp_path,
    )
    assert compiled.returncode == 0, compiled.output[-4000:]
    con = duckdb.connect()
    try:
        con.execute(
            "create table t as select * from "
            "(values (1, null, 'x'), (2, null, null), (3, 4, 'y')) as v(a, b, c)"
        )
        rows = con.execute(compiled.output.strip()).fetchall()
    finally:
        con.close()
    assert sorted(rows) == [("b", 2), ("c", 1)]
