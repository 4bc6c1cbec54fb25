"""A damaged serving snapshot: the dashboards fall back to the last good one and say so.

The fixture warehouse (``conftest.py``) holds two publishes: ``old`` (June initial_contact
entered = 999) and the current ``REFRESH_ID`` (entered = 90), which ``serving.json`` names.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from data import queries, snapshot
from streamlit.testing.v1 import AppTest

from .conftest import JUNE, REFRESH_ID

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"


def june_entered() -> int:
    rows = queries.funnel_conversion("month", JUNE, "all", "all", "standard")
    return int(rows.iloc[0]["entered_count"])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_checksums(warehouse) -> None:
    """Write the checksums the publish step writes: in the pointer and beside each file."""
    current = warehouse.snapshot_path(REFRESH_ID)
    for path in (current, warehouse.snapshot_path("old")):
        path.with_name(path.name + ".sha256").write_text(sha256(path) + "\n", encoding="utf-8")
    doc = json.loads(warehouse.pointer.read_text(encoding="utf-8"))
    warehouse.write_pointer({**doc, "sha256": sha256(current)})


def test_an_intact_snapshot_is_served_without_warning(warehouse) -> None:
    add_checksums(warehouse)
    current = snapshot.current_snapshot()
    assert (current.refresh_id, current.warning) == (REFRESH_ID, None)
    assert snapshot.snapshot_warning() is None
    assert june_entered() == 90


def test_a_truncated_snapshot_falls_back_to_the_last_good_one_with_a_warning(warehouse) -> None:
    add_checksums(warehouse)
    damaged = warehouse.snapshot_path(REFRESH_ID)
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    served = snapshot.current_snapshot()
    assert served.path == warehouse.snapshot_path("old").resolve()
    assert served.refresh_id == "old"
    assert served.warning is not None
    assert f"{REFRESH_ID}.duckdb cannot be used" in served.warning
    assert "refresh old" in served.warning
    assert snapshot.snapshot_warning() == served.warning
    assert june_entered() == 999  # the old snapshot's numbers, not an error
    assert queries.publish_info(snapshot=served).refresh_id == "old"


def test_a_flipped_byte_is_caught_by_the_checksum(warehouse) -> None:
    add_checksums(warehouse)
    damaged = warehouse.snapshot_path(REFRESH_ID)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    damaged.write_bytes(bytes(data))
    served = snapshot.current_snapshot()
    assert served.refresh_id == "old"
    assert served.warning is not None and "checksum does not match" in served.warning


def test_garbage_without_checksums_is_caught_by_opening_it(warehouse) -> None:
    damaged = warehouse.snapshot_path(REFRESH_ID)
    damaged.write_bytes(b"\0" * 4096)  # an older publish without checksums, zeroed on disk
    served = snapshot.current_snapshot()
    assert served.refresh_id == "old"
    assert served.warning is not None and "cannot be opened as a DuckDB snapshot" in served.warning


def test_no_good_snapshot_left_is_a_clear_error(warehouse) -> None:
    for name in (REFRESH_ID, "old"):
        warehouse.snapshot_path(name).write_bytes(b"truncated")
    with pytest.raises(snapshot.SnapshotError, match="no earlier good snapshot exists"):
        snapshot.current_snapshot()
    assert snapshot.snapshot_warning() is None  # the pages show the error themselves


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", f"最新发布的快照 {REFRESH_ID}.duckdb 无法使用：校验和与发布时记录的不一致"),
        ("en", f"The latest published snapshot {REFRESH_ID}.duckdb cannot be used: its checksum"),
    ],
)
def test_the_app_shows_the_fallback_warning_on_every_page(warehouse, lang, expected) -> None:
    add_checksums(warehouse)
    damaged = warehouse.snapshot_path(REFRESH_ID)
    damaged.write_bytes(damaged.read_bytes()[:1000])
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    for page in ("overview", "funnel", "health"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
        shown = [w.value for w in at.warning if "old" in w.value]
        assert len(shown) == 1 and shown[0].startswith(expected), (page, shown)
        assert "`old`" in shown[0]
