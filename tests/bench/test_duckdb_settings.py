"""DuckDB's memory limit and threads come from the environment, validated, with defaults."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion.duckdb_settings import apply_duckdb_settings, connect, duckdb_settings


def test_defaults_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUNNEL_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("FUNNEL_DUCKDB_THREADS", "")
    assert duckdb_settings() == {"memory_limit": "4GB", "threads": "2"}


def test_a_connection_gets_the_configured_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNNEL_DUCKDB_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("FUNNEL_DUCKDB_THREADS", "1")
    with duckdb.connect() as con:
        apply_duckdb_settings(con)
        limit, threads = con.execute(
            "select current_setting('memory_limit'), current_setting('threads')"
        ).fetchone() or (None, None)
    assert (limit, threads) == ("488.2 MiB", 1)  # DuckDB shows 512 MB in MiB


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FUNNEL_DUCKDB_MEMORY_LIMIT", "lots"),
        ("FUNNEL_DUCKDB_MEMORY_LIMIT", "4GB; drop table x"),
        ("FUNNEL_DUCKDB_THREADS", "0"),
        ("FUNNEL_DUCKDB_THREADS", "two"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        duckdb_settings()


def test_pipeline_connections_open_under_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ingestion, checks, scoring, delivery and the publish open the warehouse through
    `connect`, so they run under the same budget as dbt."""
    monkeypatch.setenv("FUNNEL_DUCKDB_MEMORY_LIMIT", "256MB")
    monkeypatch.setenv("FUNNEL_DUCKDB_THREADS", "1")
    with connect(tmp_path / "build.duckdb") as con:
        settings = con.execute(
            "select current_setting('memory_limit'), current_setting('threads')"
        ).fetchone()
    assert settings == ("244.1 MiB", 1)
