"""Sales reps and customer accounts. Both are small enough (N/50 and N/5) to hold in memory."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate
from random import Random

from ingestion.credit_code import make_code
from ingestion.demo import params
from ingestion.demo.names import account_name, person_name, short_name

REGIONS = tuple(params.REGION_BRANCHES)
TEAM_SIZE = 8
AUTHORITY_TYPE = {"enterprise": "91", "government": "11", "public_institution": "12"}
ENTERPRISE_INDUSTRIES = ("power", "finance", "real_estate", "fmcg", "manufacturing")
INSTITUTION_INDUSTRIES = ("government",) * 6 + ("power", "finance")


@dataclass(frozen=True, slots=True)
class Rep:
    rep_id: str
    name: str
    team: str
    branch: str
    region: str
    manager_id: str
    active: bool

    def row(self) -> list[str]:
        return [
            self.rep_id,
            self.name,
            self.team,
            self.branch,
            self.region,
            self.manager_id,
            "true" if self.active else "false",
        ]


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    name: str
    credit_code: str
    customer_type: str
    tier: str
    industry: str
    region: str
    branch: str
    owner_id: str

    def row(self) -> list[str]:
        return [
            self.account_id,
            self.name,
            self.credit_code,
            self.customer_type,
            self.tier,
            self.industry,
            self.region,
            self.branch,
        ]


def make_reps(rng: Random, n_reps: int) -> list[Rep]:
    """Teams of about eight; the first member of a team manages it, and the manager of a region's
    first team manages the other team managers of that region."""
    n_teams = max(len(REGIONS), math.ceil(n_reps / TEAM_SIZE))
    extra = rng.choices(REGIONS, params.REGION_WEIGHTS, k=n_teams - len(REGIONS))
    team_regions = list(REGIONS) + extra
    counters: dict[str, int] = {}
    teams: list[tuple[str, str, str]] = []  # (team, region, branch)
    for region in team_regions:
        counters[region] = counters.get(region, 0) + 1
        branches = params.REGION_BRANCHES[region]
        teams.append(
            (
                f"{region}-{counters[region]}",
                region,
                branches[(counters[region] - 1) % len(branches)],
            )
        )
    region_head: dict[str, str] = {}
    reps: list[Rep] = []
    for i in range(n_reps):
        team, region, branch = teams[i % n_teams]
        rep_id = f"REP{i + 1:04d}"
        if i < n_teams:  # team manager
            manager = region_head.setdefault(region, rep_id)
            manager = "" if manager == rep_id else manager
            active = True
        else:
            manager = reps[i % n_teams].rep_id
            active = rng.random() < 0.92
        reps.append(Rep(rep_id, person_name(rng), team, branch, region, manager, active))
    return reps


def _industry(rng: Random, customer_type: str) -> str:
    if customer_type == "enterprise":
        return rng.choice(ENTERPRISE_INDUSTRIES)
    if customer_type == "government":
        return "government"
    return rng.choice(INSTITUTION_INDUSTRIES)


def _fresh_code(rng: Random, customer_type: str, branch: str, used: set[str]) -> str:
    while True:
        body = f"{rng.randrange(10_000_000, 100_000_000)}"
        code = make_code(AUTHORITY_TYPE[customer_type], params.BRANCH_DIVISION[branch], body)
        if code not in used:
            used.add(code)
            return code


def make_accounts(
    rng: Random, n_accounts: int, reps: list[Rep]
) -> tuple[list[Account], list[tuple[str, str]]]:
    """Accounts, plus the planted duplicates as (duplicate account_id, original account_id).

    A planted duplicate is the same customer entered twice: same credit code, type, industry and
    place, a slightly different name and a new account_id.
    """
    by_region: dict[str, list[str]] = {r: [] for r in REGIONS}
    for rep in reps:
        by_region[rep.region].append(rep.rep_id)
    used: set[str] = set()
    coded: list[int] = []  # indexes of accounts holding an original code
    accounts: list[Account] = []
    duplicates: list[tuple[str, str]] = []
    for i in range(n_accounts):
        account_id = f"ACC{i + 1:06d}"
        tier = rng.choices(params.TIERS, params.TIER_WEIGHTS)[0]
        u = rng.random()
        if u < params.DUPLICATE_CREDIT_CODE and coded:
            orig = accounts[rng.choice(coded)]
            name = short_name(orig.name) + rng.choice(("", "公司", "有限公司", "集团"))
            name = name if name != orig.name else orig.name + "本部"
            accounts.append(
                Account(
                    account_id,
                    name,
                    orig.credit_code,
                    orig.customer_type,
                    tier,
                    orig.industry,
                    orig.region,
                    orig.branch,
                    orig.owner_id,
                )
            )
            duplicates.append((account_id, orig.account_id))
            continue
        customer_type = rng.choices(params.SEGMENTS, params.SEGMENT_WEIGHTS)[0]
        industry = _industry(rng, customer_type)
        region = rng.choices(REGIONS, params.REGION_WEIGHTS)[0]
        branch = rng.choice(params.REGION_BRANCHES[region])
        code = ""
        if u >= params.DUPLICATE_CREDIT_CODE + params.MISSING_CREDIT_CODE:
            code = _fresh_code(rng, customer_type, branch, used)
            coded.append(i)
        owner = rng.choice(by_region[region])
        accounts.append(
            Account(
                account_id,
                account_name(rng, customer_type, branch, industry),
                code,
                customer_type,
                tier,
                industry,
                region,
                branch,
                owner,
            )
        )
    return accounts, duplicates


def account_cum_weights(accounts: list[Account]) -> list[float]:
    """Cumulative selection weights: key accounts get more opportunities."""
    return list(accumulate(params.TIER_OPPORTUNITY_WEIGHT[a.tier] for a in accounts))


def reps_by_region(reps: list[Rep]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {r: [] for r in REGIONS}
    for rep in reps:
        out[rep.region].append(rep.rep_id)
    return out
