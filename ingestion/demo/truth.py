"""``truth.json``: the parameters the data was drawn from, what they imply, and what was drawn.

``COUNTING_RULES`` says how the ``realized`` counts are made and what the expected rates mean; the
text is copied into ``truth.json``.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

from ingestion.demo import params
from ingestion.demo.params import ProcessModel
from ingestion.demo.simulate import engaged_advance

COUNTING_RULES = """For a transition ``a->b`` (consecutive stages of a process), per
opportunity, with ``top`` = the furthest stage its history reached (skipped stages count as passed,
backward moves do not lower it):

- reached: ``top >= a``;  advanced: ``top >= b``;
- lost: reached, not advanced, status lost or invalid (``of_which_invalid`` counts invalid);
- open: reached, not advanced, status open or paused (stalled or not finished at end_date).

``resolved_rate = advanced / (advanced + lost)``. ``expected_resolved_conversion`` is its expected
value, worked out by following the probability mass through the process (stalls, skips over a
stage and skips into it), ignoring the right-censoring at end_date.
``expected_resolved_conversion_simple`` is the approximation that ignores stalls and skips into
a stage: ``p`` for the first transition, ``(1 - q) * p + q`` for the others (q = skip
probability).
"""

COUNT_KEYS = ("reached", "advanced", "lost", "of_which_invalid", "open")


def transitions(stages: tuple[str, ...]) -> list[str]:
    return [f"{a}->{b}" for a, b in pairwise(stages)]


class Tally:
    """Per (segment, process, transition) counts, updated one opportunity at a time."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], list[list[int]]] = {
            key: [[0] * len(COUNT_KEYS) for _ in model.stages[:-1]]
            for key, model in params.MODELS.items()
        }

    def add(self, segment: str, process: str, top: int, status: str) -> None:
        rows = self.counts[(segment, process)]
        for k in range(min(top + 1, len(rows))):
            row = rows[k]
            row[0] += 1
            if top > k:
                row[1] += 1
            elif status in ("lost", "invalid"):
                row[2] += 1
                row[3] += status == "invalid"
            else:
                row[4] += 1

    def as_dict(self) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
        out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        for (segment, process), rows in self.counts.items():
            names = transitions(params.PROCESSES[process])
            block: dict[str, dict[str, Any]] = {}
            for name, row in zip(names, rows, strict=True):
                entry: dict[str, Any] = dict(zip(COUNT_KEYS, row, strict=True))
                resolved = row[1] + row[2]
                entry["resolved_rate"] = round(row[1] / resolved, 6) if resolved else None
                block[name] = entry
            out.setdefault(segment, {})[process] = block
        return out


def expected_resolved_rates(model: ProcessModel) -> dict[str, float]:
    """Expected ``advanced / (advanced + lost)`` per transition, by following the mass."""
    last = len(model.stages) - 1
    entered = [0.0] * (last + 1)  # mass that truly visits each stage
    entered[0] = 1.0
    crossed = [0.0] * last  # mass ending above stage k, having reached it (= advanced at k)
    closed = [0.0] * last
    for k in range(last):
        moving = entered[k] * (1 - params.STALL_PROBABILITY)
        advancing = moving * model.advance[k]
        closed[k] = moving - advancing
        crossed[k] += advancing
        if k + 2 <= last:
            entered[k + 1] += (1 - params.SKIP_PROBABILITY) * advancing
            entered[k + 2] += params.SKIP_PROBABILITY * advancing
            crossed[k + 1] += params.SKIP_PROBABILITY * advancing  # skipped over k+1: passed it
        else:
            entered[k + 1] += advancing
    names = transitions(model.stages)
    return {n: round(crossed[k] / (crossed[k] + closed[k]), 6) for k, n in enumerate(names)}


def simple_resolved_rates(model: ProcessModel) -> dict[str, float]:
    """The approximation that ignores stalls and skips INTO a stage: ``p`` for the first
    transition, ``(1 - q) * p + q`` for the others (their stage can be skipped over)."""
    q = params.SKIP_PROBABILITY
    names = transitions(model.stages)
    return {
        n: round(p if k == 0 else (1 - q) * p + q, 6)
        for k, (n, p) in enumerate(zip(names, model.advance, strict=True))
    }


