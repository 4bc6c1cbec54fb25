"""Data health page: refresh time and duration, per-file rows, quarantine reasons, audit tables."""

from __future__ import annotations

from .apptest import open_page, set_widget
from .conftest import REFRESH_ID

QUARANTINE = [
    "CREATE TABLE _quarantine (family VARCHAR, source_file VARCHAR, content_hash VARCHAR,"
    " row_number BIGINT, line_number BIGINT, column_name VARCHAR, reason_code VARCHAR,"
    " message VARCHAR, record VARCHAR, loaded_at TIMESTAMP)",
    "INSERT INTO _quarantine SELECT 'opportunities', 'opportunities_20250630.csv', 'h1', i,"
    " NULL, CASE WHEN i <= 7 THEN 'amount' ELSE 'created_at' END,"
    " CASE WHEN i <= 7 THEN 'not_a_number' ELSE 'bad_timestamp' END,"
    " 'opportunities_20250630.csv, row ' || i, '{}', NULL FROM range(1, 11) AS r(i)",
    "INSERT INTO _quarantine SELECT 'accounts', 'accounts_20250630.csv', 'h3', NULL, NULL, NULL,"
    " 'missing_column', 'accounts_20250630.csv: missing account_name', '{}', NULL"
    " FROM range(20)",
]
CHECKS = [
    "CREATE TABLE _check_results (refresh_id VARCHAR, check_name VARCHAR, asset_key VARCHAR,"
    " passed BOOLEAN, severity VARCHAR, description VARCHAR, observed VARCHAR,"
    " checked_at TIMESTAMP)",
    "INSERT INTO _check_results VALUES"
    " ('r', 'amount_not_negative', 'stg_opportunities', true, 'ERROR', 'amounts >= 0', '0',"
    "  TIMESTAMP '2025-07-01 02:03:00'),"
    " ('r', 'stage_known', 'stg_stage_history', false, 'WARN', 'stage codes known', '3 rows',"
    "  TIMESTAMP '2025-07-01 02:03:00'),"
    " ('r', 'ids_unique', 'stg_opportunities', false, 'ERROR', 'unique ids', '2 duplicates',"
    "  TIMESTAMP '2025-07-01 02:03:00')",
]
DELIVERIES = [
    "CREATE TABLE _alert_deliveries (alert_id VARCHAR, channel VARCHAR, recipient VARCHAR,"
    " status VARCHAR, error VARCHAR, attempted_at TIMESTAMP)",
    "INSERT INTO _alert_deliveries VALUES"
    " ('A1', 'email', 'r1@example.com', 'sent', NULL, TIMESTAMP '2025-07-01 02:06:00'),"
    " ('A2', 'webhook', 'wecom', 'failed', 'HTTP 503', TIMESTAMP '2025-07-01 02:06:00')",
]


def test_refresh_files_and_file_level_reasons(warehouse) -> None:
    at = open_page("health")
    assert at.title[0].value == "Data health"
    shown = {m.label: m.value for m in at.metric}
    assert shown == {
        "Last successful refresh": "2025-07-01 10:05",  # 02:05 UTC in Asia/Shanghai
        "Refresh duration": "5 min 0 s",  # 300 s from the run start to the publish
        "Data as of": "2025-06-30",
    }
    files = at.dataframe[0].value
    assert list(files["File"]) == [
        "accounts_20250630.csv",
        "opportunities_20250630.csv",
        "stage_history_20250630.csv",
        "opportunities_20250629.csv",
    ]  # latest load first
    assert list(files["Rows read"]) == [20, 1000, 5000, 0]
    assert list(files["Rows loaded"]) == [0, 990, 5000, 0]
    assert list(files["Rows quarantined"]) == [20, 10, 0, 0]
    assert list(files["Status"]) == ["rejected", "loaded", "loaded", "skipped"]
    reasons = at.dataframe[1].value
    assert list(reasons["File"]) == ["accounts_20250630.csv", "opportunities_20250630.csv"]
    assert reasons["Message"][0] == "missing required column(s): account_name"
    assert [i.value for i in at.info] == ["Not recorded yet.", "Not recorded yet."]
    set_widget(at, "radio", "lang", "zh")
    assert at.title[0].value == "数据健康"
    assert list(at.dataframe[0].value["状态"])[0] == "已拒收"
    assert {m.label: m.value for m in at.metric}["刷新耗时"] == "5 分 0 秒"


def test_row_level_reasons_failed_checks_and_deliveries(warehouse) -> None:
    warehouse.publish("20250702T020000Z", QUARANTINE + CHECKS + DELIVERIES)
    at = open_page("health")
    reasons = at.dataframe[1].value
    columns = [reasons["File"], reasons["Reason"], reasons["Column"].fillna("-"), reasons["Rows"]]
    assert list(zip(*columns, strict=True)) == [
        ("accounts_20250630.csv", "missing_column", "-", 20),
        ("opportunities_20250630.csv", "not_a_number", "amount", 7),
        ("opportunities_20250630.csv", "bad_timestamp", "created_at", 3),
    ]
    checks = at.dataframe[2].value
    assert list(checks["Check"]) == ["ids_unique", "stage_known"]  # errors first, passed hidden
    assert list(checks["Observed"]) == ["2 duplicates", "3 rows"]
    deliveries = at.dataframe[3].value
    assert list(deliveries["Alert"]) == ["A2"]
    assert list(deliveries["Error"]) == ["HTTP 503"]
    assert not at.info


def test_all_checks_passed(warehouse) -> None:
    warehouse.publish(
        "20250702T020000Z",
        [*CHECKS, "UPDATE _check_results SET passed = true", "DELETE FROM _load_log"],
    )
    at = open_page("health")
    assert [s.value for s in at.success] == ["All 3 checks of the refresh passed."]
    assert at.info[0].value == "Not recorded yet."  # an empty load log
    assert REFRESH_ID not in at.caption[0].value
