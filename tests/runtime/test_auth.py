"""Auth: proactive refresh before expiry (injectable clock), exactly one reactive refresh on 498 and never a
loop, static tokens never refresh, and the grants (generateToken, OAuth2 implicit) read their answers right."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from arcgis_typed import ApiKeyAuth, PortalClient, TokenAuth
from arcgis_typed._runtime.auth import PasswordAuth, TokenGrant, oauth2_implicit_grant, token_grant
from arcgis_typed._runtime.errors import (
    BadRequest,
    InvalidToken,
    PermissionDenied,
    SignInError,
    TokenRequired,
)
from arcgis_typed._runtime.transport import HttpRequest, HttpResponse, WsgiTransport
from arcgis_typed.portal.models.tokens import TokenInfo
from stubs import StubTransport, json_response

T0 = 1_700_000_000.0
INVALID_TOKEN = {"error": {"code": 498, "message": "Invalid token.", "details": []}}
ROOT_OK = {"currentVersion": "2024.1"}


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Grants:
    """A grant that hands out t1, t2, ... each valid for `lifetime` from the clock's now."""

    def __init__(self, clock: Clock, lifetime: timedelta | None = timedelta(hours=1)) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls: list[tuple[str, str]] = []

    def __call__(self, username: str, password: str) -> TokenGrant:
        self.calls.append((username, password))
        now = datetime.fromtimestamp(self.clock(), tz=UTC)
        return TokenGrant(f"t{len(self.calls)}", now + self.lifetime if self.lifetime else None)


def _password_auth(clock: Clock, lifetime: timedelta | None = timedelta(hours=1)) -> tuple[PasswordAuth, Grants]:
    grants = Grants(clock, lifetime)
    return PasswordAuth("ann", "pw", grants, clock=clock), grants


# --- proactive refresh ----------------------------------------------------------------------------------


def test_token_is_fetched_lazily_and_reused() -> None:
    clock = Clock()
    auth, grants = _password_auth(clock)
    assert grants.calls == []
    assert auth.token() == "t1"
    assert auth.token() == "t1"
    assert grants.calls == [("ann", "pw")]
    assert auth.grants == 1


def test_proactive_refresh_before_expiry() -> None:
    clock = Clock()
    auth, grants = _password_auth(clock)
    assert auth.token() == "t1"
    # one hour of life, one minute of margin: still good 58m59s later
    clock.now = T0 + 3600 - 61
    assert auth.token() == "t1"
    assert len(grants.calls) == 1
    # inside the margin: a new token before the old one expires
    clock.now = T0 + 3600 - 60
    assert auth.token() == "t2"
    assert len(grants.calls) == 2
    clock.now += 60
    assert auth.token() == "t2"
    # long after expiry: refreshed again
    clock.now = T0 + 10 * 3600
    assert auth.token() == "t3"
    assert auth.grants == 3


def test_margin_is_configurable() -> None:
    clock = Clock()
    grants = Grants(clock)
    auth = PasswordAuth("ann", "pw", grants, clock=clock, margin=timedelta(minutes=10))
    auth.token()
    clock.now = T0 + 3600 - 601
    assert auth.token() == "t1"
    clock.now = T0 + 3600 - 600
    assert auth.token() == "t2"


def test_tokens_without_expiry_are_never_refreshed_proactively() -> None:
    clock = Clock()
    auth, grants = _password_auth(clock, lifetime=None)
    auth.token()
    clock.now = T0 + 10**9
    assert auth.token() == "t1"
    assert len(grants.calls) == 1


def test_password_is_not_in_repr() -> None:
    auth, _ = _password_auth(Clock())
    auth.token()
    assert "pw" not in repr(auth).replace("PasswordAuth", "")
    assert "t1" not in repr(auth)
    assert "secret" not in repr(TokenAuth("secret"))


# --- reactive refresh: exactly once ----------------------------------------------------------------------


def test_498_forever_means_exactly_two_requests() -> None:
    clock = Clock()
    auth, grants = _password_auth(clock)
    transport = StubTransport(json_response(INVALID_TOKEN))
    client = PortalClient("https://portal.example/portal", auth=auth, transport=transport)
    with pytest.raises(InvalidToken) as info:
        client.org.root()
    assert transport.calls == 2
    assert info.value.operation == "org.root"
    tokens = [r.headers.get("X-Esri-Authorization") for r in transport.requests]
    assert tokens == ["Bearer t1", "Bearer t2"]  # the retry carried the refreshed token
    assert len(grants.calls) == 2  # the first token and one refresh
    # a later call starts afresh: one more refresh at most, never a loop
    with pytest.raises(InvalidToken):
        client.org.root()
    assert transport.calls == 4
    assert len(grants.calls) == 3


def test_498_then_success() -> None:
    clock = Clock()
    auth, grants = _password_auth(clock)
    answers = [json_response(INVALID_TOKEN), json_response(ROOT_OK)]
    transport = StubTransport(lambda request: answers.pop(0))
    client = PortalClient("https://portal.example/portal", auth=auth, transport=transport)
    assert client.org.root().current_version == "2024.1"
    assert transport.calls == 2
    assert len(grants.calls) == 2
    assert transport.requests[0].url == transport.requests[1].url
    assert transport.requests[0].body == transport.requests[1].body


