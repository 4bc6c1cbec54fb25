"""Every header seen in real Chinese CRM exports is either mapped in header_mapping.yml or
listed there under `not_mapped` with the reason (fixture: tests/fixtures/chinese_crm_headers/)."""

from __future__ import annotations

import csv

import yaml

from ingestion.adapters.config import DEFAULT_MAPPING_PATH, key, load_mapping
from tests.ingestion.adapters.conftest import FIXTURES

HEADERS = FIXTURES / "chinese_crm_headers" / "chinese_crm_headers.csv"


def seen_headers() -> list[str]:
    """Each header and API name of the file; placeholders like '(raw export headers)' or
    'phase_name etc.' are descriptions, not headers."""
    names: list[str] = []
    with HEADERS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for column in ("header_zh", "api_or_column"):
                for name in row[column].split(" / "):
                    name = name.strip()
                    if name and not name.startswith("(") and not name.endswith(" etc."):
                        names.append(name)
    return names


def test_every_seen_header_is_mapped_or_explained() -> None:
    mapping = load_mapping()
    aliases = {k for family in mapping.families.values() for k in family.lookup}
    raw = yaml.safe_load(DEFAULT_MAPPING_PATH.read_text(encoding="utf-8"))
    explained = {key(name): why for name, why in raw["not_mapped"].items()}
    names = seen_headers()
    assert len(names) > 60
    uncovered = [n for n in names if key(n) not in aliases and key(n) not in explained]
    assert uncovered == []
    assert all(str(why).strip() for why in explained.values())
    # nothing is both mapped and explained away
    assert sorted(set(aliases) & set(explained)) == []


def test_wukong_outcome_codes_map_to_status() -> None:
    """悟空CRM's is_end (1赢单2输单3无效, 0 open) is a status column with coded values."""
    opportunities = load_mapping().families["opportunities"]
    assert opportunities.lookup[key("1赢单2输单3无效")] == "status"
    assert opportunities.lookup[key("is_end")] == "status"
    labels = opportunities.values["status"]
    assert [labels[v] for v in ("0", "1", "2", "3")] == ["open", "won", "lost", "invalid"]
    assert load_mapping().families["stage_history"].lookup[key("阶段ID")] == "to_stage"
