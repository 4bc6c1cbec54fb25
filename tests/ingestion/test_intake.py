"""Which inbox files take DuckDB's fast path and which go through the adapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.contract import ACCOUNTS, OPPORTUNITIES
from ingestion.intake import is_canonical
from tests.ingestion.test_loader import HEADER

ACCOUNTS_HEADER = "account_id,account_name,credit_code,customer_type,tier,industry,region,branch"


@pytest.mark.parametrize(
    ("name", "content", "canonical"),
    [
        ("opportunities.csv", (HEADER + "\n").encode(), True),
        # an unknown extra column is kept by the loader as _extra: still the fast path
        ("opportunities_2026.csv", (HEADER + ",crm_note\n").encode(), True),
        # an alias beside canonical names (商机金额 = amount): only the adapter maps it
        ("opportunities_x.csv", (HEADER.replace(",amount,", ",商机金额,") + "\n").encode(), False),
        ("opportunities_bom.csv", b"\xef\xbb\xbf" + (HEADER + "\n").encode(), True),
        ("opportunities_gb.csv", "商机编号,商机名称\n".encode("gb18030"), False),
        ("opportunities_empty.csv", b"", True),  # the loader reports an empty file
        ("商机.csv", (HEADER + "\n").encode(), False),  # not named like the family
        ("opportunities.xlsx", b"PK", False),
        ("opportunities_dup.csv", b"opportunity_id,opportunity_id\n", False),
    ],
)
def test_fast_path_or_adapter(tmp_path: Path, name: str, content: bytes, canonical: bool) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert is_canonical(path, OPPORTUNITIES) is canonical


def test_a_file_of_another_family_is_not_canonical_for_this_one(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS_HEADER + "\n", encoding="utf-8")
    assert is_canonical(path, ACCOUNTS)
    assert not is_canonical(path, OPPORTUNITIES)
