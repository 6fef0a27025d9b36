"""Security review, tokens: random (not derived from the fake's seed, never repeated, long), expiring (and capped),
bound to the account: a disabled or deleted user's tokens stop working at the next request, whatever way the
token is sent; a refresh token is no access token."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.clock import ManualClock
from fuzzworld import ADMIN_PASSWORD, USER_PASSWORD, World, new_world
from werkzeug.test import Client

REST = "/portal/sharing/rest"


def generate(client: Client, username: str, password: str, **extra: str) -> dict[str, object]:
    body = json.loads(client.post(f"{REST}/generateToken",
                                  data={"username": username, "password": password, "f": "json", **extra}).data)
    assert "token" in body, body
    return dict(body)


def server_token(client: Client, password: str = ADMIN_PASSWORD) -> str:
    body = client.post("/arcgis/admin/generateToken", data={"username": "admin", "password": password,
                                                            "client": "requestip", "f": "json"}).get_json()
    assert "token" in body, body
    return str(body["token"])


def me(world: World, token: str, where: str = "header") -> dict[str, object]:
    """`community/self` with the token in the header, the query string or the form body."""
    path = f"{REST}/community/self"
    if where == "header":
        response = world.client.post(path, data={"f": "json"}, headers={"X-Esri-Authorization": f"Bearer {token}"})
    elif where == "query":
        response = world.client.get(path, query_string={"f": "json", "token": token})
    else:
        response = world.client.post(path, data={"f": "json", "token": token})
    return dict(json.loads(response.data))


def test_tokens_are_long_random_and_never_repeat() -> None:
    tokens = []
    for seed in (None, None, 7):  # unseeded fakes never repeat; a seed makes tokens reproducible (deterministic mode)
        fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, password_iterations=1, seed=seed)
        client = Client(fake)
        tokens += [str(generate(client, "admin", ADMIN_PASSWORD)["token"]) for _ in range(40)]
        tokens += [server_token(client) for _ in range(10)]
    assert len(set(tokens)) == len(tokens)
    assert min(len(t) for t in tokens) >= 43  # >= 256 bits in URL-safe base64
    # no structure: every position of the token alphabet is used about evenly
    counts = Counter("".join(tokens))
    assert len(counts) >= 60
    expected = sum(counts.values()) / len(counts)
    assert max(counts.values()) < 2 * expected and min(counts.values()) > expected / 2
    # entropy per character close to log2(64) = 6 bits
    total = sum(counts.values())
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values())
    assert entropy > 5.8


def test_tokens_expire_and_their_lifetime_is_capped() -> None:
    clock = ManualClock()
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, password_iterations=1, clock=clock)
    world = World(fake, Client(fake), "", "", ())
    short = generate(world.client, "admin", ADMIN_PASSWORD, expiration="1")
    assert short["expires"] == clock.now_ms() + 60_000
    long = generate(world.client, "admin", ADMIN_PASSWORD, expiration=str(10**7))
    assert long["expires"] <= clock.now_ms() + 14 * 24 * 3600 * 1000  # two weeks at most
    server = server_token(world.client)
    assert me(world, str(short["token"]))["username"] == "admin"
    clock.advance(seconds=61)
    assert me(world, str(short["token"]))["error"] == {"code": 498, "message": "Invalid token.", "details": []}
    assert me(world, str(long["token"]))["username"] == "admin"
    clock.advance(days=15)
    for where in ("header", "query", "body"):
        assert me(world, str(long["token"]), where)["error"]["code"] == 498  # type: ignore[index]
    answer = world.client.post("/arcgis/admin/machines", data={"f": "json", "token": server}).get_json()
    assert answer["status"] == "error" and answer["code"] == 498


@pytest.mark.parametrize("action", ["disable", "delete", "disableUsers"])
def test_a_disabled_or_deleted_user_is_locked_out_at_once(action: str) -> None:
    world = new_world()
    bob = [str(generate(world.client, "bob", USER_PASSWORD)["token"]) for _ in range(3)]
    for token in bob:
        assert me(world, token)["username"] == "bob"
    if action == "disableUsers":
        answer = world.post(f"{REST}/portals/self/disableUsers", {"users": "BOB"}, world.admin_token)
    else:
        answer = world.post(f"{REST}/community/users/Bob/{action}", {}, world.admin_token)
    assert b'"success":true' in answer.data or b'"status":true' in answer.data, answer.data
    for token in bob:
        for where in ("header", "query", "body"):
            assert me(world, token, where)["error"]["code"] == 498  # type: ignore[index]
    if action != "delete":  # enabling again does not bring old tokens back; signing in again works
        world.post(f"{REST}/community/users/bob/enable", {}, world.admin_token)
        assert me(world, bob[0])["error"]["code"] == 498  # type: ignore[index]
        assert me(world, str(generate(world.client, "bob", USER_PASSWORD)["token"]))["username"] == "bob"
    else:
        answer = world.client.post(f"{REST}/generateToken", data={"username": "bob", "password": USER_PASSWORD,
                                                                  "f": "json"})
        assert json.loads(answer.data)["error"]["code"] == 400


def test_a_disabled_user_cannot_sign_in() -> None:
    world = new_world()
    world.post(f"{REST}/community/users/bob/disable", {}, world.admin_token)
    answer = json.loads(world.client.post(f"{REST}/generateToken", data={
        "username": "bob", "password": USER_PASSWORD, "f": "json"}).data)
    assert answer["error"]["code"] == 400 and "token" not in answer


def test_a_demoted_user_loses_the_privileges_at_once() -> None:
    world = new_world()
    bob = str(generate(world.client, "bob", USER_PASSWORD)["token"])
    added = json.loads(world.post(f"{REST}/content/users/bob/addItem", {"title": "t", "type": "CSV", "text": "a"},
                                  bob).data)
    assert added["success"] is True
    custom = world.post(f"{REST}/portals/self/createRole", {"name": "Readers", "description": "read only"},
                        world.admin_token)
    role_id = json.loads(custom.data)["id"]
    answer = world.post(f"{REST}/portals/self/updateuserrole", {"user": "bob", "role": role_id}, world.admin_token)
    assert json.loads(answer.data)["success"] is True, answer.data
    refused = json.loads(world.post(f"{REST}/content/users/bob/addItem", {"title": "u", "type": "CSV", "text": "a"},
                                    bob).data)
    assert refused["error"]["code"] == 403


def test_a_refresh_token_is_no_access_token() -> None:
    world = new_world()
    authorize = world.client.get(f"{REST}/oauth2/authorize", query_string={
        "client_id": "arcgisonline", "response_type": "code", "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"})
    assert authorize.status_code == 200
    state = authorize.data.decode().split('name="oauth_state" value="')[1].split('"')[0]
    signin = world.client.post("/portal/sharing/oauth2/signin", data={
        "oauth_state": state, "username": "alice", "password": USER_PASSWORD})
    location = signin.headers["Location"]
    code = location.split("code=")[1].split("&")[0]
    tokens = json.loads(world.client.post(f"{REST}/oauth2/token", data={
        "client_id": "arcgisonline", "grant_type": "authorization_code", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "f": "json"}).data)
    assert me(world, tokens["access_token"])["username"] == "alice"
    assert me(world, tokens["refresh_token"])["error"]["code"] == 498  # type: ignore[index]
    # an authorization code works once
    again = json.loads(world.client.post(f"{REST}/oauth2/token", data={
        "client_id": "arcgisonline", "grant_type": "authorization_code", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "f": "json"}).data)
    assert again["error"]["code"] == 400
