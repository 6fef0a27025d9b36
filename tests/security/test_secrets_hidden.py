"""Security review, secrets: passwords and tokens never appear in logs (the fake's, the server's, urllib3's at
DEBUG), in exception messages or reprs of the client (URLs are redacted), in the fake's answers (errors never
echo a secret parameter), or in HTML pages (a token the caller sent in a header or a body is never written into
a page; see `test_html_pages_carry_only_a_token_the_url_already_had`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import urllib3
from arcgis_typed import (
    ArcGISClientError,
    PasswordAuth,
    PortalClient,
    ServerAdminClient,
    TokenAuth,
    Urllib3Transport,
)
from arcgis_typed._runtime.errors import redact
from arcgis_typed._runtime.transport import HttpRequest
from arcgis_typed_fake import FakeArcGIS, serve
from fuzzworld import ADMIN_PASSWORD, USER_PASSWORD, World, new_world, operation_tables
from werkzeug.test import Client

SECRET = "S3cret-Passw0rd-XYZZY"


class Everything(logging.Handler):
    """Every record of every logger, formatted (message, arguments and traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args))


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    handler = Everything()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def live_tokens(fake: FakeArcGIS) -> set[str]:
    found = set(fake.portal.tokens._tokens)
    for site in fake.server.sites:
        found |= set(site.tokens._tokens)
    return found


def test_no_secret_in_any_log_or_exception(all_logs: Everything) -> None:
    fake = FakeArcGIS(admin_password=SECRET, password_iterations=1)
    fake.portal.add_user("alice", USER_PASSWORD)
    raised: list[BaseException] = []
    with serve(fake, https=True) as server:
        for flow in ("token", "oauth2"):
            client = PortalClient(server.portal_url, username="admin", password=SECRET, flow=flow,  # type: ignore[arg-type]
                                  ca_certs=server.ca_path)
            client.content.search(q="title:x")  # a GET: urllib3 logs its URL at DEBUG
            client.users.me()
            assert "admin" == client.users.me().username
        for attempt in (
            lambda: PortalClient(server.portal_url, username="admin", password=SECRET + "wrong", ca_certs=server.ca_path),
            lambda: PortalClient(server.portal_url, token=SECRET, ca_certs=server.ca_path).users.me(),
            lambda: PortalClient(server.portal_url, username="alice", password=USER_PASSWORD,
                                 ca_certs=server.ca_path).users.disable("admin"),
            lambda: PortalClient(server.portal_url, username="admin", password=SECRET).users.me(),  # no CA: TLS fails
        ):
            with pytest.raises(ArcGISClientError) as info:
                attempt()
            raised.append(info.value)
        assert server.server_admin_url is not None
        admin = ServerAdminClient(server.server_admin_url.removesuffix("/admin"), username="admin", password=SECRET,
                                  ca_certs=server.ca_path)
        admin.machines.list()
        secrets = {SECRET, USER_PASSWORD, *live_tokens(fake)}
        assert len(secrets) >= 6
    assert any("urllib3" in line for line in all_logs.lines)  # the capture works
    texts = all_logs.lines + [f"{e!s} {e!r} {getattr(e, 'url', '')}" for e in raised]
    for text in texts:
        for secret in secrets:
            assert secret not in text, text


def test_client_objects_never_show_secrets() -> None:
    auth = PasswordAuth("admin", SECRET, grant=lambda u, p: None)  # type: ignore[arg-type, return-value]
    assert SECRET not in repr(auth) and SECRET not in repr(TokenAuth(SECRET))
    client = PortalClient("https://fake.test/portal", token=SECRET)
    assert SECRET not in repr(client) and SECRET not in repr(client.auth)
    request = HttpRequest("GET", f"https://fake.test/portal?token={SECRET}", {"X-Esri-Authorization": f"Bearer {SECRET}"})
    assert SECRET not in repr(request)


@pytest.mark.parametrize("url", [
    f"https://h/portal/sharing/rest/search?q=x&token={SECRET}",
    f"https://h/portal/sharing/rest/generateToken?username=a&password={SECRET}&f=json",
    f"https://app.test/cb#access_token={SECRET}&expires_in=7200&state=abc",
    f"https://h/x?refresh_token={SECRET}", f"https://h/x?code={SECRET}", f"https://h/x?client_secret={SECRET}",
    f"https://h/x?TOKEN={SECRET}", f"https://h/x?api_key={SECRET}",
])
def test_urls_are_redacted(url: str) -> None:
    assert SECRET not in redact(url)


