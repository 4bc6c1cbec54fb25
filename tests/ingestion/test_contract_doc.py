"""docs/export-contract.md is generated from the contract and must stay in step with it."""

from ingestion.contract import FAMILIES
from ingestion.contract_doc import DOC_PATH, render


def test_committed_doc_matches_the_contract():
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/export-contract.md is stale: run `python -m ingestion.contract_doc`"
    )


def test_doc_lists_every_column_of_every_family():
    text = render()
    for family in FAMILIES:
        for column in family.columns:
            assert f"| `{column.name}` |" in text
