"""Print a password-file line for the dashboards' password sign-in mode.

Usage (from the repo root): ``python dashboards/hash_password.py <user>``; it asks for the
password twice and prints ``<user>:pbkdf2_sha256$...``. Append the line to the file that
``$FUNNEL_DASHBOARD_PASSWORDS`` names (keep it outside git). See docs/dashboards_security.md.
"""

from __future__ import annotations

import getpass
import sys

from data.identity import hash_password


def main(argv: list[str]) -> int:
    if len(argv) != 1 or ":" in argv[0] or not argv[0].strip():
        print("usage: python dashboards/hash_password.py <user>  (no ':' in the name)")
        return 2
    password = getpass.getpass("Password: ")
    if not password or password != getpass.getpass("Again: "):
        print("The passwords are empty or differ; nothing written.", file=sys.stderr)
        return 1
    print(f"{argv[0].strip()}:{hash_password(password)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
