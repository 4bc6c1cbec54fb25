"""No secret in the repository; the dashboards and the Dagster UI listen on 127.0.0.1 only."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Shapes of real credentials. Environment variable *names* (FUNNEL_SMTP_PASSWORD) are fine;
# values are not.
SECRET_PATTERNS: dict[str, re.Pattern[str]] = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token or webhook": re.compile(
        r"\bxox[abprs]-[A-Za-z0-9-]{10,}|hooks\.slack\.com/services/T[A-Za-z0-9/]+"
    ),
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9]{32,}\b"),
    "credentials in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]{3,}@"),
    "assigned secret": re.compile(
        r"(?i)(?:password|passwd|secret|api_?key|token)\s*[:=]\s*"
        r"[\"'][^\"'\s]{8,}[\"']"
    ),
}
NEVER_TRACKED = (".env", ".streamlit/secrets.toml")


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [REPO_ROOT / name for name in listed.split("\0") if name]


def secrets_in(text: str) -> list[str]:
    return [kind for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key"),
        ("aws_key = AKIAIOSFODNN7EXAMPLE", "AWS access key"),
        ("token: ghp_" + "a" * 36, "GitHub token"),
        ("https://hooks.slack.com/services/T000/B000/XXXX", "Slack token or webhook"),
        ("url = 'postgresql://funnel:hunter2hunter2@db:5432/x'", "credentials in a URL"),
        ('SMTP_PASSWORD = "correct-horse-battery"', "assigned secret"),
    ],
)
def test_the_scanner_finds_each_kind_of_secret(text: str, kind: str) -> None:
    assert kind in secrets_in(text)


def test_environment_variable_names_are_not_secrets() -> None:
    assert secrets_in('os.environ.get("FUNNEL_SMTP_PASSWORD", "")') == []
    assert secrets_in("FUNNEL_ALERT_WEBHOOK_URL=") == []


def test_no_tracked_file_holds_a_secret() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file():
            continue  # deleted in the work tree
        text = path.read_bytes()[:2_000_000].decode("utf-8", errors="ignore")
        if path.resolve() == Path(__file__).resolve():
            continue  # this file spells the patterns out
        found += [f"{path.relative_to(REPO_ROOT)}: {kind}" for kind in secrets_in(text)]
    assert found == []


def test_secret_files_are_ignored_and_untracked() -> None:
    names = {str(path.relative_to(REPO_ROOT)) for path in tracked_files()}
    for name in NEVER_TRACKED:
        assert name not in names
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=REPO_ROOT)
        assert ignored.returncode == 0, f"{name} is not git-ignored"


def test_the_dashboards_and_dagster_ui_bind_localhost_only() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    streamlit = re.findall(r"streamlit run [^\n]*(?:\\\n[^\n]*)*", makefile)
    assert streamlit, "the Makefile no longer starts the dashboards"
    for command in streamlit:
        assert re.search(r"--server\.address[ =]127\.0\.0\.1\b", command), command
    dagster = re.findall(r"dagster dev [^\n]*", makefile)
    assert dagster, "the Makefile no longer starts the Dagster UI"
    for command in dagster:
        assert re.search(r"(?:-h|--host)[ =]127\.0\.0\.1\b", command), command
    assert "0.0.0.0" not in makefile
    config = REPO_ROOT / ".streamlit" / "config.toml"
    if config.exists():  # a config file, if any, must not widen it
        text = config.read_text(encoding="utf-8")
        address = re.search(r'^\s*address\s*=\s*"([^"]*)"', text, re.M)
        assert address is None or address.group(1) in ("127.0.0.1", "localhost")
