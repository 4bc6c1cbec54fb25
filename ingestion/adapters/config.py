"""The header mapping (``ingestion/header_mapping.yml``), loaded and checked once."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingestion.contract import FAMILIES_BY_NAME
from ingestion.loader import ADAPTER_REASON

__all__ = ["ADAPTER_REASON", "AdapterError", "Mapping", "key", "load_mapping"]

DEFAULT_MAPPING_PATH = Path(__file__).resolve().parent.parent / "header_mapping.yml"


class AdapterError(ValueError):
    """A file the adapters cannot turn into a canonical file (the message names the file)."""


def key(text: str) -> str:
    """Matching key: NFKC (full-width → half-width), case-folded, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class FamilyMapping:
    name: str
    aliases: dict[str, tuple[str, ...]]  # canonical column -> aliases (canonical name first)
    lookup: dict[str, str]  # key(alias) -> canonical column
    values: dict[str, dict[str, str]]  # canonical column -> key(label) -> canonical value


@dataclass(frozen=True)
class SalesforceConfig:
    fields: dict[str, dict[str, str]]  # object -> canonical column -> Salesforce field
    stages: dict[str, str]  # key(StageName) -> stage code
    status_stages: dict[str, str]  # key(StageName) -> status
    defaults: dict[str, dict[str, str]]  # family -> column -> default value


@dataclass(frozen=True)
class Mapping:
    families: dict[str, FamilyMapping]
    booleans: dict[str, str]  # key(label) -> "true" / "false"
    max_scan_rows: int
    min_matched_columns: int
    salesforce: SalesforceConfig
    source: Path = field(default=DEFAULT_MAPPING_PATH)


def _family(name: str, spec: dict[str, Any], source: Path) -> FamilyMapping:
    family = FAMILIES_BY_NAME.get(name)
    if family is None:
        raise AdapterError(f"{source.name}: unknown family {name!r}")
    aliases: dict[str, tuple[str, ...]] = {}
    lookup: dict[str, str] = {}
    raw_aliases = spec.get("aliases") or {}
    for column in family.column_names:
        names = (column, *(str(a) for a in raw_aliases.get(column) or ()))
        aliases[column] = names
        for alias in names:
            other = lookup.setdefault(key(alias), column)
            if other != column:
                raise AdapterError(
                    f"{source.name}: alias {alias!r} of {name}.{column} is also an alias of {other}"
                )
    unknown = set(raw_aliases) - set(family.column_names)
    if unknown:
        raise AdapterError(f"{source.name}: {name} has no column(s) {', '.join(sorted(unknown))}")
    values: dict[str, dict[str, str]] = {}
    for column, table in (spec.get("values") or {}).items():
        labels: dict[str, str] = {}
        for canonical, names in table.items():
            for label in (canonical, *names):
                labels[key(str(label))] = str(canonical)
        values[column] = labels
    return FamilyMapping(name, aliases, lookup, values)


def _str_map(table: dict[Any, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (table or {}).items()}


@cache
def load_mapping(path: Path = DEFAULT_MAPPING_PATH) -> Mapping:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    families = {name: _family(name, spec, path) for name, spec in raw["families"].items()}
    for name in FAMILIES_BY_NAME:
        families.setdefault(name, _family(name, {}, path))
    booleans = {
        key(str(label)): canonical
        for canonical in ("true", "false")
        for label in (canonical, *raw["booleans"][canonical])
    }
    sf = raw.get("salesforce") or {}
    salesforce = SalesforceConfig(
        fields={obj: _str_map(cols) for obj, cols in (sf.get("fields") or {}).items()},
        stages={key(k): v for k, v in _str_map(sf.get("stages")).items()},
        status_stages={key(k): v for k, v in _str_map(sf.get("status_stages")).items()},
        defaults={fam: _str_map(cols) for fam, cols in (sf.get("defaults") or {}).items()},
    )
    detection = raw.get("header_detection") or {}
    return Mapping(
        families=families,
        booleans=booleans,
        max_scan_rows=int(detection.get("max_scan_rows", 10)),
        min_matched_columns=int(detection.get("min_matched_columns", 2)),
        salesforce=salesforce,
        source=path,
    )
