"""Validate the sales-ops definitions folder (the dbt seeds) before a build.

Sales-ops maintain the definitions as CSV files (processes, stages, benchmarks, targets,
fiscal calendar, segment rules). Each CSV ``<name>.csv`` is declared as a dbt seed in a
property file ``*.yml`` in the same folder (``_seeds.yml`` or ``_<name>.yml``), and that
declaration also drives this validator. Every problem becomes a :class:`DefinitionError` that
names the file, the line (the CSV's physical line: the header is line 1) and the field, e.g.
``sales_process_stages.csv, line 4, field win_probability: 1.5 is not a fraction between 0
and 1``.

How to declare the rules of a seed (a new seed follows the same shape)::

    seeds:
      - name: segment_rules
        description: One row per ...
        config:
          meta:
            validate:            # seed-level rules (optional)
              min_rows: 1        # at least this many data rows
              max_rows: 1        # at most this many data rows
        columns:
          - name: tier
            data_type: text      # text | integer | decimal | boolean | date (default text)
            description: ...
            config:
              meta:
                validate:        # column rules (all optional)
                  required: true           # a blank value is an error
                  min: 0                   # inclusive bounds, integer and decimal columns
                  max: 1
                  allowed: [A, B, C]       # the value must be one of these (as written)
                  references: other_seed.column   # the value must occur in that column of
                                                  # other_seed.csv in the same folder
                  unique_with: [sales_process]    # this column plus these is a key: no two
                                                  # rows share it ([] = unique on its own)

``data_type`` parses the values: ``integer`` (``-12``), ``decimal`` (``0.25``; also
``decimal(5, 4)``, ``numeric``, ``double``), ``boolean`` (``true`` / ``false``), ``date``
(``YYYY-MM-DD``), ``text`` (anything; also ``varchar``, ``string``). Blank values are only
checked by ``required``. The columns of the CSV header must be exactly the declared columns
(in any order). Keep dbt's own ``data_tests`` as well: they guard the loaded tables.

Rules across files or fields that the meta keys cannot say are checked here as code
(:func:`_process_rules`, :func:`_target_rules`, :func:`_process_selection_rules`): exactly one
won stage per sales process, the last in stage order (a process may omit stages another one
has, e.g. a renewal process without needs_confirmed); each benchmark's stages exist in its
process and are consecutive there; a target's period_start is the first day of its month,
quarter or year, and target_value is ``all`` exactly when target_dimension is ``all``; the
process-selection rules have exactly one default rule (``*`` in every matching column).

``python -m ingestion.definitions [folder]`` prints the errors and exits 1 when there are any.
The default folder is ``$FUNNEL_DEFINITIONS`` (relative to ``dbt_project/``, as dbt resolves
it; dbt itself refuses an absolute one, which would make it overwrite the CSVs), else
``dbt_project/seeds``. No Dagster imports here.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
DEFAULT_FOLDER = DBT_PROJECT_DIR / "seeds"

COLUMN_KEYS = frozenset({"required", "min", "max", "allowed", "references", "unique_with"})
SEED_KEYS = frozenset({"min_rows", "max_rows"})

_INTEGER = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$|^-?\.[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TYPE_ALIASES = {
    "text": "text",
    "varchar": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "bigint": "integer",
    "decimal": "decimal",
    "numeric": "decimal",
    "double": "decimal",
    "float": "decimal",
    "boolean": "boolean",
    "bool": "boolean",
    "date": "date",
}


@dataclass(frozen=True)
class DefinitionError:
    """One problem in the definitions folder, with its place."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        place = [self.file]
        if self.line is not None:
            place.append(f"line {self.line}")
        if self.field is not None:
            place.append(f"field {self.field}")
        return f"{', '.join(place)}: {self.message}"


@dataclass
class ColumnSpec:
    name: str
    kind: str  # text | integer | decimal | boolean | date
    required: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    allowed: tuple[str, ...] | None = None
    references: tuple[str, str] | None = None  # (seed, column)
    unique_with: tuple[str, ...] | None = None


@dataclass
class SeedSpec:
    name: str
    declared_in: str
    columns: list[ColumnSpec] = field(default_factory=list)
    min_rows: int | None = None
    max_rows: int | None = None


