"""The generator's optional families: activities that truly drive outcomes, and leads whose
conversion rate is known (``truth.json`` ``activity_effect`` and ``leads``)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from random import Random
from typing import Any

import pytest

from ingestion.demo import generate, params
from ingestion.demo.simulate import engaged_advance, simulate

N, SEED, END = 2000, 11, date(2026, 6, 30)
Rows = list[dict[str, str]]
STRONG = {"visit", "meeting", "demo", "proposal_sent"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inbox")
    generate(path, N, SEED, END)
    return path


def read(path: Path) -> Rows:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def data(out: Path) -> dict[str, Rows]:
    return {n: read(out / f"{n}.csv") for n in ("opportunities", "activities", "leads")}


@pytest.fixture(scope="module")
def truth(out: Path) -> dict[str, Any]:
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))


def ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


def test_every_lead_sourced_opportunity_has_exactly_one_converted_lead(data) -> None:
    opps = {o["opportunity_id"]: o for o in data["opportunities"]}
    converted = [lead for lead in data["leads"] if lead["status"] == "converted"]
    by_opp = defaultdict(list)
    for lead in converted:
        by_opp[lead["converted_opportunity_id"]].append(lead)
    lead_sourced = {i for i, o in opps.items() if o["source"] == "lead"}
    assert set(by_opp) == lead_sourced and lead_sourced
    for opp_id, leads in by_opp.items():
        assert len(leads) == 1
        lead, opp = leads[0], opps[opp_id]
        assert lead["converted_at"] == opp["created_at"]
        assert lead["account_id"] == opp["account_id"] and lead["owner_id"] == opp["owner_id"]
        days = (ts(lead["converted_at"]) - ts(lead["created_at"])).days
        assert params.LEAD_LEAD_DAYS[0] <= days <= params.LEAD_LEAD_DAYS[1]


def test_unconverted_leads_are_open_when_young_else_disqualified(data) -> None:
    end = datetime(END.year, END.month, END.day, 23, 59, 59)
    unconverted = [lead for lead in data["leads"] if lead["status"] != "converted"]
    assert unconverted
    for lead in unconverted:
        age = (END - ts(lead["created_at"]).date()).days
        assert ts(lead["created_at"]) <= end
        assert lead["status"] == ("open" if age <= params.LEAD_OPEN_DAYS else "disqualified")
        assert lead["converted_opportunity_id"] == "" and lead["converted_at"] == ""


def test_lead_conversion_rate_is_the_truth(data, truth) -> None:
    leads = data["leads"]
    converted = sum(lead["status"] == "converted" for lead in leads)
    realized = truth["leads"]["realized"]
    assert (realized["leads"], realized["converted"]) == (len(leads), converted)
    rate, n = truth["leads"]["conversion_rate"], len(leads)
    assert rate == params.LEAD_CONVERSION_RATE
    # a ratio of geometric counts: 5 binomial standard errors is a generous band
    assert abs(converted / n - rate) < 5 * (rate * (1 - rate) / n) ** 0.5


def test_activities_fall_within_the_opportunity_life(data) -> None:
    opps = {o["opportunity_id"]: o for o in data["opportunities"]}
    assert len(data["activities"]) > N  # a few per opportunity
    for act in data["activities"]:
        opp = opps[act["opportunity_id"]]
        at = ts(act["activity_at"])
        assert ts(opp["created_at"]) <= at and at.date() <= END
        if opp["closed_date"]:
            assert at.date() <= date.fromisoformat(opp["closed_date"])
        assert act["owner_id"] == opp["owner_id"]


def test_engaged_visits_advance_at_the_shifted_probability() -> None:
    """First visits of a long simulation: the advance rate of engaged and disengaged visits is
    p ± 0.6 * min(p, 1 - p), i.e. 0.84 and 0.36 for p = 0.6."""
    model = params.MODELS[("enterprise", "standard")]
    p = model.advance[0]
    assert engaged_advance(p, True) == pytest.approx(0.84)
    assert engaged_advance(p, False) == pytest.approx(0.36)
    counts = {True: [0, 0], False: [0, 0]}  # engaged -> [resolved, advanced]
    rng = Random(5)
    for _ in range(20_000):
        path = simulate(rng, model, 0, 10**15)
        first = path.visits[0]
        if first.stalled:
            continue
        counts[first.engaged][0] += 1
        counts[first.engaged][1] += path.top > 0
    for engaged, (resolved, advanced) in counts.items():
        q = engaged_advance(p, engaged)
        assert abs(advanced / resolved - q) < 4 * (q * (1 - q) / resolved) ** 0.5, engaged


def test_won_deals_saw_more_strong_activities_per_day_than_lost(data, truth) -> None:
    """The signal a model can find: visits, meetings, demos and proposals per day of life."""
    strong = defaultdict(int)
    for act in data["activities"]:
        strong[act["opportunity_id"]] += act["activity_type"] in STRONG
    rates: dict[str, list[float]] = {"won": [], "lost": []}
    for opp in data["opportunities"]:
        if opp["status"] in rates:
            life = (date.fromisoformat(opp["closed_date"]) - ts(opp["created_at"]).date()).days
            rates[opp["status"]].append(strong[opp["opportunity_id"]] / max(life, 1))
    won = sum(rates["won"]) / len(rates["won"])
    lost = sum(rates["lost"]) / len(rates["lost"])
    assert won > 1.5 * lost
    realized = truth["activity_effect"]["realized"]
    total = realized["activities_in_engaged_visits"] + realized["activities_in_disengaged_visits"]
    assert total == len(data["activities"])
