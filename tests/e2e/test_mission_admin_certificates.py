"""Machines and their keystore end to end, with real X.509 material: the machine resource, hardware and
properties; a self-signed certificate generated with every parameter (RSA and DSA, SAN, validity) parses; its
CSR parses and carries the key; a CA (made here) signs the CSR, the CA-signed certificate imports only after
the CA's root; a PKCS#12 server certificate imports with its password; export verifies against its issuer;
delete refuses the certificate the web server uses; unregister keeps the last machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from arcgis_typed import BadRequest, NotFound, Upload
from arcgis_typed_fake import FakeArcGIS
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mission_helpers import MACHINE, Side, admin_side, make_fake

GENERATE = {"keysize": 1024, "common_name": "mission.example.com", "organizational_unit": "GIS",
            "organization": "Esri", "city": "Redlands", "state": "California", "country": "US"}


@pytest.fixture
def fake(tmp_path: Path) -> FakeArcGIS:
    return make_fake(tmp_path, mission_machines=(MACHINE, "MISSION2"))[0]


@pytest.fixture
def admin(fake: FakeArcGIS) -> Side:
    return admin_side(fake)


def make_ca(name: str = "Test Root CA") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def sign(ca: tuple[rsa.RSAPrivateKey, x509.Certificate], subject: x509.Name, public_key: object) -> x509.Certificate:
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(ca[1].subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=10)).sign(ca[0], hashes.SHA256()))


def pem_upload(cert: x509.Certificate, name: str = "cert.pem") -> Upload:
    return Upload(name, cert.public_bytes(serialization.Encoding.PEM), "application/x-pem-file")


@pytest.mark.seed("MachineManager.(constructor)", "MissionServer.machine", "Machine.(constructor)",
                  "Machine.properties", "Machine.hardware", "MissionServer.(constructor)")
def test_machines_hardware_and_properties(admin: Side) -> None:
    root = admin.admin.info.root()
    assert "machines" in root.resources and "logs" in root.resources
    assert admin.admin.info.info().logged_in_user == "admin"
    machines = admin.admin.machines.list().machines
    assert [m.machine_name for m in machines] == [MACHINE, "MISSION2"]
    assert machines[0].admin_url == "https://missionserver.fake.test/mission/admin"
    one = admin.admin.machines.get(MACHINE.lower())
    assert one.web_server_certificate_alias == "selfsignedcertificate" and one.configured_state == "STARTED"
    hardware = admin.admin.machines.hardware(MACHINE)
    assert hardware.cores and hardware.system_memory_mb and hardware.machine_name == MACHINE
    edited = admin.admin.machines.edit(MACHINE, web_server_max_heap_size=512, web_socket_max_heap_size=128)
    assert (edited.web_server_max_heap_size, edited.web_socket_max_heap_size) == (512, 128)
    assert admin.admin.machines.get(MACHINE).web_server_max_heap_size == 512
    with pytest.raises(BadRequest, match="'webServerCertificateAlias'"):
        admin.admin.machines.edit(MACHINE, web_server_certificate_alias="nosuch")
    with pytest.raises(NotFound):
        admin.admin.machines.hardware("NOSUCH")


@pytest.mark.seed("Machine.unregister")
def test_unregister_keeps_the_last_machine(admin: Side) -> None:
    assert admin.admin.machines.unregister("MISSION2").status == "success"
    assert [m.machine_name for m in admin.admin.machines.list().machines] == [MACHINE]
    with pytest.raises(BadRequest, match="last machine"):
        admin.admin.machines.unregister(MACHINE)
    with pytest.raises(NotFound):
        admin.admin.machines.get("MISSION2")


@pytest.mark.seed("Machine.create_self_signed_cert", "Machine.ssl_certificates", "Machine.ssl_certificate",
                  "Machine.export_certificate")
def test_generate_a_self_signed_certificate(admin: Side) -> None:
    certs = admin.admin.certificates
    assert certs.list(MACHINE).certificates == ["selfsignedcertificate"]
    assert certs.generate(MACHINE, alias="Dev", keyalg="RSA", sigalg="SHA384withRSA", validity=30,
                          san="DNS:mission.example.com,DNS:mission,IP:10.60.1.16", **GENERATE).status == "success"  # type: ignore[arg-type]
    assert certs.list(MACHINE).certificates == ["selfsignedcertificate", "dev"]  # aliases are lower case
    info = certs.get(MACHINE, "DEV")
    assert info.entry_type == "PrivateKeyEntry" and info.key_algorithm == "RSA" and info.key_size == 1024
    assert info.signature_algorithm == "SHA384withRSA" and info.is_self_signed is True
    assert info.subject == "C=US,ST=California,L=Redlands,O=Esri,OU=GIS,CN=mission.example.com"
    assert info.subject_alternative_names == ["DNS:mission.example.com", "DNS:mission", "IP:10.60.1.16"]
    assert info.valid_from is not None and info.valid_until is not None
    assert (info.valid_until - info.valid_from).days == 30
    exported = x509.load_pem_x509_certificate(certs.export(MACHINE, "dev"))
    exported.verify_directly_issued_by(exported)
    assert exported.fingerprint(hashes.SHA256()).hex(":").upper() == info.sha256_fingerprint
    assert certs.list("MISSION2").certificates == ["selfsignedcertificate"]  # each machine has its own keystore
    # DSA, and the documented default SHA1withRSA (signed with SHA-256: SHA-1 signatures are not supported)
    certs.generate(MACHINE, alias="dsa", keyalg="DSA", sigalg="SHA256withDSA", **GENERATE)  # type: ignore[arg-type]
    assert certs.get(MACHINE, "dsa").key_algorithm == "DSA"
    certs.generate(MACHINE, alias="legacy", **GENERATE)  # type: ignore[arg-type]
    assert certs.get(MACHINE, "legacy").signature_algorithm == "SHA256withRSA"


@pytest.mark.seed("Machine.create_self_signed_cert")
@pytest.mark.parametrize(("change", "wire"), [
    ({"alias": "dup"}, "alias"),
    ({"alias": "bad alias"}, "alias"),
    ({"keysize": 512}, "keysize"),
    ({"keyalg": "DSA", "keysize": 2048, "sigalg": "SHA256withDSA"}, "keysize"),
    ({"keyalg": "DSA", "sigalg": "SHA256withRSA"}, "sigalg"),
    ({"country": "USA"}, "country"),
    ({"san": "DNS:a, DNS:b"}, "san"),
    ({"san": "URI:x"}, "san"),
    ({"san": "IP:999.1.1.1"}, "san"),
    ({"city": "  "}, "city"),
])
def test_generate_rejects(admin: Side, change: dict[str, object], wire: str) -> None:
    admin.admin.certificates.generate(MACHINE, alias="dup", **GENERATE)  # type: ignore[arg-type]
    before = admin.admin.certificates.list(MACHINE).certificates
    with pytest.raises(BadRequest, match=f"'{wire}'"):
        admin.admin.certificates.generate(MACHINE, **{"alias": "new", **GENERATE, **change})  # type: ignore[arg-type]
    assert admin.admin.certificates.list(MACHINE).certificates == before


@pytest.mark.seed("Machine.generate_CSR", "Machine.import_root_certificate", "Machine.import_CA_signed_certificate")
def test_csr_signed_by_a_ca_and_imported(admin: Side) -> None:
    certs = admin.admin.certificates
    certs.generate(MACHINE, alias="prod", san="DNS:mission.example.com", **GENERATE)  # type: ignore[arg-type]
    csr = x509.load_pem_x509_csr(certs.generate_csr(MACHINE, "prod"))
    assert csr.is_signature_valid
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "mission.example.com"
    ca = make_ca()
    signed = sign(ca, csr.subject, csr.public_key())
    with pytest.raises(BadRequest, match="not trusted"):
        certs.import_ca_signed(MACHINE, "prod", ca_signed_certificate=pem_upload(signed))
    with pytest.raises(BadRequest, match="'rootCACertificate'"):
        certs.import_root(MACHINE, alias="notca", root_ca_certificate=pem_upload(signed))
    with pytest.raises(BadRequest, match="'rootCACertificate'"):
        certs.import_root(MACHINE, alias="junk", root_ca_certificate=Upload("x.pem", b"junk"))
    assert certs.import_root(MACHINE, alias="testroot", root_ca_certificate=Upload(
        "root.cer", ca[1].public_bytes(serialization.Encoding.DER))).status == "success"  # DER works too
    assert certs.get(MACHINE, "testroot").entry_type == "trustedCertEntry"
    other = sign(ca, csr.subject, rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())
    with pytest.raises(BadRequest, match="public key"):
        certs.import_ca_signed(MACHINE, "prod", ca_signed_certificate=pem_upload(other))
    assert certs.import_ca_signed(MACHINE, "prod", ca_signed_certificate=pem_upload(signed)).status == "success"
    info = certs.get(MACHINE, "prod")
    assert info.issuer == "CN=Test Root CA" and info.is_self_signed is False
    x509.load_pem_x509_certificate(certs.export(MACHINE, "prod")).verify_directly_issued_by(ca[1])
    with pytest.raises(BadRequest, match="no private key"):
        certs.generate_csr(MACHINE, "testroot")


@pytest.mark.seed("Machine.import_existing_server_certificate", "Machine.delete_certificate")
def test_pkcs12_import_and_delete(admin: Side) -> None:
    certs = admin.admin.certificates
    ca = make_ca("PKCS Root")
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    leaf = sign(ca, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "server.example.com")]), key.public_key())
    p12 = pkcs12.serialize_key_and_certificates(b"server", key, leaf, [ca[1]],
                                                serialization.BestAvailableEncryption(b"s3cret"))
    upload = Upload("server.pfx", p12, "application/x-pkcs12")
    with pytest.raises(BadRequest, match="'certPassword'"):
        certs.import_existing(MACHINE, alias="server", cert_password="wrong", cert_file=upload)
    with pytest.raises(BadRequest, match="not trusted"):
        certs.import_existing(MACHINE, alias="server", cert_password="s3cret", cert_file=upload)
    certs.import_root(MACHINE, alias="pkcsroot", root_ca_certificate=pem_upload(ca[1]))
    assert certs.import_existing(MACHINE, alias="server", cert_password="s3cret", cert_file=upload).status == "success"
    assert certs.get(MACHINE, "server").subject == "CN=server.example.com"
    # a self-signed PKCS#12 needs no root
    dkey = dsa.generate_private_key(key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self")])
    now = datetime.now(UTC)
    self_signed = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(dkey.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
                   .sign(dkey, hashes.SHA256()))
    certs.import_existing(MACHINE, alias="selfp12", cert_password="pw", cert_file=Upload("s.p12", pkcs12.serialize_key_and_certificates(
        b"s", dkey, self_signed, None, serialization.BestAvailableEncryption(b"pw"))))
    # the web server's certificate cannot be deleted until the machine uses another one
    with pytest.raises(BadRequest, match="web server"):
        certs.delete(MACHINE, "selfsignedcertificate")
    admin.admin.machines.edit(MACHINE, web_server_certificate_alias="SERVER")
    assert admin.admin.machines.get(MACHINE).web_server_certificate_alias == "server"
    with pytest.raises(BadRequest, match="'webServerCertificateAlias'"):
        admin.admin.machines.edit(MACHINE, web_server_certificate_alias="pkcsroot")  # no private key
    assert certs.delete(MACHINE, "selfsignedcertificate").status == "success"
    assert "selfsignedcertificate" not in certs.list(MACHINE).certificates
    with pytest.raises(NotFound):
        certs.get(MACHINE, "selfsignedcertificate")
    with pytest.raises(NotFound):
        certs.delete(MACHINE, "selfsignedcertificate")


NAMES = st.text(st.characters(min_codepoint=48, max_codepoint=122, categories=["L", "N"]), min_size=1, max_size=12)


@given(cn=NAMES, org=NAMES, unit=NAMES, city=NAMES, country=st.sampled_from(["US", "DE", "jp"]),
       validity=st.integers(min_value=1, max_value=3650), dns=st.lists(NAMES, max_size=3, unique=True),
       keyalg=st.sampled_from(["RSA", "DSA"]))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_certificate_round_trip(admin: Side, cn: str, org: str, unit: str, city: str, country: str, validity: int,
                                dns: list[str], keyalg: str) -> None:
    """What generate is given is what the exported X.509 certificate says, and its CSR carries the same key."""
    certs = admin.admin.certificates
    alias = f"rt{len(certs.list(MACHINE).certificates)}"
    san = ",".join(f"DNS:{d}.example" for d in dns) or None
    certs.generate(MACHINE, alias=alias, keyalg=keyalg, keysize=1024, common_name=cn,  # type: ignore[arg-type]
                   organizational_unit=unit, organization=org, city=city, state="S", country=country,
                   validity=validity, san=san, sigalg="SHA256withDSA" if keyalg == "DSA" else "SHA512withRSA")
    cert = x509.load_pem_x509_certificate(certs.export(MACHINE, alias))
    cert.verify_directly_issued_by(cert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == cn
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == org
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == country.upper()
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc) == timedelta(days=validity, minutes=1)
    if dns:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert names.get_values_for_type(x509.DNSName) == [f"{d}.example" for d in dns]
    csr = x509.load_pem_x509_csr(certs.generate_csr(MACHINE, alias))
    assert csr.is_signature_valid and csr.subject == cert.subject
    assert csr.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    info = certs.get(MACHINE, alias)
    assert info.key_algorithm == keyalg and info.sha256_fingerprint == cert.fingerprint(hashes.SHA256()).hex(":").upper()
