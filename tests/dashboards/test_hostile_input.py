"""Hostile filter values: nothing is injected and nothing crashes.

Every text parameter of every public query gets, one at a time, quotes, ``;``, SQL comments, a
very long string, text that is not UTF-8 (lone surrogates), NUL and a few look-alikes of real
values. The outcome must be exactly that of a harmless value that matches nothing (the same
frames, or the same clear ``ValueError`` where a query refuses unknown names), and the snapshot
is unchanged afterwards. The app gets them in every keyed widget of every page (as a tampered
session would): each is dropped for the widget's default.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from .apptest import APP
from .conftest import JUNE, REFRESH_ID
from .sweep import every_query

HOSTILE = (
    "华东' OR '1'='1' -- ;",  # quotes, OR, a line comment, a statement separator
    '"; DROP TABLE dim_stages; /* */\x00' + "a" * 100_000,  # DDL, block comment, NUL, long
    "all\udcff",  # a lone surrogate: bytes that were not UTF-8
)
HARMLESS = "zz-no-match"
# one widget value with all of the above
ATTACK = "x'; DROP TABLE dim_stages; -- /* \udcff " + "a" * 10_000 + "\x00"
VALID = {
    "grain": "month",
    "dimension": "region",
    "value": "华东",
    "process": "standard",
    "stage": "initial_contact",
    "alert_id": "W1",
    "measure": "won",
    "method": "cohort",
    "kind": "any_stage",
}


def _outcome(**values: str) -> dict[str, object]:
    """Each query's frame, or its exception type and whether the message names the value."""
    try:
        return dict(every_query(period=JUNE, **values))
    except ValueError as exc:  # an allow-list refusal: same type for any unknown name
        return {"refused": type(exc)}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("parameter", sorted(VALID))
def test_hostile_values_behave_like_a_value_that_matches_nothing(warehouse, parameter) -> None:
    snapshot = warehouse.snapshot_path(REFRESH_ID)
    before = _sha256(snapshot)
    clean = _outcome(**VALID)
    assert not clean["funnel_conversion"].empty  # type: ignore[union-attr]
    expected = _outcome(**{**VALID, parameter: HARMLESS})
    for hostile in HOSTILE:
        got = _outcome(**{**VALID, parameter: hostile})
        assert got.keys() == expected.keys(), (parameter, hostile[:40])
        for name, frame in got.items():
            if isinstance(frame, pd.DataFrame):
                pd.testing.assert_frame_equal(
                    frame, expected[name], obj=f"{name}({hostile[:40]!r})"
                )
            else:
                assert frame == expected[name], (name, hostile[:40])
    assert _sha256(snapshot) == before


def _widget_keys(at: AppTest) -> list[str]:
    kinds = ("selectbox", "multiselect", "radio", "button_group", "text_input")
    return [w.key for kind in kinds for w in getattr(at, kind) if w.key]


@pytest.mark.parametrize("page", ["overview", "funnel", "conversion", "forecast", "alerts"])
def test_hostile_widget_values_are_dropped_on_every_page(warehouse, page) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = "en"
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    keys = _widget_keys(at)
    assert keys

    baseline = _shown_data(at)
    assert baseline
    attacked = AppTest.from_file(str(APP), default_timeout=30)
    attacked.session_state["lang"] = "en"
    for key in keys:
        if key != "lang":
            attacked.session_state[key] = ATTACK
    attacked.switch_page(f"app_pages/{page}.py").run()
    assert not attacked.exception, (page, attacked.exception)
    # every hostile choice is dropped for the widget's default (the same numbers and lists) or
    # kept by a multi-choice filter, where it matches nothing
    shown = _shown_data(attacked)
    no_match = not attacked.dataframe and not attacked.get("plotly_chart") and attacked.info
    assert shown == baseline or (no_match and page == "alerts"), shown


def _shown_data(at: AppTest) -> list[str]:
    """Tables, charts, metrics and messages of a run (not the widgets' own state)."""
    shown = [frame.value.to_csv() for frame in at.dataframe]
    shown += [str(chart.proto.spec) for chart in at.get("plotly_chart")]
    shown += [f"{m.label}={m.value}" for m in at.metric]
    shown += [
        str(e.value) for kind in ("info", "warning", "error", "caption") for e in getattr(at, kind)
    ]
    return shown
