"""Tokens (random, expiring, optionally bound to a referer, a client IP or - on ArcGIS Server - the machine
that issued them) and pending OAuth2 sign-ins."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import attrs

from ..errors import bad_request

DEFAULT_MINUTES = 60
MAX_MINUTES = 20160  # two weeks, the portal's default maxTokenExpirationMinutes
OAUTH_STATE_MS = 10 * 60 * 1000  # a pending authorization lives ten minutes
CODE_MS = 5 * 60 * 1000


@attrs.define(eq=False)
class TokenRecord:
    username: str
    expires: int  # epoch ms
    referer: str | None = None  # bound to this Referer header (client=referer)
    ip: str | None = None  # bound to this client address (client=requestip / ip)
    kind: str = "token"  # token | oauth | refresh
    machine: str | None = None  # only this server machine accepts it (Server admin tokens)


@attrs.define(eq=False)
class PendingAuthorization:
    client_id: str
    redirect_uri: str
    response_type: str
    state: str | None
    expiration_minutes: int
    expires: int


@attrs.define(eq=False)
class AuthorizationCode:
    username: str
    client_id: str
    redirect_uri: str
    expiration_minutes: int
    expires: int


def binding(client: str | None, *, referer: str | None, ip: str | None, request_ip: str) -> tuple[str | None, str | None]:
    """What a generateToken request binds its token to, as (referer, ip), from its `client` parameter."""
    if client == "referer":
        if not referer:
            raise bad_request("Invalid parameter 'referer': required when client=referer.")
        return referer, None
    if client == "requestip":
        return None, request_ip
    if client == "ip":
        if not ip:
            raise bad_request("Invalid parameter 'ip': required when client=ip.")
        return None, ip
    return None, None


def random_secret() -> str:
    return secrets.token_urlsafe(48)


class TokenStore:
    # Snapshot files hold no live token or pending sign-in (see snapshot.py): after a restore, clients sign in
    # again (the typed client does so by itself on 498). In-memory copies (fork) keep them.
    __snapshot_exclude__ = ("_tokens", "_pending", "_codes")

    def __init__(self, now: Callable[[], int], secret: Callable[[], str] | None = None) -> None:
        self._now = now
        self._secret = secret or random_secret
        self._tokens: dict[str, TokenRecord] = {}
        self._pending: dict[str, PendingAuthorization] = {}
        self._codes: dict[str, AuthorizationCode] = {}

    def __snapshot_restored__(self) -> None:
        self._tokens, self._pending, self._codes = {}, {}, {}

    def issue(
        self,
        username: str,
        minutes: int | None,
        *,
        referer: str | None = None,
        ip: str | None = None,
        kind: str = "token",
        machine: str | None = None,
    ) -> tuple[str, TokenRecord]:
        minutes = min(max(minutes or DEFAULT_MINUTES, 1), MAX_MINUTES)
        self._sweep()
        token = self._secret()
        record = TokenRecord(
            username=username, expires=self._now() + minutes * 60_000, referer=referer, ip=ip, kind=kind, machine=machine
        )
        self._tokens[token] = record
        return token, record

    def lookup(self, token: str) -> TokenRecord | None:
        """The live record of a token, or None when unknown or expired (expired tokens are forgotten)."""
        record = self._tokens.get(token)
        if record is None:
            return None
        if record.expires <= self._now():
            del self._tokens[token]
            return None
        return record

    def revoke(self, token: str) -> bool:
        return self._tokens.pop(token, None) is not None

    def revoke_user(self, username: str) -> int:
        doomed = [t for t, r in self._tokens.items() if r.username.lower() == username.lower()]
        for t in doomed:
            del self._tokens[t]
        return len(doomed)

    def expire_all(self) -> None:
        """Make every token expire now (fault injection: token expiry)."""
        for record in self._tokens.values():
            record.expires = self._now()

    def begin_authorization(self, pending: PendingAuthorization) -> str:
        self._sweep()
        oauth_state = self._secret()
        self._pending[oauth_state] = pending
        return oauth_state

    def take_authorization(self, oauth_state: str) -> PendingAuthorization | None:
        pending = self._pending.pop(oauth_state, None)
        return pending if pending is not None and pending.expires > self._now() else None

    def issue_code(self, code: AuthorizationCode) -> str:
        value = self._secret()
        self._codes[value] = code
        return value

    def take_code(self, value: str) -> AuthorizationCode | None:
        code = self._codes.pop(value, None)
        return code if code is not None and code.expires > self._now() else None

    def _sweep(self) -> None:
        """Forget expired tokens and authorizations now and then, so a long-running fake does not grow."""
        if len(self._tokens) + len(self._pending) < 1024:
            return
        now = self._now()
        self._tokens = {t: r for t, r in self._tokens.items() if r.expires > now}
        self._pending = {s: p for s, p in self._pending.items() if p.expires > now}
        self._codes = {c: v for c, v in self._codes.items() if v.expires > now}
