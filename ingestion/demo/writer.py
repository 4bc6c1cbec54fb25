"""Streaming CSV output, one file per export family, in the contract's column order.

Files are written as ``<family>.csv.part`` and renamed to ``<family>.csv`` only when all of them
are complete, so a loader watching the inbox never sees half a file (the ``.part`` names do not
match the contract's ``<family>*.csv`` globs).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ingestion.contract import FAMILIES, FAMILIES_BY_NAME

BUFFER_BYTES = 1 << 20


def file_name(family: str) -> str:
    return f"{family}.csv"


class FamilyWriters:
    """Open writers for all families; use as a context manager, then ``commit()``."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.counts: dict[str, int] = {f.name: 0 for f in FAMILIES}
        self._files: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}

    def __enter__(self) -> FamilyWriters:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for family in FAMILIES:
            handle = open(
                self._part(family.name), "w", encoding="utf-8", newline="", buffering=BUFFER_BYTES
            )
            self._files[family.name] = handle
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(family.column_names)
            self._writers[family.name] = writer
        return self

    def _part(self, family: str) -> Path:
        return self.out_dir / (file_name(family) + ".part")

    def write(self, family: str, row: Sequence[str]) -> None:
        self._writers[family].writerow(row)
        self.counts[family] += 1

    def write_all(self, family: str, rows: Iterable[Sequence[str]]) -> None:
        before = self.counts[family]
        for row in rows:
            self._writers[family].writerow(row)
            before += 1
        self.counts[family] = before

    def commit(self) -> None:
        """Close every file and move it into place."""
        self._close()
        for family in FAMILIES_BY_NAME:
            os.replace(self._part(family), self.out_dir / file_name(family))

    def _close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._files:  # not committed: leave nothing half-written behind
            self._close()
            for family in FAMILIES_BY_NAME:
                self._part(family).unlink(missing_ok=True)
