"""A machine's SSL keystore, as the ArcGIS Server-family administrator APIs (Server, Mission Server) keep it:
real X.509 material made and read with `cryptography`.

Entries are private-key entries (a key and its certificate: generated self-signed, then possibly replaced by
the CA-signed version, or imported from PKCS#12) and trusted entries (root or intermediate CA certificates).
Aliases are case-insensitive and kept in lower case, as the Java keystore behind the real servers does.
A CA-signed certificate is accepted only when its issuer is a trusted entry whose signature verifies.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import attrs
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ..errors import Fault, bad_request

PrivateKey = rsa.RSAPrivateKey | dsa.DSAPrivateKey | ec.EllipticCurvePrivateKey
ALIAS = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
Digest = hashes.SHA256 | hashes.SHA384 | hashes.SHA512
# cryptography refuses SHA-1 signatures: a certificate asked for with SHA1withRSA / SHA1withDSA is signed with
# SHA-256 instead, and says so (its signature algorithm reads SHA256with...).
SIGNATURE_HASHES: dict[str, type[Digest]] = {"SHA1": hashes.SHA256, "SHA256": hashes.SHA256, "SHA384": hashes.SHA384,
                                             "SHA512": hashes.SHA512}
DEFAULT_ALIAS = "selfsignedcertificate"


@attrs.define(eq=False)
class KeyEntry:
    alias: str
    certificate: x509.Certificate
    key: PrivateKey | None = attrs.field(default=None, repr=False)  # None: a trusted (CA) entry
    sigalg: str = "SHA256withRSA"

    @property
    def trusted_only(self) -> bool:
        return self.key is None

    # snapshots and forks carry the certificate and key as PEM (cryptography's objects are neither JSON nor pickle)

    def __snapshot_encode__(self) -> dict[str, str | None]:
        key = None if self.key is None else self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")
        return {"alias": self.alias, "certificate": self.certificate.public_bytes(serialization.Encoding.PEM).decode(
            "ascii"), "key": key, "sigalg": self.sigalg}

    @classmethod
    def __snapshot_decode__(cls, data: dict[str, str | None]) -> KeyEntry:
        key = None if data["key"] is None else serialization.load_pem_private_key(data["key"].encode(), None)
        assert key is None or isinstance(key, (rsa.RSAPrivateKey, dsa.DSAPrivateKey, ec.EllipticCurvePrivateKey))
        return cls(alias=str(data["alias"]), certificate=x509.load_pem_x509_certificate(str(data["certificate"]).encode()),
                   key=key, sigalg=str(data["sigalg"]))

    def __reduce__(self) -> tuple[object, tuple[dict[str, str | None]]]:
        return (KeyEntry.__snapshot_decode__, (self.__snapshot_encode__(),))


def _param(name: str, message: str) -> Fault:
    return bad_request(f"Invalid parameter '{name}': {message}")


@functools.lru_cache(maxsize=1)
def _default_key() -> rsa.RSAPrivateKey:
    """One 2048-bit key per process for every fresh keystore's default certificate (generating one per fake
    would make creating fakes slow); certificates made by `generate` get keys of their own."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, *, org_unit: str = "", organization: str = "", city: str = "", state: str = "",
          country: str = "") -> x509.Name:
    parts = [(NameOID.COMMON_NAME, common_name), (NameOID.ORGANIZATIONAL_UNIT_NAME, org_unit),
             (NameOID.ORGANIZATION_NAME, organization), (NameOID.LOCALITY_NAME, city),
             (NameOID.STATE_OR_PROVINCE_NAME, state), (NameOID.COUNTRY_NAME, country)]
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in parts if value])


def parse_san(san: str) -> list[x509.GeneralName]:
    """`DNS:www.esri.com,DNS:esri,IP:10.60.1.16` -> general names (no spaces allowed, as documented)."""
    if any(c.isspace() for c in san):
        raise _param("san", "must not contain spaces")
    names: list[x509.GeneralName] = []
    for part in san.split(","):
        kind, _, value = part.partition(":")
        if kind.upper() == "DNS" and re.fullmatch(r"[A-Za-z0-9*]([A-Za-z0-9\-.]*[A-Za-z0-9])?", value):
            names.append(x509.DNSName(value))
        elif kind.upper() == "IP":
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(value)))
            except ValueError:
                raise _param("san", f"'{value}' is not an IP address") from None
        else:
            raise _param("san", f"'{part}' is not DNS:<name> or IP:<address>")
    return names


def load_certificates(data: bytes, param: str) -> list[x509.Certificate]:
    """PEM (one or more) or DER certificates; a clear error naming `param` otherwise."""
    try:
        if b"-----BEGIN" in data:
            found = x509.load_pem_x509_certificates(data)
        else:
            found = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise _param(param, "not an X.509 certificate (PEM or DER)") from None
    return found


def _public_bytes(cert_or_key: x509.Certificate | PrivateKey) -> bytes:
    public = cert_or_key.public_key()
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


