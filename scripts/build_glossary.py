"""Build ``docs/metrics-glossary.md`` from the metric meta in the marts' dbt YAML.

Run from anywhere (``make docs`` runs it after ``dbt docs generate``)::

    .venv/bin/python scripts/build_glossary.py           # (re)write docs/metrics-glossary.md
    .venv/bin/python scripts/build_glossary.py --check   # exit 1 when the file is out of date

Every metric column of a mart (``dbt_project/models/marts/*.yml``) carries a block::

    config:
      meta:
        metric:
          name_zh: 阶段转化率
          name_en: Stage conversion rate
          formula: advanced_count / entered_count
          grain: period_grain × period_start × ...
          seed: "000"            # the domain article (000–004) the metric comes from

(since dbt 1.10 a column's ``meta`` lives under ``config:``). The YAML is read directly, not
dbt's ``target/manifest.json``: no dbt run is needed, so the glossary and its test work on a
fresh clone and can never be rendered from a stale manifest. YAML anchors (``&grain`` /
``*grain``) resolve as dbt resolves them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

REPO_ROOT: Final[Path] = Path(__file__).resolve().parents[1]
MARTS_DIR: Final[Path] = REPO_ROOT / "dbt_project" / "models" / "marts"
GLOSSARY_PATH: Final[Path] = REPO_ROOT / "docs" / "metrics-glossary.md"

FIELDS: Final[tuple[str, ...]] = ("name_zh", "name_en", "formula", "grain", "seed")
# The domain articles (docs: the domain spec) a metric may come from.
SEEDS: Final[dict[str, str]] = {
    "000": "B2B-CRM 之商机管理篇: funnel conversion rate and conversion days formulas, statuses",
    "001": "L2O 商机管理: average B2B stage conversion benchmarks, forecast accuracy",
    "002": "销售流程与商机跟进: stage-gated processes, win rate by stage, stage amounts, forecast",
    "003": "B2B 销售过程诊断案例 (TAS+/MCI): customer tiers and segments",
    "004": "销售类 CRM 到了深水区怎么办: value targets and quantified indicators",
}
# In a `mart_*` model, a column named like a measure must be in the glossary.
MEASURE_SUFFIXES: Final[tuple[str, ...]] = (
    "_count",
    "_rate",
    "_share",
    "_amount",
    "_days",
    "_visits",
)


class GlossaryError(ValueError):
    """The marts' metric meta is incomplete or malformed."""


@dataclass(frozen=True)
class Metric:
    model: str
    column: str
    name_zh: str
    name_en: str
    formula: str
    grain: str
    seed: str
    yaml_path: str  # relative to the repository root, with forward slashes


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _metric_problems(where: str, metric: object) -> list[str]:
    if not isinstance(metric, Mapping):
        return [f"{where}: meta.metric must be a mapping of {', '.join(FIELDS)}"]
    problems = [f"{where}: unknown metric field {key!r}" for key in metric if key not in FIELDS]
    for field in FIELDS:
        value = metric.get(field)
        if not isinstance(value, str) or not value.strip():
            hint = ' (quote it: seed: "000")' if field == "seed" else ""
            problems.append(f"{where}: metric.{field} must be a non-empty string{hint}")
    seed = metric.get("seed")
    if isinstance(seed, str) and seed.strip() and seed not in SEEDS:
        problems.append(f"{where}: metric.seed {seed!r} is not one of {', '.join(SEEDS)}")
    return problems


def _column_problems(where: str, column: Mapping[str, Any], metric: object) -> list[str]:
    problems: list[str] = []
    if "meta" in column:
        problems.append(f"{where}: put meta under config: (dbt >= 1.10), not on the column")
    if metric is not None:
        problems.extend(_metric_problems(where, metric))
    return problems


def _metric_of(column: Mapping[str, Any]) -> object:
    """``config.meta.metric`` of a column, or None."""
    config = column.get("config")
    meta = config.get("meta") if isinstance(config, Mapping) else None
    return meta.get("metric") if isinstance(meta, Mapping) else None


def _display(path: Path) -> str:
    """``path`` relative to the repository root (as it appears in links), else its name."""
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else path.name