def test_498_on_a_non_idempotent_operation_is_still_retried_once() -> None:
    # a 498 means the request was refused before anything happened, so resending is safe
    auth, _ = _password_auth(Clock())
    transport = StubTransport(json_response(INVALID_TOKEN))
    client = PortalClient("https://portal.example/portal", auth=auth, transport=transport)
    with pytest.raises(InvalidToken):
        client.content.delete("ann", "item1")
    assert transport.calls == 2
    assert transport.idempotent == [False, False]


@pytest.mark.parametrize(
    ("error", "cls"),
    [({"code": 403, "message": "No."}, PermissionDenied), ({"code": 499, "message": "Token Required"}, TokenRequired)],
)
def test_other_errors_do_not_refresh(error: dict[str, Any], cls: type[Exception]) -> None:
    auth, grants = _password_auth(Clock())
    transport = StubTransport(json_response({"error": error}))
    client = PortalClient("https://portal.example/portal", auth=auth, transport=transport)
    with pytest.raises(cls):
        client.org.root()
    assert transport.calls == 1
    assert len(grants.calls) == 1


@pytest.mark.parametrize("auth", [TokenAuth("static"), ApiKeyAuth("AAPK-key")], ids=["token", "api_key"])
def test_static_tokens_never_refresh(auth: TokenAuth) -> None:
    assert auth.refresh() is False
    transport = StubTransport(json_response(INVALID_TOKEN))
    client = PortalClient("https://portal.example/portal", auth=auth, transport=transport)
    with pytest.raises(InvalidToken):
        client.org.root()
    assert transport.calls == 1
    assert transport.requests[0].headers["X-Esri-Authorization"] == f"Bearer {auth.value}"
    assert auth.token() == auth.value


def test_token_and_api_key_arguments() -> None:
    transport = StubTransport(json_response(ROOT_OK))
    PortalClient("https://p/portal", token="tok", transport=transport).org.root()
    PortalClient("https://p/portal", api_key="key", transport=transport).org.root()
    PortalClient("https://p/portal", transport=transport).org.root()
    assert [r.headers.get("X-Esri-Authorization") for r in transport.requests] == ["Bearer tok", "Bearer key", None]
    assert all("tok" not in r.url and "key" not in r.url for r in transport.requests)


def test_anonymous_operations_never_send_the_token_nor_refresh() -> None:
    auth, grants = _password_auth(Clock())
    transport = StubTransport(json_response(INVALID_TOKEN))
    client = PortalClient("https://portal.example/portal", auth=auth, transport=transport)
    with pytest.raises(InvalidToken):
        client.tokens.generate_token(username="x", password="y")
    assert transport.calls == 1
    assert "X-Esri-Authorization" not in transport.requests[0].headers
    assert grants.calls == []


# --- grants ---------------------------------------------------------------------------------------------


def test_token_grant_calls_generate_token() -> None:
    seen: dict[str, Any] = {}
    expires = datetime(2099, 1, 2, tzinfo=UTC)

    def generate_token(**kw: Any) -> TokenInfo:
        seen.update(kw)
        return TokenInfo(token="abc", expires=expires)

    grant = token_grant(generate_token, referer="https://app", expiration_minutes=30)
    assert grant("ann", "pw") == TokenGrant("abc", expires)
    assert seen == {"username": "ann", "password": "pw", "client": "referer", "referer": "https://app", "expiration": 30}


def test_token_grant_turns_bad_credentials_into_sign_in_error() -> None:
    def generate_token(**kw: Any) -> TokenInfo:
        raise BadRequest(400, "Unable to generate token.", ["Invalid username or password."], operation="tokens.generate_token")

    with pytest.raises(SignInError) as info:
        token_grant(generate_token, referer="r", expiration_minutes=1)("ann", "wrong")
    assert info.value.code == 400
    assert info.value.details == ("Invalid username or password.",)
    assert info.value.operation == "tokens.generate_token"


def test_sign_in_through_the_client_with_a_stub_server() -> None:
    def answer(request: HttpRequest) -> HttpResponse:
        if request.url.endswith("/generateToken"):
            assert request.method == "POST" and request.body is not None
            assert b"password=pw" in request.body and b"username=ann" in request.body
            return json_response({"token": "T1", "expires": 4070995200000, "ssl": True})
        return json_response(ROOT_OK)

    transport = StubTransport(answer)
    client = PortalClient("https://portal.example/portal", username="ann", password="pw", transport=transport)
    assert client.org.root().current_version == "2024.1"
    assert transport.requests[-1].headers["X-Esri-Authorization"] == "Bearer T1"
    assert isinstance(client.auth, PasswordAuth) and client.auth.grants == 1
    assert all("pw" not in r.url for r in transport.requests)