class Keystore:
    """The keystore of one machine."""

    def __init__(self) -> None:
        self._entries: dict[str, KeyEntry] = {}

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(list(self._entries.values()))

    def __contains__(self, alias: str) -> bool:
        return alias.lower() in self._entries

    def get(self, alias: str) -> KeyEntry:
        entry = self._entries.get(alias.lower())
        if entry is None:
            raise Fault(404, f"Certificate '{alias}' does not exist in the keystore.")
        return entry

    def _new_alias(self, alias: str) -> str:
        if not ALIAS.fullmatch(alias):
            raise _param("alias", f"'{alias}' must be 1 to 64 letters, digits, '_', '.' or '-'")
        if alias.lower() in self._entries:
            raise _param("alias", f"a certificate with the alias '{alias.lower()}' already exists")
        return alias.lower()

    def add_default(self, common_name: str, now: datetime) -> KeyEntry:
        """The self-signed certificate a fresh machine comes with."""
        key = _default_key()
        cert = _build(key, _name(common_name, organization="Fake ArcGIS"), [x509.DNSName(common_name)], now,
                      days=3650, digest=hashes.SHA256())
        entry = KeyEntry(DEFAULT_ALIAS, cert, key, "SHA256withRSA")
        self._entries[DEFAULT_ALIAS] = entry
        return entry

    # --- operations ------------------------------------------------------------------------------------------

    def generate(self, *, alias: str, keyalg: str | None, keysize: int, sigalg: str | None, common_name: str,
                 org_unit: str, organization: str, city: str, state: str, country: str, validity: int | None,
                 san: str | None, now: datetime) -> KeyEntry:
        name = self._new_alias(alias)
        algorithm = (keyalg or "RSA").upper()
        signature = sigalg or ("SHA1withDSA" if algorithm == "DSA" else "SHA1withRSA")
        digest_name, _, sig_key = signature.upper().partition("WITH")
        if sig_key != algorithm:
            raise _param("sigalg", f"{signature} cannot sign with a {algorithm} key")
        if len(country) != 2 or not country.isalpha():
            raise _param("country", f"'{country}' is not a two-letter country code")
        for param, value in (("commonName", common_name), ("organizationalUnit", org_unit),
                             ("organization", organization), ("city", city), ("state", state)):
            if not value.strip():
                raise _param(param, "must not be empty")
        alt_names = parse_san(san) if san else []
        key: PrivateKey
        if algorithm == "RSA":
            if not 1024 <= keysize <= 8192:
                raise _param("keysize", "an RSA key is 1024 to 8192 bits (2048 or more recommended)")
            key = rsa.generate_private_key(public_exponent=65537, key_size=keysize)
        else:
            if keysize != 1024:
                raise _param("keysize", "a DSA key is 1024 bits")
            key = dsa.generate_private_key(key_size=keysize)
        subject = _name(common_name.strip(), org_unit=org_unit.strip(), organization=organization.strip(),
                        city=city.strip(), state=state.strip(), country=country.upper())
        digest = SIGNATURE_HASHES[digest_name]()
        cert = _build(key, subject, alt_names, now, days=validity or 90, digest=digest)
        entry = KeyEntry(name, cert, key, f"{digest.name.upper()}with{algorithm}")
        self._entries[name] = entry
        return entry

    def csr(self, alias: str) -> bytes:
        entry = self.get(alias)
        if entry.key is None:
            raise bad_request(f"Certificate '{entry.alias}' is a trusted CA certificate; it has no private key.")
        builder = x509.CertificateSigningRequestBuilder().subject_name(entry.certificate.subject)
        try:
            san = entry.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            builder = builder.add_extension(san.value, critical=False)
        except x509.ExtensionNotFound:
            pass
        digest = SIGNATURE_HASHES.get(entry.sigalg.upper().partition("WITH")[0], hashes.SHA256)()
        return builder.sign(entry.key, digest).public_bytes(serialization.Encoding.PEM)

    def import_ca_signed(self, alias: str, data: bytes) -> KeyEntry:
        entry = self.get(alias)
        if entry.key is None:
            raise bad_request(f"Certificate '{entry.alias}' is a trusted CA certificate; it has no private key.")
        cert = load_certificates(data, "caSignedCertificate")[0]
        if _public_bytes(cert) != _public_bytes(entry.key):
            raise _param("caSignedCertificate", f"the certificate does not carry the public key of '{entry.alias}'")
        self._require_trusted_issuer(cert, "caSignedCertificate")
        entry.certificate = cert
        return entry

    def import_pkcs12(self, alias: str, password: str, data: bytes) -> KeyEntry:
        name = self._new_alias(alias)
        try:
            key, cert, _ = pkcs12.load_key_and_certificates(data, password.encode())
        except ValueError:
            raise bad_request("Invalid parameter 'certPassword': the password does not open the PKCS#12 file, "
                              "or 'certFile' is not a PKCS#12 file.") from None
        if key is None or cert is None:
            raise _param("certFile", "the PKCS#12 file holds no private key and certificate")
        if not isinstance(key, rsa.RSAPrivateKey | dsa.DSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise _param("certFile", "the key must be RSA, DSA or EC")
        if not _self_signed(cert):
            self._require_trusted_issuer(cert, "certFile")
        digest = cert.signature_hash_algorithm
        algorithm = "RSA" if isinstance(key, rsa.RSAPrivateKey) else "DSA" if isinstance(key, dsa.DSAPrivateKey) else "ECDSA"
        entry = KeyEntry(name, cert, key, f"{digest.name.upper() if digest else 'SHA256'}with{algorithm}")
        self._entries[name] = entry
        return entry

    def import_root(self, alias: str, data: bytes) -> KeyEntry:
        name = self._new_alias(alias)
        cert = load_certificates(data, "rootCACertificate")[0]
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            constraints = None
        if constraints is None or not constraints.ca:
            raise _param("rootCACertificate", "not a CA certificate (no basic constraint CA:TRUE)")
        entry = KeyEntry(name, cert)
        self._entries[name] = entry
        return entry

    def delete(self, alias: str) -> KeyEntry:
        entry = self.get(alias)
        del self._entries[entry.alias]
        return entry

    def _require_trusted_issuer(self, cert: x509.Certificate, param: str) -> None:
        for entry in self._entries.values():
            if entry.trusted_only and entry.certificate.subject == cert.issuer:
                try:
                    cert.verify_directly_issued_by(entry.certificate)
                except (ValueError, TypeError, InvalidSignature):
                    continue
                return
        raise _param(param, f"its issuer '{cert.issuer.rfc4514_string()}' is not trusted; import the root or "
                            "intermediate certificate first (importRootOrIntermediate)")

    # --- persistence (site backups) --------------------------------------------------------------------------

    def to_json(self) -> list[dict[str, str]]:
        out = []
        for entry in self._entries.values():
            record = {"alias": entry.alias, "sigalg": entry.sigalg,
                      "certificate": entry.certificate.public_bytes(serialization.Encoding.PEM).decode()}
            if entry.key is not None:
                record["key"] = entry.key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ).decode()
            out.append(record)
        return out

    @classmethod
    def from_json(cls, records: object) -> Keystore:
        store = cls()
        if not isinstance(records, list):
            raise TypeError("keystore: expected a list")
        for record in records:
            cert = x509.load_pem_x509_certificate(str(record["certificate"]).encode())
            key = None
            if record.get("key"):
                loaded = serialization.load_pem_private_key(str(record["key"]).encode(), password=None)
                if not isinstance(loaded, rsa.RSAPrivateKey | dsa.DSAPrivateKey | ec.EllipticCurvePrivateKey):
                    raise TypeError("keystore: unsupported key")
                key = loaded
            alias = str(record["alias"]).lower()
            store._entries[alias] = KeyEntry(alias, cert, key, str(record.get("sigalg", "SHA256withRSA")))
        return store