@dataclass
class SeedData:
    """A parsed CSV: the header and, per data row, its line number and raw text values."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def validate_definitions(folder: Path) -> list[DefinitionError]:
    """Every problem of the definitions in ``folder``, in file then line order."""
    folder = Path(folder)
    if not folder.is_dir():
        return [DefinitionError(str(folder), None, None, "definitions folder does not exist")]
    errors: list[DefinitionError] = []
    specs = _load_specs(folder, errors)
    data: dict[str, SeedData] = {}
    for spec in specs.values():
        loaded = _read_csv(folder, spec, errors)
        if loaded is not None:
            data[spec.name] = loaded
    for csv_path in sorted(folder.glob("*.csv")):
        if csv_path.stem not in specs:
            errors.append(
                DefinitionError(
                    csv_path.name, None, None, "no *.yml property file in the folder declares it"
                )
            )
    for spec in specs.values():
        if spec.name in data:
            errors.extend(_check_rows(spec, data[spec.name], data))
    errors.extend(_process_rules(data))
    errors.extend(_target_rules(data))
    errors.extend(_process_selection_rules(data))
    return errors


# --- the property files -------------------------------------------------------------------


def _load_specs(folder: Path, errors: list[DefinitionError]) -> dict[str, SeedSpec]:
    specs: dict[str, SeedSpec] = {}
    for yml in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        try:
            document = yaml.safe_load(yml.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            errors.append(DefinitionError(yml.name, line, None, f"is not valid YAML: {error}"))
            continue
        seeds = document.get("seeds") if isinstance(document, dict) else None
        for seed in seeds or []:
            if not isinstance(seed, dict) or not isinstance(seed.get("name"), str):
                errors.append(DefinitionError(yml.name, None, None, "a seed without a name"))
                continue
            name = seed["name"]
            if name in specs:
                errors.append(
                    DefinitionError(
                        yml.name,
                        None,
                        None,
                        f"seed {name} is declared again (first in {specs[name].declared_in})",
                    )
                )
                continue
            specs[name] = _seed_spec(yml.name, seed, errors)
    return specs


def _validate_meta(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The ``config: meta: validate:`` block of a seed or column, and whether it is misplaced
    (directly under ``meta:``, which dbt 1.10+ deprecates)."""
    config = node.get("config") or {}
    meta = (config.get("meta") or {}) if isinstance(config, dict) else {}
    block = meta.get("validate") if isinstance(meta, dict) else None
    misplaced = isinstance(node.get("meta"), dict) and "validate" in node["meta"]
    return (block if isinstance(block, dict) else {}), misplaced


def _seed_spec(yml: str, seed: dict[str, Any], errors: list[DefinitionError]) -> SeedSpec:
    name = seed["name"]
    spec = SeedSpec(name, yml)
    block, misplaced = _validate_meta(seed)
    if misplaced:
        errors.append(DefinitionError(yml, None, name, "put validate under config: meta:"))
    for key in sorted(set(block) - SEED_KEYS):
        errors.append(DefinitionError(yml, None, f"{name}.validate.{key}", "unknown key"))
    for key in ("min_rows", "max_rows"):
        if key in block:
            if isinstance(block[key], int) and not isinstance(block[key], bool):
                setattr(spec, key, block[key])
            else:
                errors.append(
                    DefinitionError(yml, None, f"{name}.validate.{key}", "must be an integer")
                )
    for column in seed.get("columns") or []:
        if not isinstance(column, dict) or not isinstance(column.get("name"), str):
            errors.append(DefinitionError(yml, None, name, "a column without a name"))
            continue
        spec.columns.append(_column_spec(yml, name, column, errors))
    return spec


