"""Run a command and measure it: wall time and the peak resident memory of its process tree.

The tree's RSS (the process plus all its children: dbt runs in a subprocess of Dagster) is
sampled with psutil every `interval` seconds, with a timestamp, so a caller can also find the
peak within a time window (one pipeline step). A run longer than `timeout` seconds is stopped
(the whole tree) and reported as such.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil


@dataclass
class Measured:
    command: list[str]
    returncode: int | None  # None: stopped at the timeout
    wall_seconds: float
    started_at: float  # time.time() at start
    samples: list[tuple[float, int]] = field(default_factory=list)  # (time.time(), bytes)
    output_file: Path | None = None

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def peak_rss(self) -> int:
        return max((rss for _, rss in self.samples), default=0)

    def peak_rss_between(self, start: float, end: float) -> int:
        """Peak tree RSS among the samples taken from `start` to `end` (time.time())."""
        inside = [rss for at, rss in self.samples if start <= at <= end]
        return max(inside, default=0)


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants (0 for any that just ended)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def _kill_tree(process: psutil.Process) -> None:
    try:
        members = [*process.children(recursive=True), process]
    except psutil.Error:
        return
    for member in members:
        try:
            member.kill()
        except psutil.Error:
            continue


def run_measured(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    output_file: Path | None = None,
    interval: float = 0.2,
) -> Measured:
    """Run `command` to completion (or `timeout`), sampling its tree's RSS; output to a file."""
    full_env = {**os.environ, **(env or {})}
    output_file = output_file or Path(os.devnull)
    started_at, started = time.time(), time.monotonic()
    samples: list[tuple[float, int]] = []
    with output_file.open("w", encoding="utf-8") as output:
        popen = subprocess.Popen(
            command, env=full_env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
        )
        process = psutil.Process(popen.pid)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), tree_rss(process)))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode: int | None
        try:
            returncode = popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(process)
            popen.wait()
            returncode = None
        finally:
            done.set()
            sampler.join()
    return Measured(
        command=command,
        returncode=returncode,
        wall_seconds=time.monotonic() - started,
        started_at=started_at,
        samples=samples,
        output_file=None if str(output_file) == os.devnull else output_file,
    )
