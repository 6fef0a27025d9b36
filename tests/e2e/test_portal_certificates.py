"""The organization's registered certificates end to end: register, list, read, update, unregister, with real
PEM certificates (made by trustme) and the validation of names, domains and certificates."""

from __future__ import annotations

import pytest
import trustme
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, TokenRequired
from arcgis_typed_fake import FakeArcGIS

CA = trustme.CA()


def pem(host: str) -> str:
    return CA.issue_cert(host).cert_chain_pems[0].bytes().decode()


@pytest.mark.seed("CertificateManager.add")
@pytest.mark.seed("CertificateManager.certificates")
@pytest.mark.seed("CertificateManager.properties")
@pytest.mark.seed("CertificateManager.(constructor)")
@pytest.mark.seed("CertificateManager.get")
def test_register_list_and_get(arcgis_portal: PortalClient) -> None:
    certs = arcgis_portal.certificates
    assert certs.list().certificates == []
    made = certs.register(name="gis server", domain="gis.example.test", certificate=pem("gis.example.test"))
    assert made.success and made.certificate_id
    listed = certs.list().certificates
    assert [(c.id, c.name, c.domain) for c in listed] == [(made.certificate_id, "gis server", "gis.example.test")]
    one = certs.get(made.certificate_id)
    assert one.ssl_certificate is not None and one.ssl_certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert certs.register(name="wild", domain="*.example.test:8443", certificate=pem("*.example.test")).success
    assert len(certs.list().certificates) == 2
    for n in range(3):
        certs.register(name=f"more {n}", domain=f"m{n}.example.test", certificate=pem("more.example.test"))
    with pytest.raises(BadRequest, match="max Custom SSL certificate") as refused:
        certs.register(name="sixth", domain="six.example.test", certificate=pem("six.example.test"))
    assert refused.value.message_code == "ORG_1207"
    assert len(certs.list().certificates) == 5


@pytest.mark.parametrize(("name", "domain", "certificate", "wire"), [
    ("", "a.example.test", "PEM", "name"),
    ("bad/name", "a.example.test", "PEM", "name"),
    ("ok", "https://a.example.test", "PEM", "domain"),
    ("ok", "a..example.test", "PEM", "domain"),
    ("ok", "a.example.test:99999", "PEM", "domain"),
    ("ok", "a.example.test", "not a certificate", "certificate"),
    ("ok", "a.example.test", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "certificate"),
])
def test_invalid_registrations_name_the_parameter(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS,
                                                 name: str, domain: str, certificate: str, wire: str) -> None:
    real = pem("a.example.test") if certificate == "PEM" else certificate
    with pytest.raises(BadRequest, match=f"'{wire}'"):
        arcgis_portal.certificates.register(name=name, domain=domain, certificate=real)
    assert list(arcgis_fake.portal.certificates) == []


@pytest.mark.seed("CertificateManager.update")
@pytest.mark.seed("CertificateManager.delete")
def test_update_and_unregister(arcgis_portal: PortalClient) -> None:
    certs = arcgis_portal.certificates
    first = certs.register(name="one", domain="one.example.test", certificate=pem("one.example.test")).certificate_id
    second = certs.register(name="two", domain="two.example.test", certificate=pem("two.example.test")).certificate_id
    assert first and second
    with pytest.raises(BadRequest, match="already registered"):
        certs.update(second, name="ONE")
    with pytest.raises(BadRequest, match="'certificate'"):
        certs.update(second, certificate="garbage")
    assert certs.get(second).name == "two"  # refused updates change nothing
    replacement = pem("three.example.test")
    assert certs.update(second, name="three", domain="three.example.test", certificate=replacement).success
    got = certs.get(second)
    assert (got.name, got.domain, got.ssl_certificate) == ("three", "three.example.test", replacement.strip() + "\n")
    assert certs.unregister(first).success
    with pytest.raises(BadRequest, match="does not exist"):
        certs.get(first)
    with pytest.raises(BadRequest, match="does not exist"):
        certs.unregister(first)
    with pytest.raises(BadRequest, match="does not exist"):
        certs.update("no-such-certificate", name="x")
    assert [c.id for c in certs.list().certificates] == [second]


def test_only_administrators(arcgis_portal: PortalClient, member: object, anonymous: PortalClient) -> None:
    made = arcgis_portal.certificates.register(name="one", domain="one.example.test", certificate=pem("one.test"))
    cert_id = made.certificate_id or ""
    publisher = member("pat", "org_publisher")  # type: ignore[operator]
    for call in (lambda c: c.certificates.list(), lambda c: c.certificates.get(cert_id),
                 lambda c: c.certificates.register(name="x", domain="x.test", certificate=pem("x.test")),
                 lambda c: c.certificates.update(made.certificate_id, name="y"), lambda c: c.certificates.unregister(cert_id)):
        with pytest.raises(PermissionDenied):
            call(publisher)
        with pytest.raises(TokenRequired):
            call(anonymous)
    assert [c.name for c in arcgis_portal.certificates.list().certificates] == ["one"]
