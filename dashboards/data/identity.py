"""Who is using the dashboards, and so which rows they may see (``scope.Scope``).

Three modes, chosen from the configuration (``docs/dashboards_security.md``):

- ``oidc``: ``.streamlit/secrets.toml`` has an ``[auth]`` section; users sign in with
  Streamlit's ``st.login`` and are known by ``st.user.email``.
- ``password``: ``$FUNNEL_DASHBOARD_PASSWORDS`` names a file (kept outside git) of
  ``user:pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` lines, written by
  ``python dashboards/hash_password.py``; the sign-in form keeps the user in the session.
- ``none`` (default): local single-user mode, full scope; the app binds 127.0.0.1.

In ``oidc`` and ``password`` mode a user's scope comes from the sales-ops file
(``scope.scope_file()``); a user not listed there sees nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Final, Literal

import streamlit as st

from . import scope

PASSWORDS_ENV: Final[str] = "FUNNEL_DASHBOARD_PASSWORDS"
SESSION_USER_KEY: Final[str] = "_auth_user"
HASH_SCHEME: Final[str] = "pbkdf2_sha256"
DEFAULT_ITERATIONS: Final[int] = 600_000
AuthMode = Literal["oidc", "password", "none"]


class AuthConfigError(ValueError):
    """The password file is missing or malformed; the message names file and line."""


def auth_mode() -> AuthMode:
    if _oidc_configured():
        return "oidc"
    if os.environ.get(PASSWORDS_ENV, "").strip():
        return "password"
    return "none"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return False


def current_user() -> str | None:
    """The signed-in user (e-mail or user name), ``None`` when nobody is signed in."""
    mode = auth_mode()
    if mode == "oidc":
        if not st.user.get("is_logged_in", False):  # absent until Streamlit sees [auth]
            return None
        email = st.user.get("email")
        return str(email) if email else None
    if mode == "password":
        user = st.session_state.get(SESSION_USER_KEY)
        return str(user) if user else None
    return None


def current_scope() -> scope.Scope:
    """The rows the current user may see: everything in local mode, else their scope."""
    if auth_mode() == "none":
        return scope.FULL
    user = current_user()
    if user is None:
        return scope.NO_ACCESS
    return scope.scope_for(user, scope.configured_scopes())


# -------------------------------------------------------------------------- password mode


def hash_password(password: str, iterations: int = DEFAULT_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hash>`` for one password (random salt)."""
    if "\x00" in password:
        raise ValueError("a password cannot contain a NUL character")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{HASH_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def load_passwords(path: Path) -> dict[str, str]:
    """``user -> hash`` from the password file; blank lines and ``#`` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AuthConfigError(f"{path}: cannot read the password file ({exc})") from exc
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        user, sep, stored = text.partition(":")
        if not sep or not user.strip() or len(stored.split("$")) != 4:
            raise AuthConfigError(
                f"{path}, line {number}: expected user:{HASH_SCHEME}$iterations$salt$hash"
            )
        users[user.strip().lower()] = stored.strip()
    return users


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``hash_password`` result (constant-time compare)."""
    if "\x00" in password:  # HMAC pads keys with NUL bytes: "pw" and "pw\0" would match
        return False
    try:
        scheme, iterations, salt, expected = stored.split("$")
        if scheme != HASH_SCHEME:
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations)
        )
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


def check_login(user: str, password: str) -> str | None:
    """The canonical user name when ``user`` / ``password`` match the password file."""
    users = load_passwords(Path(os.environ[PASSWORDS_ENV]).expanduser())
    key = user.strip().lower()
    stored = users.get(key)
    if stored is None:
        verify_password(password, hash_password("-", 1))  # similar work for unknown users
        return None
    return key if verify_password(password, stored) else None
