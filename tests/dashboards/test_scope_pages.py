"""Row-level scope through the app: a signed-in east-1 manager opens every page, every drill-down
and every CSV export, and never sees a row of west-1 (OPP2, OPP3, 华北, 华南, ACC9, the hostile
segment). Password sign-in mode, with a password file and scope file written here.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from data import identity
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe
from ui import csv_export, drilldown

from .apptest import APP, password_sign_in
from .conftest import REPO_ROOT

FOREIGN = ("OPP2", "OPP3", "west-1", "华北", "华南", "ACC9", "DROP TABLE")
PAGES = ("overview", "funnel", "conversion", "forecast", "alerts", "health")
PASSWORD = "correct horse"  # noqa: S105 - a test password


@pytest.fixture
def sign_in(warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Password mode for east@example.com (scoped) and nobody@example.com (not in the scope file);
    returns the list every CSV export's bytes are appended to."""
    password_sign_in(
        tmp_path,
        monkeypatch,
        PASSWORD,
        ["east@example.com", "nobody@example.com"],
        "East@Example.com: {regions: [华东], teams: [east-1]}",
    )
    exported: list[bytes] = []

    def recording(frame):  # type: ignore[no-untyped-def]
        data = real(frame)
        exported.append(data)
        return data

    real = csv_export.csv_bytes
    monkeypatch.setattr(csv_export, "csv_bytes", recording)  # the alerts page imports it per run
    monkeypatch.setattr(drilldown, "csv_bytes", recording)
    return exported


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = "en"
    at.session_state["g_grain"] = "month"
    return at.run()


def _log_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    return at


def shown_text(at: AppTest) -> str:
    """Everything the run drew: table cells, chart data, texts, widget options."""
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, Dataframe):
            parts.append(node.value.to_csv())
        elif (proto := getattr(node, "proto", None)) is not None:
            spec = getattr(proto, "spec", "")
            if isinstance(spec, str) and spec.startswith("{"):  # plotly: un-escape non-ASCII
                parts.append(json.dumps(json.loads(spec), ensure_ascii=False))
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def _visit(at: AppTest, seen: list[str]) -> None:
    """Record this run, then every option of each drill-down and alert selector on the page."""
    seen.append(shown_text(at))
    for kind in ("selectbox", "button_group"):
        for widget in list(getattr(at, kind)):
            key = widget.key or ""
            if "drill" not in key and key != "alerts_type":
                continue
            for option in list(widget.options):
                value = getattr(option, "content", option)
                try:
                    getattr(at, kind)(key=key).set_value(value).run()
                except Exception:  # an option label that is not its value: skip it
                    continue
                assert not at.exception, at.exception
                seen.append(shown_text(at))


def test_sign_in_is_required_and_wrong_passwords_are_refused(sign_in) -> None:
    at = _app()
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    _log_in(at, "east@example.com", "wrong")
    assert "Wrong user name or password." in [e.value for e in at.error]
    assert not at.dataframe and not at.metric
    _log_in(at, "nobody@example.com", PASSWORD)  # right password, not in the scope file
    assert any("not in the access scope file" in w.value for w in at.warning)
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")


def test_a_scoped_user_sees_only_their_rows_on_every_page_drill_down_and_export(
    sign_in,
) -> None:
    at = _log_in(_app(), "East@Example.com", PASSWORD)
    assert at.session_state[identity.SESSION_USER_KEY] == "east@example.com"
    assert any("Signed in as east@example.com" in c.value for c in at.sidebar.caption)
    seen: list[str] = []
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        _visit(at, seen)
    text = "\n".join(seen)
    assert not [token for token in FOREIGN if token in text]
    assert "OPP1" in text and "east-1" in text and "华东" in text  # their own rows are shown
    assert sign_in, "no CSV export was produced"
    exports = b"\n".join(sign_in).decode("utf-8-sig")
    assert "OPP" in exports
    assert not [token for token in FOREIGN if token in exports]


def test_local_mode_shows_the_rows_the_scoped_user_does_not_get(warehouse) -> None:
    """The check above can fail: without sign-in the same walk sees west-1's rows."""
    at = _app()
    assert not at.exception
    assert "OPP2" in shown_text(at)  # June's won deals on the overview drill-down


def test_oidc_mode_asks_for_single_sign_on_before_showing_anything(warehouse) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = "en"
    example = tomllib.loads((REPO_ROOT / ".streamlit" / "secrets.toml.example").read_text())
    at.secrets["auth"] = example["auth"]  # the documented shape, as st.login reads it
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Sign in with single sign-on"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert set(example["auth"]) >= {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }


def test_an_oidc_user_gets_the_scope_of_their_email(
    warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scopes = tmp_path / "access_scope.yml"
    scopes.write_text(
        "access_scope:\n  users:\n    east@example.com: {teams: [east-1]}\n", encoding="utf-8"
    )
    monkeypatch.setenv("FUNNEL_ACCESS_SCOPE", str(scopes))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["lang"] = "en"
    at.secrets["auth"] = {"client_id": "x"}
    at.user = {"is_logged_in": True, "email": "East@Example.com"}
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    assert any("Signed in as East@Example.com" in c.value for c in at.sidebar.caption)
    text = shown_text(at)
    assert "east-1" in text
    assert not [token for token in FOREIGN if token in text]
