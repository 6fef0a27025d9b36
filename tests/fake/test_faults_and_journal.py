"""Fault injection rules and the request journal, and the typed client's retry / refresh behaviour under them:
it retries only idempotent operations, refreshes its token once on 498 and never loops."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed._runtime.errors import ArcGISError, InvalidToken, ResponseDecodeError, ServerError
from arcgis_typed_fake import FakeArcGIS, RunningServer, serve
from werkzeug.test import Client

ADMIN_PASSWORD = "admin-password"


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password=ADMIN_PASSWORD, seed=11)


@pytest.fixture
def admin(fake: FakeArcGIS) -> PortalClient:
    return PortalClient("https://fake.arcgis.test/portal", transport=WsgiTransport(fake), username="admin",
                        password=ADMIN_PASSWORD)


@pytest.fixture
def served(fake: FakeArcGIS) -> Iterator[RunningServer]:
    with serve(fake, https=False) as server:
        yield server


@pytest.fixture
def remote(served: RunningServer) -> PortalClient:
    """Over loopback with the default urllib3 transport: the one that retries."""
    return PortalClient(served.portal_url, username="admin", password=ADMIN_PASSWORD)


def ops(fake: FakeArcGIS) -> list[str | None]:
    return [r.op.split(":", 1)[1] if r.op else None for r in fake.requests]


# --- the journal -----------------------------------------------------------------------------------------------


def test_journal_records_typed_requests_and_redacts_secrets(fake: FakeArcGIS, admin: PortalClient) -> None:
    item = admin.content.add_item("admin", title="Roads", type="CSV", text="a,b", tags=["x", "y"])
    admin.content.get(item.id)
    records = list(fake.requests)
    assert ops(fake) == ["tokens.generate_token", "content.add_item", "content.get"]
    sign_in = records[0]
    assert sign_in.params["password"] == "***" and sign_in.params["username"] == "admin"
    assert ADMIN_PASSWORD not in repr(records)
    token = admin.auth.token() if admin.auth else ""
    assert token and token not in repr(records)
    add = fake.requests.assert_called("content.add_item", title="Roads", tags=["x", "y"])[0]
    assert (add.method, add.status, add.error_code, add.ok) == ("POST", 200, None, True)
    fake.requests.assert_called("portal:content.*", times=2)
    fake.requests.assert_not_called("content.delete")
    fake.requests.assert_called_with("content.get", times=1, id=item.id)


def test_journal_assertions_fail_with_a_readable_message(fake: FakeArcGIS, admin: PortalClient) -> None:
    admin.content.add_item("admin", title="Roads", type="CSV", text="a,b")
    with pytest.raises(AssertionError, match=r"expected content.delete to be called at least once, it was called 0"):
        fake.requests.assert_called("content.delete")
    with pytest.raises(AssertionError, match=r"(?s)not to be called; it was called 1.*content.add_item"):
        fake.requests.assert_not_called("content.add_item", title="Roads")
    with pytest.raises(AssertionError, match=r"the last call of content.add_item differs.*title='Roads'"):
        fake.requests.assert_called_with("content.add_item", title="Streets")
    with pytest.raises(AssertionError, match=r"called 2 time\(s\), it was called 1"):
        fake.requests.assert_called("content.add_item", times=2)


def test_journal_records_errors_and_unknown_paths(fake: FakeArcGIS, admin: PortalClient) -> None:
    with pytest.raises(ArcGISError):
        admin.content.get("0" * 32)
    Client(fake).get("/portal/sharing/rest/nothing/here?f=json")
    last_two = list(fake.requests)[-2:]
    assert last_two[0].op == "portal:content.get" and last_two[0].error_code == 400
    assert last_two[1].op is None and last_two[1].path == "/portal/sharing/rest/nothing/here"
    fake.requests.clear()
    assert len(fake.requests) == 0


# --- fault rules, in-process -------------------------------------------------------------------------------------


def test_error_rule_answers_the_arcgis_envelope_and_leaves_state_alone(fake: FakeArcGIS, admin: PortalClient) -> None:
    admin.users.me()
    rule = fake.faults.add("content.add_item", error_code=500, message="Disk full", times=1)
    with pytest.raises(ServerError, match="Disk full"):
        admin.content.add_item("admin", title="never", type="CSV", text="x")
    assert len(fake.portal.items) == 0
    admin.content.add_item("admin", title="second try", type="CSV", text="x")  # times=1: spent
    assert (rule.seen, rule.fired) == (2, 1)
    assert [r.fault for r in fake.requests if r.op == "portal:content.add_item"] == [rule.id, None]


def test_server_admin_faults_use_the_server_envelope(fake: FakeArcGIS) -> None:
    fake.faults.add("server_admin:*", error_code=503, message="Server busy")
    body = Client(fake).post("/arcgis/admin/generateToken", data={"f": "json"}).get_json()
    assert body == {"status": "error", "messages": ["Server busy"], "code": 503}


def test_probabilistic_rules_reproduce_with_the_same_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        fake = FakeArcGIS(admin_password=ADMIN_PASSWORD)
        fake.faults.seed(seed)
        fake.faults.add("org.root", error_code=500, probability=0.5)
        web = Client(fake)
        return ["error" in web.get("/portal/sharing/rest?f=json").get_json() for _ in range(40)]

    first = pattern(42)
    assert first == pattern(42)
    assert 5 < sum(first) < 35  # it does fire about half the time
    assert first != pattern(43)


def test_truncated_body_is_a_typed_decode_error(fake: FakeArcGIS, admin: PortalClient) -> None:
    item = admin.content.add_item("admin", title="Roads", type="CSV", text="a,b")
    fake.faults.add("content.get", truncate=True, times=1)
    with pytest.raises(ResponseDecodeError, match="content.get"):
        admin.content.get(item.id)
    assert admin.content.get(item.id).title == "Roads"


def test_failure_in_the_middle_of_paging(fake: FakeArcGIS, admin: PortalClient) -> None:
    owner = fake.portal.users.require("admin")
    for i in range(250):
        fake.portal.add_item(owner, "admin", title=f"item {i:03}", type="CSV")
    fake.faults.add("content.search", error_code=500, message="Search node lost", after=1, times=1)
    seen = []
    with pytest.raises(ServerError, match="Search node lost"):
        for item in admin.content.search_all(q="type:csv", sort_field="title"):
            seen.append(item.title)
    assert len(seen) == 100  # the first page arrived, the second failed
    starts = [(r.params.get("start"), r.error_code) for r in fake.requests.calls("content.search")]
    assert starts == [("1", None), ("101", 500)]
    assert len(list(admin.content.search_all(q="type:csv"))) == 250  # the rule is spent: paging works again


def test_rules_can_match_parameters(fake: FakeArcGIS, admin: PortalClient) -> None:
    owner = fake.portal.users.require("admin")
    keep = fake.portal.add_item(owner, "admin", title="keep", type="CSV")
    other = fake.portal.add_item(owner, "admin", title="other", type="CSV")
    fake.faults.add("content.get", error_code=404, when={"id": keep.id})
    assert admin.content.get(other.id).title == "other"
    with pytest.raises(Exception, match="Injected fault"):
        admin.content.get(keep.id)


def test_latency(fake: FakeArcGIS, admin: PortalClient) -> None:
    admin.users.me()
    fake.faults.add("users.me", latency_ms=120, times=1)
    started = time.perf_counter()
    admin.users.me()
    assert time.perf_counter() - started >= 0.12


def test_invalid_rules_are_refused(fake: FakeArcGIS) -> None:
    with pytest.raises(ValueError, match="needs an effect"):
        fake.faults.add("content.get")
    with pytest.raises(ValueError, match="probability"):
        fake.faults.add("content.get", error_code=500, probability=2)
    with pytest.raises(ValueError, match="unknown fault rule field"):
        fake.faults.add_json({"op": "content.get", "errorcode": 500})


# --- the client's refresh behaviour ----------------------------------------------------------------------------


def test_token_expiry_now_makes_the_client_refresh_once(fake: FakeArcGIS, admin: PortalClient) -> None:
    admin.users.me()
    fake.faults.add("users.me", expire_tokens=True, times=1)
    assert admin.users.me().username == "admin"
    assert ops(fake)[-3:] == ["users.me", "tokens.generate_token", "users.me"]
    assert [r.error_code for r in fake.requests][-3:] == [498, None, None]


def test_the_client_never_loops_on_498(fake: FakeArcGIS, admin: PortalClient) -> None:
    admin.users.me()
    fake.faults.add("users.me", error_code=498, message="Invalid token.")
    with pytest.raises(InvalidToken):
        admin.users.me()
    assert ops(fake) == ["tokens.generate_token", "users.me", "users.me", "tokens.generate_token", "users.me"]


def test_expire_tokens_api(fake: FakeArcGIS, admin: PortalClient) -> None:
    admin.users.me()
    fake.expire_tokens()
    assert admin.users.me().username == "admin"
    fake.requests.assert_called("tokens.generate_token", times=2)


# --- the client's retries, over loopback (the urllib3 transport retries; the in-process one does not) ----------


def test_idempotent_operations_are_retried_on_503(fake: FakeArcGIS, remote: PortalClient) -> None:
    item = remote.content.add_item("admin", title="Roads", type="CSV", text="a,b")
    rule = fake.faults.add("content.get", http_status=503, times=2)
    assert remote.content.get(item.id).title == "Roads"
    gets = fake.requests.calls("content.get")
    assert [(r.status, r.fault) for r in gets] == [(503, rule.id), (503, rule.id), (200, None)]


def test_retry_after_is_honoured(fake: FakeArcGIS, remote: PortalClient) -> None:
    remote.users.me()
    fake.faults.add("users.me", http_status=429, retry_after=1, times=1)
    started = time.perf_counter()
    assert remote.users.me().username == "admin"
    assert time.perf_counter() - started >= 0.9
    assert [r.status for r in fake.requests.calls("users.me")] == [200, 429, 200]


def test_non_idempotent_operations_are_not_retried(fake: FakeArcGIS, remote: PortalClient) -> None:
    remote.users.me()
    fake.faults.add("content.add_item", http_status=503, times=1)
    with pytest.raises(ArcGISError, match=r"code 503"):
        remote.content.add_item("admin", title="once", type="CSV", text="x")
    fake.requests.assert_called("content.add_item", times=1)
    assert len(fake.portal.items) == 0


def test_retries_give_up(fake: FakeArcGIS, remote: PortalClient) -> None:
    remote.users.me()
    fake.faults.add("users.me", http_status=502)
    with pytest.raises(ArcGISError, match=r"code 502"):
        remote.users.me()
    assert len(fake.requests.calls("users.me")) == 1 + 1 + 3  # the first call, then one + three retries


def test_a_half_applied_edit_is_not_retried(fake: FakeArcGIS, remote: PortalClient) -> None:
    """A gateway timeout after the write: the item was added, the client hears 504 and must not add it twice."""
    remote.users.me()
    fake.faults.add("content.add_item", http_status=504, applied=True, times=1)
    with pytest.raises(ArcGISError, match=r"code 504"):
        remote.content.add_item("admin", title="half applied", type="CSV", text="x")
    assert [i.title for i in fake.portal.items] == ["half applied"]  # applied once, answered with an error
    fake.requests.assert_called("content.add_item", times=1)


def test_an_applied_fault_on_an_idempotent_edit_is_retried_safely(fake: FakeArcGIS, remote: PortalClient) -> None:
    item = remote.content.add_item("admin", title="before", type="CSV", text="x")
    fake.faults.add("content.get", http_status=503, applied=True, times=1)
    assert remote.content.get(item.id).title == "before"
    assert [r.status for r in fake.requests.calls("content.get")] == [503, 200]


def test_partly_implemented_operations_are_labelled_on_the_wire_and_in_the_journal(
    fake: FakeArcGIS, admin: PortalClient
) -> None:
    from arcgis_typed_fake import FakeFidelityWarning
    from arcgis_typed_fake.journal import warn_partial

    admin.content.search(q="roads")  # labelled partial in the spec (no stemming, no relevance ranking)
    admin.users.me()
    web = Client(fake)
    assert web.get("/portal/sharing/rest/search?q=x&f=json").headers.get("X-Fake-Fidelity") == "partial"
    assert "X-Fake-Fidelity" not in web.get("/portal/sharing/rest?f=json").headers
    assert fake.requests.partial() == ["portal:content.search"]
    with pytest.warns(FakeFidelityWarning, match=r"only partly: portal:content.search"):
        warn_partial(fake.requests)
