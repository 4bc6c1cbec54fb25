"""Row-level scope: which regions / teams / owners a dashboard user may see, enforced in SQL.

Sales-ops keep the mapping in ``definitions/access_scope.yml`` (another file with
``$FUNNEL_ACCESS_SCOPE``); ``docs/dashboards_security.md`` describes it. A user's grants add up:
a row is visible when it belongs to one of their regions, OR one of their teams, OR one of their
owners. ``role: all`` sees everything (executives, sales-ops).

Enforcement (``scoped_connection``): every query of ``queries._read`` runs on a connection where
each snapshot table is shadowed by a temporary view of the same name that keeps only the rows
in scope, so a query cannot name a table it would see unfiltered. What "in scope" means for a
table is decided from its columns, safest first:

- ``segment_dimension`` / ``segment_value`` (the marts): only rows of a granted segment
  (``region`` in regions, ``team`` in teams, ``owner_id`` in owners). Rows of all segments
  together (``all``) and of other dimensions (tier, customer type, ...) mix other teams'
  opportunities, so they are hidden. A mart row that names an opportunity or an owner
  (alerts) is also visible when that opportunity / owner is in scope.
- ``opportunity_id`` (facts, drill-down lists): only opportunities in scope, judged on
  ``dim_opportunities`` (region, team, owner_id).
- ``region`` / ``team`` / ``owner_id`` without the above (e.g. ``dim_sales_reps``): those columns.
- reference tables with no team data (``REFERENCE_TABLES``): unfiltered.
- anything else (the audit tables ``_load_log``, ``_quarantine``, ``_check_results``,
  ``_alert_deliveries``, and any table added later): empty. Quarantined rows and check
  observations can quote any team's data.

Columns named ``benchmark_*`` are company-wide rates; scoped users get them as null.
A user that signed in but is not in the file gets ``NO_ACCESS`` (every table empty).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import yaml

from .snapshot import REPO_ROOT

SCOPE_ENV: Final[str] = "FUNNEL_ACCESS_SCOPE"
DEFAULT_SCOPE_FILE: Final[str] = "definitions/access_scope.yml"
REFERENCE_TABLES: Final[frozenset[str]] = frozenset(
    {"_publish_info", "dim_stages", "dim_date", "dim_dates"}
)
# segment_dimension value -> the grant that opens it
SEGMENT_GRANTS: Final[dict[str, str]] = {
    "region": "regions",
    "team": "teams",
    "owner_id": "owners",
    "owner": "owners",
}
# dim_opportunities / direct column -> the grant that opens it
COLUMN_GRANTS: Final[dict[str, str]] = {"region": "regions", "team": "teams", "owner_id": "owners"}
_GRANTS: Final[tuple[str, ...]] = ("regions", "teams", "owners")
_KEYS: Final[frozenset[str]] = frozenset({"role", *_GRANTS})


class ScopeFileError(ValueError):
    """The access scope file is missing or malformed; the message names file, user and key."""


@dataclass(frozen=True)
class Scope:
    """What one user may see. Grants are sorted tuples so the scope is hashable and cacheable."""

    user: str
    everything: bool = False
    regions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()

    def grant(self, name: str) -> tuple[str, ...]:
        return {"regions": self.regions, "teams": self.teams, "owners": self.owners}[name]


FULL: Final[Scope] = Scope(user="local", everything=True)
NO_ACCESS: Final[Scope] = Scope(user="")


def scope_file() -> Path:
    """``$FUNNEL_ACCESS_SCOPE`` (relative to the repo root) or ``definitions/access_scope.yml``."""
    path = Path(os.environ.get(SCOPE_ENV, "").strip() or DEFAULT_SCOPE_FILE).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def load_scopes(path: Path) -> dict[str, Scope]:
    """Every user's scope, keyed by lower-case user name / e-mail."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScopeFileError(f"{path}: cannot read the access scope file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise ScopeFileError(f"{path}: not valid YAML ({exc})") from exc
    users = (doc or {}).get("access_scope", {}).get("users") if isinstance(doc, dict) else None
    if not isinstance(users, dict):
        raise ScopeFileError(f"{path}: expected a mapping under access_scope.users")
    return {
        str(user).strip().lower(): _scope(path, str(user), spec) for user, spec in users.items()
    }


def _scope(path: Path, user: str, spec: object) -> Scope:
    where = f"{path}: user {user!r}"
    if not isinstance(spec, Mapping):
        raise ScopeFileError(f"{where}: expected a mapping of role / regions / teams / owners")
    unknown = set(spec) - _KEYS
    if unknown:
        raise ScopeFileError(f"{where}: unknown key(s) {sorted(unknown)}; allowed {sorted(_KEYS)}")
    role = spec.get("role")
    if role not in (None, "all", "scoped"):
        raise ScopeFileError(f"{where}: key 'role' must be 'all' or 'scoped', not {role!r}")
    regions, teams, owners = (_values(where, key, spec.get(key)) for key in _GRANTS)
    if role == "all":
        return Scope(user=user, everything=True)
    if not (regions or teams or owners):
        raise ScopeFileError(f"{where}: give role: all or at least one of regions/teams/owners")
    return Scope(user=user, regions=regions, teams=teams, owners=owners)


