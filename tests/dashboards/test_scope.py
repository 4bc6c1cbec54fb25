"""Row-level scope at the query level: a scoped user never receives another team's rows.

The fixture (``conftest.py``): east-1 / 华东 own OPP1, OPP4, OPP5, OPP6, OPP7; west-1 owns OPP2
(华北) and OPP3 (华南). Alerts: A1 (OPP1, owner R1), A2 (OPP3, R2), A3 (OPP4, R1), W1 (region
华东), F1 (team east-1), D1 (account ACC9, members OPP3 and OPP4).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
from data import identity, queries, scope

from .conftest import HOSTILE_SEGMENT, JUNE, MAY
from .sweep import every_query, public_queries

EAST = scope.Scope(user="east", regions=("华东",), teams=("east-1",))
R1_ONLY = scope.Scope(user="r1", owners=("R1",))
EAST_OPPORTUNITIES = {"OPP1", "OPP4", "OPP5", "OPP6", "OPP7"}
# Anything of west-1's: its opportunities, team, regions, and the hostile segment's rows.
FOREIGN = ("OPP2", "OPP3", "west-1", "华北", "华南", "ACC9", HOSTILE_SEGMENT)
SEGMENT_QUERIES = (
    "funnel_conversion",
    "stage_dwell",
    "stage_skips",
    "win_rates",
    "new_pipeline",
    "conversion_trend",
    "forecast_accuracy",
)
AUDIT_QUERIES = (
    "load_log",
    "quarantine_reasons",
    "check_results",
    "alert_deliveries",
    "model_status",
)


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch):
    def use(user_scope: scope.Scope) -> None:
        monkeypatch.setattr(identity, "current_scope", lambda: user_scope)

    return use


def _text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False) + " ".join(map(str, frame.columns))


def test_the_sweep_calls_every_public_query(warehouse) -> None:
    assert set(every_query(grain="month", period=JUNE, dimension="all", value="all")) == (
        public_queries()
    )


def test_a_scoped_user_never_receives_another_teams_rows(warehouse, as_user) -> None:
    as_user(scope.FULL)
    full = every_query(grain="month", period=JUNE, dimension="region", value="华东")
    assert "OPP2" in _text(
        queries.period_opportunities("won", "month", JUNE, "all", "all")
    )  # the foreign rows exist
    as_user(EAST)
    segments = [("all", "all"), ("region", "华东"), ("region", "华北"), ("team", "west-1")]
    segments += [("team", "east-1"), ("region", HOSTILE_SEGMENT), ("customer_type", "enterprise")]
    seen_rows = 0
    combinations = itertools.product(segments, (JUNE, MAY), ("initial_contact",))
    alert_ids = itertools.cycle(("A1", "A2", "D1", "W1", "F1"))
    for ((dimension, value), period, stage), alert_id in zip(combinations, alert_ids, strict=False):
        results = every_query(
            grain="month",
            period=period,
            dimension=dimension,
            value=value,
            stage=stage,
            alert_id=alert_id,
            measure="closed",
        )
        for name, frame in results.items():
            text = _text(frame)
            leaked = [token for token in FOREIGN if token in text]
            assert not leaked, (name, dimension, value, period, leaked)
            if "opportunity_id" in frame.columns:
                assert set(frame["opportunity_id"].dropna()) <= EAST_OPPORTUNITIES, name
            seen_rows += len(frame)
        granted = (dimension, value) in {("region", "华东"), ("team", "east-1")}
        for name in SEGMENT_QUERIES:
            if not granted:  # all segments together / other dimensions mix every team
                assert results[name].empty, (name, dimension, value)
        for name in AUDIT_QUERIES:
            assert results[name].empty, name
    assert seen_rows > 0
    scoped = every_query(grain="month", period=JUNE, dimension="region", value="华东")
    # a granted segment's rows are the same rows, company-wide benchmarks removed
    benchmarks = ["benchmark_rate", "below_benchmark"]
    assert full["funnel_conversion"]["benchmark_rate"].notna().any()
    assert scoped["funnel_conversion"][benchmarks].isna().all().all()
    pd.testing.assert_frame_equal(
        scoped["funnel_conversion"].drop(columns=benchmarks),
        full["funnel_conversion"].drop(columns=benchmarks),
    )
    pd.testing.assert_frame_equal(scoped["stages"], full["stages"])
    assert not full["load_log"].empty


def test_scoped_marts_lists_and_alerts(warehouse, as_user) -> None:
    as_user(EAST)
    options = queries.funnel_options().combos
    assert set(zip(options["segment_dimension"], options["segment_value"], strict=True)) == {
        ("region", "华东"),
        ("team", "east-1"),  # not west-1's team rows
    }
    assert set(queries.forecast_vs_target("month", "team")["segment_value"]) == {"east-1"}
    assert queries.forecast_vs_target("month", "all").empty
    assert set(queries.alerts()["alert_id"]) == {"A1", "A3", "W1", "F1"}
    assert list(
        queries.period_opportunities("won", "month", JUNE, "all", "all")["opportunity_id"]
    ) == ["OPP7"]  # OPP2 (west-1) also won in June
    entrants = queries.stage_entrants("month", MAY, "all", "all", "standard", "initial_contact")
    assert list(entrants["opportunity_id"]) == ["OPP5"]  # not OPP3
    assert list(queries.alert_opportunities("D1")["opportunity_id"]) == ["OPP4"]  # not OPP3
    # an owner grant: the owner's alerts; no segment rows and, without owner_id in the
    # fixture's dim_opportunities, no opportunity lists
    as_user(R1_ONLY)
    assert set(queries.alerts()["alert_id"]) == {"A1", "A3"}
    assert queries.funnel_options().empty
    assert queries.period_opportunities("won", "month", JUNE, "all", "all").empty


def test_a_user_without_access_sees_only_reference_data(warehouse, as_user) -> None:
    as_user(scope.NO_ACCESS)
    results = every_query(grain="month", period=JUNE, dimension="region", value="华东")
    kept = {"publish_info", "stages"}
    for name, frame in results.items():
        assert frame.empty == (name not in kept), name


def test_main_qualified_names_are_filtered_too(warehouse, as_user) -> None:
    source = queries.Source(str(warehouse.snapshot_path("20250701T020000Z")), EAST)
    for sql in (
        "SELECT opportunity_id FROM dim_opportunities",
        "SELECT opportunity_id FROM main.dim_opportunities",
        "SELECT opportunity_id FROM main.fct_stage_visits",
    ):
        assert set(queries._read(source, sql)["opportunity_id"]) <= EAST_OPPORTUNITIES


def test_the_cache_keeps_scopes_apart(warehouse, as_user) -> None:
    as_user(scope.FULL)
    assert len(queries.alerts()) == 6
    as_user(EAST)
    assert len(queries.alerts()) == 4
    as_user(scope.FULL)
    assert len(queries.alerts()) == 6


# ----------------------------------------------------------------------------- scope file


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "access_scope.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_scope_file_maps_users_case_insensitively(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "access_scope:\n  users:\n    Boss@Example.com: {role: all}\n"
        "    east@example.com: {regions: [华东], teams: [east-1, east-2], owners: [R1]}\n",
    )
    scopes = scope.load_scopes(path)
    assert scope.scope_for("boss@example.com", scopes).everything
    assert scope.scope_for(" EAST@example.com ", scopes) == scope.Scope(
        user="east@example.com", regions=("华东",), teams=("east-1", "east-2"), owners=("R1",)
    )
    assert scope.scope_for("stranger@example.com", scopes) == scope.NO_ACCESS
    assert scope.scope_for(None, scopes) == scope.NO_ACCESS


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("users: {}", "expected a mapping under access_scope.users"),
        ("access_scope:\n  users:\n    a: {region: [x]}", "user 'a': unknown key(s) ['region']"),
        ("access_scope:\n  users:\n    a: {role: admin}", "user 'a': key 'role' must be"),
        ("access_scope:\n  users:\n    a: {teams: east}", "user 'a': key 'teams' must be a list"),
        ("access_scope:\n  users:\n    a: {}", "user 'a': give role: all or at least one"),
        ("access_scope: [", "not valid YAML"),
    ],
)
def test_a_malformed_scope_file_names_file_user_and_key(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(scope.ScopeFileError, match=r"access_scope\.yml") as error:
        scope.load_scopes(path)
    assert message in str(error.value)


def test_the_shipped_scope_file_is_valid() -> None:
    scopes = scope.load_scopes(scope.scope_file())
    assert any(s.everything for s in scopes.values())
    assert any(not s.everything for s in scopes.values())


def test_local_mode_has_full_scope_and_sign_in_modes_need_a_listed_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert identity.auth_mode() == "none"
    assert identity.current_scope() == scope.FULL
    monkeypatch.setenv(identity.PASSWORDS_ENV, str(tmp_path / "passwords"))
    assert identity.auth_mode() == "password"
    assert identity.current_scope() == scope.NO_ACCESS  # nobody signed in


def test_password_hashes_verify_and_the_file_is_checked(tmp_path: Path) -> None:
    stored = identity.hash_password("s3cret 密码", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$") and "s3cret" not in stored
    assert identity.verify_password("s3cret 密码", stored)
    for wrong in ("s3cret", "", "\udcff", "s3cret 密码\x00"):
        assert not identity.verify_password(wrong, stored)
    path = tmp_path / "passwords"
    path.write_text(f"# team leads\nEast@Example.com:{stored}\nbroken line\n", encoding="utf-8")
    with pytest.raises(identity.AuthConfigError, match=r"passwords, line 3: expected user:"):
        identity.load_passwords(path)
    path.write_text(f"East@Example.com:{stored}\n", encoding="utf-8")
    assert identity.load_passwords(path) == {"east@example.com": stored}