def _build(key: PrivateKey, subject: x509.Name, alt_names: list[x509.GeneralName], now: datetime, *, days: int,
           digest: Digest) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return builder.sign(key, digest)


def describe(entry: KeyEntry) -> dict[str, object]:
    """What the certificate resource tells about an entry."""
    cert = entry.certificate
    public = cert.public_key()
    size = public.key_size if isinstance(public, rsa.RSAPublicKey | dsa.DSAPublicKey | ec.EllipticCurvePublicKey) else None
    algorithm = {rsa.RSAPublicKey: "RSA", dsa.DSAPublicKey: "DSA", ec.EllipticCurvePublicKey: "EC"}
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        alt = [f"DNS:{n.value}" if isinstance(n, x509.DNSName) else f"IP:{n.value}" for n in san
               if isinstance(n, x509.DNSName | x509.IPAddress)]
    except x509.ExtensionNotFound:
        alt = []
    return {
        "alias_name": entry.alias,
        "entry_type": "trustedCertEntry" if entry.trusted_only else "PrivateKeyEntry",
        "issuer": cert.issuer.rfc4514_string(),
        "subject": cert.subject.rfc4514_string(),
        "subject_alternative_names": alt,
        "valid_from": cert.not_valid_before_utc.astimezone(UTC),
        "valid_until": cert.not_valid_after_utc.astimezone(UTC),
        "key_algorithm": next((name for kind, name in algorithm.items() if isinstance(public, kind)), "UNKNOWN"),
        "key_size": size,
        "signature_algorithm": entry.sigalg,
        "serial_number": format(cert.serial_number, "x"),
        "sha1_fingerprint": cert.fingerprint(hashes.SHA1()).hex(":").upper(),
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        "is_self_signed": _self_signed(cert),
        "certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


def pem(entry: KeyEntry) -> bytes:
    return entry.certificate.public_bytes(serialization.Encoding.PEM)


def now_utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
