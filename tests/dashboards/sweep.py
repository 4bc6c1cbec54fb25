"""Call every public query of ``data.queries`` with one set of filter values.

Shared by the row-level scope and hostile-input tests: a query added to ``queries`` must be
added here too (``test_the_sweep_calls_every_public_query`` fails otherwise).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable

import pandas as pd
from data import queries

# public functions that are not queries (or return no rows)
NOT_QUERIES = frozenset({"has_table", "current_snapshot", "dataclass", "scoped_connection"})


def public_queries() -> set[str]:
    return {
        name
        for name, obj in vars(queries).items()
        if inspect.isfunction(obj)
        and not name.startswith("_")
        and obj.__module__ == queries.__name__
        and name not in NOT_QUERIES
    }


def every_query(
    *,
    grain: str,
    period: dt.date,
    dimension: str,
    value: str,
    process: str = "standard",
    stage: str = "initial_contact",
    alert_id: str = "W1",
    measure: str = "won",
    method: str = "cohort",
    kind: str = "any_stage",
) -> dict[str, pd.DataFrame]:
    """Every public query's result for these values, keyed ``name`` or ``name:variant``."""
    calls: dict[str, Callable[[], object]] = {
        "publish_info": lambda: pd.DataFrame([vars(queries.publish_info())]),
        "funnel_options": lambda: queries.funnel_options().combos,
        "funnel_conversion": lambda: queries.funnel_conversion(
            grain, period, dimension, value, process, method, kind
        ),
        "stage_dwell": lambda: queries.stage_dwell(grain, period, dimension, value, process),
        "stage_skips": lambda: queries.stage_skips(grain, period, dimension, value, process),
        "stages": lambda: queries.stages(process),
        "forecast_options": queries.forecast_options,
        "forecast_vs_target": lambda: queries.forecast_vs_target(grain, dimension),
        "win_rates": lambda: queries.win_rates(grain, dimension, value),
        "alerts": queries.alerts,
        "alert_opportunities": lambda: queries.alert_opportunities(alert_id),
        "conversion_by_segment": lambda: queries.conversion_by_segment(
            grain, period, dimension, process
        ),
        "dwell_by_segment": lambda: queries.dwell_by_segment(grain, period, dimension, process),
        "conversion_trend": lambda: queries.conversion_trend(
            grain, dt.date(2024, 1, 1), dt.date(2026, 1, 1), dimension, value, process, stage
        ),
        "load_log": queries.load_log,
        "quarantine_reasons": lambda: _if_present("_quarantine", queries.quarantine_reasons),
        "check_results": lambda: _if_present("_check_results", queries.check_results),
        "alert_deliveries": lambda: _if_present("_alert_deliveries", queries.alert_deliveries),
        "currencies": lambda: pd.DataFrame({"currency": queries.currencies()}),
        "new_pipeline": lambda: queries.new_pipeline(grain, dimension, value),
        "period_opportunities": lambda: queries.period_opportunities(
            measure, grain, period, dimension, value
        ),
        "stage_entrants": lambda: queries.stage_entrants(
            grain, period, dimension, value, process, stage
        ),
        "forecast_accuracy": lambda: queries.forecast_accuracy(grain, dimension, value),
        "model_status": queries.model_status,
        # a row only when lead rows are visible: a user without access sees none
        "leads_exported": lambda: pd.DataFrame({"exported": [True] * queries.leads_exported()}),
        "lead_conversion": lambda: queries.lead_conversion(grain, dimension, value),
    }
    return {name: _frame(call()) for name, call in calls.items()}


def _if_present(table: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    return read() if queries.has_table(table) else pd.DataFrame()


def _frame(result: object) -> pd.DataFrame:
    assert isinstance(result, pd.DataFrame), type(result)
    return result