class Refusing:
    """A urllib3 pool whose requests fail with urllib3's own exception, which names the whole URL."""

    def request(self, method: str, url: str, **kw: object) -> None:
        raise urllib3.exceptions.MaxRetryError(None, url, None)  # type: ignore[arg-type]

    def clear(self) -> None:
        pass


def test_transport_errors_never_carry_the_url_unredacted() -> None:
    transport = Urllib3Transport(pool=Refusing())  # type: ignore[arg-type]
    with pytest.raises(ArcGISClientError) as info:
        transport.send(HttpRequest("GET", f"https://h/x?f=json&token={SECRET}", {}), idempotent=True)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value) and SECRET not in info.value.url  # type: ignore[attr-defined]


SECRET_PARAMS = [(op, p, context) for api, (ops, context) in operation_tables().items() for op in ops
                 for p in op.params if p.secret and p.location == "form"]


def test_the_table_marks_secrets() -> None:
    assert {p.wire for _, p, _ in SECRET_PARAMS} >= {"password", "newPassword", "client_secret", "refresh_token"}


@pytest.mark.parametrize(("op", "param", "context"), SECRET_PARAMS,
                         ids=[f"{op.api}:{op.name}-{p.wire}" for op, p, _ in SECRET_PARAMS])
def test_answers_never_echo_a_secret_parameter(op: object, param: object, context: str) -> None:
    """Every operation taking a secret, given a wrong, a too short, a malformed one, with every other parameter
    plausible: the answer (error or not) never contains it."""
    world = new_world()
    from arcgis_typed._runtime.operation import Operation, Param

    assert isinstance(op, Operation) and isinstance(param, Param)
    path = op.url(context, {p.wire: "admin" if "user" in p.wire.lower() else "MACHINE1"
                            for p in op.params if p.location == "path"})
    for secret in (SECRET, "short", "a'b\"c<d>" + SECRET, SECRET + "\u2603"):
        form = {p.wire: "admin" if p.wire in ("username", "user") else "x" for p in op.params
                if p.location == "form" and p.required}
        form.update({p.wire: secret for p in op.params if p.secret})
        for token in (world.admin_token, None):
            response = world.post(path, form, token) if "POST" in op.methods else world.client.get(
                path, query_string={**form, "f": "json"})
            assert secret.encode() not in response.data, (op.name, response.data)
            assert json.dumps(secret)[1:-1].encode() not in response.data
            assert secret not in str(response.headers)


def test_html_pages_carry_only_a_token_the_url_already_had() -> None:
    """Browsable pages (f=html) carry the caller's token in their links only when the caller put it in the URL
    (as the ArcGIS Server Administrator Directory does); a token sent in a header or a body never is."""
    world = new_world()
    client = world.client
    token = client.post("/arcgis/admin/generateToken", data={"username": "admin", "password": ADMIN_PASSWORD,
                                                             "client": "requestip", "f": "json"}).get_json()["token"]
    ops, context = operation_tables()["server_admin"]
    pages = [op.url(context, {}) for op in ops if op.html and "GET" in op.methods and "{" not in op.url(context, {})]
    assert len(pages) >= 2
    for path in pages:
        by_header = client.get(path, query_string={"f": "html"}, headers={"X-Esri-Authorization": f"Bearer {token}"})
        by_body = client.post(path, data={"f": "html", "token": token})
        for page in (by_header, by_body):
            assert page.mimetype == "text/html", page.data[:200]
            assert token.encode() not in page.data
            assert ADMIN_PASSWORD.encode() not in page.data
        by_query = client.get(path, query_string={"f": "html", "token": token})
        assert by_query.mimetype == "text/html" and ADMIN_PASSWORD.encode() not in by_query.data
        # the password fields of the forms are empty password inputs
        assert b'type="password" value' not in by_query.data


def test_the_fake_logs_no_request_details(all_logs: Everything) -> None:
    """A request that ends in an internal error is logged with its method and path only: never its query
    string, headers or body (where tokens and passwords travel)."""
    world: World = new_world()
    fake = world.fake

    def boom(*_: object) -> None:
        raise RuntimeError("boom")

    from arcgis_typed_fake.registry import HANDLERS

    key = "portal:users.me"
    original = HANDLERS[key]
    HANDLERS[key] = boom  # type: ignore[assignment]
    try:
        response = Client(fake).get("/portal/sharing/rest/community/self",
                                    query_string={"f": "json", "token": world.admin_token, "password": SECRET})
    finally:
        HANDLERS[key] = original
    assert json.loads(response.data)["error"]["code"] == 500
    assert any("internal error" in line for line in all_logs.lines)
    for line in all_logs.lines:
        assert world.admin_token not in line and SECRET not in line