def build_truth(
    *, seed: int, end_date: date, n_opportunities: int, tally: Tally, extra: dict[str, Any]
) -> dict[str, Any]:
    segments: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    simple: dict[str, Any] = {}
    for (segment, process), model in params.MODELS.items():
        stages = model.stages[:-1]
        segments.setdefault(segment, {})[process] = {
            "advance_probability": dict(zip(stages, model.advance, strict=True)),
            "dwell": {s: d.summary() for s, d in zip(stages, model.dwell, strict=True)},
        }
        expected.setdefault(segment, {})[process] = expected_resolved_rates(model)
        simple.setdefault(segment, {})[process] = simple_resolved_rates(model)
    bottleneck: dict[str, Any] = dict(params.BOTTLENECK)
    key = f"{bottleneck['from_stage']}->{bottleneck['to_stage']}"
    bottleneck["expected_resolved_rate"] = expected[bottleneck["segment"]][bottleneck["process"]][
        key
    ]
    return {
        "seed": seed,
        "end_date": end_date.isoformat(),
        "n_opportunities": n_opportunities,
        "stall_probability": params.STALL_PROBABILITY,
        "skip_probability": params.SKIP_PROBABILITY,
        "backward_probability": params.BACKWARD_PROBABILITY,
        "lost_share_of_closed": params.LOST_SHARE,
        "paused_share_of_open": params.PAUSED_SHARE,
        "processes": {name: list(stages) for name, stages in params.PROCESSES.items()},
        "segments": segments,
        "expected_resolved_conversion": expected,
        "expected_resolved_conversion_simple": simple,
        "planted_bottleneck": bottleneck,
        "realized": tally.as_dict(),
        "counting_rules": " ".join(COUNTING_RULES.split()),
        **extra,
    }


def activity_truth(stats: dict[str, int]) -> dict[str, Any]:
    """How activities drive outcomes (the parameters), and what was drawn."""
    by_stage: dict[str, Any] = {}
    for (segment, process), model in params.MODELS.items():
        by_stage.setdefault(segment, {})[process] = {
            stage: {
                "engaged": round(engaged_advance(p, True), 6),
                "disengaged": round(engaged_advance(p, False), 6),
            }
            for stage, p in zip(model.stages[:-1], model.advance, strict=True)
        }
    return {
        "rule": (
            "Each stage visit is engaged with probability engaged_visit_share, independently. "
            "An engaged visit advances with p + d, a disengaged one with p - d, "
            "d = engagement_shift * min(p, 1 - p), so the stage's advance probability p is "
            "unchanged on average. Activities arrive at activity_rates_per_day by engagement; "
            "a stalled visit logs disengaged activities for stalled_active_days, then none."
        ),
        "engaged_visit_share": params.ENGAGED_VISIT_SHARE,
        "engagement_shift": params.ENGAGEMENT_SHIFT,
        "activity_rates_per_day": {
            "engaged": params.ACTIVITY_RATES_PER_DAY[True],
            "disengaged": params.ACTIVITY_RATES_PER_DAY[False],
        },
        "stalled_active_days": params.STALLED_ACTIVE_DAYS,
        "advance_probability_by_engagement": by_stage,
        "realized": {
            key: stats[key]
            for key in (
                "engaged_visits",
                "disengaged_visits",
                "activities_in_engaged_visits",
                "activities_in_disengaged_visits",
            )
        },
    }


def lead_truth(stats: dict[str, int]) -> dict[str, Any]:
    """The true lead -> opportunity conversion rate, and what was drawn."""
    converted, unconverted = stats["leads_converted"], stats["leads_unconverted"]
    total = converted + unconverted
    return {
        "rule": (
            "Every opportunity with source 'lead' comes from one converted lead; each converted "
            "lead brings a geometric number of unconverted ones (open when at most "
            "open_days old at end_date, else disqualified), so the expected share of leads "
            "converted is conversion_rate."
        ),
        "conversion_rate": params.LEAD_CONVERSION_RATE,
        "open_days": params.LEAD_OPEN_DAYS,
        "realized": {
            "leads": total,
            "converted": converted,
            "unconverted": unconverted,
            "conversion_rate": round(converted / total, 6) if total else None,
        },
    }
