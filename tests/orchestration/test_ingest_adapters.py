"""Real exports end to end through Dagster: the same demo data exported as a Chinese CRM would
(XLSX and GB18030 CSV with Chinese headers, 万 amounts, 2025年3月5日 dates, Chinese labels)
publishes exactly the marts the canonical CSVs publish; the real Salesforce Data Loader sample
publishes too, and its reversed wins (Closed Won, then Closed Lost) count as won nowhere.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from openpyxl import Workbook

from ingestion.contract import OPPORTUNITIES, STAGE_HISTORY, Family
from ingestion.loader import load_family
from orchestration.lib.publish import read_pointer
from tests.ingestion.adapters.test_roundtrip import HEADERS_ZH as OPPORTUNITY_HEADERS_ZH
from tests.ingestion.adapters.test_roundtrip import chinese_date
from tests.orchestration.conftest import Pipeline, make_pipeline

pytestmark = pytest.mark.slow  # one small pipeline run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Headers as 悟空CRM and the Salesforce zh-CN UI write them (see chinese_crm_headers.csv)
HEADERS_ZH = {
    "opportunities": OPPORTUNITY_HEADERS_ZH,
    "stage_history": {
        "opportunity_id": "商机编号",
        "from_stage": "原阶段",
        "to_stage": "新阶段",
        "changed_at": "变更时间",
        "changed_by": "变更人",
    },
}
LABELS_ZH = {
    "status": {
        "open": "跟进中",
        "won": "赢单",
        "lost": "输单",
        "invalid": "无效",
        "paused": "暂停",
    },
    "opportunity_type": {"new": "新签", "renewal": "续签", "upsell": "增购"},
}
DATE_COLUMNS = ("created_at", "expected_close_date", "closed_date", "next_follow_up_date")


def as_chinese(row: dict[str, str]) -> dict[str, str]:
    out = dict(row)
    if row.get("amount"):
        out["amount"] = f"{Decimal(row['amount']) / 10000:f}万"  # 125000.50 -> 12.500050万
    for column in (*DATE_COLUMNS, "changed_at"):
        if column in row:
            out[column] = chinese_date(row[column])
    for column, labels in LABELS_ZH.items():
        if column in row:
            out[column] = labels[row[column]]
    return out


def chinese_rows(path: Path, family: Family) -> tuple[list[str], list[list[str]]]:
    headers = HEADERS_ZH[family.name]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return list(headers.values()), [[as_chinese(r)[c] for c in headers] for r in rows]


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("商机")
    sheet.append(["商机导出 (悟空CRM)"])  # a title row above the header
    sheet.append(header)
    for row in rows:
        sheet.append([v or None for v in row])
    workbook.save(path)


def write_gb18030(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("gb18030"))


def published(warehouse: Path) -> Path:
    pointer = read_pointer(warehouse)
    assert pointer is not None, "nothing was published"
    return warehouse / pointer["snapshot"]


def raw_rows(build: duckdb.DuckDBPyConnection, family: Family, where: str) -> list[tuple]:
    columns = ", ".join(family.column_names)
    return sorted(
        build.execute(f"select {columns} from raw.{family.name} where {where}").fetchall(), key=repr
    )


@dataclass
class Mixed:
    pipeline: Pipeline
    result: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mixed]:
    """One small demo inbox whose opportunities come as a Chinese-headers XLSX and whose stage
    history comes as a GB18030 CSV, beside the real Salesforce sample (disjoint ids), run once:
    every full run costs a whole dbt build, so the three formats share it."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "canonical").mkdir()
    for pipeline in make_pipeline(root, 100, 5):
        inbox = pipeline.inbox
        for family, name, writer in (
            (OPPORTUNITIES, "商机导出.xlsx", write_xlsx),
            (STAGE_HISTORY, "阶段变更记录.csv", write_gb18030),
        ):
            canonical = inbox / f"{family.name}.csv"
            shutil.copyfile(canonical, root / "canonical" / canonical.name)
            writer(inbox / name, *chinese_rows(canonical, family))
            canonical.unlink()
        shutil.copytree(FIXTURES / "salesforce_sample", inbox / "salesforce_sample")
        result = pipeline.run()
        assert result.success, "the refresh over adapted exports must publish"
        yield Mixed(pipeline, result)


@pytest.fixture(scope="module")
def mixed(mixed_run: Mixed) -> Pipeline:
    return mixed_run.pipeline


