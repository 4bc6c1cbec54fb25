"""AppTest helpers shared by the page tests: open a page in a language, set widgets, read charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
