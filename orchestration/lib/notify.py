"""Deliver an operations alert: always a log line; a webhook and an e-mail when configured.

Configuration comes only from the environment (never from the repository):

- ``FUNNEL_ALERT_WEBHOOK_URL``: POST ``{"text": ..., "title": ..., **fields}`` as JSON
  (the ``text`` key is what Slack, Mattermost and most chat webhooks display);
- ``FUNNEL_ALERT_EMAIL_TO`` (comma-separated) with ``FUNNEL_SMTP_HOST``, optional
  ``FUNNEL_SMTP_PORT`` (default 25; 465 means SMTP over TLS, otherwise STARTTLS is used when the
  server offers it), ``FUNNEL_SMTP_USER`` / ``FUNNEL_SMTP_PASSWORD`` and
  ``FUNNEL_ALERT_EMAIL_FROM`` (default ``funnel-warehouse@localhost``).

A delivery that fails is logged and reported back; it never raises, so an unreachable webhook
cannot hide the alert's log line.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage

LOGGER = logging.getLogger("funnel.alerts")
TIMEOUT_SECONDS = 10


def send_alert(title: str, text: str, fields: Mapping[str, str] | None = None) -> list[str]:
    """Log the alert, then deliver it to every configured channel; return delivery problems."""
    LOGGER.error("ALERT %s: %s", title, text)
    problems: list[str] = []
    url = os.environ.get("FUNNEL_ALERT_WEBHOOK_URL", "").strip()
    if url:
        problems += _post_webhook(url, title, text, fields or {})
    recipients = [a.strip() for a in os.environ.get("FUNNEL_ALERT_EMAIL_TO", "").split(",")]
    recipients = [a for a in recipients if a]
    if recipients:
        problems += _send_email(recipients, title, text)
    for problem in problems:
        LOGGER.warning("alert delivery failed: %s", problem)
    return problems


def _post_webhook(url: str, title: str, text: str, fields: Mapping[str, str]) -> list[str]:
    body = json.dumps({"title": title, "text": f"{title}\n{text}", **fields}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if response.status >= 300:
                return [f"webhook answered HTTP {response.status}"]
    except OSError as error:  # URLError, HTTPError, timeouts
        return [f"webhook: {error}"]
    return []


def _send_email(recipients: list[str], title: str, text: str) -> list[str]:
    host = os.environ.get("FUNNEL_SMTP_HOST", "").strip()
    if not host:
        return ["FUNNEL_ALERT_EMAIL_TO is set but FUNNEL_SMTP_HOST is not"]
    port = int(os.environ.get("FUNNEL_SMTP_PORT") or "25")
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = os.environ.get("FUNNEL_ALERT_EMAIL_FROM") or "funnel-warehouse@localhost"
    message["To"] = ", ".join(recipients)
    message.set_content(text)
    user = os.environ.get("FUNNEL_SMTP_USER", "")
    try:
        smtp_class = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
        with smtp_class(host, port, timeout=TIMEOUT_SECONDS) as smtp:
            if port != 465 and smtp.has_extn("starttls"):
                smtp.starttls()
            if user:
                smtp.login(user, os.environ.get("FUNNEL_SMTP_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        return [f"e-mail via {host}:{port}: {error}"]
    return []
