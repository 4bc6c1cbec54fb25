"""Salesforce Data Loader export folder -> canonical opportunities, stage_history, accounts and
sales_reps. Fields are mapped by ``salesforce.fields`` in header_mapping.yml; unmapped fields are
kept as extra columns under their Salesforce names. Decisions (documented in the YAML):

- ``current_stage`` is StageName mapped by ``salesforce.stages``; for an outcome StageName
  (``Closed Lost``) it is the last stage in the opportunity's history (empty if it has none, so
  the loader quarantines the row rather than a stage being guessed).
- ``status`` follows the Opportunity row: IsClosed and IsWon -> won; IsClosed only -> the
  outcome's status (``lost``); else open. ``closed_date`` of a closed deal is the day of its
  latest OpportunityHistory row (when it was closed); CloseDate (a plan, often stale in
  exports) only when it has no history. ``expected_close_date`` is CloseDate.
- A deal Closed Won, then Closed Lost (a reversed win) is lost: its change into the won stage
  and, when no earlier stage is left, the opportunity itself carry ``_adapter_reason``
  ``reversed_win``, so the loader quarantines them and nothing counts the deal as won.
- ``Probability`` (0-100) becomes the extra column ``probability`` (a fraction, 0-1).
- No OwnerId (the sample has none): the owner is the CreatedById of the first history row.
- Columns the export lacks get ``salesforce.defaults``, named in the column ``_defaults_applied``.
- No User.csv: minimal reps are derived from the owner ids (rep_name = the id).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ingestion.adapters.config import ADAPTER_REASON, AdapterError, Mapping, key
from ingestion.adapters.readers import read_csv
from ingestion.adapters.sf_builder import Builder, Record
from ingestion.adapters.sf_history import History, HistoryRow, build_history
from ingestion.adapters.tabular import CanonicalTable, listed
from ingestion.adapters.values import as_text, decimal_text, fmt_decimal

OBJECTS = ("Opportunity", "OpportunityHistory", "Account", "User")
# to_stage / from_stage come from the walk over StageName (kept as an extra column)
HISTORY_FIELDS = {
    "opportunity_id": "OpportunityId",
    "changed_at": "CreatedDate",
    "changed_by": "CreatedById",
}


def is_salesforce_folder(path: Path) -> bool:
    return path.is_dir() and (path / "Opportunity.csv").is_file()


def _records(path: Path) -> tuple[list[str], list[Record], int]:
    table = read_csv(path)
    if not table.rows:
        raise AdapterError(f"{path.parent.name}/{path.name}: empty file")
    header = [as_text(c).strip() for c in table.rows[0]]
    records = [
        {h: as_text(row[i]) if i < len(row) else "" for i, h in enumerate(header)}
        for row in table.rows[1:]
    ]
    return header, records, table.blank_trailing


def fraction(percent: str) -> str:
    """Probability 0-100 as a fraction with two decimals (``75`` -> ``0.75``), else as is."""
    value = decimal_text(percent.strip())
    if value is None:
        return percent
    return fmt_decimal(Decimal(value) / 100)


def _opportunities(
    mapping: Mapping, header: list[str], records: list[Record], history: History
) -> CanonicalTable:
    cfg = mapping.salesforce
    b = Builder(
        mapping,
        "opportunities",
        cfg.fields.get("Opportunity", {}),
        header,
        ["probability", ADAPTER_REASON],
    )
    rows, unknown, from_history, reopened = [], set(), [], []
    for number, rec in enumerate(records, start=2):
        opp_id, stage_name = rec.get("Id", ""), rec.get("StageName", "")
        values, flagged = b.mapped(rec), []
        outcome = cfg.status_stages.get(key(stage_name))
        stage = history.last_stage.get(opp_id, "") if outcome else cfg.stages.get(key(stage_name))
        if stage is None:
            stage = stage_name
            unknown.add(stage_name)
        values["current_stage"] = stage
        closed, won = (rec.get(f, "").strip().lower() == "true" for f in ("IsClosed", "IsWon"))
        values["status"] = ("won" if won else outcome or "lost") if closed else "open"
        closed_at = history.last_at.get(opp_id)
        values["closed_date"] = (
            (closed_at.strftime("%Y-%m-%d") if closed_at else values.get("expected_close_date", ""))
            if closed
            else ""
        )
        if not values.get("owner_id") and history.first_by.get(opp_id):
            values["owner_id"] = history.first_by[opp_id]
            flagged.append("owner_id")
            from_history.append(number)
        values["probability"] = fraction(rec.get("Probability", ""))
        if opp_id in history.reversed_wins:
            reopened.append(number)
            if not stage:
                values[ADAPTER_REASON] = (
                    "reversed_win|current_stage|the deal was Closed Won, then Closed Lost, and "
                    "has no stage before the win: it has no stage to be lost from"
                )
        rows.append(b.row(values, rec, number, flagged))
    warnings = [f"StageName {n!r} is not in salesforce.stages, kept as is" for n in sorted(unknown)]
    if reopened:
        warnings.append(
            f"{len(reopened)} opportunity(ies) were Closed Won, then Closed Lost: status lost, "
            "current_stage is the stage before the win, and the win is quarantined as "
            f"reversed_win (rows {listed(reopened)})"
        )
    if from_history:
        warnings.append(
            "no OwnerId: owner_id is the first history row's CreatedById "
            f"(rows {listed(from_history)})"
        )
    return b.table(rows, len(records), warnings)


def _stage_history(
    mapping: Mapping, header: list[str], rows_in: int, history: History
) -> CanonicalTable:
    b = Builder(mapping, "stage_history", HISTORY_FIELDS, header, ["probability", ADAPTER_REASON])
    rows = []
    for change in history.changes:
        values = b.mapped(change.row.record)
        values.update(from_stage=change.from_stage, to_stage=change.to_stage)
        values[ADAPTER_REASON] = change.reason
        values["probability"] = fraction(change.row.record.get("Probability", ""))
        rows.append(b.row(values, change.row.record, change.row.source_row, []))
    warnings = [
        f"StageName {n!r} is not in salesforce.stages, kept as is"
        for n in sorted(history.unknown_stages)
    ]
    for why in sorted({w for _, w in history.folded}):
        numbers = [n for n, w in history.folded if w == why]
        warnings.append(f"{len(numbers)} row(s) folded, {why}: rows {listed(numbers)}")
    table = b.table(rows, rows_in, warnings)
    table.rows_folded = len(history.folded)
    return table


def _accounts(mapping: Mapping, header: list[str], records: list[Record]) -> CanonicalTable:
    b = Builder(mapping, "accounts", mapping.salesforce.fields.get("Account", {}), header, [])
    rows = [b.row(b.mapped(rec), rec, n, []) for n, rec in enumerate(records, start=2)]
    return b.table(rows, len(records), [])


def _users(mapping: Mapping, header: list[str], records: list[Record]) -> CanonicalTable:
    b = Builder(mapping, "sales_reps", mapping.salesforce.fields.get("User", {}), header, [])
    rows = [b.row(b.mapped(rec), rec, n, []) for n, rec in enumerate(records, start=2)]
    return b.table(rows, len(records), [])


def _derived_reps(mapping: Mapping, owners: list[str]) -> CanonicalTable:
    b = Builder(mapping, "sales_reps", {}, [], [])
    rows = [b.row({"rep_id": o, "rep_name": o}, {}, 0, ["rep_name"]) for o in owners]
    for row in rows:
        row[-2] = ""  # no source row: derived from the opportunities' owner ids
    table = b.table(rows, 0, [f"no User.csv: {len(owners)} rep(s) derived from owner ids"])
    table.derived = True
    return table


def adapt_salesforce(folder: Path, mapping: Mapping) -> dict[str, CanonicalTable]:
    """Canonical tables keyed by the name of the file they came from (``owners`` for derived
    reps). Other files in the folder (Lead.csv, Contact.csv ...) are not used."""
    blank: dict[str, int] = {}
    loaded: dict[str, tuple[list[str], list[Record]]] = {}
    for obj in OBJECTS:
        if (folder / f"{obj}.csv").is_file():
            header, records, blank[obj] = _records(folder / f"{obj}.csv")
            loaded[obj] = (header, records)
    hist_header, hist_records = loaded.get("OpportunityHistory", ([], []))
    lost = frozenset(
        r.get("Id", "")
        for r in loaded["Opportunity"][1]
        if r.get("IsClosed", "").strip().lower() == "true"
        and r.get("IsWon", "").strip().lower() != "true"
    )
    history = build_history(
        [
            HistoryRow(
                n, r.get("OpportunityId", ""), r.get("StageName", ""), r.get("CreatedDate", ""), r
            )
            for n, r in enumerate(hist_records, start=2)
        ],
        mapping.salesforce,
        lost,
    )
    out = {"Opportunity": _opportunities(mapping, *loaded["Opportunity"], history)}
    if "OpportunityHistory" in loaded:
        out["OpportunityHistory"] = _stage_history(mapping, hist_header, len(hist_records), history)
    if "Account" in loaded:
        out["Account"] = _accounts(mapping, *loaded["Account"])
    if "User" in loaded:
        out["User"] = _users(mapping, *loaded["User"])
    else:
        owner_col = out["Opportunity"].header.index("owner_id")
        owners = sorted({r[owner_col] for r in out["Opportunity"].rows if r[owner_col].strip()})
        out["owners"] = _derived_reps(mapping, owners)
    for obj, table in out.items():
        table.blank_trailing = blank.get(obj, 0)
    return out
