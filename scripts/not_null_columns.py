"""Move plain column-level `not_null` tests into one `not_null_columns` test per model.

dbt runs each data test as its own query and its own node: a `not_null` on every required
column was most of a nightly build's tests (449 of 675), and most of its test time. The generic
test `not_null_columns` (dbt_project/tests/generic/) checks all of a model's required columns
in one scan and still names each column that holds nulls. This script keeps the YAML in that
form:

    .venv/bin/python scripts/not_null_columns.py          # rewrite the YAML files in place
    .venv/bin/python scripts/not_null_columns.py --check  # exit 1 and list what it would move

It moves only the plain form (`- not_null`); a `not_null` with a config (for example a
`where`) stays on its column. The files are edited line by line (ruamel.yaml only finds the
lines), so comments, anchors and formatting stay as written. Models, seeds and source tables
are handled alike; tests/dbt/test_not_null_columns.py runs `--check`.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
YAML_FOLDERS = ("models", "seeds")
TEST_NAME = "not_null_columns"
WIDTH = 100


@dataclass
class Edit:
    """Lines to drop and a block to insert before line `insert_at` (0-based)."""

    drop: set[int] = field(default_factory=set)
    insert_at: int | None = None
    block: list[str] = field(default_factory=list)


def _resources(document: Any) -> list[Any]:
    """Every model, seed and source table of one properties file."""
    if not isinstance(document, dict):
        return []
    found = [r for key in ("models", "seeds", "snapshots") for r in document.get(key) or []]
    for source in document.get("sources") or []:
        found.extend(source.get("tables") or [])
    return found


def _test_block(indent: int, names: list[str]) -> list[str]:
    """`- not_null_columns:` with its column list, wrapped to WIDTH, at `indent` spaces."""
    pad = " " * indent
    lead = f"{pad}      column_names: ["
    wrapped = textwrap.wrap(
        ", ".join(names) + "]",
        width=WIDTH,
        initial_indent=lead,
        subsequent_indent=" " * len(lead),
        break_on_hyphens=False,
    )
    return [f"{pad}- {TEST_NAME}:", f"{pad}    arguments:", *wrapped]


def _existing_block(lines: list[str], tests: Any) -> tuple[int, int, list[str]] | None:
    """(first line, line after the last, names) of the resource's not_null_columns test."""
    for index, entry in enumerate(tests):
        if isinstance(entry, dict) and TEST_NAME in entry:
            first = tests.lc.item(index)[0]
            last = first
            while "]" not in lines[last]:
                last += 1
            names = list(entry[TEST_NAME]["arguments"]["column_names"])
            return first, last + 1, names
    return None


def plan(resource: Any, lines: list[str]) -> tuple[list[str], Edit]:
    """The columns of `resource` whose plain not_null moves, and the edit that moves them."""
    edit = Edit()
    moved: list[str] = []
    for column in resource.get("columns") or []:
        tests = column.get("data_tests")
        if not tests:
            continue
        plain = [i for i, entry in enumerate(tests) if entry == "not_null"]
        if not plain:
            continue
        moved.append(column["name"])
        edit.drop.update(tests.lc.item(i)[0] for i in plain)
        if len(plain) == len(tests):
            edit.drop.add(column.lc.key("data_tests")[0])
    if not moved:
        return moved, edit
    model_tests = resource.get("data_tests")
    if model_tests is None:
        line, indent = resource.lc.key("columns")
        edit.insert_at = line
        edit.block = [" " * indent + "data_tests:", *_test_block(indent + 2, moved)]
        return moved, edit
    existing = _existing_block(lines, model_tests)
    indent = model_tests.lc.item(0)[1] - 2
    if existing is None:
        edit.insert_at = model_tests.lc.item(0)[0]
        edit.block = _test_block(indent, moved)
    else:
        first, end, names = existing
        edit.drop.update(range(first, end))
        edit.insert_at = first
        edit.block = _test_block(indent, names + [n for n in moved if n not in names])
    return moved, edit


def process(path: Path, write: bool) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    document = YAML().load(text)
    changes: list[str] = []
    edits: list[Edit] = []
    for resource in _resources(document):
        moved, edit = plan(resource, lines)
        if moved:
            edits.append(edit)
            where = path.relative_to(DBT_PROJECT_DIR.parent)
            changes.extend(f"{where}: {resource['name']}.{column}" for column in moved)
    if changes and write:
        drop = set().union(*(edit.drop for edit in edits))
        inserts = {edit.insert_at: edit.block for edit in edits if edit.insert_at is not None}
        out: list[str] = []
        for number, line in enumerate(lines):
            out.extend(inserts.get(number, []))
            if number not in drop:
                out.append(line)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return changes


def yaml_files() -> list[Path]:
    return sorted(
        path for folder in YAML_FOLDERS for path in (DBT_PROJECT_DIR / folder).rglob("*.yml")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file would change"
    )
    args = parser.parse_args(argv)
    changes = [change for path in yaml_files() for change in process(path, not args.check)]
    for change in changes:
        print(("would move " if args.check else "moved ") + change)
    if args.check and changes:
        print(
            f"{len(changes)} plain not_null test(s) belong in the model's not_null_columns test: "
            "run .venv/bin/python scripts/not_null_columns.py",
            file=sys.stderr,
        )
        return 1
    print(f"{len(changes)} column(s) {'to move' if args.check else 'moved'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
