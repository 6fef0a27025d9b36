"""The Mission Server's security configuration end to end: every documented key, its rules (HSTS needs
HTTPS only, no direct administrator access without web-tier authentication, portalProperties for the
federation, valid IP addresses), and the configuration at work (HTTPS-only refuses HTTP; the allowed
administrator addresses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from arcgis_typed import (
    BadRequest,
    InvalidToken,
    MissionAdminClient,
    MissionClient,
    PermissionDenied,
    SignInError,
    WsgiTransport,
)
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import bearer
from mission_helpers import PASSWORD, Side, admin_side, make_fake, member_side
from werkzeug.test import Client


@pytest.fixture
def fake(tmp_path: Path) -> FakeArcGIS:
    return make_fake(tmp_path)[0]


@pytest.fixture
def admin(fake: FakeArcGIS) -> Side:
    return admin_side(fake)


@pytest.mark.seed("SecurityManager.(constructor)", "SecurityManager.ofMissionServer", "MissionServer.security")
def test_the_configuration_and_its_keys(admin: Side) -> None:
    assert admin.admin.security.get().resources == ["config"]
    config = admin.admin.security.config()
    assert (config.protocol, config.http_enabled, config.ssl_enabled) == ("HTTP_AND_HTTPS", True, True)
    assert config.authentication_tier == "ARCGIS_PORTAL" and config.authentication_mode == "ARCGIS_PORTAL_TOKEN"
    assert config.allow_direct_access is True and config.hsts_enabled is False
    assert config.portal_properties is not None and config.portal_properties.portal_mode == "ARCGIS_PORTAL_FEDERATION"
    assert config.portal_properties.portal_url == "https://fake.arcgis.test/portal"
    assert config.security_enabled is True and config.virtual_dirs_security_enabled is False
    assert config.user_store_config and config.role_store_config
    updated = admin.admin.security.update(protocol="HTTPS", hsts_enabled=True, virtual_dirs_security_enabled=True,
                                          allowed_admin_access_ips="127.0.0.1, ::1")
    assert (updated.protocol, updated.http_enabled, updated.ssl_enabled, updated.hsts_enabled) == ("HTTPS", False, True, True)
    assert updated.allowed_admin_access_ips == "127.0.0.1,::1"
    assert admin.admin.security.config() == updated
    federated = admin.admin.security.update(portal_properties={
        "portalMode": "ARCGIS_PORTAL_FEDERATION", "portalURL": "https://portal.example.com/portal",
        "serverId": "abc123", "serverURL": "https://mission.example.com/mission", "portalSecretKey": "top",
        "token": "tok", "referer": "https://mission.example.com"})
    props = federated.portal_properties
    assert props is not None and (props.portal_url, props.server_id) == ("https://portal.example.com/portal", "abc123")
    assert "portalSecretKey" not in props.extra and "token" not in props.extra  # secrets never come back
    # web-tier authentication, then direct access may be switched off (and this client is direct)
    admin.admin.security.update(authentication_tier="WEB_ADAPTOR", authentication_mode="WEB_ADAPTOR_AUTHENTICATION")
    assert admin.admin.security.update(allow_direct_access=False).allow_direct_access is False
    with pytest.raises(PermissionDenied):
        admin.admin.security.config()


@pytest.mark.seed("SecurityManager.ofMissionServer")
@pytest.mark.parametrize(("kwargs", "wire"), [
    ({"hsts_enabled": True}, "HSTSEnabled"),
    ({"protocol": "HTTP", "hsts_enabled": True}, "HSTSEnabled"),
    ({"allow_direct_access": False}, "allowDirectAccess"),
    ({"authentication_tier": "GIS_SERVER", "allow_direct_access": False}, "allowDirectAccess"),
    ({"allowed_admin_access_ips": "10.0.0.1,not-an-ip"}, "allowedAdminAccessIPs"),
    ({"portal_properties": {"portalMode": "NONE"}}, "portalProperties"),
    ({"portal_properties": {"portalMode": "ARCGIS_PORTAL_FEDERATION", "portalURL": "ftp://x", "serverId": "a",
                            "serverURL": "https://s"}}, "portalProperties"),
    ({"portal_properties": {"portalMode": "ARCGIS_PORTAL_FEDERATION", "portalURL": "https://p", "serverURL": "https://s"}},
     "portalProperties"),
    ({"portal_properties": {"portalMode": "ARCGIS_PORTAL_FEDERATION", "colour": "red"}}, "portalProperties"),
    ({"portal_properties": [1]}, "portalProperties"),
    ({"protocol": "FTP"}, "Protocol"),
])
def test_rules(admin: Side, kwargs: dict[str, object], wire: str) -> None:
    before = admin.admin.security.config()
    with pytest.raises(BadRequest, match=f"'{wire}") as caught:
        admin.admin.security.update(**kwargs)  # type: ignore[arg-type]
    assert caught.value.operation == "security.update"
    assert admin.admin.security.config() == before


def test_the_configuration_at_work(fake: FakeArcGIS, admin: Side) -> None:
    plain = MissionAdminClient("http://fake.arcgis.test/mission", auth=admin.portal.auth, transport=WsgiTransport(fake))
    assert plain.security.config().protocol == "HTTP_AND_HTTPS"
    admin.admin.security.update(protocol="HTTPS")
    with pytest.raises(PermissionDenied, match="HTTPS"):
        plain.security.config()
    admin.admin.security.update(allowed_admin_access_ips="10.1.2.3")
    with pytest.raises(PermissionDenied, match="allowedAdminAccessIPs"):
        admin.admin.security.config()
    assert admin.rest.missions.list().services == []  # the REST API is not the Administrator API
    severe = [r for r in fake.mission.logs.records if r.type == "SEVERE"]
    assert [r.code for r in severe] == [9202, 9202]


def test_only_administrators(fake: FakeArcGIS) -> None:
    with pytest.raises(PermissionDenied):
        member_side(fake, "pub").admin.security.update(protocol="HTTPS")


def test_hsts_header(fake: FakeArcGIS, admin: Side) -> None:
    def headers(path: str) -> object:
        return Client(fake).get(path, query_string={"f": "json"}, base_url="https://fake.arcgis.test",
                                headers={"Referer": "http", **bearer(admin.portal)}).headers

    assert "Strict-Transport-Security" not in headers("/mission/admin/info")  # type: ignore[operator]
    admin.admin.security.update(protocol="HTTPS", hsts_enabled=True)
    assert headers("/mission/admin/info")["Strict-Transport-Security"] == "max-age=31536000"  # type: ignore[index]
    assert headers("/mission/rest/services")["Strict-Transport-Security"] == "max-age=31536000"  # type: ignore[index]
    assert "Strict-Transport-Security" not in headers("/portal/sharing/rest/info")  # type: ignore[operator]


def test_no_direct_access_means_through_an_admin_enabled_web_adaptor(fake: FakeArcGIS, admin: Side) -> None:
    admin.admin.webadaptors.register(machine_name="web01", machine_ip="10.0.0.7", http_port=80, https_port=443,
                                     web_adaptor_url="https://web01.example.com/mission", is_admin_enabled=True)
    admin.admin.security.update(authentication_tier="WEB_ADAPTOR", allow_direct_access=False)
    with pytest.raises(PermissionDenied, match="allowDirectAccess"):
        admin.admin.security.config()
    assert admin.rest.missions.list().services == []  # the REST API stays open
    through = MissionAdminClient("https://web01.example.com/mission", auth=admin.portal.auth,
                                 transport=WsgiTransport(fake))
    assert through.security.config().allow_direct_access is False
    assert through.security.update(allow_direct_access=True).allow_direct_access is True
    assert admin.admin.security.config().allow_direct_access is True


def test_the_primary_site_administrator_signs_in_on_its_own(fake: FakeArcGIS) -> None:
    root = "https://fake.arcgis.test/mission"
    psa = MissionAdminClient(root, username="siteadmin", password=PASSWORD, transport=WsgiTransport(fake))
    assert psa.info.info().logged_in_user == "siteadmin"
    assert psa.security.update(virtual_dirs_security_enabled=True).virtual_dirs_security_enabled is True
    with pytest.raises(SignInError):
        MissionAdminClient(root, username="siteadmin", password="wrong-password", transport=WsgiTransport(fake))
    with pytest.raises(SignInError):
        MissionAdminClient(root, username="admin", password=PASSWORD, transport=WsgiTransport(fake))  # a portal user
    assert psa.auth is not None
    token = psa.auth.token()
    assert token is not None
    rest = MissionClient(f"{root}/rest", token=token, transport=WsgiTransport(fake))
    with pytest.raises(InvalidToken):
        rest.missions.list()  # its token is not a portal token
    refused = [r for r in fake.mission.logs.records if r.code == 9105 and r.method_name == "tokens.generate_token"]
    assert len(refused) == 2 and all("Unable to generate token" in r.message for r in refused)
    assert all(PASSWORD not in r.message and "wrong-password" not in r.message for r in fake.mission.logs.records)
