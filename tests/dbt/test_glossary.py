"""The metrics glossary: every mart metric carries complete meta, and the document is current.

Reads the marts' YAML only (no dbt run), so it takes well under a second.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts import build_glossary as glossary


def _mart_models() -> set[str]:
    names: set[str] = set()
    for path in glossary.MARTS_DIR.glob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {m["name"] for m in document.get("models") or [] if m["name"].startswith("mart_")}
    return names


def test_every_mart_metric_has_all_fields() -> None:
    metrics, problems = glossary.collect()
    assert problems == []
    assert {m.model for m in metrics} == _mart_models()
    for metric in metrics:
        for field in glossary.FIELDS:
            assert getattr(metric, field).strip(), (metric.model, metric.column, field)
        assert metric.seed in glossary.SEEDS


def test_the_new_metric_is_in_the_glossary() -> None:
    by_column = {(m.model, m.column): m for m in glossary.load_metrics()}
    share = by_column[("mart_stage_skips", "skip_share")]
    assert (share.name_zh, share.name_en) == ("跳过阶段占比", "Stage-skip share")
    assert share.formula == "skipping_opportunities / opportunities"
    assert share.seed == "002"
    assert by_column[("mart_funnel_conversion", "conversion_rate")].seed == "000"


def test_generated_glossary_is_up_to_date() -> None:
    expected = glossary.render(glossary.load_metrics())
    actual = glossary.GLOSSARY_PATH.read_text(encoding="utf-8")
    assert actual == expected, "docs/metrics-glossary.md is stale: run scripts/build_glossary.py"


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    output = tmp_path / "glossary.md"
    assert glossary.main(["--check", "--output", str(output)]) == 1  # missing
    assert glossary.main(["--output", str(output)]) == 0
    assert glossary.main(["--check", "--output", str(output)]) == 0
    output.write_text(output.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert glossary.main(["--check", "--output", str(output)]) == 1


BROKEN = """
models:
  - name: mart_broken
    columns:
      - name: period_start
        description: Not a metric.
      - name: won_count
        description: Forgot the meta.
      - name: lost_share
        description: Old-style meta, unquoted seed, a typo, no grain.
        meta: {owner: sales-ops}
        config:
          meta:
            metric: {name_zh: 输单占比, name_en: Lost share, formula: lost / all, seed: 000,
                     name_cn: typo}
  - name: mart_empty
    columns:
      - name: as_of_date
        description: Nothing else.
"""


def test_problems_are_reported_with_their_place(tmp_path: Path) -> None:
    (tmp_path / "mart_broken.yml").write_text(BROKEN, encoding="utf-8")
    metrics, problems = glossary.collect(tmp_path)
    assert metrics == []
    assert problems == [
        "mart_broken.yml: mart_broken.won_count: looks like a measure but has no metric meta",
        "mart_broken.yml: mart_broken.lost_share: put meta under config: (dbt >= 1.10), not on "
        "the column",
        "mart_broken.yml: mart_broken.lost_share: unknown metric field 'name_cn'",
        "mart_broken.yml: mart_broken.lost_share: metric.grain must be a non-empty string",
        "mart_broken.yml: mart_broken.lost_share: metric.seed must be a non-empty string (quote "
        'it: seed: "000")',
        "mart_broken.yml: mart_empty is a mart without any metric meta",
    ]
    with pytest.raises(glossary.GlossaryError, match="won_count"):
        glossary.load_metrics(tmp_path)


def _metric(column: str, grain: str, formula: str = "a / b") -> glossary.Metric:
    return glossary.Metric("mart_x", column, "甲", "A", formula, grain, "000", "x.yml")


def test_render_one_grain_per_model_or_a_grain_column() -> None:
    same = glossary.render([_metric("a_rate", "g1"), _metric("b_rate", "g1", "x | y")])
    assert "**Grain (one row per):** g1" in same
    assert "| A | 甲 | `b_rate` | x \\| y | 000 |" in same
    mixed = glossary.render([_metric("a_rate", "g1"), _metric("b_rate", "g2")])
    assert "| Metric | 指标 | Column | Formula | Grain (one row per) | Seed |" in mixed
    assert "| A | 甲 | `b_rate` | a / b | g2 | 000 |" in mixed
    assert mixed.endswith("\n") and not mixed.endswith("\n\n")
