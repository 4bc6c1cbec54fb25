"""AppTest helpers shared by the page tests: open a page in a language, set widgets, read charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from data import identity
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"


def open_page(page: str | None = None, lang: str = "en", grain: str = "month") -> AppTest:
    """The app run once (default page), then switched to ``app_pages/<page>.py``.

    The fixture's numbers are mostly monthly: the grain starts at ``grain``, not the app's
    default (quarter).
    """
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = lang
    at.session_state["g_grain"] = grain
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
    return at


def set_widget(at: AppTest, kind: str, key: str, value: Any) -> AppTest:
    """Set a keyed widget (``selectbox``, ``radio``, ``date_input``, ...) and rerun."""
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, at.exception
    return at


def chart(at: AppTest, key: str) -> list[dict[str, Any]]:
    """The traces of the plotly chart with widget key ``key``."""
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if element.proto.id.endswith(f"-{key}"):
            return list(spec["data"])
    raise AssertionError(f"no plotly chart {key!r}")


def chart_keys(at: AppTest) -> list[str]:
    return [element.proto.id for element in at.get("plotly_chart")]


def password_sign_in(
    folder: Path, monkeypatch: pytest.MonkeyPatch, password: str, users: list[str], scopes: str
) -> None:
    """Password sign-in mode: each of ``users`` signs in with ``password``; ``scopes`` is the
    ``access_scope.users`` mapping of the scope file, one YAML line per user."""
    stored = identity.hash_password(password, iterations=1000)
    passwords = folder / "passwords"
    passwords.write_text("".join(f"{user}:{stored}\n" for user in users), encoding="utf-8")
    scope_file = folder / "access_scope.yml"
    scope_file.write_text(f"access_scope:\n  users:\n    {scopes}\n", encoding="utf-8")
    monkeypatch.setenv(identity.PASSWORDS_ENV, str(passwords))
    monkeypatch.setenv("FUNNEL_ACCESS_SCOPE", str(scope_file))