def _model_metrics(model: Mapping[str, Any], source: str) -> tuple[list[Metric], list[str]]:
    """The metrics of one model entry of a YAML file, and the problems found."""
    name = str(model["name"])
    metrics: list[Metric] = []
    problems: list[str] = []
    found = 0
    for column in model.get("columns") or []:
        where = f"{source}: {name}.{column['name']}"
        metric = _metric_of(column)
        problems.extend(_column_problems(where, column, metric))
        if metric is None:
            if name.startswith("mart_") and str(column["name"]).endswith(MEASURE_SUFFIXES):
                problems.append(f"{where}: looks like a measure but has no metric meta")
            continue
        found += 1
        if isinstance(metric, Mapping) and not _metric_problems(where, metric):
            fields = {field: _one_line(str(metric[field])) for field in FIELDS}
            metrics.append(Metric(name, str(column["name"]), **fields, yaml_path=source))
    if name.startswith("mart_") and not found:
        problems.append(f"{source}: {name} is a mart without any metric meta")
    return metrics, problems


def collect(marts_dir: Path = MARTS_DIR) -> tuple[list[Metric], list[str]]:
    """Every metric in the marts' YAML files, and every problem found on the way."""
    metrics: list[Metric] = []
    problems: list[str] = []
    for path in sorted(marts_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            found, wrong = _model_metrics(model, _display(path))
            metrics += found
            problems += wrong
    return metrics, problems


def load_metrics(marts_dir: Path = MARTS_DIR) -> list[Metric]:
    """Every metric in the marts' YAML; raises ``GlossaryError`` listing every problem."""
    metrics, problems = collect(marts_dir)
    if problems:
        raise GlossaryError("\n".join(problems))
    return metrics


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _model_section(model: str, metrics: Sequence[Metric]) -> list[str]:
    grains = list(dict.fromkeys(m.grain for m in metrics))
    source = metrics[0].yaml_path
    lines = [f"## `{model}`", "", f"Defined in [`{source}`](../{source})."]
    header = "| Metric | 指标 | Column | Formula | Seed |"
    rule = "|---|---|---|---|---|"
    if len(grains) == 1:
        lines += ["", f"**Grain (one row per):** {_cell(grains[0])}"]
    else:
        header = "| Metric | 指标 | Column | Formula | Grain (one row per) | Seed |"
        rule = "|---|---|---|---|---|---|"
    lines += ["", header, rule]
    for m in metrics:
        cells = [_cell(m.name_en), _cell(m.name_zh), f"`{m.column}`", _cell(m.formula)]
        if len(grains) > 1:
            cells.append(_cell(m.grain))
        cells.append(m.seed)
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def render(metrics: Iterable[Metric]) -> str:
    """The glossary as Markdown: one section per model, metrics in YAML order."""
    by_model: dict[str, list[Metric]] = {}
    for metric in metrics:
        by_model.setdefault(metric.model, []).append(metric)
    lines = [
        "# Metrics glossary 指标词典",
        "",
        "<!-- Generated by `.venv/bin/python scripts/build_glossary.py` (`make docs`) from the",
        "     `config: meta: metric:` blocks in dbt_project/models/marts/*.yml. Do not edit. -->",
        "",
        "Every metric the marts publish: its Chinese and English name, how it is computed, the",
        "grain of the rows that hold it, the model and column, and the domain article (seed",
        '000–004) it comes from. To add one, see CONTRIBUTING.md, "Add a metric end to end".',
        "",
        "| Seed | Article |",
        "|---|---|",
        *(f"| {seed} | {_cell(title)} |" for seed, title in SEEDS.items()),
        "",
    ]
    for model in sorted(by_model):
        lines += _model_section(model, by_model[model])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    parser.add_argument("--output", type=Path, default=GLOSSARY_PATH)
    args = parser.parse_args(argv)
    try:
        text = render(load_metrics())
    except GlossaryError as exc:
        print(f"Incomplete metric meta:\n{exc}", file=sys.stderr)
        return 1
    output: Path = args.output
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output} is out of date: run scripts/build_glossary.py", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
