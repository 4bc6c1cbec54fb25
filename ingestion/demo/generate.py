"""Generate a demo inbox: reps, accounts, then opportunities one at a time (streamed), each
followed by its stage history, its follow-up activities, the lead it came from (when its source
is a lead), its contract and orders if won, and its renewals.

``n_opportunities`` counts ORIGINATING opportunities; renewal opportunities created from
contracts in the data come on top (a few percent). Same arguments, same bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path as Path
from random import Random
from typing import Any

from ingestion.demo import params
from ingestion.demo.activity import draw_activities
from ingestion.demo.clock import DAY, Clock, money
from ingestion.demo.commerce import draw_contract, draw_orders, renewal_start
from ingestion.demo.entities import (
    Account,
    account_cum_weights,
    make_accounts,
    make_reps,
    reps_by_region,
)
from ingestion.demo.leads import draw_leads
from ingestion.demo.names import opportunity_name
from ingestion.demo.simulate import NO_STAGE, simulate
from ingestion.demo.simulate import Path as History
from ingestion.demo.truth import Tally, activity_truth, build_truth, lead_truth
from ingestion.demo.writer import FamilyWriters

TRUTH_FILE = "truth.json"
WORK_DAY_START = 8 * 3600 + 1800  # new opportunities are entered 08:30-19:30
WORK_DAY_SECONDS = 11 * 3600

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Spec:
    """An opportunity to simulate."""

    account: Account
    owner_id: str
    opportunity_type: str
    process: str
    product: str
    source: str
    cents: int
    created: int


class Factory:
    """Simulates opportunities and writes everything that follows from each of them."""

    def __init__(
        self,
        rng: Random,
        out: FamilyWriters,
        accounts: list[Account],
        region_reps: dict[str, list[str]],
        end_date: date,
    ) -> None:
        self.rng, self.out, self.accounts, self.region_reps = rng, out, accounts, region_reps
        self.cum_weights = account_cum_weights(accounts)
        self.end_day = end_date.toordinal()
        self.horizon = (self.end_day + 1) * DAY - 1
        self.clock = Clock()
        self.tally = Tally()
        self.ids = {"opportunities": 0, "contracts": 0, "orders": 0, "leads": 0, "activities": 0}
        self.stats = {
            k: 0
            for k in (
                "renewal_opportunities",
                "stalled_opportunities",
                "opportunities_with_skip",
                "opportunities_with_backward_move",
                "paused_opportunities",
                "won_without_contract",
                "orders_without_contract",
                "leads_converted",
                "leads_unconverted",
                "engaged_visits",
                "disengaged_visits",
                "activities_in_engaged_visits",
                "activities_in_disengaged_visits",
            )
        }

    def _next(self, kind: str, prefix: str, digits: int = 7) -> str:
        self.ids[kind] += 1
        return f"{prefix}{self.ids[kind]:0{digits}d}"

    def _cents(self, median_yuan: float) -> int:
        yuan = self.rng.lognormvariate(math.log(median_yuan), params.AMOUNT_SIGMA)
        return max(1, round(yuan / 100)) * 10_000  # whole hundreds of yuan

    def originate(self) -> None:
        """One originating opportunity, and (depth first) everything that follows from it."""
        rng = self.rng
        account = self.accounts[
            rng.choices(range(len(self.accounts)), cum_weights=self.cum_weights)[0]
        ]
        if rng.random() < params.PRE_WINDOW_RENEWAL_SHARE:
            kind, process, source = "renewal", "renewal", "existing_customer"
        else:
            kind, process = ("new" if rng.random() < 0.8 else "upsell"), "standard"
            weights = params.NEW_SOURCE_WEIGHTS if kind == "new" else params.UPSELL_SOURCE_WEIGHTS
            source = rng.choices(params.SOURCES, weights)[0]
        product = rng.choices(params.PRODUCTS, params.PRODUCT_WEIGHTS)[0]
        cents = self._cents(params.AMOUNT_MEDIAN * params.TIER_AMOUNT_FACTOR[account.tier])
        day = self.end_day - params.SIMULATED_DAYS + 1 + rng.randrange(params.SIMULATED_DAYS)
        created = day * DAY + WORK_DAY_START + rng.randrange(WORK_DAY_SECONDS)
        owner = account.owner_id
        if rng.random() < 0.15:
            owner = rng.choice(self.region_reps[account.region])
        pending = [Spec(account, owner, kind, process, product, source, cents, created)]
        while pending:
            pending.extend(self._run(pending.pop()))

    def _run(self, spec: Spec) -> list[Spec]:
        rng, clock = self.rng, self.clock
        model = params.MODELS[(spec.account.customer_type, spec.process)]
        path = simulate(rng, model, spec.created, self.horizon)
        opp_id = self._next("opportunities", "OPP")
        status, closed, reason, follow_up = path.status, "", "", ""
        if status == "open":
            last_day = path.events[-1][2] // DAY
            u = rng.random()
            if u < 0.2:
                follow_up = clock.day(self.end_day + rng.randint(1, 45))
            elif u < 0.6:
                follow_up = clock.day(max(last_day, self.end_day - rng.randint(0, 14)))
            if rng.random() < params.PAUSED_SHARE:
                status = "paused"
                self.stats["paused_opportunities"] += 1
        else:
            closed = clock.date_of(path.closed_at or 0)
            if status in ("lost", "invalid"):
                reasons = params.LOST_REASONS if status == "lost" else params.INVALID_REASONS
                reason = rng.choice(reasons)
        created_day = spec.created // DAY
        stages = model.stages
        self.out.write(
            "opportunities",
            [
                opp_id,
                opportunity_name(
                    spec.account.name,
                    int(clock.day(created_day)[:4]),
                    spec.product,
                    spec.opportunity_type,
                ),
                spec.account.account_id,
                spec.owner_id,
                spec.opportunity_type,
                spec.source,
                spec.process,
                spec.product,
                money(spec.cents),
                "CNY",
                stages[path.stage],
                clock.timestamp(spec.created),
                clock.day(created_day + rng.randint(60, 120)),
                status,
                closed,
                reason,
                follow_up,
            ],
        )
        for from_stage, to_stage, at in path.events:
            self.out.write(
                "stage_history",
                [
                    opp_id,
                    "" if from_stage == NO_STAGE else stages[from_stage],
                    stages[to_stage],
                    clock.timestamp(at),
                    spec.owner_id,
                ],
            )
        self._activities(opp_id, spec.owner_id, path)
        if spec.source == "lead":
            self._leads(spec, opp_id)
        self.tally.add(spec.account.customer_type, spec.process, path.top, status)
        self.stats["stalled_opportunities"] += path.stalled
        self.stats["opportunities_with_skip"] += path.skipped
        self.stats["opportunities_with_backward_move"] += path.went_back
        if status != "won":
            return []
        return self._won(spec, opp_id, (path.closed_at or 0) // DAY)

    def _activities(self, opp_id: str, owner_id: str, path: History) -> None:
        timestamp = self.clock.timestamp
        for visit in path.visits:
            kind = "engaged" if visit.engaged and not visit.stalled else "disengaged"
            self.stats[f"{kind}_visits"] += 1
            for activity_type, at in draw_activities(self.rng, visit):
                self.stats[f"activities_in_{kind}_visits"] += 1
                self.out.write(
                    "activities",
                    [
                        self._next("activities", "ACT", 8),
                        opp_id,
                        activity_type,
                        timestamp(at),
                        owner_id,
                    ],
                )

    def _leads(self, spec: Spec, opp_id: str) -> None:
        timestamp = self.clock.timestamp
        for lead in draw_leads(self.rng, spec.created, self.end_day):
            converted = lead.converted_at is not None
            self.stats["leads_converted" if converted else "leads_unconverted"] += 1
            self.out.write(
                "leads",
                [
                    self._next("leads", "LEAD"),
                    timestamp(lead.created),
                    lead.source,
                    spec.owner_id,
                    spec.account.account_id if converted else "",
                    lead.status,
                    opp_id if converted else "",
                    timestamp(lead.converted_at) if lead.converted_at is not None else "",
                ],
            )

    def _won(self, spec: Spec, opp_id: str, won_day: int) -> list[Spec]:
        rng = self.rng
        if rng.random() < params.WON_WITHOUT_CONTRACT:
            self.stats["won_without_contract"] += 1
            return []
        draft = draw_contract(rng, won_day, spec.cents)
        if draft.signed > self.end_day:
            return []
        contract_id = self._next("contracts", "CON")
        day = self.clock.day
        self.out.write(
            "contracts",
            [
                contract_id,
                opp_id,
                spec.account.account_id,
                day(draft.signed),
                day(draft.start),
                day(draft.end),
                money(draft.cents),
            ],
        )
        for order in draw_orders(rng, draft, self.end_day):
            self.stats["orders_without_contract"] += not order.has_contract
            self.out.write(
                "orders",
                [
                    self._next("orders", "ORD"),
                    contract_id if order.has_contract else "",
                    day(order.day),
                    money(order.cents),
                    order.status,
                ],
            )
        renewal_day = renewal_start(rng, draft, self.end_day)
        if renewal_day is None:
            return []
        self.stats["renewal_opportunities"] += 1
        cents = round(draft.cents * rng.uniform(0.95, 1.15) / 10_000) * 10_000
        created = renewal_day * DAY + WORK_DAY_START + rng.randrange(WORK_DAY_SECONDS)
        return [
            Spec(
                spec.account,
                spec.owner_id,
                "renewal",
                "renewal",
                spec.product,
                "existing_customer",
                cents,
                created,
            )
        ]


def generate(
    out_dir: Path, n_opportunities: int, seed: int, end_date: date, progress: Progress | None = None
) -> dict[str, int]:
    """Write the CSV files (one per export family) and ``truth.json`` into
    ``out_dir``; return rows per file.

    ``progress(done, total)`` is called after each tenth of the originating opportunities.
    """
    if n_opportunities < 1:
        raise ValueError("n_opportunities must be at least 1")
    rng = Random(seed)
    reps = make_reps(rng, max(20, n_opportunities // 50))
    accounts, duplicates = make_accounts(rng, max(50, n_opportunities // 5), reps)
    with FamilyWriters(Path(out_dir)) as out:
        out.write_all("sales_reps", (r.row() for r in reps))
        out.write_all("accounts", (a.row() for a in accounts))
        factory = Factory(rng, out, accounts, reps_by_region(reps), end_date)
        step = max(1, math.ceil(n_opportunities / 10))
        for i in range(1, n_opportunities + 1):
            factory.originate()
            if progress is not None and (i % step == 0 or i == n_opportunities):
                progress(i, n_opportunities)
        out.commit()
    counts = {f"{name}.csv": n for name, n in out.counts.items()}
    extra: dict[str, Any] = {
        "opportunities": {
            "originating": n_opportunities,
            "renewals_from_contracts": factory.stats["renewal_opportunities"],
            "total": out.counts["opportunities"],
        },
        "planted": {
            **factory.stats,
            "accounts_without_credit_code": sum(not a.credit_code for a in accounts),
            "duplicate_credit_code_accounts": [
                {"account_id": dup, "same_code_as": orig} for dup, orig in duplicates
            ],
        },
        "row_counts": counts,
        "activity_effect": activity_truth(factory.stats),
        "leads": lead_truth(factory.stats),
    }
    truth = build_truth(
        seed=seed,
        end_date=end_date,
        n_opportunities=n_opportunities,
        tally=factory.tally,
        extra=extra,
    )
    text = json.dumps(truth, ensure_ascii=False, indent=2) + "\n"
    (Path(out_dir) / TRUTH_FILE).write_text(text, encoding="utf-8")
    return counts
