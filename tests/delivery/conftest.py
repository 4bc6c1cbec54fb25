"""Local receivers on 127.0.0.1 (an HTTP server standing in for the WeCom, DingTalk, Feishu and
JSON webhooks, and an aiosmtpd SMTP server), and a hand-made build database of alerts.

The organisation: M1 manages R1 and R2 (team east-1, region east); M2 manages R3 (team
west-1, region west). The alerts of day 1 (2026-06-29):

| key | type | level | opportunity (owner) | segment |
|---|---|---|---|---|
| A | stalled | remind | OPP1 (R1) | |
| B | renewal_due | | OPP2 (R2) | |
| C | weak_transition | | | region = east |
| D | weak_transition | | | region = west |
| E | stalled | warn | OPP3 (R3) | |

so owners get R1: A, R2: B, R3: E; managers get M1: B, C (A is only a reminder) and M2: D, E.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from aiosmtpd.controller import Controller

REPS = [
    ("M1", "王经理", "east-1", "east", None),
    ("R1", "张伟", "east-1", "east", "M1"),
    ("R2", "李娜", "east-1", "east", "M1"),
    ("M2", "陈经理", "west-1", "west", None),
    ("R3", "刘洋", "west-1", "west", "M2"),
]
OPPORTUNITIES = [("OPP1", "华东电网扩容"), ("OPP2", "上海续约"), ("OPP3", "成都平台")]
# key, type, severity, severity_rank, level, opportunity, owner, dimension, value
DAY_ONE = [
    ("A", "stalled", "low", 3, "remind", "OPP1", "R1", "importance", "SMB"),
    ("B", "renewal_due", "medium", 2, None, "OPP2", "R2", "importance", "SMB"),
    ("C", "weak_transition", "high", 1, None, None, None, "region", "east"),
    ("D", "weak_transition", "high", 1, None, None, None, "region", "west"),
    ("E", "stalled", "medium", 2, "warn", "OPP3", "R3", "importance", "SMB"),
]


def write_alerts(con: duckdb.DuckDBPyConnection, alerts: list[tuple[Any, ...]]) -> None:
    con.execute("delete from marts.mart_bottleneck_alerts")
    for rank, row in enumerate(alerts, start=1):
        con.execute(
            "insert into marts.mart_bottleneck_alerts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*row, f"detail {row[0]}", f"详情 {row[0]}", rank],
        )


@pytest.fixture
def alerts_db(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_sales_reps (rep_id varchar, rep_name varchar, team varchar, "
        "region varchar, manager_id varchar, is_current boolean)"
    )
    con.executemany("insert into marts.dim_sales_reps values (?, ?, ?, ?, ?, true)", REPS)
    con.execute(
        "create table marts.dim_opportunities (opportunity_id varchar, opportunity_name varchar)"
    )
    con.executemany("insert into marts.dim_opportunities values (?, ?)", OPPORTUNITIES)
    con.execute(
        "create table marts.mart_bottleneck_alerts (alert_key varchar, alert_type varchar, "
        "severity varchar, severity_rank int, escalation_level varchar, opportunity_id varchar, "
        "owner_id varchar, segment_dimension varchar, segment_value varchar, detail varchar, "
        "detail_zh varchar, alert_rank int)"
    )
    write_alerts(con, DAY_ONE)
    yield con
    con.close()


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]


@dataclass
class HttpReceiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # path -> list of (status, reply body) to serve in turn; the last one repeats
    replies: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


OK_REPLIES = {
    "/wecom": (200, {"errcode": 0, "errmsg": "ok"}),
    "/dingtalk": (200, {"errcode": 0, "errmsg": "ok"}),
    "/feishu": (200, {"code": 0, "msg": "success", "data": {}}),
}


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server API)
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            receiver.requests.append(Received(parsed.path, parse_qs(parsed.query), body))
            queue = receiver.replies.get(parsed.path)
            if queue:
                status, reply = queue.pop(0) if len(queue) > 1 else queue[0]
            else:
                status, reply = OK_REPLIES.get(parsed.path, (200, {"ok": True}))
            payload = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


class MailBox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_receiver() -> Iterator[tuple[MailBox, int]]:
    with socket.socket() as probe:  # a free port (aiosmtpd needs a fixed one to check on)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
