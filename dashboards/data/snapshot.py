"""Locate the published (serving) snapshot through the warehouse's ``serving.json`` pointer.

The pipeline writes a read-only DuckDB file per refresh under ``<warehouse>/snapshots/`` and then
switches ``<warehouse>/serving.json`` atomically. The dashboard only ever follows that pointer;
it never opens ``build.duckdb``.

The warehouse directory is ``$FUNNEL_WAREHOUSE`` (a relative value is resolved against the repo
root, the parent of ``dashboards/``), by default ``<repo>/warehouse``.

**Fallback.** Before a snapshot is served it is checked: its SHA-256 must match the checksum the
publish step wrote (in the pointer and in ``<refresh_id>.duckdb.sha256``) when there is one, and
it must open as DuckDB with a ``_publish_info`` row. A damaged or truncated file makes
``current_snapshot`` fall back to the newest earlier snapshot that passes the same check; the
returned ``Snapshot`` then carries a ``warning`` that the app shows on every page
(``snapshot_warning()``). A missing file is an error, as before. A file is checked once per
version (path, size, mtime) per process.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb

REPO_ROOT: Final[Path] = Path(__file__).resolve().parents[2]
WAREHOUSE_ENV: Final[str] = "FUNNEL_WAREHOUSE"
DEFAULT_WAREHOUSE: Final[str] = "warehouse"
POINTER_NAME: Final[str] = "serving.json"
BUILD_DB_NAME: Final[str] = "build.duckdb"
SNAPSHOTS_DIR: Final[str] = "snapshots"
CHECKSUM_SUFFIX: Final[str] = ".sha256"
NO_DATA_MESSAGE: Final[str] = "No data published yet: run `make refresh`"
# Why a snapshot cannot be served, by code (the dashboards translate the code).
PROBLEMS: Final[dict[str, str]] = {
    "missing": "the file is missing",
    "unreadable": "the file cannot be read",
    "checksum": "its checksum does not match the one written when it was published",
    "not_duckdb": "it cannot be opened as a DuckDB snapshot",
    "no_publish_info": "it has no _publish_info row",
}


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
    # Set when the pointer's snapshot is damaged and this is the last good one instead.
    warning: str | None = None
    # (damaged file name, ``PROBLEMS`` code) with the warning, for a translated message.
    fallback: tuple[str, str] | None = None

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
    expected = doc.get("sha256")
    problem = problem_code(path, expected if isinstance(expected, str) else None)
    if problem is None:
        return Snapshot(
            path=path,
            refresh_id=refresh_id,
            published_at=published_at if isinstance(published_at, str) else None,
            warehouse_dir=wh,
        )
    return _last_good_snapshot(wh, path, problem)


def snapshot_warning() -> str | None:
    """The warning to show when the dashboards serve a fallback snapshot; never raises."""
    try:
        return current_snapshot().warning
    except SnapshotError:
        return None  # the pages say so themselves


def snapshot_problem(path: Path, expected_sha256: str | None = None) -> str | None:
    """Why ``path`` cannot be served (missing, checksum mismatch, not DuckDB), or ``None``."""
    code = problem_code(path, expected_sha256)
    return None if code is None else PROBLEMS[code]


def problem_code(path: Path, expected_sha256: str | None = None) -> str | None:
    """The ``PROBLEMS`` code of why ``path`` cannot be served, or ``None``."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    if expected_sha256 is None:
        expected_sha256 = _sidecar_checksum(path)
    key = (str(path), stat.st_size, stat.st_mtime_ns, expected_sha256)
    if key not in _checked:
        if len(_checked) > 64:
            _checked.clear()
        _checked[key] = _check(path, expected_sha256)
    return _checked[key]


_checked: dict[tuple[str, int, int, str | None], str | None] = {}


def _sidecar_checksum(path: Path) -> str | None:
    try:
        text = path.with_name(path.name + CHECKSUM_SUFFIX).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def _check(path: Path, expected_sha256: str | None) -> str | None:
    if expected_sha256 is not None:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected_sha256:
            return "checksum"
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT refresh_id FROM _publish_info LIMIT 1").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return "not_duckdb"
    if row is None:
        return "no_publish_info"
    return None


def _last_good_snapshot(wh: Path, damaged: Path, code: str) -> Snapshot:
    """The newest snapshot other than ``damaged`` that passes the check, with a warning."""
    candidates = sorted((wh / SNAPSHOTS_DIR).glob("*.duckdb"), reverse=True)
    for candidate in candidates:
        if candidate.resolve() == damaged or problem_code(candidate) is not None:
            continue
        con = duckdb.connect(str(candidate), read_only=True)
        try:
            row = con.execute(
                "SELECT refresh_id, CAST(published_at AS VARCHAR) FROM _publish_info LIMIT 1"
            ).fetchone()
        finally:
            con.close()
        assert row is not None  # problem_code checked it
        problem = PROBLEMS[code]
        return Snapshot(
            path=candidate.resolve(),
            refresh_id=str(row[0]),
            published_at=None if row[1] is None else f"{row[1]}+00:00",
            warehouse_dir=wh,
            fallback=(damaged.name, code),
            warning=(
                f"The latest published snapshot {damaged.name} cannot be used: {problem}. "
                f"Showing the last good snapshot, refresh {row[0]}, instead; the data may be "
                "older than usual. Run `make refresh` to publish a new one."
            ),
        )
    raise SnapshotError(
        f"The published snapshot {damaged.name} cannot be used ({PROBLEMS[code]}) and no earlier "
        "good snapshot exists; run `make refresh`."
    )
