"""Operations: failure alerts (log, webhook, e-mail), inbox freshness, the refresh's own locks."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.defs.operations import alert_on_run_failure, inbox_is_fresh
from orchestration.lib import notify
from orchestration.lib.freshness import inbox_freshness
from orchestration.refresh import RefreshBlockedError, refresh_lock, wait_for_build_db

NOW = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP endpoint that records every JSON body POSTed to it."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def touch(path: Path, when: datetime) -> None:
    path.write_text("opportunity_id\n", encoding="utf-8")
    os.utime(path, (when.timestamp(), when.timestamp()))


# ------------------------------------------------------------------------------- freshness


def test_the_inbox_is_fresh_when_its_newest_export_changed_within_the_window(tmp_path):
    touch(tmp_path / "opportunities_2026-06-29.csv", NOW - timedelta(hours=50))
    touch(tmp_path / "stage_history_2026-06-30.csv", NOW - timedelta(hours=20))
    freshness = inbox_freshness(tmp_path, 26, now=NOW)
    assert freshness.fresh
    assert freshness.newest_file == "stage_history_2026-06-30.csv"
    assert freshness.age == timedelta(hours=20)


def test_a_stale_inbox_is_reported_with_the_newest_file_and_its_age(tmp_path):
    touch(tmp_path / "opportunities_2026-06-29.csv", NOW - timedelta(hours=30))
    touch(tmp_path / "notes.csv", NOW)  # not an export family: does not make it fresh
    freshness = inbox_freshness(tmp_path, 26, now=NOW)
    assert not freshness.fresh
    assert freshness.describe() == (
        "inbox STALE: the newest export file, opportunities_2026-06-29.csv, changed 30.0 h ago "
        "(2026-06-29 20:00 UTC); expected within 26 h (FUNNEL_INBOX_MAX_AGE_HOURS)"
    )


def test_an_empty_inbox_is_not_fresh(tmp_path):
    freshness = inbox_freshness(tmp_path / "missing", 26, now=NOW)
    assert not freshness.fresh
    assert "holds no export file" in freshness.describe()


def test_the_freshness_check_warns_without_blocking(tmp_path, monkeypatch):
    touch(tmp_path / "opportunities.csv", datetime.now(UTC) - timedelta(hours=5))
    monkeypatch.setenv("FUNNEL_INBOX", str(tmp_path))
    monkeypatch.setenv("FUNNEL_INBOX_MAX_AGE_HOURS", "4")
    result = inbox_is_fresh()
    assert (result.passed, result.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert "inbox STALE" in (result.description or "")
    assert inbox_is_fresh.check_specs and not list(inbox_is_fresh.check_specs)[0].blocking
    monkeypatch.setenv("FUNNEL_INBOX_MAX_AGE_HOURS", "6")
    assert inbox_is_fresh().passed
    monkeypatch.setenv("FUNNEL_INBOX_MAX_AGE_HOURS", "soon")
    with pytest.raises(ValueError, match="FUNNEL_INBOX_MAX_AGE_HOURS must be a number"):
        inbox_is_fresh()


# ------------------------------------------------------------------------------- alerts


def test_an_alert_is_logged_and_posted_to_the_configured_webhook(webhook, monkeypatch, caplog):
    url, received = webhook
    monkeypatch.setenv("FUNNEL_ALERT_WEBHOOK_URL", url)
    monkeypatch.delenv("FUNNEL_ALERT_EMAIL_TO", raising=False)
    with caplog.at_level(logging.ERROR, logger="funnel.alerts"):
        assert notify.send_alert("Run failed", "dbt_models: boom", {"run_id": "r1"}) == []
    assert "ALERT Run failed: dbt_models: boom" in caplog.text
    assert received == [
        {"title": "Run failed", "text": "Run failed\ndbt_models: boom", "run_id": "r1"}
    ]


def test_an_unreachable_webhook_is_reported_not_raised(monkeypatch, caplog):
    monkeypatch.setenv("FUNNEL_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens")
    with caplog.at_level(logging.WARNING, logger="funnel.alerts"):
        problems = notify.send_alert("Run failed", "text")
    assert len(problems) == 1 and problems[0].startswith("webhook:")
    assert "ALERT Run failed: text" in caplog.text and "alert delivery failed" in caplog.text


def test_an_alert_is_emailed_when_smtp_is_configured(monkeypatch):
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            sent.append((host, port))

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def has_extn(self, name: str) -> bool:
            return False

        def login(self, user: str, password: str) -> None:
            sent.append((user, password))

        def send_message(self, message: Any) -> None:
            sent.append((message["To"], message["Subject"], message.get_content().strip()))

    monkeypatch.setattr(notify.smtplib, "SMTP", FakeSMTP)
    monkeypatch.delenv("FUNNEL_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.setenv("FUNNEL_ALERT_EMAIL_TO", "ops@example.com, cfo@example.com")
    monkeypatch.setenv("FUNNEL_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("FUNNEL_SMTP_USER", "bot")
    monkeypatch.setenv("FUNNEL_SMTP_PASSWORD", "from-the-environment")
    assert notify.send_alert("Run failed", "details") == []
    assert sent == [
        ("mail.example.com", 25),
        ("bot", "from-the-environment"),
        ("ops@example.com, cfo@example.com", "Run failed", "details"),
    ]
    monkeypatch.delenv("FUNNEL_SMTP_HOST")
    assert notify.send_alert("Run failed", "details") == [
        "FUNNEL_ALERT_EMAIL_TO is set but FUNNEL_SMTP_HOST is not"
    ]


def test_the_run_failure_sensor_alerts_with_the_failed_step_and_its_error(webhook, monkeypatch):
    url, received = webhook
    monkeypatch.setenv("FUNNEL_ALERT_WEBHOOK_URL", url)
    monkeypatch.delenv("FUNNEL_ALERT_EMAIL_TO", raising=False)

    @dg.op
    def load_exports() -> None:
        raise RuntimeError("opportunities.csv is unreadable")

    @dg.job
    def nightly() -> None:
        load_exports()

    with dg.DagsterInstance.ephemeral() as instance:
        result = nightly.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        [record] = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        failure = record.dagster_event
        assert failure is not None
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        ).for_run_failure()
        alert_on_run_failure(context)
    assert len(received) == 1
    text = received[0]["text"]
    assert text.startswith("Funnel Warehouse run failed\n")
    assert f"run {result.run_id} of job nightly failed" in text
    assert "load_exports: RuntimeError: opportunities.csv is unreadable" in text
    assert received[0]["run_id"] == result.run_id


# ------------------------------------------------------------------------------- refresh locks


def test_a_second_refresh_is_refused_while_one_holds_the_lock(tmp_path):
    with (
        refresh_lock(tmp_path),
        pytest.raises(
            RefreshBlockedError, match=f"another refresh is running \\(pid {os.getpid()}"
        ),
        refresh_lock(tmp_path),
    ):
        pass
    with refresh_lock(tmp_path):  # released: the next refresh gets it
        pass


HOLD_BUILD_DB = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_process_still_holding_the_build_warehouse_is_waited_for_then_named(tmp_path):
    build = tmp_path / "build.duckdb"
    duckdb.connect(str(build)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_BUILD_DB, str(build), "60"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(RefreshBlockedError, match=f"process {holder.pid} still holds"):
            wait_for_build_db(build, timeout=1)
    finally:
        holder.kill()
        holder.wait()
    short = subprocess.Popen(
        [sys.executable, "-c", HOLD_BUILD_DB, str(build), "2"], stdout=subprocess.PIPE, text=True
    )
    assert short.stdout is not None and short.stdout.readline().strip() == "holding"
    started = time.monotonic()
    wait_for_build_db(build, timeout=60)  # returns once the holder exits
    assert short.wait() == 0
    assert time.monotonic() - started < 60
