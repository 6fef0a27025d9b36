"""The organization end to end: the sharing/rest root, info, portals/self; and the wire habits of real clients
(double slashes, POST on read endpoints, token in the form body, f=pjson, errors as HTTP 200 envelopes)."""

from __future__ import annotations

import json

import pytest
from arcgis_typed import BadRequest, InvalidToken, PermissionDenied, PortalClient, TokenRequired
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import HOST, add_member, bearer, client_for, portal_url, raw_json
from werkzeug.test import Client

REST = "/portal/sharing/rest"


@pytest.mark.seed("GIS.version")
def test_root_has_a_dotted_current_version(arcgis_portal: PortalClient, anonymous: PortalClient) -> None:
    root = arcgis_portal.org.root()
    parts = root.current_version.split(".")
    assert len(parts) >= 2 and all(p.isdigit() for p in parts)
    assert [int(p) for p in parts] >= [10, 3]  # clients gate features on gis.version >= [6, 4] and such
    assert anonymous.org.root() == root  # readable without signing in


def test_root_raw_is_a_string_version(raw: Client) -> None:
    body = raw_json(raw.get(f"{REST}?f=json"))
    assert isinstance(body["currentVersion"], str)
    assert body == {"currentVersion": "2024.1"}


@pytest.mark.seed("GIS.(constructor)")
def test_info_points_at_the_token_service(anonymous: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    info = anonymous.org.info()
    assert info.auth_info is not None
    assert info.auth_info.token_services_url == f"{portal_url(arcgis_fake)}/sharing/rest/generateToken"
    assert info.auth_info.is_token_based_security is True
    assert info.owning_system_url == portal_url(arcgis_fake)
    assert info.full_version == "11.4.0"


def test_the_token_service_url_is_usable_verbatim(raw: Client) -> None:
    info = raw_json(raw.get(f"{REST}/info?f=json"))
    url = info["authInfo"]["tokenServicesUrl"]
    assert url == "http://localhost/portal/sharing/rest/generateToken"  # follows the request's host and scheme
    token = raw_json(raw.post(url, data={"username": "admin", "password": "fake-admin-password", "client": "referer",
                                         "referer": "http", "expiration": "60", "f": "json"}))
    assert set(token) == {"token", "expires", "ssl"}
    assert token["ssl"] is False
    me = raw_json(raw.get(f"{REST}/community/self?f=json", headers={"X-Esri-Authorization": f"Bearer {token['token']}",
                                                                   "Referer": "http"}))
    assert me["username"] == "admin"


@pytest.mark.parametrize("path", ["/portal/sharing/rest/info", "/portal/sharing/rest"])
def test_probe_urls_never_ask_for_another_auth_scheme(raw: Client, path: str) -> None:
    for response in (raw.get(path + "?f=json"), raw.post(path, data={"f": "json"})):
        body = raw_json(response)
        assert "error" not in body
        assert "WWW-Authenticate" not in response.headers


@pytest.mark.seed("GIS.properties")
@pytest.mark.seed("GIS.url")
@pytest.mark.seed("GIS.(constructor)")
def test_portals_self_without_a_user(anonymous: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    me = anonymous.org.properties()
    assert me.user is None
    assert me.portal_name == "ArcGIS Enterprise"
    assert me.portal_mode == "singletenant"
    assert me.is_portal is True
    assert me.id == arcgis_fake.portal.org.id
    assert me.name == "Fake Organization"
    assert me.url_key == "fakeorganization"
    assert me.portal_hostname == "fake.arcgis.test/portal"
    assert me.current_version == anonymous.org.root().current_version
    assert me.all_ssl is True
    assert me.supports_oauth is True
    assert me.max_token_expiration_minutes == 20160


@pytest.mark.seed("GIS.properties")
@pytest.mark.seed("GIS.(constructor)")
def test_portals_self_with_a_user(arcgis_portal: PortalClient, member: object) -> None:
    me = arcgis_portal.org.properties()
    assert me.user is not None
    assert me.user.username == "admin"
    assert me.user.role == "org_admin"
    assert me.user.privileges and any(":admin:" in p for p in me.user.privileges)

    alice = member("alice", "org_publisher")  # type: ignore[operator]
    theirs = alice.org.properties()
    assert theirs.user.username == "alice"
    assert theirs.user.role == "org_publisher"
    assert not any(":admin:" in p for p in theirs.user.privileges)
    assert "portal:publisher:publishFeatures" in theirs.user.privileges
    assert theirs.id == me.id


def test_portals_self_raw_has_no_user_key_when_anonymous(raw: Client) -> None:
    body = raw_json(raw.post(f"{REST}/portals/self", data={"f": "json"}))
    assert "user" not in body
    assert body["portalName"] == "ArcGIS Enterprise"


def test_portals_self_with_a_dead_token_is_498_not_anonymous(arcgis_fake: FakeArcGIS) -> None:
    with pytest.raises(InvalidToken):
        client_for(arcgis_fake, token="expired-or-made-up").org.properties()


def test_portals_self_over_plain_http_is_not_all_ssl(raw: Client) -> None:
    body = raw_json(raw.get(f"{REST}/portals/self?f=json", base_url="http://portal.example.test"))
    assert body["allSSL"] is False
    assert body["portalHostname"] == "portal.example.test/portal"


# --- the wire habits of real clients --------------------------------------------------------------------------


def test_f_pjson_is_pretty_json(raw: Client) -> None:
    compact = raw.get(f"{REST}/portals/self?f=json").get_data(as_text=True)
    pretty = raw.get(f"{REST}/portals/self?f=pjson").get_data(as_text=True)
    assert "\n" not in compact
    assert pretty.startswith("{\n  ")
    assert json.loads(pretty) == json.loads(compact)
    error = raw.get(f"{REST}/community/self?f=pjson")
    assert error.get_data(as_text=True).startswith('{\n  "error": {\n')
    assert raw_json(error)["error"]["code"] == 499


@pytest.mark.parametrize(
    "path",
    ["/portal/sharing/rest/nothing-here", "/portal/sharing/rest/content/items", "/portal/sharing", "/elsewhere",
     "/portal/sharing/rest/content/items/abc/data/more", "/"],
)
def test_unknown_routes_get_http_200_and_an_error_envelope(raw: Client, path: str) -> None:
    for response in (raw.get(path + "?f=json"), raw.post(path, data={"f": "json"})):
        body = raw_json(response)
        assert body["error"]["code"] == 400
        assert "Could not find resource or operation" in body["error"]["message"]
        assert body["error"]["details"] == []


def test_unsupported_methods_get_an_envelope(raw: Client) -> None:
    body = raw_json(raw.get(f"{REST}/content/users/admin/addItem?f=json"))
    assert body["error"]["code"] == 405
    assert "POST" in body["error"]["message"]
    body = raw_json(raw.open(f"{REST}/info", method="PUT"))
    assert body["error"]["code"] == 405


def test_double_slashes_are_collapsed(raw: Client, arcgis_portal: PortalClient) -> None:
    headers = bearer(arcgis_portal) | {"Referer": "http"}
    for path in ("/portal//sharing/rest//portals/self", "//portal/sharing//rest/portals//self/",
                 "/portal/sharing/rest///portals/self"):
        # PATH_INFO set directly: werkzeug's test client would read a leading // as a host name
        response = raw.get("/", query_string="f=json", headers=headers, environ_overrides={"PATH_INFO": path})
        assert raw_json(response)["user"]["username"] == "admin", path
    root = raw_json(raw.get("/portal//sharing//rest?f=json"))
    assert root == {"currentVersion": "2024.1"}


def test_read_endpoints_take_get_and_post_alike(raw: Client, arcgis_portal: PortalClient) -> None:
    headers = bearer(arcgis_portal) | {"Referer": "http"}
    for path in ("/portals/self", "/community/self", "/community/users/admin", "/info", ""):
        by_get = raw_json(raw.get(f"{REST}{path}?f=json", headers=headers))
        by_post = raw_json(raw.post(f"{REST}{path}", data={"f": "json"}, headers=headers))
        by_multipart = raw_json(raw.post(f"{REST}{path}", data={"f": "json"}, headers=headers,
                                         content_type="multipart/form-data"))
        assert "error" not in by_get, path
        assert by_get == by_post == by_multipart, path


def test_route_matching_is_case_insensitive(raw: Client) -> None:
    assert raw_json(raw.get("/portal/sharing/rest/INFO?f=json"))["fullVersion"] == "11.4.0"
    body = raw_json(raw.post("/portal/sharing/rest/GenerateToken",
                             data={"username": "admin", "password": "fake-admin-password", "f": "json"}))
    assert "token" in body


def test_parameter_names_are_case_insensitive(raw: Client, arcgis_fake: FakeArcGIS) -> None:
    add_member(arcgis_fake, "alice", access="public")
    body = raw_json(raw.get(f"{REST}/community/users?f=json&Q=alice&NUM=1"))
    assert body["total"] == 1 and body["num"] == 1


def test_another_context_path(arcgis_admin_credentials: tuple[str, str]) -> None:
    username, password = arcgis_admin_credentials
    fake = FakeArcGIS(username, password, portal_context="gis")
    client = PortalClient(f"{HOST}/gis", transport=client_for(fake).transport, username=username, password=password)
    assert client.org.properties().user.username == "admin"  # type: ignore[union-attr]
    assert raw_json(Client(fake).get("/portal/sharing/rest?f=json"))["error"]["code"] == 400


# --- settings and properties ----------------------------------------------------------------------------------

NOTICE = {"title": "Notice", "text": "Authorized use only.", "buttons": "acceptAndDecline", "enabled": True}
BANNER = {"text": "Maintenance Friday", "bgColor": "#ffcc00", "fontColor": "black", "enabled": True}


@pytest.mark.seed("GIS.org_settings")
def test_access_notices_and_banner_round_trip(arcgis_portal: PortalClient, anonymous: PortalClient) -> None:
    start = anonymous.org.settings()
    assert start.anonymous_access_notice is None and start.informational_banner is None
    assert arcgis_portal.org.update_settings(anonymous_access_notice=NOTICE, informational_banner=BANNER).success
    seen = anonymous.org.settings()
    assert seen.anonymous_access_notice == NOTICE
    assert seen.informational_banner == BANNER
    assert seen.authenticated_access_notice is None
    # a parameter left out, or empty without clearEmptyFields, keeps the setting
    arcgis_portal.org.update_settings(authenticated_access_notice={"title": "Hi", "text": "Welcome", "enabled": True})
    arcgis_portal.org.update_settings(anonymous_access_notice={})
    seen = arcgis_portal.org.settings()
    assert seen.anonymous_access_notice == NOTICE
    assert seen.authenticated_access_notice == {"title": "Hi", "text": "Welcome", "buttons": "okOnly", "enabled": True}
    # clearEmptyFields clears the empty ones only
    arcgis_portal.org.update_settings(anonymous_access_notice={}, clear_empty_fields=True)
    seen = arcgis_portal.org.settings()
    assert seen.anonymous_access_notice is None and seen.informational_banner == BANNER


@pytest.mark.parametrize(("field", "value", "message"), [
    ("anonymous_access_notice", {"title": "T", "enabled": True}, "needs a title and a text"),
    ("anonymous_access_notice", {"title": "T", "text": "x", "buttons": "maybe"}, "buttons"),
    ("authenticated_access_notice", {"title": "T", "text": "x", "colour": "red"}, "unknown properties"),
    ("informational_banner", {"enabled": True}, "needs a text"),
    ("informational_banner", {"text": "x", "bgColor": "url(javascript:1)"}, "not a colour"),
    ("informational_banner", {"text": "x", "enabled": "yes"}, "true or false"),
    ("informational_banner", ["text"], "JSON object"),
])
def test_malformed_settings_are_refused_and_change_nothing(arcgis_portal: PortalClient, field: str, value: object,
                                                          message: str) -> None:
    arcgis_portal.org.update_settings(informational_banner=BANNER)
    before = arcgis_portal.org.settings()
    with pytest.raises(BadRequest, match=message):
        arcgis_portal.org.update_settings(**({"anonymous_access_notice": NOTICE} | {field: value}))  # type: ignore[arg-type]
    assert arcgis_portal.org.settings() == before


def test_only_administrators_change_settings(arcgis_portal: PortalClient, member: object,
                                            anonymous: PortalClient) -> None:
    alice = member("alice", "org_publisher")  # type: ignore[operator]
    with pytest.raises(PermissionDenied):
        alice.org.update_settings(informational_banner=BANNER)
    with pytest.raises(PermissionDenied):
        alice.org.update(description="mine now")
    with pytest.raises(TokenRequired):
        anonymous.org.update(description="mine now")
    assert alice.org.settings().informational_banner is None


@pytest.mark.seed("GIS.update_properties")
@pytest.mark.seed("GIS.properties")
def test_update_properties_is_seen_by_every_user(arcgis_portal: PortalClient, member: object,
                                                anonymous: PortalClient) -> None:
    geocoder = [{"url": "https://geo.example.test/GeocodeServer", "name": "Locator", "singleLineFieldName": "SL"}]
    assert arcgis_portal.org.update(
        description="Our GIS", units="english", geocode_service=geocoder,
        portal_properties={"links": {"contactUs": {"url": "mailto:gis@example.test"}}},
        authorized_cross_origin_domains=["https://apps.example.test"], can_share_public=False).success
    alice = member("alice")  # type: ignore[operator]
    for client in (arcgis_portal, alice, anonymous):
        me = client.org.properties()
        assert me.description == "Our GIS" and me.units == "english" and me.can_share_public is False
        assert me.helper_services["geocode"] == geocoder  # type: ignore[index]
        assert me.portal_properties == {"links": {"contactUs": {"url": "mailto:gis@example.test"}}}
        assert me.authorized_cross_origin_domains == ["https://apps.example.test"]
    assert anonymous.org.settings().helper_services == {"geocode": geocoder}
    arcgis_portal.org.update(description="")  # empty: kept
    assert anonymous.org.properties().description == "Our GIS"
    arcgis_portal.org.update(description="", portal_properties={}, clear_empty_fields=True)
    me = anonymous.org.properties()
    assert me.description == "" and me.portal_properties is None and me.units == "english"
    with pytest.raises(BadRequest, match="'name'"):
        arcgis_portal.org.update(name="", clear_empty_fields=True)
    with pytest.raises(BadRequest, match="geocodeService"):
        arcgis_portal.org.update(geocode_service=[{"name": "no url"}])
    with pytest.raises(BadRequest, match="portalProperties"):
        arcgis_portal.org.update(portal_properties=[1, 2])
    assert arcgis_portal.org.update(name="Renamed Org").success
    assert anonymous.org.properties().name == "Renamed Org"
