"""Retraining when due, declining (and saying so) with too few closed deals, and the settings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.scoring import store
from orchestration.scoring.run import _due, score_all, train_if_due
from orchestration.scoring.settings import ScoringConfigError, ScoringSettings, load_settings
from orchestration.scoring.train import Fitted, fit
from tests.scoring.conftest import synthetic_world


def test_the_tiny_warehouse_declines_and_says_why(
    tiny_warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    settings = ScoringSettings(backfill_months=2)
    result = train_if_due(tiny_warehouse, tmp_path, date(2025, 6, 30), settings, log=lambda m: None)
    # by 2025-06-30 OPP1 (won) is the only closed deal seen open at a month end
    assert (result.action, result.closed_deals, result.won_deals) == ("declined", 1, 1)
    assert "1 closed deals (1 won, 0 lost)" in result.reason and "at least 200" in result.reason
    status = score_all(tiny_warehouse, tmp_path, date(2025, 6, 30), settings, log=lambda m: None)
    assert status.status == "declined" and "1 closed deals" in status.reason
    assert tiny_warehouse.execute("select count(*) from scoring.opportunity_scores").fetchall() == [
        (0,)
    ]
    ((written, reason),) = tiny_warehouse.execute(
        "select status, reason from scoring.model_status"
    ).fetchall()
    assert written == "declined" and reason.startswith("no scores: 1 closed deals")


def test_retraining_is_due_when_the_period_turns(tmp_path: Path) -> None:
    fitted = fit(synthetic_world(400, seed=1), 200, 30)
    assert isinstance(fitted, Fitted)
    model = store.save(tmp_path, fitted, date(2026, 3, 31))
    quarterly, monthly = ScoringSettings(), ScoringSettings(retrain_every="month")
    assert _due(None, date(2026, 4, 1), quarterly) == "no model in service"
    # trained on 03-31: a new quarter began on 04-01
    assert "before this quarter began (2026-04-01)" in (
        _due(model, date(2026, 4, 1), quarterly) or ""
    )
    later = store.save(tmp_path, fitted, date(2026, 4, 2))
    assert _due(later, date(2026, 6, 30), quarterly) is None
    assert _due(later, date(2026, 5, 1), monthly) is not None
    assert ScoringSettings(retrain_every="year").period_start(date(2026, 6, 30)) == date(2026, 1, 1)
    assert quarterly.retrain_cron == "0 3 1 1,4,7,10 *"


def test_settings_errors_name_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "scoring.yml"
    path.write_text("win_probability:\n  retrain_every: weekly\n", encoding="utf-8")
    with pytest.raises(ScoringConfigError, match=r"scoring.yml: win_probability.retrain_every"):
        load_settings(path)
    path.write_text("win_probability:\n  min_closed_deals: many\n", encoding="utf-8")
    with pytest.raises(ScoringConfigError, match="min_closed_deals must be a whole number"):
        load_settings(path)
    assert load_settings().retrain_every == "quarter"  # the shipped file
