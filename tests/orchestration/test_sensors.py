"""The inbox sensor: a new or changed export triggers one refresh, once every file settled."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.sensors import inbox_sensor

SETTLE = 60


@pytest.fixture()
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("FUNNEL_INBOX", str(folder))
    monkeypatch.setenv("FUNNEL_SENSOR_SETTLE_SECONDS", str(SETTLE))
    yield folder


def write(path: Path, text: str, age_seconds: float) -> None:
    """A file last modified ``age_seconds`` ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    moment = time.time() - age_seconds
    os.utime(path, (moment, moment))


def tick(cursor: str | None) -> tuple[dg.SensorResult, str | None]:
    context = dg.build_sensor_context(cursor=cursor)
    result = inbox_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result, result.cursor


def test_the_first_look_is_a_baseline_and_an_unchanged_inbox_requests_nothing(
    inbox: Path,
) -> None:
    write(inbox / "accounts.csv", "account_id\nA1\n", age_seconds=600)
    result, cursor = tick(None)
    assert not result.run_requests
    assert "baseline: 1 export file(s)" in str(result.skip_reason)
    result, _ = tick(cursor)
    assert not result.run_requests
    assert "no new or changed export" in str(result.skip_reason)


def test_a_settled_new_file_triggers_one_run_and_only_once(inbox: Path) -> None:
    _, cursor = tick(None)  # an empty inbox
    write(inbox / "opportunities.csv", "opportunity_id\nO1\n", age_seconds=600)
    # the sensor has not seen the file before, so it cannot know it stopped growing yet
    result, cursor = tick(cursor)
    assert not result.run_requests
    assert "waiting for 1 file(s)" in str(result.skip_reason)
    result, cursor = tick(cursor)
    [request] = result.run_requests or []
    assert request.run_key is not None and request.run_key.startswith("inbox-")
    assert request.tags["funnel/changed_files"] == "1"
    result, cursor = tick(cursor)  # nothing changed since the run was requested
    assert not result.run_requests
    assert "no new or changed export" in str(result.skip_reason)


def test_a_file_still_being_written_is_not_read(inbox: Path) -> None:
    _, cursor = tick(None)
    write(inbox / "accounts.csv", "account_id\nA1\n", age_seconds=600)
    _, cursor = tick(cursor)
    result, cursor = tick(cursor)
    assert result.run_requests  # the settled inbox runs
    # a new export starts arriving: written just now, then growing between two looks
    write(inbox / "stage_history.csv", "opportunity_id\n", age_seconds=0)
    result, cursor = tick(cursor)
    assert not result.run_requests
    write(inbox / "stage_history.csv", "opportunity_id\nO1\nO2\n", age_seconds=0)
    result, cursor = tick(cursor)
    assert not result.run_requests
    assert "stage_history.csv" in str(result.skip_reason)
    # the same size and mtime at the next look, but modified within the settle window: wait
    result, cursor = tick(cursor)
    assert not result.run_requests
    # the writer finished long enough ago: one run for the new version
    write(inbox / "stage_history.csv", "opportunity_id\nO1\nO2\n", age_seconds=SETTLE + 5)
    _, cursor = tick(cursor)
    result, cursor = tick(cursor)
    [request] = result.run_requests or []
    assert request.tags["funnel/changed_files"] == "1"


def test_a_changed_file_triggers_again_and_temp_files_are_ignored(inbox: Path) -> None:
    _, cursor = tick(None)
    write(inbox / "orders.csv", "order_id\nR1\n", age_seconds=600)
    write(inbox / "orders.csv.part", "partial download", age_seconds=0)
    write(inbox / ".hidden.csv", "x", age_seconds=0)
    _, cursor = tick(cursor)
    result, cursor = tick(cursor)
    [first] = result.run_requests or []
    write(inbox / "orders.csv", "order_id\nR1\nR2\n", age_seconds=300)
    _, cursor = tick(cursor)
    result, cursor = tick(cursor)
    [second] = result.run_requests or []
    assert second.run_key != first.run_key
    # a Salesforce folder counts file by file
    write(inbox / "sf" / "Opportunity.csv", "Id\n", age_seconds=600)
    _, cursor = tick(cursor)
    result, _ = tick(cursor)
    [third] = result.run_requests or []
    assert third.run_key not in (first.run_key, second.run_key)
