"""Rows of one canonical family built from Salesforce records (see salesforce.py)."""

from __future__ import annotations

from ingestion.adapters.config import Mapping
from ingestion.adapters.headers import unique_name
from ingestion.adapters.tabular import CanonicalTable
from ingestion.adapters.values import normalize
from ingestion.contract import FAMILIES_BY_NAME

Record = dict[str, str]


class Builder:
    """Rows of one family: contract columns, extra columns, source_row, _defaults_applied."""

    def __init__(
        self, mapping: Mapping, family: str, fields: Record, header: list[str], added: list[str]
    ) -> None:
        self.mapping, self.family, self.added = mapping, family, added
        self.columns = {c.name: c for c in FAMILIES_BY_NAME[family].columns}
        self.fields = {c: f for c, f in fields.items() if f in header}
        self.defaults = mapping.salesforce.defaults.get(family, {})
        # Probability (0-100) is replaced by the extra column probability (0-1)
        consumed = set(self.fields.values()) | (
            {"Probability"} if "probability" in added else set()
        )
        taken = {c.casefold() for c in (*self.columns, *added, "source_row", "_defaults_applied")}
        self.extras = [(h, unique_name(h, taken)) for h in header if h and h not in consumed]

    def mapped(self, record: Record) -> Record:
        labels = self.mapping.families[self.family].values
        return {
            column: normalize(
                record.get(field, ""),
                self.columns[column],
                labels.get(column, {}),
                self.mapping.booleans,
                xlsx=False,
            )
            for column, field in self.fields.items()
        }

    def row(self, values: Record, record: Record, number: int, flagged: list[str]) -> list[str]:
        applied = list(flagged)
        for column, default in self.defaults.items():
            if not values.get(column, "").strip():
                values[column] = default
                applied.append(column)
        cells = [values.get(c, "") for c in self.columns] + [values.get(a, "") for a in self.added]
        cells += [record.get(h, "") for h, _ in self.extras]
        return [*cells, str(number), ",".join(applied)]

    def table(self, rows: list[list[str]], rows_in: int, warnings: list[str]) -> CanonicalTable:
        header = [*self.columns, *self.added, *(n for _, n in self.extras)]
        return CanonicalTable(
            self.family,
            [*header, "source_row", "_defaults_applied"],
            rows,
            rows_in,
            dict(self.fields),
            warnings=warnings,
        )
