"""Ways to authenticate: a given token, an API key, or a username and password exchanged for tokens.

Tokens go in the `X-Esri-Authorization: Bearer` header, never in URLs. A password-based auth refreshes the
token shortly before it expires (proactive) and once after the server says 498 (reactive); the session
never retries a refreshed request more than once, so a bad server cannot make it loop.

The grants below speak the generic protocols (ArcGIS generateToken, OAuth2 implicit flow); the generated
clients hand them the operations to call.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import attrs

from .errors import ArcGISError, BadRequest, SignInError

Clock = Callable[[], float]  # seconds since the epoch


@attrs.frozen
class TokenGrant:
    token: str = attrs.field(repr=False)
    expires: datetime | None  # None: the server did not say


class Auth(Protocol):
    def token(self) -> str | None:
        """The token to send now (fetching or refreshing it first if needed)."""
        ...

    def refresh(self) -> bool:
        """Get a new token after the server rejected the current one; False if this auth cannot."""
        ...


@attrs.define
class TokenAuth:
    """A token obtained elsewhere. It cannot be refreshed."""

    value: str = attrs.field(repr=False)

    def token(self) -> str | None:
        return self.value

    def refresh(self) -> bool:
        return False


@attrs.define
class ApiKeyAuth(TokenAuth):
    """An API key (sent like a token)."""


@attrs.define
class PasswordAuth:
    """Username and password, exchanged for tokens by `grant` whenever one is needed."""

    username: str
    password: str = attrs.field(repr=False)
    grant: Callable[[str, str], TokenGrant] = attrs.field(repr=False)
    clock: Clock = time.time
    margin: timedelta = timedelta(minutes=1)
    _current: TokenGrant | None = attrs.field(default=None, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)
    grants: int = attrs.field(default=0, init=False)  # how many tokens were fetched, for tests and logs

    def token(self) -> str | None:
        with self._lock:
            current = self._current
            if current is None or self._expiring(current):
                current = self._fetch()
            return current.token

    def refresh(self) -> bool:
        with self._lock:
            self._fetch()
        return True

    def _expiring(self, grant: TokenGrant) -> bool:
        if grant.expires is None:
            return False
        now = datetime.fromtimestamp(self.clock(), tz=UTC)
        return now + self.margin >= grant.expires

    def _fetch(self) -> TokenGrant:
        self._current = self.grant(self.username, self.password)
        self.grants += 1
        return self._current


def token_grant(
    generate_token: Callable[..., Any],
    *,
    referer: str,
    expiration_minutes: int,
    clock: Clock = time.time,
) -> Callable[[str, str], TokenGrant]:
    """A grant that calls an ArcGIS generateToken operation (Portal or Server).

    When the server's expiry is already past by our clock (the clocks disagree, e.g. a fake on a frozen
    clock), the token is taken to live the minutes we asked for, counted on our clock; otherwise every call
    would fetch a new token."""

    def grant(username: str, password: str) -> TokenGrant:
        try:
            info = generate_token(
                username=username, password=password, client="referer", referer=referer, expiration=expiration_minutes
            )
        except BadRequest as exc:
            raise SignInError(exc.code, exc.message, exc.details, operation=exc.operation, url=exc.url) from None
        now = clock()
        expires = info.expires
        if expires is not None and expires.timestamp() <= now:
            expires = datetime.fromtimestamp(now + 60 * expiration_minutes, tz=UTC)
        return TokenGrant(info.token, expires)

    return grant


_OAUTH_INFO = re.compile(r"\{[^\n]*\"oauth_state\"[^\n]*?\}")


def oauth2_implicit_grant(
    authorize: Callable[..., str],
    signin: Callable[..., str],
    *,
    client_id: str,
    redirect_uri: str,
    expiration_minutes: int,
    clock: Clock = time.time,
) -> Callable[[str, str], TokenGrant]:
    """A grant that runs the OAuth2 implicit flow the official client uses:
    authorize (a page carrying `oauth_state`) -> signin (302 to redirect_uri#access_token=...)."""

    def grant(username: str, password: str) -> TokenGrant:
        state = secrets.token_urlsafe(16)
        page = authorize(
            client_id=client_id, response_type="token", redirect_uri=redirect_uri, state=state,
            expiration=expiration_minutes,
        )
        match = _OAUTH_INFO.search(page)
        if not match:
            raise SignInError(400, "The authorize page carries no oauth_state", operation="oauth2_authorize")
        try:
            oauth_state = json.loads(match.group(0))["oauth_state"]
        except (ValueError, KeyError):
            raise SignInError(400, "The authorize page carries no readable oauth_state") from None
        try:
            location = signin(oauth_state=oauth_state, username=username, password=password, expiration=expiration_minutes)
        except ArcGISError as exc:
            raise SignInError(exc.code, exc.message, exc.details, operation=exc.operation) from None
        fragment = parse_qs(urlsplit(location).fragment)
        if fragment.get("state", [None])[0] != state:
            raise SignInError(400, "OAuth2 state mismatch in the sign-in redirect", operation="oauth2_signin")
        if "access_token" not in fragment:
            raise SignInError(400, "The sign-in redirect carries no access_token", operation="oauth2_signin")
        expires_in = fragment.get("expires_in", [None])[0]
        expires = (
            datetime.fromtimestamp(clock() + int(expires_in), tz=UTC) if expires_in and expires_in.isdigit() else None
        )
        return TokenGrant(fragment["access_token"][0], expires)

    return grant
