"""Sign-in end to end: generateToken and its expiry, bound tokens, disabled users, and both OAuth2 flows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from arcgis_typed import (
    BadRequest,
    InvalidToken,
    PasswordAuth,
    PortalClient,
    SignInError,
    TokenRequired,
)
from arcgis_typed._runtime.auth import token_grant
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, bearer, client_for, password_of, raw_json
from werkzeug.test import Client

START_MS = 1_700_000_000_000
START = datetime.fromtimestamp(START_MS / 1000, tz=UTC)
REDIRECT = "https://app.example.test/callback"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_MS)


@pytest.fixture
def fake(clock: ManualClock) -> FakeArcGIS:
    return FakeArcGIS(admin_password="admin-password", clock=clock)


def me_raw(fake: FakeArcGIS, token: str, **headers: str) -> object:
    response = Client(fake).get(
        "/portal/sharing/rest/community/self", query_string={"f": "json"},
        headers={"X-Esri-Authorization": f"Bearer {token}", **headers},
    )
    return raw_json(response)


# --- generateToken -------------------------------------------------------------------------------------------


@pytest.mark.seed("GIS.(constructor)")
def test_generate_token_expires_after_the_requested_minutes(fake: FakeArcGIS, clock: ManualClock) -> None:
    add_member(fake, "alice")
    anonymous = client_for(fake)
    info = anonymous.tokens.generate_token(username="alice", password=password_of("alice"), expiration=30)
    assert info.expires == START + timedelta(minutes=30)
    assert info.ssl is True  # the in-process transport speaks https://
    assert len(info.token) >= 32

    with_token = client_for(fake, token=info.token)
    assert with_token.users.me().username == "alice"

    clock.advance(minutes=29, seconds=59)
    assert with_token.users.me().username == "alice"
    clock.advance(seconds=1)  # exactly at expiry the token is dead
    assert me_raw(fake, info.token) == {"error": {"code": 498, "message": "Invalid token.", "details": []}}
    with pytest.raises(InvalidToken) as caught:
        with_token.users.me()  # a bare token cannot be refreshed: the 498 reaches the caller
    assert caught.value.code == 498
    assert caught.value.operation == "users.me"


def test_generate_token_expiration_is_capped_at_two_weeks(fake: FakeArcGIS) -> None:
    info = client_for(fake).tokens.generate_token(username="admin", password="admin-password", expiration=10**7)
    assert info.expires == START + timedelta(minutes=20160)


def test_generate_token_defaults_to_an_hour(fake: FakeArcGIS) -> None:
    info = client_for(fake).tokens.generate_token(username="admin", password="admin-password")
    assert info.expires == START + timedelta(minutes=60)


def test_each_token_is_new(fake: FakeArcGIS) -> None:
    anonymous = client_for(fake)
    tokens = {anonymous.tokens.generate_token(username="admin", password="admin-password").token for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "wrong-password"), ("nobody", "admin-password"), ("ADMIN", "ADMIN-PASSWORD")],
)
def test_wrong_credentials_are_refused(fake: FakeArcGIS, username: str, password: str) -> None:
    with pytest.raises(BadRequest) as caught:
        client_for(fake).tokens.generate_token(username=username, password=password)
    assert caught.value.message == "Unable to generate token."
    assert caught.value.details == ("Invalid username or password.",)
    with pytest.raises(SignInError) as signin:
        client_for(fake, username, password)
    assert signin.value.code == 400
    assert len(fake.portal.tokens._tokens) == 0


def test_usernames_are_case_insensitive_at_sign_in(fake: FakeArcGIS) -> None:
    client = client_for(fake, "ADMIN", "admin-password")
    assert client.users.me().username == "admin"


def test_password_is_never_echoed(fake: FakeArcGIS) -> None:
    response = Client(fake).post(
        "/portal/sharing/rest/generateToken",
        data={"username": "admin", "password": "not-the-password-xyz", "f": "json"},
    )
    body = raw_json(response)
    assert body["error"]["code"] == 400
    assert "not-the-password-xyz" not in response.get_data(as_text=True)


# --- refreshing --------------------------------------------------------------------------------------------


def _password_client(fake: FakeArcGIS, clock: object) -> tuple[PortalClient, PasswordAuth]:
    client = client_for(fake)
    grant = token_grant(
        client.tokens.generate_token, referer=client.referer, expiration_minutes=60, clock=clock  # type: ignore[arg-type]
    )
    auth = PasswordAuth("admin", "admin-password", grant, clock=clock)  # type: ignore[arg-type]
    client.auth = auth
    return client, auth


@pytest.mark.seed("GIS.(constructor)")
def test_password_auth_refreshes_once_after_498(fake: FakeArcGIS, clock: ManualClock) -> None:
    # The client's clock stands still, so it believes its token is fresh: only the server's 498 tells it.
    client, auth = _password_client(fake, lambda: START_MS / 1000)
    assert client.users.me().username == "admin"
    assert auth.grants == 1
    first = auth.token()

    clock.advance(hours=2)
    assert me_raw(fake, first or "")["error"]["code"] == 498  # type: ignore[index]
    assert client.users.me().username == "admin"  # 498 -> new token -> the same call again
    assert auth.grants == 2
    assert auth.token() != first
    assert client.users.me().username == "admin"
    assert auth.grants == 2  # the new token is kept


def test_password_auth_refreshes_before_expiry(fake: FakeArcGIS, clock: ManualClock) -> None:
    client, auth = _password_client(fake, lambda: clock.now_ms() / 1000)
    client.users.me()
    client.users.me()
    assert auth.grants == 1
    clock.advance(minutes=59, seconds=30)  # within the one-minute margin: refreshed without a 498
    assert client.users.me().username == "admin"
    assert auth.grants == 2


def test_refresh_is_not_retried_in_a_loop(arcgis_fake: FakeArcGIS) -> None:
    """A password that stops working turns a 498 into one failed sign-in, not a loop (real clock here, so
    the client's token is fresh until the server revokes it)."""
    fake = arcgis_fake
    alice = add_member(fake, "alice")
    alice.users.me()
    assert isinstance(alice.auth, PasswordAuth)
    fake.portal.users.require("alice").disabled = True
    with pytest.raises(SignInError):
        alice.users.me()
    assert alice.auth.grants == 1


# --- token required, bound tokens, disabled users ---------------------------------------------------------


@pytest.mark.seed("UserManager.me")
def test_me_without_a_token_is_token_required(fake: FakeArcGIS) -> None:
    with pytest.raises(TokenRequired) as caught:
        client_for(fake).users.me()
    assert caught.value.code == 499
    assert caught.value.message == "Token Required"
    response = Client(fake).get("/portal/sharing/rest/community/self?f=json")
    assert raw_json(response) == {"error": {"code": 499, "message": "Token Required", "details": []}}
    assert "WWW-Authenticate" not in response.headers


def test_unknown_token_is_invalid(fake: FakeArcGIS) -> None:
    with pytest.raises(InvalidToken):
        client_for(fake, token="not-a-token").users.me()


def test_token_in_the_form_body_or_query_works_like_the_header(fake: FakeArcGIS) -> None:
    token = client_for(fake).tokens.generate_token(username="admin", password="admin-password").token
    raw = Client(fake)
    by_query = raw_json(raw.get("/portal/sharing/rest/community/self", query_string={"f": "json", "token": token}))
    by_form = raw_json(raw.post("/portal/sharing/rest/community/self", data={"f": "json", "token": token}))
    by_bearer = raw_json(raw.get("/portal/sharing/rest/community/self?f=json",
                                 headers={"Authorization": f"Bearer {token}"}))
    assert by_query["username"] == by_form["username"] == by_bearer["username"] == "admin"


def test_referer_bound_token_is_refused_from_another_referer(fake: FakeArcGIS) -> None:
    add_member(fake, "alice")
    info = client_for(fake).tokens.generate_token(
        username="alice", password=password_of("alice"), client="referer", referer="https://app.one.test"
    )
    assert me_raw(fake, info.token, Referer="https://app.one.test")["username"] == "alice"  # type: ignore[index]
    for other in ("https://app.two.test", "https://evil.test/https://app.one.test", ""):
        assert me_raw(fake, info.token, Referer=other)["error"]["code"] == 498  # type: ignore[index]
    assert me_raw(fake, info.token)["error"]["code"] == 498  # type: ignore[index]  # no Referer at all

    same = client_for(fake, token=info.token, referer="https://app.one.test")
    assert same.users.me().username == "alice"
    with pytest.raises(InvalidToken):
        client_for(fake, token=info.token, referer="https://app.two.test").users.me()


def test_referer_binding_needs_a_referer(fake: FakeArcGIS) -> None:
    with pytest.raises(BadRequest) as caught:
        client_for(fake).tokens.generate_token(username="admin", password="admin-password", client="referer")
    assert "referer" in caught.value.message


def test_ip_bound_token_is_refused_from_another_address(fake: FakeArcGIS) -> None:
    info = client_for(fake).tokens.generate_token(username="admin", password="admin-password", client="requestip")
    raw = Client(fake)
    headers = {"X-Esri-Authorization": f"Bearer {info.token}"}
    here = raw.get("/portal/sharing/rest/community/self?f=json", headers=headers,
                   environ_overrides={"REMOTE_ADDR": "127.0.0.1"})  # where the in-process transport comes from
    assert raw_json(here)["username"] == "admin"
    elsewhere = raw.get("/portal/sharing/rest/community/self?f=json", headers=headers,
                        environ_overrides={"REMOTE_ADDR": "10.9.8.7"})
    assert raw_json(elsewhere)["error"]["code"] == 498

    pinned = client_for(fake).tokens.generate_token(
        username="admin", password="admin-password", client="ip", ip="10.9.8.7"
    )
    ok = raw.get("/portal/sharing/rest/community/self?f=json",
                 headers={"X-Esri-Authorization": f"Bearer {pinned.token}"},
                 environ_overrides={"REMOTE_ADDR": "10.9.8.7"})
    assert raw_json(ok)["username"] == "admin"
    assert me_raw(fake, pinned.token)["error"]["code"] == 498  # type: ignore[index]


def test_a_disabled_users_token_stops_working_at_once(fake: FakeArcGIS) -> None:
    alice = add_member(fake, "alice")
    token = alice.tokens.generate_token(username="alice", password=password_of("alice")).token
    by_token = client_for(fake, token=token)
    assert by_token.users.me().username == "alice"

    fake.portal.users.require("alice").disabled = True
    with pytest.raises(InvalidToken):
        by_token.users.me()
    with pytest.raises(BadRequest):
        client_for(fake).tokens.generate_token(username="alice", password=password_of("alice"))

    fake.portal.users.require("alice").disabled = False  # the revoked token stays dead; a new one works
    with pytest.raises(InvalidToken):
        by_token.users.me()
    assert client_for(fake, "alice").users.me().username == "alice"


# --- OAuth2 ------------------------------------------------------------------------------------------------

_OAUTH_INFO = re.compile(r"\{[^\n]*\"oauth_state\"[^\n]*?\}")


def _oauth_state(page: str) -> str:
    match = _OAUTH_INFO.search(page)
    assert match, page
    return str(json.loads(match.group(0))["oauth_state"])


@pytest.mark.seed("GIS.(constructor)")
def test_client_signs_in_through_the_oauth2_implicit_flow(fake: FakeArcGIS) -> None:
    add_member(fake, "alice", "org_publisher")
    client = client_for(fake, "alice", flow="oauth2")
    me = client.users.me()
    assert me.username == "alice"
    assert me.role == "org_publisher"
    assert isinstance(client.auth, PasswordAuth) and client.auth.grants == 1
    token = client.auth.token()
    assert token is not None and fake.portal.tokens.lookup(token).kind == "oauth"  # type: ignore[union-attr]
    with pytest.raises(SignInError):
        client_for(fake, "alice", "wrong-password", flow="oauth2")


@pytest.mark.seed("GIS.(constructor)")
def test_implicit_flow_by_hand(fake: FakeArcGIS, clock: ManualClock) -> None:
    anonymous = client_for(fake)
    page = anonymous.tokens.oauth2_authorize(
        client_id="pythonapi", response_type="token", redirect_uri=REDIRECT, state="st-123", expiration=90
    )
    assert "<form" in page and "/sharing/oauth2/signin" in page
    location = anonymous.tokens.oauth2_signin(oauth_state=_oauth_state(page), username="admin",
                                              password="admin-password")
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    fragment = {k: v[0] for k, v in parse_qs(parts.fragment).items()}
    assert fragment["state"] == "st-123"
    assert fragment["username"] == "admin"
    assert fragment["expires_in"] == str(90 * 60)
    assert client_for(fake, token=fragment["access_token"]).users.me().username == "admin"
    clock.advance(minutes=90)
    with pytest.raises(InvalidToken):
        client_for(fake, token=fragment["access_token"]).users.me()


def test_signin_answers_302_with_the_token_in_the_fragment(fake: FakeArcGIS) -> None:
    raw = Client(fake)
    page = raw.get("/portal/sharing/rest/oauth2/authorize", query_string={
        "client_id": "pythonapi", "response_type": "token", "redirect_uri": "https://fake.arcgis.test",
        "state": "s1"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    response = raw.post("/portal/sharing/oauth2/signin", data={
        "oauth_state": _oauth_state(page.get_data(as_text=True)), "username": "admin", "password": "admin-password"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://fake.arcgis.test#access_token=")
    assert parse_qs(urlsplit(location).fragment)["state"] == ["s1"]


def test_oauth_state_is_single_use_and_expires(fake: FakeArcGIS, clock: ManualClock) -> None:
    anonymous = client_for(fake)

    def authorize() -> str:
        return _oauth_state(anonymous.tokens.oauth2_authorize(
            client_id="pythonapi", response_type="token", redirect_uri=REDIRECT))

    state = authorize()
    anonymous.tokens.oauth2_signin(oauth_state=state, username="admin", password="admin-password")
    with pytest.raises(BadRequest) as reused:
        anonymous.tokens.oauth2_signin(oauth_state=state, username="admin", password="admin-password")
    assert reused.value.message_code == "OAUTH_0007"

    late = authorize()
    clock.advance(minutes=10)
    with pytest.raises(BadRequest):
        anonymous.tokens.oauth2_signin(oauth_state=late, username="admin", password="admin-password")


def test_signin_with_a_wrong_password_is_oauth_0015(fake: FakeArcGIS) -> None:
    anonymous = client_for(fake)
    state = _oauth_state(anonymous.tokens.oauth2_authorize(
        client_id="pythonapi", response_type="token", redirect_uri=REDIRECT))
    with pytest.raises(BadRequest) as caught:
        anonymous.tokens.oauth2_signin(oauth_state=state, username="admin", password="nope-nope")
    assert caught.value.message_code == "OAUTH_0015"
    assert len(fake.portal.tokens._tokens) == 0


@pytest.mark.parametrize(
    ("client_id", "redirect_uri", "message"),
    [("no-such-app", REDIRECT, "Invalid client_id"), ("pythonapi", "ftp://x.test/", "Invalid redirect_uri"),
     ("pythonapi", "javascript:alert(1)", "Invalid redirect_uri")],
)
def test_authorize_refuses_unknown_clients_and_bad_redirects(
    fake: FakeArcGIS, client_id: str, redirect_uri: str, message: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        client_for(fake).tokens.oauth2_authorize(client_id=client_id, response_type="token", redirect_uri=redirect_uri)
    assert caught.value.message == message


def _code(fake: FakeArcGIS, username: str = "admin", password: str = "admin-password") -> str:
    anonymous = client_for(fake)
    page = anonymous.tokens.oauth2_authorize(
        client_id="pythonapi", response_type="code", redirect_uri=REDIRECT, state="abc", expiration=45
    )
    location = anonymous.tokens.oauth2_signin(oauth_state=_oauth_state(page), username=username, password=password)
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    assert parts.fragment == ""
    query = parse_qs(parts.query)
    assert query["state"] == ["abc"]
    return query["code"][0]


@pytest.mark.seed("GIS.(constructor)")
def test_authorization_code_flow_with_refresh_token(fake: FakeArcGIS, clock: ManualClock) -> None:
    add_member(fake, "alice")
    code = _code(fake, "alice", password_of("alice"))
    anonymous = client_for(fake)
    granted = anonymous.tokens.oauth2_token(
        client_id="pythonapi", grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert granted.username == "alice"
    assert granted.expires_in == 45 * 60
    assert granted.refresh_token and granted.refresh_token_expires_in == 20160 * 60
    assert client_for(fake, token=granted.access_token).users.me().username == "alice"

    # A code buys one token.
    with pytest.raises(BadRequest) as reused:
        anonymous.tokens.oauth2_token(client_id="pythonapi", grant_type="authorization_code", code=code)
    assert reused.value.message_code == "OAUTH_0001"

    # The refresh token is not an access token...
    with pytest.raises(InvalidToken):
        client_for(fake, token=granted.refresh_token).users.me()

    # ...but it buys new access tokens after the first one expired.
    clock.advance(minutes=46)
    with pytest.raises(InvalidToken):
        client_for(fake, token=granted.access_token).users.me()
    renewed = anonymous.tokens.oauth2_token(
        client_id="pythonapi", grant_type="refresh_token", refresh_token=granted.refresh_token, expiration=30
    )
    assert renewed.username == "alice"
    assert renewed.expires_in == 30 * 60
    assert renewed.refresh_token is None
    assert renewed.access_token != granted.access_token
    assert client_for(fake, token=renewed.access_token).users.me().username == "alice"

    # A disabled user's refresh token buys nothing.
    fake.portal.users.require("alice").disabled = True
    with pytest.raises(BadRequest):
        anonymous.tokens.oauth2_token(
            client_id="pythonapi", grant_type="refresh_token", refresh_token=granted.refresh_token
        )


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [("arcgisonline", REDIRECT), ("pythonapi", "https://elsewhere.test/cb")],
)
def test_code_is_bound_to_its_client_and_redirect(fake: FakeArcGIS, client_id: str, redirect_uri: str) -> None:
    code = _code(fake)
    with pytest.raises(BadRequest) as caught:
        client_for(fake).tokens.oauth2_token(
            client_id=client_id, grant_type="authorization_code", code=code, redirect_uri=redirect_uri
        )
    assert caught.value.message_code == "OAUTH_0001"


def test_code_expires(fake: FakeArcGIS, clock: ManualClock) -> None:
    code = _code(fake)
    clock.advance(minutes=5)
    with pytest.raises(BadRequest):
        client_for(fake).tokens.oauth2_token(client_id="pythonapi", grant_type="authorization_code", code=code)


def test_token_endpoint_refuses_bad_grants(fake: FakeArcGIS) -> None:
    anonymous = client_for(fake)
    with pytest.raises(BadRequest) as missing_code:
        anonymous.tokens.oauth2_token(client_id="pythonapi", grant_type="authorization_code")
    assert "code" in missing_code.value.message
    with pytest.raises(BadRequest) as bad_refresh:
        anonymous.tokens.oauth2_token(client_id="pythonapi", grant_type="refresh_token", refresh_token="nope")
    assert bad_refresh.value.message_code == "OAUTH_0003"
    # An access token is not a refresh token either.
    access = anonymous.tokens.generate_token(username="admin", password="admin-password").token
    with pytest.raises(BadRequest):
        anonymous.tokens.oauth2_token(client_id="pythonapi", grant_type="refresh_token", refresh_token=access)
    with pytest.raises(BadRequest):
        anonymous.tokens.oauth2_token(client_id="pythonapi", grant_type="client_credentials", client_secret="s")


def test_the_clients_tokens_are_bound_to_its_referer(fake: FakeArcGIS) -> None:
    client = client_for(fake, "admin")
    token = bearer(client)["X-Esri-Authorization"].removeprefix("Bearer ")
    assert client.referer == "http"
    assert me_raw(fake, token, Referer="http")["username"] == "admin"  # type: ignore[index]
    assert me_raw(fake, token, Referer="https://evil.test")["error"]["code"] == 498  # type: ignore[index]
