"""The stages each sales process defines, read from the sales-ops definitions at load time.

The loader quarantines a row whose stage its sales process does not define (reason
``unknown_stage``) or whose sales process is not defined at all (``unknown_sales_process``),
naming file, row and column, instead of letting the dbt build fail on it later.

``sales_process`` is optional in the opportunities export. A row that leaves it blank (or a
file without the column) follows the process the rules of ``sales_process_rules.csv`` give
it, exactly as dbt will choose it (``int_opportunity_sales_processes``): the matching rule
with the lowest priority, on the owner's team / region / branch (latest ``raw.sales_reps``
version), the account's customer type (latest ``raw.accounts`` version), the product category
and the opportunity type, ``*`` matching anything. Its stage, and its stage history's stages,
are checked against that process: checking them against every process would let a renewal in
a stage the renewal process omits through, and the build would fail on it later. A rule
chosen from an account or rep that is only exported later can differ from the one dbt picks
then; the stage check follows what was loaded at the time.

The definitions folder and its validation belong to ``ingestion.definitions`` (read-only here):
this module validates the folder with it, then reads ``sales_process_stages.csv`` and
``sales_process_rules.csv``. Invalid definitions stop the run, with every error named.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.definitions import default_folder, validate_definitions

STAGES_FILE = "sales_process_stages.csv"
RULES_FILE = "sales_process_rules.csv"
RULES_TABLE = "_process_rules"  # temp table the loader and the GX suites match rules from
ANY = "*"


@dataclass(frozen=True)
class ProcessRule:
    """One row of sales_process_rules.csv: which process a matching opportunity follows."""

    priority: int
    org_unit: str
    customer_type: str
    product_category: str
    opportunity_type: str
    sales_process: str


class StageCatalog(dict[str, tuple[str, ...]]):
    """Every sales process and its stage codes in stage order (a plain mapping), plus the
    process-selection ``rules`` for opportunities exported without a process."""

    def __init__(
        self, stages: Mapping[str, tuple[str, ...]], rules: Sequence[ProcessRule] = ()
    ) -> None:
        super().__init__(stages)
        self.rules = tuple(sorted(rules, key=lambda r: r.priority))


class DefinitionsInvalidError(RuntimeError):
    """The sales-ops definitions have errors: the run must stop before loading anything."""


@dataclass(frozen=True)
class StageRule:
    column: str  # the stage column to check
    process_from_parent: tuple[str, str] | None  # (key column, family) holding sales_process


STAGE_RULES: dict[str, StageRule] = {
    "opportunities": StageRule("current_stage", None),
    # A recorded from_stage is not used downstream (the previous change's to_stage is), so only
    # to_stage is checked.
    "stage_history": StageRule("to_stage", ("opportunity_id", "opportunities")),
}


def stage_check_column(family: str) -> StageRule | None:
    return STAGE_RULES.get(family)


def load_stage_catalog(folder: Path | None = None) -> StageCatalog:
    """Every sales process and its stage codes, in stage order; raises DefinitionsInvalidError."""
    folder = default_folder() if folder is None else folder
    errors = validate_definitions(folder)
    if errors:
        raise DefinitionsInvalidError(
            f"{len(errors)} error(s) in the sales-ops definitions in {folder}; "
            "nothing is loaded until they are fixed:\n" + "\n".join(str(e) for e in errors)
        )
    with (folder / STAGES_FILE).open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("sales_process") or "").strip()]
    rows.sort(key=lambda r: (r["sales_process"].strip(), int(r["stage_order"])))
    catalog: dict[str, list[str]] = {}
    for row in rows:
        catalog.setdefault(row["sales_process"].strip(), []).append(row["stage_code"].strip())
    return StageCatalog(
        {process: tuple(codes) for process, codes in catalog.items()}, read_process_rules(folder)
    )


def read_process_rules(folder: Path) -> list[ProcessRule]:
    """The rules of ``sales_process_rules.csv`` (none when the folder has no such file); the
    folder is assumed valid (``load_stage_catalog`` validates it first)."""
    path = folder / RULES_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            ProcessRule(
                int(r["priority"]),
                r["org_unit"].strip(),
                r["customer_type"].strip(),
                r["product_category"].strip(),
                r["opportunity_type"].strip(),
                r["sales_process"].strip(),
            )
            for r in csv.DictReader(handle)
            if (r.get("priority") or "").strip()
        ]


def create_rules_table(con: duckdb.DuckDBPyConnection, rules: Sequence[ProcessRule]) -> None:
    """(Re)create the temp table ``_process_rules`` that ``process_choice_sql`` matches."""
    con.execute(
        f"create or replace temp table {RULES_TABLE} (priority integer, org_unit varchar, "
        "customer_type varchar, product_category varchar, opportunity_type varchar, "
        "sales_process varchar)"
    )
    if rules:
        con.executemany(
            f"insert into {RULES_TABLE} values (?, ?, ?, ?, ?, ?)",
            [
                (
                    r.priority,
                    r.org_unit,
                    r.customer_type,
                    r.product_category,
                    r.opportunity_type,
                    r.sales_process,
                )
                for r in rules
            ],
        )


def _latest_sql(table: str, key: str, columns: str) -> str:
    """The newest loaded version of each key of a raw table (as staging keeps it), trimmed."""
    return (
        f"select {columns} from (select *, row_number() over (partition by trim({key}) "
        "order by _loaded_at desc, _source_file desc, _row_number desc) as version_rank "
        f"from {table}) where version_rank = 1"
    )


def _text(column: str) -> str:
    return f"nullif(trim({column}), '')"


def process_choice_sql(rows: str, key: str) -> str:
    """SQL selecting ``(_k, sales_process, rule_priority)`` for every row of the opportunity
    relation ``rows`` (key column ``key``): its exported sales_process when not blank (rule
    priority null), else the first matching rule of ``_process_rules`` (``create_rules_table``),
    null when no rule matches. Reads raw.accounts and raw.sales_reps (latest versions)."""
    accounts = _latest_sql(
        "raw.accounts",
        "account_id",
        f"{_text('account_id')} as account_id, {_text('customer_type')} as customer_type",
    )
    reps = _latest_sql(
        "raw.sales_reps",
        "rep_id",
        f"{_text('rep_id')} as rep_id, {_text('team')} as team, "
        f"{_text('region')} as region, {_text('branch')} as branch",
    )
    return f"""
        with opportunities as (
            select {key} as _k, {_text("sales_process")} as exported,
                {_text("owner_id")} as owner_id, {_text("account_id")} as account_id,
                {_text("product_category")} as product_category,
                {_text("opportunity_type")} as opportunity_type
            from {rows} as rows_in
        ),
        matched as (
            select o._k, arg_min(r.sales_process, r.priority) as sales_process,
                min(r.priority) as rule_priority
            from opportunities as o
            left join ({accounts}) as a on a.account_id = o.account_id
            left join ({reps}) as s on s.rep_id = o.owner_id
            inner join {RULES_TABLE} as r
                on (r.org_unit = '{ANY}' or r.org_unit in (s.team, s.region, s.branch))
                and (r.customer_type = '{ANY}' or r.customer_type = a.customer_type)
                and (r.product_category = '{ANY}' or r.product_category = o.product_category)
                and (r.opportunity_type = '{ANY}' or r.opportunity_type = o.opportunity_type)
            where o.exported is null
            group by o._k
        )
        select o._k, coalesce(o.exported, m.sales_process) as sales_process,
            m.rule_priority
        from opportunities as o
        left join matched as m on m._k = o._k
    """
