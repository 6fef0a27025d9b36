"""Esri's official `arcgis` client (2.4.4), unmodified, on the marketplace (listings), registered certificates
and the organization's settings and properties: `tox -e compat`.

Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS). The official
MarketPlaceManager posts provision_org_entitlements and provision_user_entitlements to the listing itself
(content/listings/{id}) instead of the documented .../provisionOrgEntitlements and .../provisionUserEntitlements,
so those two are exercised through the typed client only.
"""

from __future__ import annotations

import pytest

pytest.importorskip("arcgis")

import trustme
from arcgis.gis import GIS
from arcgis.gis._impl import CertificateManager
from arcgis.gis.sharing import MarketPlaceManager
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat


def test_listing_and_buying_with_the_official_marketplace_manager(gis: GIS, target: Target,  # noqa: F811
                                                                  arcgis_fake: FakeArcGIS) -> None:
    portal = arcgis_fake.portal
    admin = portal.users.require("admin")
    item = portal.add_item(admin, "admin", title="Route planner", type="Web Mapping Application", tags=["apps"])
    market = MarketPlaceManager(gis)
    with pytest.raises(Exception, match="listing properties"):
        market.list(item.id)
    portal.marketplace.set_listing_properties(item.id, license_type="free")
    assert market.list(item.id) == {"success": True, "itemId": item.id}
    assert target.recorder.to(f"/content/users/admin/items/{item.id}/list")
    found = market.listings(query="route")
    assert found["total"] == 1 and found["listings"][0]["itemId"] == item.id and found["nextStart"] == -1
    assert market.listing(item.id)["licenseType"] == "free"
    assert market.comments(item.id) == {"comments": []}

    buyer = portal.add_organization("Buyer Org")
    portal.add_user("bart", "bart-password-123", role="org_admin", org_id=buyer.id)
    bart = MarketPlaceManager(target.gis("bart", "bart-password-123"))
    with pytest.raises(Exception, match="free listing"):
        bart.express_interest(item.id)
    bought = bart.purchase(item.id)
    assert bought["purchased"] is True and bought["purchaserOrgId"] == buyer.id
    mine = bart.purchases()
    assert [p["provision"]["itemId"] for p in mine["purchases"]] == [item.id] and mine["trials"] == []
    customers = market.customer_list(status="all")  # requests portals/self/customers (documented: customersList)
    assert customers["total"] == 1 and customers["provisions"][0]["customer"]["name"] == "Buyer Org"
    with pytest.raises(Exception, match="purchaserOrgId"):
        market.delete_provision(item.id)  # it sends no purchaserOrgId; the documented operation needs one
    assert market.unlist(item.id)["success"] is True
    assert market.listings()["total"] == 0


def test_certificates_with_the_official_certificate_manager(gis: GIS, target: Target,  # noqa: F811
                                                            arcgis_fake: FakeArcGIS) -> None:
    ca = trustme.CA()
    pem = ca.issue_cert("gis.example.test").cert_chain_pems[0].bytes().decode()
    certs = CertificateManager(gis)
    assert certs.certificates == []
    assert certs.add(name="gis", domain="gis.example.test", certificate=pem) is True
    listed = certs.certificates
    assert [(c["name"], c["domain"]) for c in listed] == [("gis", "gis.example.test")]
    cert_id = listed[0]["id"]
    assert certs.get(cert_id)["sslCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert certs.update(cert_id, domain="maps.example.test") is True
    assert certs.get(cert_id)["domain"] == "maps.example.test"
    refused = certs.add(name="bad", domain="bad.example.test", certificate="not a pem")  # read raw: not raised
    assert refused["error"]["code"] == 400 and "'certificate'" in refused["error"]["message"]
    assert certs.delete(cert_id) is True
    assert certs.get(cert_id) is None  # the official client looks the id up in the list first
    assert [c.name for c in arcgis_fake.portal.certificates] == []


def test_org_settings_and_update_properties(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    banner = {"text": "Maintenance Friday", "bgColor": "grey", "fontColor": "blue", "enabled": True}
    notice = {"title": "Notice", "text": "Authorized use only", "buttons": "acceptAndDecline", "enabled": True}
    gis.org_settings = {"informationalBanner": banner, "anonymousAccessNotice": notice}
    settings = gis.org_settings
    assert settings["informationalBanner"] == banner and settings["anonymousAccessNotice"] == notice
    assert target.recorder.to("/portals/self/settings/update")
    gis.org_settings = {"anonymousAccessNotice": {}, "clearEmptyFields": True}
    assert "anonymousAccessNotice" not in gis.org_settings
    assert gis.update_properties({"description": "Our GIS", "geocodeService": [
        {"url": "https://geo.example.test/GeocodeServer", "name": "Locator"}]}) is True
    assert gis.properties["description"] == "Our GIS"
    assert gis.properties["helperServices"]["geocode"][0]["name"] == "Locator"
    assert arcgis_fake.portal.org.description == "Our GIS"
