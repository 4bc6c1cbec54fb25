"""The SQL macro `credit_code_is_valid` agrees with `ingestion/credit_code.py`.

The macro is compiled by dbt (`dbt compile --inline`), then run by DuckDB on codes that the
Python module generated or rejects: valid codes, each with its check character changed, codes
of the wrong length, lower case, letters outside the alphabet (I, O, S, V, Z) and null.
"""

from __future__ import annotations

from pathlib import Path
from random import Random

import duckdb
import pytest

from ingestion.credit_code import ALPHABET, is_valid, make_code

pytestmark = pytest.mark.slow  # one dbt compile: a few seconds


def _codes() -> list[str | None]:
    rng = Random(32100)
    codes: list[str | None] = [
        "91350100M000100Y43",  # the contract's example (valid)
        "91350100M000100Y44",  # its check character changed
        "911101087109360733",  # test_credit_code.py's second example
        "91350100m000100y43",  # lower case: the standard uses upper case only
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y430",  # 19 characters
        "",
        "91350100I000100Y43",  # I is not in the alphabet
        "9135010 M000100Y43",
        None,
    ]
    for _ in range(40):
        prefix = rng.choice(("91", "11", "12", "52"))
        division = rng.choice(("310000", "110000", "440300", "510100"))
        code = make_code(prefix, division, f"{rng.randrange(10_000_000, 100_000_000)}")
        wrong = rng.choice([c for c in ALPHABET if c != code[-1]])
        swapped = code[:3] + code[4] + code[3] + code[5:]
        codes += [code, code[:-1] + wrong, swapped]
    return codes


def test_macro_matches_python(dbt_cli, tmp_path: Path) -> None:
    compiled = dbt_cli(
        [
            "compile",
            "--quiet",
            "--inline",
            "select code, {{ credit_code_is_valid('code') }} as is_valid from codes",
        ],
        tmp_path,
    )
    assert compiled.returncode == 0, compiled.output[-4000:]
    sql = compiled.output.strip()
    assert sql.startswith("select code,"), sql[:500]

    codes = _codes()
    con = duckdb.connect()
    try:
        con.execute("create table codes (position_in_list integer, code varchar)")
        con.executemany("insert into codes values (?, ?)", list(enumerate(codes)))
        rows = con.execute(f"select * from ({sql}) as checked").fetchall()
    finally:
        con.close()
    by_code = {code: valid for code, valid in rows}
    expected = {code: (None if code is None else is_valid(code)) for code in codes}
    assert by_code == expected
    assert sum(1 for v in expected.values() if v) >= 40  # both outcomes are exercised
    assert sum(1 for v in expected.values() if v is False) >= 40
