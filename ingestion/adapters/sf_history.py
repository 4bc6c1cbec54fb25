"""Salesforce OpportunityHistory -> canonical stage changes (from / to stage, in time order).

OpportunityHistory has one row per change of stage, amount or close date, each with the
StageName after the change. A row whose stage did not change, and a row whose StageName is an
outcome (``Closed Lost``, see ``salesforce.status_stages``), is not a stage change: it is folded
(counted and listed in the warnings), never silently dropped.

A deal that is lost now but was Closed Won before (a reversed win) did not reach the won stage:
its change into the won stage is kept as a stage change but flagged ``reversed_win``, so the
loader quarantines it (file, row, column StageName) and no funnel counts the deal as signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ingestion.adapters.config import SalesforceConfig, key
from ingestion.adapters.values import parse_datetime

LATE = datetime.max


@dataclass(frozen=True)
class HistoryRow:
    source_row: int
    opportunity_id: str
    stage_name: str
    created: str
    record: dict[str, str]


@dataclass
class StageChange:
    row: HistoryRow
    from_stage: str
    to_stage: str
    reason: str = ""  # 'code|column|message' when the loader must quarantine the change


@dataclass
class History:
    changes: list[StageChange] = field(default_factory=list)
    folded: list[tuple[int, str]] = field(default_factory=list)  # (source row, why)
    last_stage: dict[str, str] = field(default_factory=dict)  # opportunity -> last stage
    first_by: dict[str, str] = field(default_factory=dict)  # opportunity -> first CreatedById
    unknown_stages: set[str] = field(default_factory=set)
    last_at: dict[str, datetime] = field(default_factory=dict)  # opportunity -> latest row time
    reversed_wins: dict[str, int] = field(default_factory=dict)  # opportunity -> source row


def stage_rank(cfg: SalesforceConfig, stage_name: str) -> int:
    """Order of a StageName's stage in the configuration (outcomes and unknown names last)."""
    order = list(dict.fromkeys(cfg.stages.values()))
    stage = cfg.stages.get(key(stage_name))
    return order.index(stage) if stage is not None else len(order)


def _moment(row: HistoryRow) -> datetime:
    parsed = parse_datetime(row.created.strip())
    return parsed[0] if parsed else LATE


def _reversed_win(row: HistoryRow) -> str:
    return (
        f"reversed_win|StageName|{row.stage_name} on {row.created} was reversed (the deal is "
        "Closed Lost now): not counted as reaching the won stage"
    )


def build_history(
    rows: list[HistoryRow], cfg: SalesforceConfig, lost: frozenset[str] = frozenset()
) -> History:
    """Stage changes per opportunity in time order (ties: stage order, then file order).

    ``lost``: ids of the deals lost now, whose changes into the won stage are reversed wins.
    """
    history = History()
    won_stage = cfg.stages.get(key("Closed Won"))
    by_opp: dict[str, list[HistoryRow]] = {}
    for row in rows:
        by_opp.setdefault(row.opportunity_id, []).append(row)
    for opp_id, opp_rows in by_opp.items():
        opp_rows.sort(key=lambda r: (_moment(r), stage_rank(cfg, r.stage_name), r.source_row))
        history.first_by[opp_id] = opp_rows[0].record.get("CreatedById", "")
        moments = [m for r in opp_rows if (m := _moment(r)) != LATE]
        if moments:
            history.last_at[opp_id] = max(moments)
        previous = ""
        for row in opp_rows:
            name_key = key(row.stage_name)
            if name_key in cfg.status_stages:
                history.folded.append(
                    (row.source_row, f"{row.stage_name!r} is a status, not a stage")
                )
                continue
            stage = cfg.stages.get(name_key)
            if stage is None:
                stage = row.stage_name
                history.unknown_stages.add(row.stage_name)
            if stage == previous:
                history.folded.append((row.source_row, f"stage unchanged ({stage})"))
                continue
            if opp_id in lost and stage == won_stage:
                history.changes.append(StageChange(row, previous, stage, _reversed_win(row)))
                history.reversed_wins[opp_id] = row.source_row
                continue
            history.changes.append(StageChange(row, previous, stage))
            previous = stage
        if previous:
            history.last_stage[opp_id] = previous
    history.changes.sort(key=lambda c: c.row.source_row)
    return history