def _column_spec(
    yml: str, seed: str, column: dict[str, Any], errors: list[DefinitionError]
) -> ColumnSpec:
    name = column["name"]
    where = f"{seed}.{name}"
    raw_type = str(column.get("data_type") or "text").strip().lower()
    kind = _TYPE_ALIASES.get(re.sub(r"\(.*\)$", "", raw_type).strip())
    if kind is None:
        errors.append(
            DefinitionError(yml, None, f"{where}.data_type", f"unknown data_type {raw_type!r}")
        )
        kind = "text"
    spec = ColumnSpec(name, kind)
    block, misplaced = _validate_meta(column)
    if misplaced:
        errors.append(DefinitionError(yml, None, where, "put validate under config: meta:"))
    for key in sorted(set(block) - COLUMN_KEYS):
        errors.append(DefinitionError(yml, None, f"{where}.validate.{key}", "unknown key"))

    def bad(key: str, message: str) -> None:
        errors.append(DefinitionError(yml, None, f"{where}.validate.{key}", message))

    if "required" in block:
        if isinstance(block["required"], bool):
            spec.required = block["required"]
        else:
            bad("required", "must be true or false")
    for key in ("min", "max"):
        if key not in block:
            continue
        value = block[key]
        if kind not in ("integer", "decimal"):
            bad(key, f"applies to integer and decimal columns, not {kind}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            bad(key, "must be a number")
        else:
            bound = Decimal(str(value))
            if key == "min":
                spec.minimum = bound
            else:
                spec.maximum = bound
    if "allowed" in block:
        allowed = block["allowed"]
        if isinstance(allowed, list) and allowed:
            spec.allowed = tuple(_yaml_text(v) for v in allowed)
        else:
            bad("allowed", "must be a non-empty list")
    if "references" in block:
        target = block["references"]
        parts = target.split(".") if isinstance(target, str) else []
        if len(parts) == 2 and all(parts):
            spec.references = (parts[0], parts[1])
        else:
            bad("references", "must be 'other_seed.column'")
    if "unique_with" in block:
        others = block["unique_with"]
        if isinstance(others, list) and all(isinstance(o, str) for o in others):
            spec.unique_with = tuple(others)
        else:
            bad("unique_with", "must be a list of column names ([] for unique on its own)")
    return spec


def _yaml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- the CSV files ------------------------------------------------------------------------


def _read_csv(folder: Path, spec: SeedSpec, errors: list[DefinitionError]) -> SeedData | None:
    file = f"{spec.name}.csv"
    path = folder / file
    if not path.is_file():
        errors.append(
            DefinitionError(file, None, None, f"file is missing (declared in {spec.declared_in})")
        )
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        errors.append(DefinitionError(file, None, None, f"is not UTF-8 text: {error}"))
        return None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        errors.append(DefinitionError(file, 1, None, "file is empty (no header)"))
        return None
    declared = [c.name for c in spec.columns]
    header_ok = True
    for name in declared:
        if name not in header:
            errors.append(DefinitionError(file, 1, name, "column is missing from the header"))
            header_ok = False
    for name in header:
        if name not in declared:
            errors.append(
                DefinitionError(file, 1, name or "(blank)", f"not declared in {spec.declared_in}")
            )
    if len(set(header)) != len(header):
        errors.append(DefinitionError(file, 1, None, "a column name appears twice"))
        header_ok = False
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank line
            line = reader.line_num
            if len(values) != len(header):
                errors.append(
                    DefinitionError(
                        file, line, None, f"has {len(values)} values, the header has {len(header)}"
                    )
                )
                continue
            rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as error:
        errors.append(DefinitionError(file, reader.line_num, None, f"is not valid CSV: {error}"))
        return None
    return SeedData(header, rows) if header_ok else None


def _parse(kind: str, text: str) -> tuple[object, str | None]:
    """The typed value, or an error message."""
    if kind == "integer":
        return (int(text), None) if _INTEGER.match(text) else (None, "is not an integer")
    if kind == "decimal":
        if not _DECIMAL.match(text):
            return None, "is not a number (use . as decimal point, no separators or %)"
        try:
            return Decimal(text), None
        except InvalidOperation:
            return None, "is not a number"
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true", None
        return None, "is not true or false"
    if kind == "date":
        try:
            if not _DATE.match(text):
                raise ValueError(text)
            return date.fromisoformat(text), None
        except ValueError:
            return None, "is not a date YYYY-MM-DD"
    return text, None


def _range_message(value: str, minimum: Decimal | None, maximum: Decimal | None) -> str:
    if minimum == 0 and maximum == 1:
        return f"{value} is not a fraction between 0 and 1"
    if minimum is not None and maximum is not None:
        return f"{value} is not between {minimum} and {maximum}"
    if minimum is not None:
        return f"{value} is less than {minimum}"
    return f"{value} is greater than {maximum}"


def _check_rows(spec: SeedSpec, seed: SeedData, data: dict[str, SeedData]) -> list[DefinitionError]:
    file = f"{spec.name}.csv"
    errors: list[DefinitionError] = []
    if spec.min_rows is not None and len(seed.rows) < spec.min_rows:
        errors.append(DefinitionError(file, None, None, f"needs at least {spec.min_rows} row(s)"))
    if spec.max_rows is not None and len(seed.rows) > spec.max_rows:
        errors.append(
            DefinitionError(
                file, None, None, f"has {len(seed.rows)} rows, at most {spec.max_rows} allowed"
            )
        )
    for column in spec.columns:
        referenced = _referenced_values(column, data)
        if column.references is not None and referenced is None:
            other, other_column = column.references
            errors.append(
                DefinitionError(
                    file,
                    None,
                    column.name,
                    f"references {other}.{other_column}, which is not a declared seed column",
                )
            )
        seen: dict[tuple[str, ...], int] = {}
        for line, values in seed.rows:
            text = values[column.name]
            if column.unique_with is not None:
                key = (text, *(values.get(o, "") for o in column.unique_with))
                if key in seen:
                    names = ", ".join((column.name, *column.unique_with))
                    errors.append(
                        DefinitionError(
                            file,
                            line,
                            column.name,
                            f"duplicate ({names}) = ({', '.join(key)}), first on line {seen[key]}",
                        )
                    )
                else:
                    seen[key] = line
            if text == "":
                if column.required:
                    errors.append(DefinitionError(file, line, column.name, "is required"))
                continue
            value, problem = _parse(column.kind, text)
            if problem is not None:
                errors.append(DefinitionError(file, line, column.name, f"{text} {problem}"))
                continue
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                number = Decimal(value)
                if (column.minimum is not None and number < column.minimum) or (
                    column.maximum is not None and number > column.maximum
                ):
                    errors.append(
                        DefinitionError(
                            file,
                            line,
                            column.name,
                            _range_message(text, column.minimum, column.maximum),
                        )
                    )
            if column.allowed is not None and text not in column.allowed:
                errors.append(
                    DefinitionError(
                        file,
                        line,
                        column.name,
                        f"{text} is not one of {', '.join(column.allowed)}",
                    )
                )
            if referenced is not None and text not in referenced:
                other, other_column = column.references or ("", "")
                errors.append(
                    DefinitionError(
                        file, line, column.name, f"{text} is not a {other_column} of {other}.csv"
                    )
                )
    return errors


def _referenced_values(column: ColumnSpec, data: dict[str, SeedData]) -> set[str] | None:
    if column.references is None:
        return None
    other, other_column = column.references
    if other not in data or other_column not in data[other].header:
        return None
    return {values[other_column] for _, values in data[other].rows}


# --- rules across files -------------------------------------------------------------------


def _process_rules(data: dict[str, SeedData]) -> list[DefinitionError]:
    """One won stage per process, last in order; benchmarks between consecutive stages."""
    stages = data.get("sales_process_stages")
    if stages is None:
        return []
    file = "sales_process_stages.csv"
    errors: list[DefinitionError] = []
    codes: set[tuple[str, str]] = set()
    orders: dict[tuple[str, str], int] = {}
    ambiguous: set[str] = set()  # processes whose stage orders are broken or repeated
    per_process: dict[str, list[tuple[int, int, bool]]] = {}  # (order, line, is_won)
    for line, values in stages.rows:
        process, code = values.get("sales_process", ""), values.get("stage_code", "")
        codes.add((process, code))
        order, order_problem = _parse("integer", values.get("stage_order", ""))
        won, won_problem = _parse("boolean", values.get("is_won_stage", ""))
        if order_problem or won_problem or not isinstance(order, int):
            ambiguous.add(process)
            continue  # reported by the column checks
        if (process, code) in orders or order in [r[0] for r in per_process.get(process, [])]:
            ambiguous.add(process)  # duplicates: reported by unique_with
        orders[(process, code)] = order
        per_process.setdefault(process, []).append((order, line, bool(won)))
    for process, rows in per_process.items():
        won_rows = [r for r in rows if r[2]]
        last_order = max(r[0] for r in rows)
        if len(won_rows) != 1:
            line = won_rows[1][1] if won_rows else max(r[1] for r in rows)
            errors.append(
                DefinitionError(
                    file,
                    line,
                    "is_won_stage",
                    f"process {process} has {len(won_rows)} won stages, exactly 1 is needed",
                )
            )
        elif won_rows[0][0] != last_order:
            errors.append(
                DefinitionError(
                    file,
                    won_rows[0][1],
                    "is_won_stage",
                    f"the won stage of process {process} must be its last stage "
                    f"(stage_order {last_order})",
                )
            )
    benchmarks = data.get("stage_benchmarks")
    for line, values in benchmarks.rows if benchmarks is not None else []:
        process = values.get("sales_process", "")
        found: dict[str, int] = {}
        for column in ("from_stage", "to_stage"):
            code = values.get(column, "")
            if (process, code) in orders:
                found[column] = orders[(process, code)]
            elif (process, code) not in codes:
                errors.append(
                    DefinitionError(
                        "stage_benchmarks.csv",
                        line,
                        column,
                        f"{code} is not a stage of process {process} in {file}",
                    )
                )
        consecutive = found.get("to_stage") == found.get("from_stage", -1) + 1
        if len(found) == 2 and process not in ambiguous and not consecutive:
            errors.append(
                DefinitionError(
                    "stage_benchmarks.csv",
                    line,
                    "to_stage",
                    f"{values.get('to_stage')} is not the stage after "
                    f"{values.get('from_stage')} in process {process}",
                )
            )
    return errors


_PERIOD_START_MONTHS = {
    "month": frozenset(range(1, 13)),
    "quarter": frozenset({1, 4, 7, 10}),
    "year": frozenset({1}),
}


def _target_rules(data: dict[str, SeedData]) -> list[DefinitionError]:
    """Targets start on their period's first day; target_value all goes with dimension all."""
    targets = data.get("sales_targets")
    if targets is None or "target_dimension" not in targets.header:
        return []
    file = "sales_targets.csv"
    errors: list[DefinitionError] = []
    for line, values in targets.rows:
        grain = values.get("period_grain", "")
        start, problem = _parse("date", values.get("period_start", ""))
        months = _PERIOD_START_MONTHS.get(grain)
        if (
            problem is None
            and isinstance(start, date)
            and months is not None
            and (start.day != 1 or start.month not in months)
        ):
            errors.append(
                DefinitionError(
                    file,
                    line,
                    "period_start",
                    f"{start.isoformat()} is not the first day of a {grain}",
                )
            )
        dimension, value = values.get("target_dimension", ""), values.get("target_value", "")
        if dimension and value and (dimension == "all") != (value == "all"):
            errors.append(
                DefinitionError(
                    file,
                    line,
                    "target_value",
                    f"must be all exactly when target_dimension is all (got {dimension} = {value})",
                )
            )
    return errors


_RULE_MATCH_COLUMNS = ("org_unit", "customer_type", "product_category", "opportunity_type")


def _process_selection_rules(data: dict[str, SeedData]) -> list[DefinitionError]:
    """Exactly one default rule: ``*`` in every matching column."""
    rules = data.get("sales_process_rules")
    if rules is None:
        return []
    file = "sales_process_rules.csv"
    defaults = [
        line
        for line, values in rules.rows
        if all(values.get(column) == "*" for column in _RULE_MATCH_COLUMNS)
    ]
    if not defaults:
        return [
            DefinitionError(
                file,
                None,
                None,
                "needs a default rule with * in " + ", ".join(_RULE_MATCH_COLUMNS),
            )
        ]
    return [
        DefinitionError(
            file, line, None, f"a second default rule (the first is on line {defaults[0]})"
        )
        for line in defaults[1:]
    ]


# --- command line -------------------------------------------------------------------------


def default_folder() -> Path:
    """``$FUNNEL_DEFINITIONS`` (relative to dbt_project/, as dbt reads it), else the seeds."""
    configured = os.environ.get("FUNNEL_DEFINITIONS", "").strip()
    if not configured:
        return DEFAULT_FOLDER
    path = Path(configured)
    return path if path.is_absolute() else DBT_PROJECT_DIR / path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a in ("-h", "--help") for a in args):
        print("usage: python -m ingestion.definitions [folder]", file=sys.stderr)
        return 2
    folder = Path(args[0]) if args else default_folder()
    errors = validate_definitions(folder)
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} error(s) in the definitions in {folder}", file=sys.stderr)
        return 1
    print(f"definitions in {folder}: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
