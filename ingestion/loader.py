"""Load canonical export files into DuckDB ``raw.<family>`` tables, faithfully, as text.

Every file is read with DuckDB's CSV reader (no row-by-row Python). Each row either lands in
``raw.<family>`` with lineage columns, or in ``raw.quarantine`` with a reason naming the file, row
and column. ``raw.load_log`` records one line per file version, so that:

- loading the same content again changes nothing (idempotent by content hash);
- ``rows_loaded + rows_quarantined = rows_read`` can be checked on every run (``reconcile``).

Row numbers count data rows: row 1 is the first row after the header. Rows DuckDB cannot parse
(wrong column count, invalid UTF-8) are quarantined with their physical line number instead.
A file written by the adapters (``ingestion/adapters``) carries a ``source_row`` column: its
rows are numbered as in the export the user dropped (the spreadsheet's own row numbers), and the
file is reported under that export's name.
Each file loads in one transaction: a crash mid-file leaves no trace of it.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from ingestion.contract import FAMILIES_BY_NAME, Family
from ingestion.stages import (
    StageCatalog,
    create_rules_table,
    process_choice_sql,
    stage_check_column,
)
from ingestion.validation import family_checks, quote_ident, quote_literal

RAW_SCHEMA = "raw"

LOAD_LOG_DDL = f"""
create table if not exists {RAW_SCHEMA}.load_log (
    family varchar, source_file varchar, content_hash varchar, status varchar,
    rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
    loaded_at timestamp, message varchar
)"""

QUARANTINE_DDL = f"""
create table if not exists {RAW_SCHEMA}.quarantine (
    family varchar, source_file varchar, content_hash varchar, row_number bigint,
    line_number bigint, column_name varchar, reason_code varchar, message varchar,
    record varchar, loaded_at timestamp
)"""


INTERNAL_COLUMNS = ("_row_number", "_process")  # added by the loader, never from the file
FUTURE_SLACK = timedelta(days=1)  # a timestamp later than the load time plus this is in the future
MAX_HEADER_BYTES = 1 << 20
MAX_LINE_BYTES = 64 << 20  # longest line read; a longer one rejects the file, never dropped
MAX_RECORD_CHARS = 65_536  # quarantine records longer than this keep their first characters
SOURCE_ROW = "source_row"  # written by the adapters: the row number in the original export
# Written by the adapters: 'reason_code|column|message' for a row that must be quarantined.
ADAPTER_REASON = "_adapter_reason"


class ContractError(ValueError):
    """A file that cannot be loaded as a whole (for example a missing required column)."""


@dataclass(frozen=True)
class SourceFile:
    """A canonical CSV to load, and how to report it.

    ``name`` is the export the user dropped (``商机.xlsx``, ``sf/Opportunity.csv``); for a
    canonical file it is the file's own name. ``column_labels`` maps a contract column to the
    export's own header, so that messages name the column the user knows.
    """

    path: Path
    name: str = ""
    column_labels: dict[str, str] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.name or self.path.name


@dataclass(frozen=True)
class FileLoad:
    family: str
    source_file: str
    content_hash: str
    status: str  # loaded | skipped | rejected
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    message: str = ""


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def raw_table(family: Family) -> str:
    return f"{RAW_SCHEMA}.{family.name}"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(LOAD_LOG_DDL)
    con.execute(QUARANTINE_DDL)
    for family in FAMILIES_BY_NAME.values():
        columns = ", ".join(f"{quote_ident(c)} varchar" for c in family.column_names)
        con.execute(
            f"create table if not exists {raw_table(family)} ({columns}, _extra varchar, "
            "_source_file varchar, _content_hash varchar, _row_number bigint, _loaded_at timestamp)"
        )


def discover_files(inbox: Path, family: Family) -> list[Path]:
    """Files named like the family in the inbox, oldest name first (names sort as export dates).

    Callers that also take other formats keep only the canonical ones
    (``ingestion.inbox.is_canonical``); the rest go through the adapters.
    """
    return sorted(p for p in inbox.glob(family.file_glob) if p.is_file())


def already_loaded(con: duckdb.DuckDBPyConnection, family: Family, digest: str) -> bool:
    row = con.execute(
        f"select count(*) from {RAW_SCHEMA}.load_log where family = ? and content_hash = ?",
        [family.name, digest],
    ).fetchone()
    return bool(row and row[0])


def load_family(
    con: duckdb.DuckDBPyConnection,
    family: Family,
    inbox: Path,
    loaded_at: datetime,
    stages: StageCatalog | None = None,
) -> Iterator[FileLoad]:
    """Load every new file of a family from the inbox; yields one result per file found."""
    ensure_schema(con)
    for path in discover_files(inbox, family):
        yield load_file(con, family, SourceFile(path), loaded_at, stages)


def load_file(
    con: duckdb.DuckDBPyConnection,
    family: Family,
    source: SourceFile | Path,
    loaded_at: datetime,
    stages: StageCatalog | None = None,
) -> FileLoad:
    """Load one canonical CSV. ``stages`` (sales process -> stage codes) quarantines rows whose
    stage the sales-ops definitions do not know; without it stages are not checked."""
    if isinstance(source, Path):
        source = SourceFile(source)
    path, name = source.path, source.display_name
    ensure_schema(con)
    digest = content_hash(path)
    if already_loaded(con, family, digest):
        return FileLoad(
            family.name, name, digest, "skipped", 0, 0, 0, "same content already loaded"
        )
    con.begin()
    try:
        result = _load_in_transaction(con, family, source, digest, loaded_at, stages)
        con.commit()
    except (duckdb.InvalidInputException, duckdb.ConversionException, ContractError) as error:
        # The file's content is unreadable: record it once, so the run goes on and the
        # same bytes are not retried every night. Programming errors are not caught here.
        con.rollback()
        result = FileLoad(
            family.name,
            name,
            digest,
            "rejected",
            0,
            0,
            0,
            f"{name}: cannot be read as a {family.name} export: {error}",
        )
        _log(con, result, loaded_at)
    except BaseException:
        con.rollback()
        raise
    return result


def read_header(path: Path) -> list[str]:
    """The header line's column names; raises ContractError for an empty or unusable header.

    The loader names the columns itself rather than letting DuckDB sniff the file: a sniffer
    gives up on a whole file for one bad row (an unterminated quote in a truncated file).
    """
    with path.open("rb") as handle:
        first = handle.readline(MAX_HEADER_BYTES)
    if not first.strip():
        raise ContractError("the file is empty: no header line")
    try:
        text = first.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise ContractError(f"the header line is not UTF-8: {error}") from error
    header = next(csv.reader([text]))
    names = [h.strip() for h in header]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ContractError(f"the header names column(s) twice: {', '.join(duplicated)}")
    if any(not n for n in names):
        raise ContractError("the header has a column without a name")
    return names


def check_line_lengths(path: Path) -> None:
    """DuckDB skips a line longer than max_line_size without a trace: refuse such a file.

    Only files larger than the limit can hold such a line, so most files are not scanned.
    """
    if path.stat().st_size <= MAX_LINE_BYTES:
        return
    with path.open("rb") as handle:
        for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(line) > MAX_LINE_BYTES:
                raise ContractError(
                    f"line {number} is longer than {MAX_LINE_BYTES >> 20} MB; "
                    "the file is not loaded (split the value or the file)"
                )
            while not line.endswith(b"\n"):  # the rest of a line cut at the read size
                line = handle.readline(MAX_LINE_BYTES + 1)
                if not line:
                    break


def _read_csv_sql(path: Path, header: list[str], rejects: str) -> str:
    columns = ", ".join(f"{quote_literal(c)}: 'varchar'" for c in header)
    return (
        f"read_csv({quote_literal(str(path))}, header = true, auto_detect = false, "
        f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
        f"max_line_size = {MAX_LINE_BYTES}, store_rejects = true, "
        f"rejects_table = '{rejects}_errors', rejects_scan = '{rejects}_scans')"
    )


# A reason is 'code|column|message'; the message itself may hold '|' (=cmd|' /C calc'!A0).
REASON_MESSAGE = "regexp_extract(r, '(?s)^[^|]*[|][^|]*[|](.*)$', 1)"


def _bounded(record_sql: str) -> str:
    """A quarantine record, or for a huge one its first characters (as JSON)."""
    return (
        f"case when length({record_sql}) > {MAX_RECORD_CHARS} then to_json(struct_pack("
        f"truncated_to_first_1000_characters := left({record_sql}, 1000))) else {record_sql} end"
    )


def _label_sql(column_sql: str, labels: dict[str, str]) -> str:
    """SQL naming a contract column as the user knows it: ``amount (商机金额)``."""
    shown = {c: f"{c} ({h})" for c, h in labels.items() if h and h != c}
    if not shown:
        return column_sql
    cases = " ".join(f"when {quote_literal(c)} then {quote_literal(t)}" for c, t in shown.items())
    return f"case {column_sql} {cases} else {column_sql} end"


def _stage(
    con: duckdb.DuckDBPyConnection, family: Family, stages: StageCatalog | None
) -> str | None:
    """Load the stage catalog into ``_stages`` and give each staged row its ``_process`` (its
    own sales process, or its parent opportunity's; when blank, the one the process rules
    choose, whose priority goes to ``_process_rule``); the table name, or None: no check."""
    rule = stage_check_column(family.name)
    if stages is None or rule is None:
        return None
    con.execute("create or replace temp table _stages (sales_process varchar, stage_code varchar)")
    pairs = [(process, code) for process, codes in stages.items() for code in codes]
    if pairs:
        con.executemany("insert into _stages values (?, ?)", pairs)
    create_rules_table(con, stages.rules)
    if rule.process_from_parent is None:
        con.execute(
            "create or replace temp table _staged as select s.*, c.sales_process as _process, "
            "c.rule_priority as _process_rule from _staged as s left join "
            f"({process_choice_sql('_staged', 'rowid')}) as c on c._k = s.rowid "
            "order by s._row_number"
        )
        return "_stages"
    key_column, parent = rule.process_from_parent
    parent_table = raw_table(FAMILIES_BY_NAME[parent])
    key = quote_ident(key_column)
    latest = (
        f"(select * from (select *, row_number() over (partition by {key} "
        "order by _loaded_at desc, _source_file desc, _row_number desc) as version_rank "
        f"from {parent_table}) where version_rank = 1)"
    )
    con.execute(
        "create or replace temp table _parent_process as select _k as k, sales_process, "
        f"rule_priority from ({process_choice_sql(latest, key)})"
    )
    con.execute(
        "create or replace temp table _staged as select s.*, p.sales_process as _process, "
        "p.rule_priority as _process_rule "
        f"from _staged as s left join _parent_process as p on p.k = s.{key} "
        "order by s._row_number"
    )
    return "_stages"


def _load_in_transaction(
    con: duckdb.DuckDBPyConnection,
    family: Family,
    source: SourceFile,
    digest: str,
    loaded_at: datetime,
    stages: StageCatalog | None,
) -> FileLoad:
    path, name = source.path, source.display_name
    rejects = f"rejects_{digest[:12]}"
    file_header = read_header(path)
    check_line_lengths(path)
    con.execute(
        "create or replace temp table _staged as select *, row_number() over () as _row_number "
        f"from {_read_csv_sql(path, file_header, rejects)}"
    )
    header = [
        r[0] for r in con.execute("describe _staged").fetchall() if r[0] not in INTERNAL_COLUMNS
    ]
    if SOURCE_ROW in header:
        # Adapted file: number rows as the original export does (derived rows have none).
        con.execute(
            "update _staged set _row_number = coalesce(try_cast(source_row as bigint), _row_number)"
        )
    missing = [c.name for c in family.columns if c.required and c.name not in header]
    known = [c for c in header if c in family.column_names]
    extra = [c for c in header if c not in family.column_names]
    for column in family.column_names:
        if column not in header:
            con.execute(f"alter table _staged add column {quote_ident(column)} varchar")

    parent_table = None
    if family.parent is not None:
        parent_table = raw_table(FAMILIES_BY_NAME[family.parent[1]])
    stage_table = None if missing else _stage(con, family, stages)
    # Timestamps are local business time; the load time is UTC: a day of slack covers both.
    not_after = f"{loaded_at + FUTURE_SLACK:%Y-%m-%d %H:%M:%S}"
    checks = family_checks(family, parent_table, stage_table, not_after)
    if ADAPTER_REASON in header:
        checks.insert(0, f"nullif(trim({quote_ident(ADAPTER_REASON)}), '')")
    if missing:
        message = (
            f"'{name}' lacks required column(s) {', '.join(missing)}; the whole file is quarantined"
        )
        checks = [f"'missing_required_column|{'+'.join(missing)}|' || {quote_literal(message)}"]
    record = (
        "to_json(struct_pack("
        + ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in known)
        + "))"
        if known
        else "null"
    )
    extra_json = (
        "to_json(struct_pack("
        + ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in extra)
        + "))"
        if extra
        else "null"
    )
    con.execute(
        "create or replace temp table _checked as select *, "
        f"list_filter([{', '.join(checks)}], lambda x: x is not null) as _reasons, "
        f"{record} as _record, {extra_json} as _extra_json from _staged"
    )
    columns = ", ".join(quote_ident(c) for c in family.column_names)
    con.execute(
        f"insert into {raw_table(family)} select {columns}, _extra_json, ?, ?, _row_number, ? "
        "from _checked where len(_reasons) = 0",
        [name, digest, loaded_at],
    )
    label = _label_sql("split_part(r, '|', 2)", source.column_labels)
    con.execute(
        f"insert into {RAW_SCHEMA}.quarantine select ?, ?, ?, _row_number, null, "
        "split_part(_reasons[1], '|', 2), split_part(_reasons[1], '|', 1), "
        "? || ', row ' || _row_number || ': ' || array_to_string(list_transform(_reasons, "
        f"lambda r: 'column ' || {label} || ': ' || {REASON_MESSAGE}), '; '), "
        f"{_bounded('_record')}, ? from _checked where len(_reasons) > 0",
        [family.name, name, digest, name, loaded_at],
    )
    con.execute(
        f"insert into {RAW_SCHEMA}.quarantine select ?, ?, ?, null, line, "
        "arg_min(column_name, column_idx), "
        "lower(replace(arg_min(error_type, column_idx), ' ', '_')), "
        "? || ', line ' || line || coalesce(', column ' || arg_min(column_name, column_idx), '') "
        "|| ': ' || arg_min(error_message, column_idx), "
        f"{_bounded('to_json(any_value(csv_line))')}, ? from {rejects}_errors group by line",
        [family.name, name, digest, name, loaded_at],
    )
    counts = con.execute(
        "select (select count(*) from _checked), "
        "(select count(*) from _checked where len(_reasons) = 0), "
        f"(select count(distinct line) from {rejects}_errors)"
    ).fetchone()
    assert counts is not None
    parsed, loaded, unparseable = (int(v) for v in counts)
    status = "rejected" if missing else "loaded"
    result = FileLoad(
        family.name,
        name,
        digest,
        status,
        parsed + unparseable,
        loaded,
        parsed - loaded + unparseable,
        f"missing required column(s): {', '.join(missing)}" if missing else "",
    )
    _log(con, result, loaded_at)
    return result


def _log(con: duckdb.DuckDBPyConnection, result: FileLoad, loaded_at: datetime) -> None:
    con.execute(
        f"insert into {RAW_SCHEMA}.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            result.family,
            result.source_file,
            result.content_hash,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            loaded_at,
            result.message,
        ],
    )


@dataclass(frozen=True)
class Mismatch:
    source_file: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int

    def __str__(self) -> str:
        return (
            f"{self.source_file}: read {self.rows_read} but loaded {self.rows_loaded} + "
            f"quarantined {self.rows_quarantined}"
        )


def reconcile(con: duckdb.DuckDBPyConnection, family: Family) -> list[Mismatch]:
    """Files whose rows in raw + quarantine do not add up to the rows read. Empty means OK.

    Counts come from the tables themselves, not from the log's own tallies, so a lost or
    doubled row shows up.
    """
    rows = con.execute(
        f"""
        with loaded as (
            select _content_hash as h, count(*) as n from {raw_table(family)} group by 1
        ), quarantined as (
            select content_hash as h, count(*) as n from {RAW_SCHEMA}.quarantine
            where family = ? group by 1
        )
        select log.source_file, log.rows_read, coalesce(loaded.n, 0), coalesce(quarantined.n, 0)
        from {RAW_SCHEMA}.load_log as log
        left join loaded on loaded.h = log.content_hash
        left join quarantined on quarantined.h = log.content_hash
        where log.family = ? and log.status <> 'skipped'
          and log.rows_read <> coalesce(loaded.n, 0) + coalesce(quarantined.n, 0)
        """,
        [family.name, family.name],
    ).fetchall()
    return [Mismatch(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]
