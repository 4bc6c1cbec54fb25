"""The demo generator: contract conformance, integrity, planted phenomena, truth.json."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from random import Random
from typing import Any

import pytest

from ingestion.contract import FAMILIES, FAMILIES_BY_NAME, Column
from ingestion.credit_code import is_valid
from ingestion.demo import generate, params
from ingestion.demo.__main__ import main
from ingestion.demo.simulate import simulate
from ingestion.demo.truth import Tally, expected_resolved_rates

N, SEED, END = 2000, 7, date(2026, 6, 30)
Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inbox")
    generate(path, N, SEED, END)
    return path


@pytest.fixture(scope="module")
def data(out: Path) -> dict[str, Rows]:
    return {f.name: read(out / f"{f.name}.csv") for f in FAMILIES}


@pytest.fixture(scope="module")
def truth(out: Path) -> dict[str, Any]:
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))


def read(path: Path) -> Rows:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def parse_error(column: Column, value: str) -> str | None:
    """Why ``value`` breaks the contract for ``column`` (None when it is fine)."""
    if value == "":
        return "missing" if column.required else None
    if value != value.strip():
        return "whitespace"
    if column.type == "decimal":
        return None if re.fullmatch(r"\d+\.\d{2}", value) else "decimal"
    if column.type in ("date", "timestamp"):
        fmt = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M:%S"
        try:  # strptime accepts unpadded fields, so compare the round trip too
            ok = datetime.strptime(value, fmt).strftime(fmt) == value
        except ValueError:
            ok = False
        return None if ok else column.type
    if column.type == "boolean":
        return None if value in ("true", "false") else "boolean"
    if column.type == "enum":
        return None if value in column.allowed else "enum"
    return None


def test_same_arguments_same_bytes(out: Path, tmp_path: Path) -> None:
    counts = generate(tmp_path, N, SEED, END)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{f.name}.csv" for f in FAMILIES] + ["truth.json"])
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name
    assert counts == json.loads((out / "truth.json").read_text())["row_counts"]


def test_other_seed_other_data(out: Path, tmp_path: Path) -> None:
    generate(tmp_path, N, SEED + 1, END)
    assert (out / "opportunities.csv").read_bytes() != (tmp_path / "opportunities.csv").read_bytes()


def test_headers_follow_the_contract(out: Path) -> None:
    for family in FAMILIES:
        with open(out / f"{family.name}.csv", encoding="utf-8", newline="") as f:
            assert tuple(next(csv.reader(f))) == family.column_names


def test_values_parse_and_keys_are_unique(data: dict[str, Rows], truth: dict[str, Any]) -> None:
    for family in FAMILIES:
        rows = data[family.name]
        assert rows and len(rows) == truth["row_counts"][f"{family.name}.csv"]
        for i, row in enumerate(rows, 1):
            assert None not in row and None not in row.values(), (family.name, i)
            for column in family.columns:
                error = parse_error(column, row[column.name])
                assert error is None, (family.name, i, column.name, row[column.name], error)
                if column.non_negative and row[column.name]:
                    assert float(row[column.name]) >= 0
            for name, statuses, _ in family.conditional_required:
                assert row["status"] not in statuses or row[name], (family.name, i, name)
        keys = Counter(tuple(r[k] for k in family.key) for r in rows)
        assert keys.most_common(1)[0][1] == 1, family.name


def test_references_resolve(data: dict[str, Rows]) -> None:
    opps = {r["opportunity_id"]: r for r in data["opportunities"]}
    accounts = {r["account_id"] for r in data["accounts"]}
    reps = {r["rep_id"] for r in data["sales_reps"]}
    contracts = {r["contract_id"] for r in data["contracts"]}
    assert {r["opportunity_id"] for r in data["stage_history"]} == set(opps)
    assert {r["account_id"] for r in data["opportunities"]} <= accounts
    assert {r["owner_id"] for r in data["opportunities"]} <= reps
    assert {r["changed_by"] for r in data["stage_history"]} <= reps
    assert {r["manager_id"] for r in data["sales_reps"]} - {""} <= reps
    assert {r["contract_id"] for r in data["orders"]} - {""} <= contracts
    for c in data["contracts"]:
        assert c["account_id"] == opps[c["opportunity_id"]]["account_id"]
        assert opps[c["opportunity_id"]]["status"] == "won"


def histories(data: dict[str, Rows]) -> dict[str, Rows]:
    out: dict[str, Rows] = defaultdict(list)
    for row in data["stage_history"]:
        out[row["opportunity_id"]].append(row)
    return out


def test_histories_are_consistent(data: dict[str, Rows], truth: dict[str, Any]) -> None:
    hist = histories(data)
    end = f"{END.isoformat()} 23:59:59"
    for opp in data["opportunities"]:
        rows = hist[opp["opportunity_id"]]
        stages = truth["processes"][opp["sales_process"]]
        assert rows[0]["from_stage"] == "" and rows[0]["to_stage"] == stages[0]
        assert rows[0]["changed_at"] == opp["created_at"]
        for prev, row in pairwise(rows):
            assert row["from_stage"] == prev["to_stage"] and row["to_stage"] in stages
            assert prev["changed_at"] < row["changed_at"] <= end
        assert opp["current_stage"] == rows[-1]["to_stage"]
        assert all(r["changed_by"] == opp["owner_id"] for r in rows)
        last_day = rows[-1]["changed_at"][:10]
        if opp["status"] == "won":
            assert opp["current_stage"] == "signed" and opp["closed_date"] == last_day
        elif opp["status"] in ("lost", "invalid"):
            assert last_day <= opp["closed_date"] <= END.isoformat() and opp["lost_reason"]
        else:
            assert opp["closed_date"] == "" and opp["lost_reason"] == ""
            assert opp["current_stage"] != "signed"


def test_planted_phenomena(data: dict[str, Rows], truth: dict[str, Any]) -> None:
    hist = histories(data)
    opps = {r["opportunity_id"]: r for r in data["opportunities"]}
    skips = backs = 0
    for opp_id, rows in hist.items():
        index = truth["processes"][opps[opp_id]["sales_process"]].index
        moves = [index(r["to_stage"]) - index(r["from_stage"]) for r in rows[1:]]
        skips += any(m == 2 for m in moves)
        backs += any(m < 0 for m in moves)
        assert all(m in (-1, 1, 2) for m in moves)
    planted = truth["planted"]
    assert skips == planted["opportunities_with_skip"] > 0
    assert backs == planted["opportunities_with_backward_move"] > 0
    # stalled: open with nothing happening for a year (a live stage visit is never that long)
    year_ago = (END - timedelta(days=365)).isoformat()
    stalled = [
        o
        for o in opps.values()
        if o["status"] in ("open", "paused")
        and hist[o["opportunity_id"]][-1]["changed_at"] < year_ago
    ]
    assert 0 < len(stalled) <= planted["stalled_opportunities"]
    statuses = Counter(o["status"] for o in opps.values())
    assert set(statuses) == {"open", "won", "lost", "invalid", "paused"}
    for process, stages in truth["processes"].items():
        closed = {
            (o["current_stage"], o["status"])
            for o in opps.values()
            if o["sales_process"] == process
        }
        for stage in stages[:-1]:
            assert {(stage, "lost"), (stage, "invalid")} <= closed, (process, stage)
    future = [o for o in opps.values() if o["next_follow_up_date"] > END.isoformat()]
    assert future and all(o["status"] in ("open", "paused") for o in future)


def test_renewals_contracts_and_orders(data: dict[str, Rows], truth: dict[str, Any]) -> None:
    opps = {r["opportunity_id"]: r for r in data["opportunities"]}
    renewals = [o for o in opps.values() if o["opportunity_type"] == "renewal"]
    assert all(o["sales_process"] == "renewal" for o in renewals)
    assert all(o["sales_process"] == "standard" for o in opps.values() if o not in renewals)
    ends = defaultdict(list)
    for c in data["contracts"]:
        ends[c["account_id"]].append(date.fromisoformat(c["end_date"]))
        start, stop = date.fromisoformat(c["start_date"]), date.fromisoformat(c["end_date"])
        won = date.fromisoformat(opps[c["opportunity_id"]]["closed_date"])
        assert stop - start == timedelta(days=364) and c["signed_date"] <= END.isoformat()
        assert 3 <= (date.fromisoformat(c["signed_date"]) - won).days <= 20
        amount, opp_amount = float(c["amount"]), float(opps[c["opportunity_id"]]["amount"])
        assert 0.9 * opp_amount - 1 <= amount <= opp_amount + 1
    from_contracts = [
        o
        for o in renewals
        if any(
            60 <= (end - date.fromisoformat(o["created_at"][:10])).days <= 90
            for end in ends[o["account_id"]]
        )
    ]
    assert len(from_contracts) >= truth["opportunities"]["renewals_from_contracts"] > 0
    assert len(opps) == N + truth["opportunities"]["renewals_from_contracts"]
    won_ids = {o["opportunity_id"] for o in opps.values() if o["status"] == "won"}
    assert won_ids - {c["opportunity_id"] for c in data["contracts"]}  # won but no contract
    contracts = {c["contract_id"]: c for c in data["contracts"]}
    sums: Counter[str] = Counter()
    for order in data["orders"]:
        assert order["order_date"] <= END.isoformat()
        if order["contract_id"]:
            assert order["order_date"] >= contracts[order["contract_id"]]["start_date"]
            sums[order["contract_id"]] += round(float(order["amount"]) * 100)
    assert any(o["contract_id"] == "" for o in data["orders"])
    assert Counter(o["status"] for o in data["orders"]).most_common(1)[0][0] == "fulfilled"
    for contract_id, cents in sums.items():
        assert cents <= round(float(contracts[contract_id]["amount"]) * 100)


def test_credit_codes(data: dict[str, Rows], truth: dict[str, Any]) -> None:
    accounts = data["accounts"]
    codes = [a["credit_code"] for a in accounts if a["credit_code"]]
    assert all(is_valid(c) for c in codes)
    assert 0.9 <= len(codes) / len(accounts) <= 0.98
    planted = {
        d["account_id"]: d["same_code_as"]
        for d in truth["planted"]["duplicate_credit_code_accounts"]
    }
    by_id = {a["account_id"]: a for a in accounts}
    assert planted and len(planted) / len(accounts) < 0.02
    for dup, orig in planted.items():
        assert by_id[dup]["credit_code"] == by_id[orig]["credit_code"] != ""
        assert by_id[dup]["customer_type"] == by_id[orig]["customer_type"]
    shared = Counter(codes)
    assert sum(n - 1 for n in shared.values()) == len(planted)


def recount(data: dict[str, Rows], truth: dict[str, Any]) -> dict[str, Any]:
    """The realized cohort counts, recomputed from the CSV files alone."""
    segment = {a["account_id"]: a["customer_type"] for a in data["accounts"]}
    top: dict[str, int] = defaultdict(int)
    opps = {o["opportunity_id"]: o for o in data["opportunities"]}
    for row in data["stage_history"]:
        stages = truth["processes"][opps[row["opportunity_id"]]["sales_process"]]
        top[row["opportunity_id"]] = max(top[row["opportunity_id"]], stages.index(row["to_stage"]))
    out: dict[str, Any] = {}
    for seg in params.SEGMENTS:
        for process, stages in truth["processes"].items():
            block = out.setdefault(seg, {}).setdefault(process, {})
            for k, (a, b) in enumerate(pairwise(stages)):
                c = {"reached": 0, "advanced": 0, "lost": 0, "of_which_invalid": 0, "open": 0}
                for o in opps.values():
                    if segment[o["account_id"]] != seg or o["sales_process"] != process:
                        continue
                    t = top[o["opportunity_id"]]
                    if t < k:
                        continue
                    c["reached"] += 1
                    if t > k:
                        c["advanced"] += 1
                    elif o["status"] in ("lost", "invalid"):
                        c["lost"] += 1
                        c["of_which_invalid"] += o["status"] == "invalid"
                    else:
                        c["open"] += 1
                block[f"{a}->{b}"] = c
    return out


def test_realized_counts_match_the_files(data: dict[str, Rows], truth: dict[str, Any]) -> None:
    realized = truth["realized"]
    expected = recount(data, truth)
    for seg, processes in expected.items():
        for process, block in processes.items():
            for name, counts in block.items():
                got = {
                    k: v for k, v in realized[seg][process][name].items() if k != "resolved_rate"
                }
                assert got == counts, (seg, process, name)


def test_truth_shape_and_bottleneck(truth: dict[str, Any]) -> None:
    assert truth["seed"] == SEED and truth["end_date"] == END.isoformat()
    assert truth["n_opportunities"] == N and truth["stall_probability"] == 0.03
    assert truth["processes"]["standard"] == list(params.PROCESSES["standard"])
    gov = truth["segments"]["government"]["standard"]
    assert gov["advance_probability"]["proposal"] == 0.12
    dwell = gov["dwell"]["proposal"]
    assert dwell["median_days"] == pytest.approx(21 * 1.5, rel=1e-4)
    assert dwell["mean_days"] > dwell["median_days"] and dwell["p90_days"] > dwell["mean_days"]
    b = truth["planted_bottleneck"]
    assert (b["segment"], b["from_stage"], b["true_rate"], b["benchmark_rate"]) == (
        "government",
        "proposal",
        0.12,
        0.40,
    )
    rate = truth["realized"]["government"]["standard"]["proposal->negotiation"]["resolved_rate"]
    others = [
        truth["realized"][s]["standard"]["proposal->negotiation"]["resolved_rate"]
        for s in ("enterprise", "public_institution")
    ]
    assert rate < 0.25 < min(others)
    simple = truth["expected_resolved_conversion_simple"]["enterprise"]["standard"]
    assert simple["initial_contact->needs_confirmed"] == 0.6
    assert simple["proposal->negotiation"] == pytest.approx(0.95 * 0.45 + 0.05)


def test_expected_rates_match_a_long_simulation() -> None:
    model = params.MODELS[("government", "standard")]
    rng, tally = Random(11), Tally()
    for _ in range(60_000):
        path = simulate(rng, model, 0, 10**15)
        tally.add("government", "standard", path.top, path.status)
    realized = tally.as_dict()["government"]["standard"]
    for name, rate in expected_resolved_rates(model).items():
        c = realized[name]
        n = c["advanced"] + c["lost"]
        assert abs(c["resolved_rate"] - rate) < 4 * (rate * (1 - rate) / n) ** 0.5 + 1e-3, name


def test_dwell_is_in_days(data: dict[str, Rows]) -> None:
    """Visits of initial_contact that ended in a move: median near 7 days (enterprise)."""
    segment = {a["account_id"]: a["customer_type"] for a in data["accounts"]}
    opps = {o["opportunity_id"]: o for o in data["opportunities"]}
    days = []
    for rows in histories(data).values():
        o = opps[rows[0]["opportunity_id"]]
        if (
            len(rows) > 1
            and segment[o["account_id"]] == "enterprise"
            and o["sales_process"] == "standard"
        ):
            t0, t1 = (datetime.fromisoformat(r["changed_at"]) for r in rows[:2])
            days.append((t1 - t0).total_seconds() / 86400)
    days.sort()
    assert len(days) > 200 and 6 < days[len(days) // 2] < 8


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--opportunities",
                "60",
                "--out",
                str(tmp_path),
                "--seed",
                "1",
                "--end-date",
                "2026-06-30",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "opportunities.csv" in err and "done in" in err
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["end_date"] == "2026-06-30" and truth["row_counts"]["accounts.csv"] == 50
    assert len(read(tmp_path / "sales_reps.csv")) == 20
    assert not list(tmp_path.glob("*.part"))
    assert set(FAMILIES_BY_NAME) <= {p.stem for p in tmp_path.glob("*.csv")}
