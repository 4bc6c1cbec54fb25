"""Row-level contract checks, expressed as DuckDB SQL over a table of text columns.

Each check yields ``'<reason_code>|<column>|<message>'`` for a bad value, or NULL. The loader
collects them per row; a row with any reason goes to the quarantine instead of the raw table.
"""

from __future__ import annotations

from ingestion.contract import Column, Family
from ingestion.stages import stage_check_column

TIMESTAMP_FORMATS = "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M']"
# A text value a spreadsheet would run as a formula (CSV injection: =cmd|' /C calc'!A0).
MAX_VALUE_CHARS = 100_000  # a longer value quarantines its row (value_too_long)
FORMULA_PATTERN = r"^\s*(=|@|[+\-]\s*[A-Za-z])"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _blank(col: str) -> str:
    return f"nullif(trim({col}), '') is null"


def _reason(condition: str, code: str, column: str, message_sql: str) -> str:
    prefix = quote_literal(f"{code}|{column}|")
    return f"case when {condition} then {prefix} || {message_sql} end"


def _value_message(col: str, what: str) -> str:
    return f"{quote_literal(what + ': ')} || coalesce({col}, '')"


def column_checks(column: Column, not_after: str | None = None) -> list[str]:
    """SQL expressions that flag a bad value of one column. ``not_after``: a timestamp literal
    (``2026-01-02 02:00:00``); a ``timestamp`` value after it is in the future."""
    col = quote_ident(column.name)
    checks: list[str] = []
    if column.required:
        checks.append(
            _reason(
                _blank(col),
                "missing_required",
                column.name,
                quote_literal(f"required column {column.name} is empty"),
            )
        )
    present = f"not ({_blank(col)})"
    value = f"trim({col})"
    checks.append(
        _reason(
            f"length({col}) > {MAX_VALUE_CHARS}",
            "value_too_long",
            column.name,
            f"'longer than {MAX_VALUE_CHARS} characters: ' || length({col}) || ' characters'",
        )
    )
    if column.type == "decimal":
        checks.append(
            _reason(
                f"{present} and try_cast({value} as decimal(18, 2)) is null",
                "bad_decimal",
                column.name,
                _value_message(col, "not a decimal"),
            )
        )
        if column.non_negative:
            checks.append(
                _reason(
                    f"{present} and try_cast({value} as decimal(18, 2)) < 0",
                    "negative_amount",
                    column.name,
                    _value_message(col, "negative amount"),
                )
            )
    elif column.type == "date":
        checks.append(
            _reason(
                f"{present} and try_strptime({value}, '%Y-%m-%d') is null",
                "bad_date",
                column.name,
                _value_message(col, "not a YYYY-MM-DD date"),
            )
        )
    elif column.type == "timestamp":
        checks.append(
            _reason(
                f"{present} and try_strptime({value}, {TIMESTAMP_FORMATS}) is null",
                "bad_timestamp",
                column.name,
                _value_message(col, "not a YYYY-MM-DD HH:MM:SS timestamp"),
            )
        )
        if not_after is not None:
            checks.append(
                _reason(
                    f"{present} and try_strptime({value}, {TIMESTAMP_FORMATS}) > "
                    f"timestamp {quote_literal(not_after)}",
                    "future_timestamp",
                    column.name,
                    _value_message(col, f"in the future (after {not_after}, load time + 1 day)"),
                )
            )
    elif column.type == "text":
        checks.append(
            _reason(
                f"left(ltrim({col}), 1) in ('=', '@', '+', '-') and "
                f"regexp_matches({col}, {quote_literal(FORMULA_PATTERN)})",
                "formula_cell",
                column.name,
                _value_message(col, "a spreadsheet formula (CSV injection risk), not loaded"),
            )
        )
    elif column.type == "boolean":
        checks.append(
            _reason(
                f"{present} and lower({value}) not in ('true', 'false')",
                "bad_boolean",
                column.name,
                _value_message(col, "not true/false"),
            )
        )
    elif column.type == "enum":
        allowed = ", ".join(quote_literal(v) for v in column.allowed)
        checks.append(
            _reason(
                f"{present} and {value} not in ({allowed})",
                "bad_enum",
                column.name,
                _value_message(col, "not one of " + "/".join(column.allowed)),
            )
        )
    return checks


def stage_checks(family: Family, stage_table: str) -> list[str]:
    """Unknown sales process / stage, against ``stage_table`` (sales_process, stage_code); the
    row's process is in the loader's column ``_process`` (its own, or its parent's)."""
    rule = stage_check_column(family.name)
    if rule is None:
        return []
    checks: list[str] = []
    known_process = f"_process in (select sales_process from {stage_table})"
    if rule.process_from_parent is None:
        col = quote_ident("sales_process")
        checks.append(
            _reason(
                f"{present_sql(col)} and not ({known_process})",
                "unknown_sales_process",
                "sales_process",
                _value_message(col, "no such sales process in the definitions"),
            )
        )
    col = quote_ident(rule.column)
    checks.append(
        _reason(
            f"{present_sql(col)} and {known_process} and _process || chr(31) || trim({col}) "
            f"not in (select sales_process || chr(31) || stage_code from {stage_table})",
            "unknown_stage",
            rule.column,
            "'stage ' || trim(" + col + ") || ' is not a stage of sales process ' || _process || "
            "coalesce(', which sales_process_rules.csv (priority ' || _process_rule || ') chose "
            "for a blank sales_process', '') || ' (sales_process_stages.csv)'",
        )
    )
    return checks


def family_checks(
    family: Family,
    parent_table: str | None,
    stage_table: str | None = None,
    not_after: str | None = None,
) -> list[str]:
    """All row checks for a family: columns, conditional requirements, duplicates, parent,
    stages when ``stage_table`` is given, future timestamps when ``not_after`` is."""
    checks: list[str] = []
    for column in family.columns:
        checks.extend(column_checks(column, not_after))
    for column_name, statuses, code in family.conditional_required:
        col = quote_ident(column_name)
        values = ", ".join(quote_literal(s) for s in statuses)
        checks.append(
            _reason(
                f'trim("status") in ({values}) and {_blank(col)}',
                code,
                column_name,
                quote_literal(f"{column_name} is required when status is " + "/".join(statuses)),
            )
        )
    key = ", ".join(quote_ident(k) for k in family.key)
    checks.append(
        _reason(
            f"row_number() over (partition by {key} order by _row_number) > 1",
            "duplicate_key",
            "+".join(family.key),
            quote_literal("duplicate of an earlier row in the same file with key ")
            + " || "
            + " || '/' || ".join(f"coalesce({quote_ident(k)}, '')" for k in family.key),
        )
    )
    if family.parent is not None and parent_table is not None:
        column_name, parent_family = family.parent
        col = quote_ident(column_name)
        checks.append(
            _reason(
                f"{present_sql(col)} and {col} not in "
                f"(select {col} from {parent_table} where {col} is not null)",
                "unknown_parent",
                column_name,
                _value_message(col, f"no {parent_family} row with this {column_name}"),
            )
        )
    if stage_table is not None:
        checks.extend(stage_checks(family, stage_table))
    return checks


def present_sql(col: str) -> str:
    return f"not ({_blank(col)})"