def _values(where: str, key: str, raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str | int) for v in raw):
        raise ScopeFileError(f"{where}: key {key!r} must be a list of names")
    return tuple(sorted({str(v) for v in raw}))


def configured_scopes() -> dict[str, Scope]:
    """``load_scopes(scope_file())``, re-read only when the file changes."""
    path = scope_file()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise ScopeFileError(f"{path}: cannot read the access scope file ({exc})") from exc
    key = (str(path), mtime)
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = load_scopes(path)
    return _loaded[key]


_loaded: dict[tuple[str, int], dict[str, Scope]] = {}


def scope_for(user: str | None, scopes: Mapping[str, Scope]) -> Scope:
    """The scope of a signed-in user; ``NO_ACCESS`` for nobody or a user not in the file."""
    if not user:
        return NO_ACCESS
    return scopes.get(user.strip().lower(), NO_ACCESS)


# ------------------------------------------------------------------------- SQL enforcement


def _in(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', ...)``; ``false`` for no values.

    View DDL cannot take bound parameters, so the granted values (from the sales-ops file) are
    written as escaped string literals.
    """
    literals = [_literal(v) for v in values]
    return f"{column} IN ({', '.join(literals)})" if literals else "false"


def _direct(scope: Scope, columns: Iterable[str]) -> str:
    present = [c for c in COLUMN_GRANTS if c in columns]
    parts = [_in(f'"{c}"', scope.grant(COLUMN_GRANTS[c])) for c in present]
    return " OR ".join(f"({p})" for p in parts) if parts else "false"


def _segments(scope: Scope) -> str:
    parts = [
        f"(segment_dimension = {_literal(dimension)} AND {_in('segment_value', values)})"
        for dimension, grant in SEGMENT_GRANTS.items()
        if (values := scope.grant(grant))
    ]
    return " OR ".join(parts) if parts else "false"


def _condition(table: str, columns: list[str], scope: Scope) -> str:
    """The WHERE condition that keeps ``table``'s rows in ``scope`` (see the module doc)."""
    if table in REFERENCE_TABLES:
        return "true"
    in_scope = "opportunity_id IN (SELECT opportunity_id FROM _scope_opportunities)"
    if "segment_dimension" in columns and "segment_value" in columns:
        parts = [_segments(scope)]
        if "opportunity_id" in columns:
            parts.append(in_scope)
        if "owner_id" in columns:
            parts.append(_in("owner_id", scope.owners))
        return " OR ".join(f"({p})" for p in parts)
    if "opportunity_id" in columns:
        return in_scope
    return _direct(scope, columns)


def scoped_connection(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Shadow every table of ``con``'s database with a temporary view holding only ``scope``.

    ``con`` is a read-only connection to a snapshot; temporary objects live in memory, so the
    file is not touched. Unqualified and ``main.``-qualified names both resolve to the views.
    """
    if scope.everything:
        return
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = 'main'"
        " ORDER BY table_name, ordinal_position"
    ).fetchall():
        columns.setdefault(str(table), []).append(str(column))
    catalog = con.execute("SELECT current_database()").fetchone()
    assert catalog is not None
    source = f'"{_ident(str(catalog[0]))}".main'
    opportunities = columns.get("dim_opportunities", [])
    con.execute(
        "CREATE TEMP TABLE _scope_opportunities AS "
        + (
            f"SELECT opportunity_id FROM {source}.dim_opportunities"
            f" WHERE {_direct(scope, opportunities)}"
            if "opportunity_id" in opportunities
            else "SELECT CAST(NULL AS VARCHAR) AS opportunity_id WHERE false"
        )
    )
    for name, cols in columns.items():
        nulled = ", ".join(f'NULL AS "{_ident(c)}"' for c in cols if c.startswith("benchmark_"))
        replace = f" REPLACE ({nulled})" if nulled else ""
        con.execute(
            f'CREATE TEMP VIEW "{_ident(name)}" AS SELECT *{replace}'
            f' FROM {source}."{_ident(name)}" WHERE {_condition(name, cols, scope)}'
        )


def _ident(name: str) -> str:
    return name.replace('"', '""')


def _literal(value: str) -> str:
    if "\x00" in value:
        raise ScopeFileError(f"a scope value contains a NUL character: {value!r}")
    return "'" + value.replace("'", "''") + "'"
