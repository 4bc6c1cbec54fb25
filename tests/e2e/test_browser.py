"""End to end: the running app in headless Chromium opens every page without a Streamlit exception.

Debian's ``/usr/bin/chromium`` (``make browser``) is driven by Playwright; nothing is downloaded.
The app serves the demo warehouse on a free localhost port: the session's demo pipeline
(tests/conftest.py, the generator's data after a full refresh: what `make demo` shows), or
``FUNNEL_E2E_WAREHOUSE=<warehouse folder>`` for any other published warehouse. Every page must
render without a Streamlit exception and, on the demo data, without a "no data" message (a
newcomer must see real numbers on every page). One screenshot per page lands in
``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.ui.i18n import TEXT

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# url path → the page's title (st.title) in Chinese, the default language; the default page
# (overview) is served at the root
PAGES = {
    "": "总览",
    "funnel": "销售漏斗",
    "conversion": "转化与停留",
    "forecast": "预测与目标",
    "alerts": "预警",
    "health": "数据健康",
}
# the messages a page shows instead of a chart or table when its data is empty (zh: the app's
# default language)
EMPTY_MESSAGES = [
    TEXT[key][0]
    for key in (
        "no_periods",
        "empty.no_rows",
        "conv.trend.empty",
        "overview.no_row",
        "overview.no_forecast",
        "funnel.empty",
        "funnel.dwell.empty",
        "alerts.none",
        "drill.none",
    )
]
STARTUP_SECONDS = 60
RENDER_TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed: run `make browser`"
    ),
    # the demo pipeline's refresh is fetched with getfixturevalue: share its xdist worker
    pytest.mark.xdist_group("demo_pipeline"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="module")
def app_url(request: pytest.FixtureRequest) -> Iterator[str]:
    real = os.environ.get("FUNNEL_E2E_WAREHOUSE", "").strip()
    if real:
        root = Path(real).resolve()
    else:
        request.getfixturevalue("first_run")
        root = request.getfixturevalue("pipeline").warehouse
    port = _free_port()
    env = {**os.environ, "FUNNEL_WAREHOUSE": str(root), "FUNNEL_DASHBOARD_LANG": "zh"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO_ROOT / "dashboards" / "streamlit_app.py"),
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--server.headless=true",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_every_page_renders_in_chromium(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data-dir
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1440, "height": 2000},  # the main area scrolls: show more of it
            locale="zh-CN",
        )
        try:
            page = browser.new_page()
            for path, title in PAGES.items():
                if not path:  # load the app once, then move like a user, by the sidebar
                    page.goto(app_url, wait_until="domcontentloaded")
                else:
                    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
                    page.wait_for_url(f"**/{path}", timeout=RENDER_TIMEOUT_MS)
                page.get_by_role("heading", name=title, level=1).wait_for(timeout=RENDER_TIMEOUT_MS)
                # the page's script run has finished (Streamlit marks its root element)
                page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
                    timeout=RENDER_TIMEOUT_MS
                )
                page.wait_for_timeout(1200)  # let plotly draw before the screenshot
                name = path or "overview"
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
                errors = page.locator('[data-testid="stException"]')
                if errors.count():
                    problems.append(f"{name}: {errors.first.inner_text()[:500]}")
                for message in EMPTY_MESSAGES:
                    if page.get_by_text(message.split("{")[0].strip()).count():
                        problems.append(f"{name}: shows an empty-data message: {message!r}")
                if page.get_by_text("Page not found").count():
                    problems.append(f"{name}: Streamlit says the page does not exist")

        finally:
            browser.close()
    assert not problems, "\n".join(problems)
    assert sorted(p.stem for p in SCREENSHOTS.glob("*.png")) == sorted(
        p or "overview" for p in PAGES
    )
