"""Each channel's message format and transport.

- **WeCom** (企业微信) group bot: ``{"msgtype": "markdown", "markdown": {"content": ...}}``, content
  at most 4096 bytes; success is ``errcode == 0``.
- **DingTalk** (钉钉) group bot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a
  signing secret, ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret,
  "<timestamp>\\n<secret>")) are added to the URL; success is ``errcode == 0``.
- **Feishu** (飞书) group bot: ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title",
  "content": [[{"tag": "text", "text"}], ...]}}}}``; with a secret, ``timestamp`` (s) and ``sign``
  = base64(HMAC-SHA256 keyed by "<timestamp>\\n<secret>" over an empty message) go in the body;
  success is ``code == 0`` (``StatusCode`` on older bots).
- **JSON**: the digest as a JSON document (``digest.as_json``); any 2xx is success.
- **E-mail**: a plain-text message over SMTP (optional STARTTLS and login) to the rep's address
  from the delivery settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from typing import Any

from orchestration.delivery.config import Channel, DeliveryConfig
from orchestration.delivery.digest import Digest, as_json, render_markdown, render_text, title

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18_000
FEISHU_MAX_BYTES = 25_000


class DeliveryError(Exception):
    """A send that failed; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class NoAddressError(Exception):
    """The recipient has no address for this channel (skipped, not failed)."""


def fit_bytes(text: str, limit: int) -> str:
    """``text`` cut at a line boundary to at most ``limit`` UTF-8 bytes, saying what was cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        note = f"… 另有 {len(lines) - i} 行 / {len(lines) - i} more lines"
        candidate = "\n".join([*kept, line, note])
        if len(candidate.encode("utf-8")) > limit:
            return "\n".join([*kept, note])
        kept.append(line)
    return "\n".join(kept)


def _sign(secret: str, timestamp: str, message: bytes | None) -> str:
    string_to_sign = f"{timestamp}\n{secret}".encode()
    if message is None:  # DingTalk: key = secret, message = string_to_sign
        digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    else:  # Feishu: key = string_to_sign, message = empty
        digest = hmac.new(string_to_sign, message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_request(
    channel: Channel,
    digest: Digest,
    config: DeliveryConfig,
    now: float | None = None,
    dry_run: bool = False,
) -> tuple[str, dict[str, Any]]:
    """(URL, JSON body) of the webhook call for ``digest`` on ``channel``. A dry run needs no
    secret: the URL may be unset and nothing is signed."""
    url = channel.env("url", required=not dry_run) or ""
    secret = None if dry_run else channel.env("secret", required=False)
    now = time.time() if now is None else now
    if channel.type == "wecom":
        content = fit_bytes(render_markdown(digest, config.dashboard_url), WECOM_MAX_BYTES)
        return url, {"msgtype": "markdown", "markdown": {"content": content}}
    if channel.type == "dingtalk":
        text = fit_bytes(render_markdown(digest, config.dashboard_url), DINGTALK_MAX_BYTES)
        if secret:
            timestamp = str(round(now * 1000))
            sign = urllib.parse.quote_plus(_sign(secret, timestamp, None))
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
        return url, {"msgtype": "markdown", "markdown": {"title": title(digest), "text": text}}
    if channel.type == "feishu":
        text = fit_bytes(render_text(digest, config.dashboard_url), FEISHU_MAX_BYTES)
        lines = text.split("\n")[2:]  # the title has its own field
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {
                "post": {
                    "zh_cn": {
                        "title": title(digest),
                        "content": [[{"tag": "text", "text": line}] for line in lines if line],
                    }
                }
            },
        }
        if secret:
            timestamp = str(int(now))
            body = {"timestamp": timestamp, "sign": _sign(secret, timestamp, b""), **body}
        return url, body
    if channel.type == "json":
        return url, as_json(digest)
    raise ValueError(f"channel {channel.name} of type {channel.type} is not a webhook")


def _check_reply(channel: Channel, status: int, text: str) -> None:
    if not 200 <= status < 300:
        raise DeliveryError(f"{channel.name}: HTTP {status}: {text[:200]}", retry=status >= 500)
    if channel.type == "json":
        return
    try:
        reply = json.loads(text or "{}")
    except json.JSONDecodeError as error:
        raise DeliveryError(f"{channel.name}: reply is not JSON: {text[:200]}") from error
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
    if code != 0:
        message = reply.get("errmsg") or reply.get("msg") or reply.get("StatusMessage")
        raise DeliveryError(f"{channel.name}: error {code}: {message}")


def post_webhook(channel: Channel, digest: Digest, config: DeliveryConfig) -> None:
    url, body = webhook_request(channel, digest, config)
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:
            _check_reply(channel, response.status, response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        _check_reply(channel, error.code, error.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise DeliveryError(f"{channel.name}: {error}") from error


def email_message(channel: Channel, digest: Digest, config: DeliveryConfig) -> EmailMessage:
    address = config.emails.get(digest.recipient.rep_id)
    if not address:
        raise NoAddressError(
            f"no e-mail address for {digest.recipient.rep_id} in the delivery settings"
        )
    message = EmailMessage()
    message["Subject"] = title(digest)
    message["From"] = str(channel.settings.get("from_address") or "funnel-alerts@localhost")
    message["To"] = address
    message.set_content(render_text(digest, config.dashboard_url))
    return message


def send_email(channel: Channel, digest: Digest, config: DeliveryConfig) -> None:
    message = email_message(channel, digest, config)
    host = channel.env("host") or ""
    port = int(channel.env("port", required=False) or 25)
    try:
        with smtplib.SMTP(host, port, timeout=config.timeout_seconds) as smtp:
            if channel.settings.get("starttls"):
                smtp.starttls()
            username = channel.env("username", required=False)
            if username:
                smtp.login(username, channel.env("password", required=False) or "")
            smtp.send_message(message)
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(
            f"{channel.name}: SMTP {error.smtp_code} {error.smtp_error!r}",
            retry=error.smtp_code >= 400 and error.smtp_code < 500,
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{channel.name}: {error}") from error


def send(channel: Channel, digest: Digest, config: DeliveryConfig) -> None:
    if channel.type == "email":
        send_email(channel, digest, config)
    else:
        post_webhook(channel, digest, config)


def dry_run_document(channel: Channel, digest: Digest, config: DeliveryConfig) -> tuple[str, str]:
    """(file suffix, content) of what would be sent: the JSON body, or the e-mail as text."""
    if channel.type == "email":
        return ".eml", email_message(channel, digest, config).as_string()
    _, body = webhook_request(channel, digest, config, dry_run=True)
    return ".json", json.dumps(body, ensure_ascii=False, indent=2) + "\n"
