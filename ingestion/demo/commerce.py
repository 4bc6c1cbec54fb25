"""What follows a won deal: a contract, its orders, and perhaps a renewal opportunity later."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from ingestion.demo import params

ORDER_COUNT_WEIGHTS = (0.5, 0.3, 0.2)  # 1, 2 or 3 orders per contract


@dataclass(frozen=True, slots=True)
class ContractDraft:
    signed: int  # day ordinals
    start: int
    end: int
    cents: int


@dataclass(frozen=True, slots=True)
class OrderDraft:
    day: int
    cents: int
    status: str
    has_contract: bool = True


def draw_contract(rng: Random, won_day: int, opportunity_cents: int) -> ContractDraft:
    """Signed 3-20 days after the win, starting about a week later, for one year."""
    signed = won_day + rng.randint(3, 20)
    start = signed + rng.randint(5, 10)
    cents = round(opportunity_cents * rng.uniform(0.9, 1.0) / 100) * 100
    return ContractDraft(signed, start, start + 364, cents)


def _order_status(rng: Random, day: int, end_day: int) -> str:
    u = rng.random()
    if day > end_day - 14:  # recent orders are often not fulfilled yet
        return "open" if u < 0.6 else "fulfilled"
    return "fulfilled" if u < 0.93 else "cancelled" if u < 0.97 else "open"


def draw_orders(rng: Random, contract: ContractDraft, end_day: int) -> list[OrderDraft]:
    """1-3 orders summing exactly to the contract amount, dated after the start; those after
    ``end_day`` are dropped. Each kept order may bring an order placed without a contract."""
    n = rng.choices((1, 2, 3), ORDER_COUNT_WEIGHTS)[0]
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    total = sum(weights)
    parts = [round(contract.cents * w / total) for w in weights[:-1]]
    parts.append(contract.cents - sum(parts))
    days = [contract.start + rng.randint(0, 30)]
    days += sorted(contract.start + rng.randint(31, 330) for _ in range(n - 1))
    orders: list[OrderDraft] = []
    for day, cents in zip(days, parts, strict=True):
        status = _order_status(rng, day, end_day)
        stray = rng.random() < params.ORDER_WITHOUT_CONTRACT
        stray_day = day - rng.randint(0, 20)
        stray_cents = round(rng.lognormvariate(10.3, 0.6)) * 100
        if day > end_day:
            continue
        orders.append(OrderDraft(day, cents, status))
        if stray:
            orders.append(OrderDraft(stray_day, stray_cents, "fulfilled", has_contract=False))
    return orders


def renewal_start(rng: Random, contract: ContractDraft, end_day: int) -> int | None:
    """The day a renewal opportunity is created for a contract, or None when there is none:
    only contracts ending before ``end_day + 90`` are renewed (80%), 60-90 days before their end,
    and not if that day is after ``end_day``."""
    if contract.end >= end_day + params.RENEWAL_HORIZON_DAYS:
        return None
    renew = rng.random() < params.RENEWAL_PROBABILITY
    day = contract.end - rng.randint(60, 90)
    return day if renew and day <= end_day else None
