"""The stages each sales process defines, read from the sales-ops definitions at load time.

The loader quarantines a row whose stage its sales process does not define (reason
``unknown_stage``) or whose sales process is not defined at all (``unknown_sales_process``),
naming file, row and column, instead of letting the dbt build fail on it later.

The definitions folder and its validation belong to ``ingestion.definitions`` (read-only here):
this module validates the folder with it, then reads ``sales_process_stages.csv``. Invalid
definitions stop the run, with every error named.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ingestion.definitions import default_folder, validate_definitions

STAGES_FILE = "sales_process_stages.csv"
StageCatalog = dict[str, tuple[str, ...]]  # sales process -> its stage codes


class DefinitionsInvalidError(RuntimeError):
    """The sales-ops definitions have errors: the run must stop before loading anything."""


@dataclass(frozen=True)
class StageRule:
    column: str  # the stage column to check
    process_from_parent: tuple[str, str] | None  # (key column, family) holding sales_process


STAGE_RULES: dict[str, StageRule] = {
    "opportunities": StageRule("current_stage", None),
    # A recorded from_stage is not used downstream (the previous change's to_stage is), so only
    # to_stage is checked.
    "stage_history": StageRule("to_stage", ("opportunity_id", "opportunities")),
}


def stage_check_column(family: str) -> StageRule | None:
    return STAGE_RULES.get(family)


def load_stage_catalog(folder: Path | None = None) -> StageCatalog:
    """Every sales process and its stage codes, in stage order; raises DefinitionsInvalidError."""
    folder = default_folder() if folder is None else folder
    errors = validate_definitions(folder)
    if errors:
        raise DefinitionsInvalidError(
            f"{len(errors)} error(s) in the sales-ops definitions in {folder}; "
            "nothing is loaded until they are fixed:\n" + "\n".join(str(e) for e in errors)
        )
    with (folder / STAGES_FILE).open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("sales_process") or "").strip()]
    rows.sort(key=lambda r: (r["sales_process"].strip(), int(r["stage_order"])))
    catalog: dict[str, list[str]] = {}
    for row in rows:
        catalog.setdefault(row["sales_process"].strip(), []).append(row["stage_code"].strip())
    return {process: tuple(codes) for process, codes in catalog.items()}
