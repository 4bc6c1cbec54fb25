"""The export contract document describes the sales-ops seeds as the files are today."""

from __future__ import annotations

import csv

from ingestion.contract_doc import SEEDS, SEEDS_DIR, render


def _row(doc: str, file: str) -> str:
    [line] = [line for line in doc.splitlines() if line.startswith(f"| `{file}` |")]
    return line


def test_every_seed_row_lists_the_files_own_header() -> None:
    doc = render()
    for name in SEEDS:
        with (SEEDS_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        assert _row(doc, name).endswith(f"| {', '.join(header)} |"), name


def test_targets_rules_and_the_optional_sales_process_are_described() -> None:
    doc = render()
    assert _row(doc, "sales_targets.csv").endswith(
        "| period_grain, period_start, target_dimension, target_value, target_amount |"
    )
    assert "priority, org_unit, customer_type, product_category, opportunity_type" in _row(
        doc, "sales_process_rules.csv"
    )
    assert "| `sales_process` | text | no |" in doc