def test_chinese_xlsx_and_gb18030_load_exactly_the_canonical_rows(
    mixed: Pipeline, tmp_path: Path
) -> None:
    """The adapted exports land in raw with the canonical file's values, row for row. dbt reads
    nothing else from raw (lineage aside), so the marts are the canonical format's marts."""
    originals = mixed.inbox.parent / "canonical"
    with duckdb.connect(str(tmp_path / "canonical.duckdb")) as canonical:
        for family in (OPPORTUNITIES, STAGE_HISTORY):
            [load] = load_family(canonical, family, originals, datetime(2026, 7, 1))
            assert load.rows_quarantined == 0
        expected = {f.name: raw_rows(canonical, f, "true") for f in (OPPORTUNITIES, STAGE_HISTORY)}
    with duckdb.connect(str(mixed.warehouse / "build.duckdb"), read_only=True) as build:
        assert (
            raw_rows(build, OPPORTUNITIES, "_source_file = '商机导出.xlsx'")
            == expected["opportunities"]
        )
        assert (
            raw_rows(build, STAGE_HISTORY, "_source_file = '阶段变更记录.csv'")
            == expected["stage_history"]
        )
        logged = build.execute(
            "select source_file, rows_read, rows_loaded, rows_quarantined from raw.load_log "
            "where source_file in ('商机导出.xlsx', '阶段变更记录.csv') order by 1"
        ).fetchall()
        # XLSX rows are numbered as the sheet shows them: title row 1, header row 2, data from 3
        first_row = build.execute(
            "select min(_row_number) from raw.opportunities where _source_file = '商机导出.xlsx'"
        ).fetchone()
    n_opps = mixed.generated_rows["opportunities.csv"]
    n_changes = mixed.generated_rows["stage_history.csv"]
    assert logged == [
        ("商机导出.xlsx", n_opps, n_opps, 0),
        ("阶段变更记录.csv", n_changes, n_changes, 0),
    ]
    assert first_row == (3,)
    with duckdb.connect(str(published(mixed.warehouse)), read_only=True) as snapshot:
        demo_ids = snapshot.execute(
            "select count(*) from dim_opportunities where opportunity_id not like '006%'"
        ).fetchone()
    assert demo_ids == (n_opps,)


REVERSED_WINS = (
    "006bm00000LKJNTAA5",
    "006bm00000LKJNWAA5",
    "006bm00000LKJNbAAP",
    "006bm00000LKJNeAAP",
    "006bm00000LKJNoAAP",
    "006bm00000LKJNpAAP",
    "006bm00000LKgOnAAL",
)


def test_salesforce_sample_publishes_and_reversed_wins_count_as_won_nowhere(
    mixed: Pipeline,
) -> None:
    marks = ", ".join("?" for _ in REVERSED_WINS)
    with duckdb.connect(str(published(mixed.warehouse)), read_only=True) as con:
        statuses = dict(
            con.execute(
                "select status, count(*) from dim_opportunities "
                "where opportunity_id like '006%' group by 1"
            ).fetchall()
        )
        # Opportunity.csv: 12 Closed Won, 8 Closed Lost (7 of them reversed wins), 16 open.
        # 6 reversed wins have no stage before the win: quarantined (reason reversed_win).
        assert statuses == {"won": 12, "lost": 2, "open": 16}
        # none of the reversed wins reached the won stage in any fact the marts count from
        assert con.execute(
            "select count(*) from fct_stage_transitions "
            f"where opportunity_id in ({marks}) and to_stage = 'signed'",
            list(REVERSED_WINS),
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from mart_l2c where opportunity_id in (" + marks + ")",
            list(REVERSED_WINS),
        ).fetchone() == (0,)
        # Farmers Coop. was lost from initial_contact, its one real stage
        assert con.execute(
            "select status, current_stage from dim_opportunities "
            "where opportunity_id = '006bm00000LKgOnAAL'"
        ).fetchone() == ("lost", "initial_contact")
    with duckdb.connect(str(mixed.warehouse / "build.duckdb"), read_only=True) as build:
        quarantined = build.execute(
            "select family, reason_code, count(*) from raw.quarantine "
            "where source_file like 'salesforce_sample/%' group by all order by 1"
        ).fetchall()
    assert quarantined == [
        ("opportunities", "reversed_win", 6),
        ("stage_history", "reversed_win", 7),
    ]


def test_gx_results_show_in_dagster_and_in_the_audit_table(mixed_run: Mixed) -> None:
    evaluations = {
        data.asset_check_key.to_user_string(): data
        for data in (
            e.asset_check_evaluation_data
            for e in mixed_run.result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
        )
    }
    gx_checks = {k: v for k, v in evaluations.items() if ":gx_" in k}
    for family in (
        "crm/accounts",
        "crm/sales_reps",
        "crm/opportunities",
        "crm/stage_history",
        "erp/contracts",
        "erp/orders",
    ):
        assert gx_checks[f"{family}:gx_export_freshness"].passed
        contract = family.split("/")[1]
        assert gx_checks[f"{family}:gx_{contract}_contract"].passed
    for key in (
        "crm/stage_history:gx_history_agrees_with_current_stage",
        "crm/stage_history:gx_stage_order_within_process",
        "crm/opportunities:gx_open_deals_not_overdue",
        "crm/opportunities:gx_late_stage_deals_have_amount",
        "marts/mart_funnel_conversion:gx_mart_funnel_conversion",
        "marts/mart_win_rates:gx_mart_win_rates",
        "marts/mart_stage_dwell:gx_mart_stage_dwell",
        "marts/mart_stage_skips:gx_mart_stage_skips",
        "marts/mart_pipeline_waterfall:gx_mart_pipeline_waterfall",
        "crm/opportunities:gx_opportunities_business_rules",
    ):
        assert key in gx_checks
    # every blocking check passed (the run published); warnings may report findings
    assert all(v.passed for v in gx_checks.values() if v.severity == dg.AssetCheckSeverity.ERROR)
    build = mixed_run.pipeline.warehouse / "build.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        audited = con.execute(
            "select asset_key || ':' || check_name, passed, severity from audit.check_results "
            "where run_id = ? and check_name not like 'dbt:%'",  # dbt's tests: own test file
            [mixed_run.result.run_id],
        ).fetchall()
    assert sorted(a[0] for a in audited) == sorted(gx_checks)
    for key, passed, severity in audited:
        assert passed == gx_checks[key].passed
        assert severity == gx_checks[key].severity.value