def test_bad_password_raises_sign_in_error_at_construction() -> None:
    transport = StubTransport(json_response(
        {"error": {"code": 400, "message": "Unable to generate token.", "details": ["Invalid username or password."]}}
    ))
    with pytest.raises(SignInError):
        PortalClient("https://portal.example/portal", username="ann", password="bad", transport=transport)
    assert transport.calls == 1


# --- OAuth2 implicit grant --------------------------------------------------------------------------------


class OAuthServer:
    """authorize -> a page with the oauth_state JSON line; signin -> the redirect Location."""

    def __init__(self, *, fragment: dict[str, str] | None = None, state: str | None = None, page: str | None = None) -> None:
        self.fragment = fragment if fragment is not None else {"access_token": "OAUTH-TOKEN", "expires_in": "1800", "username": "ann"}
        self.state_override = state
        self.page = page
        self.authorize_args: dict[str, Any] = {}
        self.signin_args: dict[str, Any] = {}

    def authorize(self, **kw: Any) -> str:
        self.authorize_args = kw
        if self.page is not None:
            return self.page
        info = {"oauth_state": "OSTATE-123", "client_id": kw["client_id"], "locale": "en"}
        return f"<html><script>\nvar oAuthInfo = {json.dumps(info)};\n</script></html>"

    def signin(self, **kw: Any) -> str:
        self.signin_args = kw
        state = self.state_override if self.state_override is not None else self.authorize_args["state"]
        fragment = {**self.fragment, "state": state}
        return f"https://app.example/callback#{urlencode(fragment)}"


def _oauth_grant(server: OAuthServer, clock: Clock) -> Any:
    return oauth2_implicit_grant(
        server.authorize, server.signin, client_id="pythonapi", redirect_uri="https://app.example/callback",
        expiration_minutes=30, clock=clock,
    )


def test_oauth2_implicit_grant_parses_page_and_fragment() -> None:
    server, clock = OAuthServer(), Clock()
    grant = _oauth_grant(server, clock)("ann", "pw")
    assert grant.token == "OAUTH-TOKEN"
    assert grant.expires == datetime.fromtimestamp(T0 + 1800, tz=UTC)
    assert server.authorize_args["response_type"] == "token"
    assert server.authorize_args["client_id"] == "pythonapi"
    assert server.authorize_args["redirect_uri"] == "https://app.example/callback"
    assert len(server.authorize_args["state"]) >= 16
    assert server.signin_args == {"oauth_state": "OSTATE-123", "username": "ann", "password": "pw", "expiration": 30}


def test_oauth2_states_differ_between_sign_ins() -> None:
    server = OAuthServer()
    grant = _oauth_grant(server, Clock())
    grant("ann", "pw")
    first = server.authorize_args["state"]
    grant("ann", "pw")
    assert server.authorize_args["state"] != first


def test_oauth2_state_mismatch_raises() -> None:
    with pytest.raises(SignInError, match="state mismatch"):
        _oauth_grant(OAuthServer(state="forged"), Clock())("ann", "pw")


def test_oauth2_missing_state_raises() -> None:
    server = OAuthServer()
    server.signin = lambda **kw: "https://app.example/callback#access_token=X"  # type: ignore[method-assign]
    with pytest.raises(SignInError, match="state"):
        _oauth_grant(server, Clock())("ann", "pw")


def test_oauth2_page_without_oauth_state_raises() -> None:
    with pytest.raises(SignInError, match="oauth_state"):
        _oauth_grant(OAuthServer(page="<html>Sign in</html>"), Clock())("ann", "pw")


def test_oauth2_redirect_without_token_raises() -> None:
    with pytest.raises(SignInError, match="access_token"):
        _oauth_grant(OAuthServer(fragment={"error": "access_denied"}), Clock())("ann", "pw")


def test_oauth2_without_expires_in() -> None:
    grant = _oauth_grant(OAuthServer(fragment={"access_token": "X"}), Clock())("ann", "pw")
    assert grant == TokenGrant("X", None)


def test_oauth2_refused_sign_in_raises_sign_in_error() -> None:
    server = OAuthServer()

    def refuse(**kw: Any) -> str:
        raise BadRequest(400, "Invalid username or password.", operation="tokens.oauth2_signin")

    server.signin = refuse  # type: ignore[method-assign]
    with pytest.raises(SignInError) as info:
        _oauth_grant(server, Clock())("ann", "bad")
    assert info.value.code == 400 and info.value.operation == "tokens.oauth2_signin"


# --- against the fake, in process ---------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["token", "oauth2"])
def test_both_flows_against_the_fake(flow: str) -> None:
    fake = pytest.importorskip("arcgis_typed_fake").FakeArcGIS(admin_username="admin", admin_password="secret-pass1")
    client = PortalClient(
        "https://fake.local/portal", username="admin", password="secret-pass1", transport=WsgiTransport(fake),
        flow=flow,  # type: ignore[arg-type]
    )
    assert client.users.me().username == "admin"
    with pytest.raises(SignInError):
        PortalClient(
            "https://fake.local/portal", username="admin", password="wrong-pass", transport=WsgiTransport(fake),
            flow=flow,  # type: ignore[arg-type]
        )
