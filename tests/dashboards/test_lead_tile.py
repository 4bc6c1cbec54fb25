"""The overview's lead-conversion tile: shown only when the snapshot holds lead rows."""

from __future__ import annotations

from data import identity, queries, scope

from .apptest import open_page
from .conftest import JUNE, REFRESH_ID

LEAD_COLUMNS = [
    "ALTER TABLE mart_win_rates ADD COLUMN lead_count BIGINT",
    "ALTER TABLE mart_win_rates ADD COLUMN converted_lead_count BIGINT",
    "ALTER TABLE mart_win_rates ADD COLUMN lead_conversion_rate DOUBLE",
    "ALTER TABLE mart_win_rates ADD COLUMN median_lead_conversion_days DOUBLE",
]
# June: 3 of 10 leads converted (30%); May: 5 of 20 (25%): +5.0 pp. A team row beside them.
LEAD_ROWS = [
    "INSERT INTO mart_win_rates (as_of_date, period_grain, period_start, segment_dimension,"
    " segment_value, sales_process, stage_code, lead_count, converted_lead_count,"
    " lead_conversion_rate, median_lead_conversion_days, refresh_id) VALUES"
    f" (DATE '2025-06-30', 'month', DATE '2025-06-01', 'all', 'all', 'all', 'all', 10, 3, 0.3,"
    f" 10, '{REFRESH_ID}'),"
    f" (DATE '2025-06-30', 'month', DATE '2025-05-01', 'all', 'all', 'all', 'all', 20, 5, 0.25,"
    f" 12, '{REFRESH_ID}'),"
    f" (DATE '2025-06-30', 'month', DATE '2025-06-01', 'team', 'east-1', 'all', 'all', 4, 2,"
    f" 0.5, 7.5, '{REFRESH_ID}')"
]


def _metrics() -> dict[str, tuple[str, str | None]]:
    at = open_page()
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def test_no_leads_without_lead_columns_or_rows(warehouse) -> None:
    assert not queries.leads_exported()  # a snapshot published before the lead columns
    warehouse.publish("20250702T020000Z", LEAD_COLUMNS)  # columns, but no leads exported
    assert not queries.leads_exported()


def test_the_tile_shows_the_periods_rate_and_its_change(warehouse) -> None:
    assert "Lead conversion" not in _metrics()
    warehouse.publish("20250702T020000Z", LEAD_COLUMNS + LEAD_ROWS)
    assert queries.leads_exported()
    frame = queries.lead_conversion("month", "team", "east-1")
    assert [str(p.date()) for p in frame["period_start"]] == [str(JUNE)]
    assert frame.drop(columns="period_start").to_dict("records") == [
        {
            "lead_count": 4,
            "converted_lead_count": 2,
            "lead_conversion_rate": 0.5,
            "median_lead_conversion_days": 7.5,
        }
    ]
    shown = _metrics()
    assert shown["Lead conversion"] == ("30.0%", "+5.0 pp")
    assert shown["Win rate · Standard"] == ("30.0%", "+10.0 pp")  # lead rows are not a process
    assert not [label for label in shown if label.endswith("· all")]


def test_a_team_user_sees_only_the_lead_rows_of_the_team(warehouse, monkeypatch) -> None:
    warehouse.publish("20250702T020000Z", LEAD_COLUMNS + LEAD_ROWS)
    team = scope.Scope(user="east", teams=("east-1",))
    monkeypatch.setattr(identity, "current_scope", lambda: team)
    assert queries.leads_exported()
    assert queries.lead_conversion("month", "all", "all").empty  # mixes every team's leads
    assert list(queries.lead_conversion("month", "team", "east-1")["lead_count"]) == [4]
