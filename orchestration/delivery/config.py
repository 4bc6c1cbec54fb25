"""The sales-ops delivery settings, ``definitions/delivery.yml`` (or ``$FUNNEL_DELIVERY_CONFIG``).
Secrets stay in environment variables; the file only names them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingestion.paths import REPO_ROOT

DEFAULT_PATH = REPO_ROOT / "definitions" / "delivery.yml"
CHANNEL_TYPES = ("wecom", "dingtalk", "feishu", "json", "email")
ROLES = ("owner", "manager")


class DeliveryConfigError(ValueError):
    """A bad value in the delivery settings (the message names the file and key)."""


@dataclass(frozen=True)
class Channel:
    name: str
    type: str
    settings: dict[str, Any]

    def env(self, key: str, required: bool = True) -> str | None:
        """The value of the environment variable named by ``<key>_env``."""
        variable = self.settings.get(f"{key}_env")
        value = os.environ.get(variable, "").strip() if variable else ""
        if required and not value:
            raise DeliveryConfigError(
                f"channel {self.name}: environment variable {variable or f'({key}_env unset)'} "
                "is not set"
            )
        return value or None


@dataclass(frozen=True)
class Route:
    role: str
    channel: str
    team: str = "*"
    region: str = "*"


@dataclass(frozen=True)
class DeliveryConfig:
    dry_run: bool = True
    retries: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 10.0
    dashboard_url: str = ""
    channels: dict[str, Channel] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    emails: dict[str, str] = field(default_factory=dict)


def config_path() -> Path:
    configured = os.environ.get("FUNNEL_DELIVERY_CONFIG", "").strip()
    if not configured:
        return DEFAULT_PATH
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path


def _dry_run(path: Path, block: dict[str, Any]) -> bool:
    override = os.environ.get("FUNNEL_DELIVERY_DRY_RUN", "").strip().lower()
    if override:
        if override not in ("1", "0", "true", "false"):
            raise DeliveryConfigError("FUNNEL_DELIVERY_DRY_RUN must be 1, 0, true or false")
        return override in ("1", "true")
    value = block.get("dry_run", True)
    if not isinstance(value, bool):
        raise DeliveryConfigError(f"{path}: delivery.dry_run must be true or false")
    return value


def _number(path: Path, block: dict[str, Any], key: str, default: float) -> float:
    value = block.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DeliveryConfigError(f"{path}: delivery.{key} must be a number >= 0")
    return float(value)


def _channels(path: Path, raw: Any) -> dict[str, Channel]:
    if not isinstance(raw, dict):
        raise DeliveryConfigError(f"{path}: delivery.channels must be a mapping of names")
    out: dict[str, Channel] = {}
    for name, settings in raw.items():
        if not isinstance(settings, dict) or settings.get("type") not in CHANNEL_TYPES:
            raise DeliveryConfigError(
                f"{path}: delivery.channels.{name}.type must be one of {', '.join(CHANNEL_TYPES)}"
            )
        needed = "host_env" if settings["type"] == "email" else "url_env"
        if not settings.get(needed):
            raise DeliveryConfigError(f"{path}: delivery.channels.{name} needs {needed}")
        out[str(name)] = Channel(str(name), settings["type"], dict(settings))
    return out


def _routes(path: Path, raw: Any, channels: dict[str, Channel]) -> tuple[Route, ...]:
    if not isinstance(raw, list):
        raise DeliveryConfigError(f"{path}: delivery.routes must be a list")
    out: list[Route] = []
    for i, item in enumerate(raw, start=1):
        where = f"{path}: delivery.routes[{i}]"
        if not isinstance(item, dict) or item.get("role") not in ROLES:
            raise DeliveryConfigError(f"{where}.role must be one of {', '.join(ROLES)}")
        if item.get("channel") not in channels:
            raise DeliveryConfigError(f"{where}.channel {item.get('channel')!r} is not a channel")
        unknown = set(item) - {"role", "channel", "team", "region"}
        if unknown:
            raise DeliveryConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        out.append(
            Route(
                item["role"],
                item["channel"],
                str(item.get("team", "*")),
                str(item.get("region", "*")),
            )
        )
    return tuple(out)


def load_config(path: Path | None = None) -> DeliveryConfig:
    path = path or config_path()
    if not path.exists():
        raise DeliveryConfigError(f"{path}: delivery settings file not found")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    block = raw.get("delivery") if isinstance(raw, dict) else None
    if not isinstance(block, dict):
        raise DeliveryConfigError(f"{path}: needs a `delivery:` mapping")
    channels = _channels(path, block.get("channels") or {})
    emails = block.get("emails") or {}
    if not isinstance(emails, dict):
        raise DeliveryConfigError(f"{path}: delivery.emails must map rep ids to addresses")
    return DeliveryConfig(
        dry_run=_dry_run(path, block),
        retries=int(_number(path, block, "retries", 3)),
        backoff_seconds=_number(path, block, "backoff_seconds", 2.0),
        timeout_seconds=_number(path, block, "timeout_seconds", 10.0),
        dashboard_url=str(block.get("dashboard_url") or ""),
        channels=channels,
        routes=_routes(path, block.get("routes") or [], channels),
        emails={str(k): str(v) for k, v in emails.items()},
    )
