"""Sign-in gate drawn before any page: OIDC (``st.login``), a password form, or nothing.

``gate()`` returns True when the pages may run: always in local mode; otherwise once the user
has signed in and is in the access scope file. The signed-in user and what they see are shown
in the sidebar with a sign-out button. The rows themselves are filtered in the data layer
(``data/scope.py``), not here.
"""

from __future__ import annotations

from typing import Final

import streamlit as st
from data import identity, scope

from ui.i18n import t

USER_KEY: Final[str] = "login_user"
PASSWORD_KEY: Final[str] = "login_password"
SUBMIT_KEY: Final[str] = "login_submit"
LOGOUT_KEY: Final[str] = "logout"


def gate() -> bool:
    """Whether to run the pages; otherwise the sign-in form (or an explanation) is shown."""
    mode = identity.auth_mode()
    if mode == "none":
        return True
    try:
        user = identity.current_user()
        if user is None:
            if mode == "oidc":
                _oidc_form()
            else:
                _password_form()
            return False
        user_scope = identity.current_scope()
    except (identity.AuthConfigError, scope.ScopeFileError) as exc:
        st.error(t("login.config_error", error=exc), icon=":material/error:")
        return False
    _signed_in(mode, user, user_scope)
    if user_scope == scope.NO_ACCESS:
        st.warning(t("login.no_access", user=user), icon=":material/lock:")
        return False
    return True


def _oidc_form() -> None:
    st.title(t("login.title"))
    st.caption(t("login.oidc.help"))
    st.button(t("login.oidc"), on_click=st.login, type="primary")


def _password_form() -> None:
    st.title(t("login.title"))
    with st.form("login"):
        user = st.text_input(t("login.user"), key=USER_KEY)
        password = st.text_input(t("login.password"), type="password", key=PASSWORD_KEY)
        submitted = st.form_submit_button(t("login.submit"), type="primary", key=SUBMIT_KEY)
    if not submitted:
        return
    signed_in = identity.check_login(user, password)
    if signed_in is None:
        st.error(t("login.failed"), icon=":material/lock:")
        return
    st.session_state[identity.SESSION_USER_KEY] = signed_in
    st.rerun()


def _signed_in(mode: str, user: str, user_scope: scope.Scope) -> None:
    st.sidebar.caption(t("login.signed_in", user=user))
    if user_scope.everything:
        seen = t("login.scope.all")
    else:
        seen = " · ".join(
            ", ".join(values)
            for values in (user_scope.regions, user_scope.teams, user_scope.owners)
            if values
        )
    if user_scope != scope.NO_ACCESS:
        st.sidebar.caption(t("login.scope", scope=seen))
    if st.sidebar.button(t("login.logout"), key=LOGOUT_KEY):
        if mode == "oidc":
            st.logout()
        else:
            st.session_state.pop(identity.SESSION_USER_KEY, None)
            st.rerun()
