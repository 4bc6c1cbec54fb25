"""Locate the published (serving) snapshot through the warehouse's ``serving.json`` pointer.

The pipeline writes a read-only DuckDB file per refresh under ``<warehouse>/snapshots/`` and then
switches ``<warehouse>/serving.json`` atomically. The dashboard only ever follows that pointer;
it never opens ``build.duckdb``.

The warehouse directory is ``$FUNNEL_WAREHOUSE`` (a relative value is resolved against the repo
root, the parent of ``dashboards/``), by default ``<repo>/warehouse``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_ROOT: Final[Path] = Path(__file__).resolve().parents[2]
WAREHOUSE_ENV: Final[str] = "FUNNEL_WAREHOUSE"
DEFAULT_WAREHOUSE: Final[str] = "warehouse"
POINTER_NAME: Final[str] = "serving.json"
BUILD_DB_NAME: Final[str] = "build.duckdb"
NO_DATA_MESSAGE: Final[str] = "No data published yet: run `make refresh`"


class SnapshotError(RuntimeError):
    """The serving snapshot cannot be used (bad pointer, missing file, ...)."""


class NoSnapshotError(SnapshotError):
    """Nothing has been published yet: there is no ``serving.json`` pointer."""

    def __init__(self, message: str = NO_DATA_MESSAGE) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Snapshot:
    """The published snapshot the pointer currently names."""

    path: Path  # absolute path of the read-only .duckdb file
    refresh_id: str
    published_at: str | None  # ISO-8601 UTC as written in the pointer
    warehouse_dir: Path

    @property
    def cache_key(self) -> str:
        """String that identifies this publish; every cached query is keyed on it."""
        return str(self.path)


def warehouse_dir() -> Path:
    """The warehouse directory from ``$FUNNEL_WAREHOUSE`` (relative to the repo root)."""
    raw = os.environ.get(WAREHOUSE_ENV, "").strip() or DEFAULT_WAREHOUSE
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path.resolve()


def pointer_path() -> Path:
    return warehouse_dir() / POINTER_NAME


def find_snapshot() -> Snapshot | None:
    """The current serving snapshot, or ``None`` when nothing has been published yet.

    Raises ``SnapshotError`` when a pointer exists but is unusable.
    """
    try:
        return current_snapshot()
    except NoSnapshotError:
        return None


def current_snapshot() -> Snapshot:
    """The current serving snapshot; raises ``NoSnapshotError`` if there is no pointer."""
    wh = warehouse_dir()
    pointer = wh / POINTER_NAME
    try:
        text = pointer.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NoSnapshotError() from None
    except OSError as exc:
        raise SnapshotError(f"Cannot read {pointer}: {exc}") from exc
    try:
        doc = json.loads(text)
        rel = doc["snapshot"]
        refresh_id = doc["refresh_id"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"{pointer} is not a valid serving pointer: {exc!r}") from exc
    if not isinstance(rel, str) or not rel or not isinstance(refresh_id, str):
        raise SnapshotError(f"{pointer} is not a valid serving pointer")
    published_at = doc.get("published_at")
    path = (wh / rel).resolve()
    if not path.is_relative_to(wh) or path.name == BUILD_DB_NAME:
        raise SnapshotError(f"{pointer} points outside the published snapshots: {rel!r}")
    if not path.is_file():
        raise SnapshotError(
            f"The published snapshot {rel!r} is missing; run `make refresh` or reload the page."
        )
    return Snapshot(
        path=path,
        refresh_id=refresh_id,
        published_at=published_at if isinstance(published_at, str) else None,
        warehouse_dir=wh,
    )
