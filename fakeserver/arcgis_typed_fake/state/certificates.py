"""The organization's registered certificates (portals/self/certificates): a name, the domain they are trusted
for and an X.509 certificate in PEM, parsed with `cryptography` so that a malformed or non-certificate PEM is
refused. Only the organization's administrators may read or change them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import attrs
from cryptography import x509

from ..errors import Fault, bad_request, forbidden, not_found
from .users import UserRecord

MAX_CERTIFICATES = 5  # per organization, as the documentation says
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,127}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@attrs.define(eq=False)
class CertificateRecord:
    id: str
    org_id: str
    name: str
    domain: str
    pem: str
    created: int


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise bad_request(f"Invalid parameter 'name': '{name}' (letters, digits, space, _ . -; at most 128).")
    return name


def check_domain(domain: str) -> str:
    """A host name (wildcard first label allowed), optionally with a port; no scheme, no path."""
    domain = domain.strip().lower()
    host, _, port = domain.partition(":")
    labels = host.split(".")
    if labels and labels[0] == "*":
        labels = labels[1:]
    if (not labels or len(host) > 253 or not all(_LABEL.match(label) for label in labels)
            or (port and not (port.isdigit() and 0 < int(port) < 65536))):
        raise bad_request(f"Invalid parameter 'domain': '{domain}' is not a host name.")
    return domain


def check_certificate(pem: str) -> str:
    text = pem.strip()
    try:
        x509.load_pem_x509_certificate(text.encode())
    except (ValueError, TypeError):
        raise bad_request("Invalid parameter 'certificate': not an X.509 certificate in PEM format.") from None
    return text + "\n"


class CertificateStore:
    def __init__(self, *, now: Callable[[], int], new_id: Callable[[], str]) -> None:
        self.now = now
        self.new_id = new_id
        self._by_id: dict[str, CertificateRecord] = {}

    @staticmethod
    def _admin(caller: UserRecord) -> None:
        if not caller.is_full_admin:
            raise forbidden()

    def of_org(self, caller: UserRecord) -> list[CertificateRecord]:
        self._admin(caller)
        return sorted((c for c in self._by_id.values() if c.org_id == caller.org_id), key=lambda c: c.created)

    def get(self, caller: UserRecord, cert_id: str) -> CertificateRecord:
        self._admin(caller)
        found = self._by_id.get(cert_id.lower())
        if found is None or found.org_id != caller.org_id:
            raise not_found("Certificate", f"No certificate '{cert_id}'.")
        return found

    def _unique(self, caller: UserRecord, name: str, skip: CertificateRecord | None) -> None:
        for other in self.of_org(caller):
            if other is not skip and other.name.lower() == name.lower():
                raise bad_request(f"A certificate named '{name}' is already registered.")

    def register(self, caller: UserRecord, name: str, domain: str, certificate: str) -> CertificateRecord:
        self._admin(caller)
        name, domain, pem = check_name(name), check_domain(domain), check_certificate(certificate)
        self._unique(caller, name, None)
        if len(self.of_org(caller)) >= MAX_CERTIFICATES:
            # the real portal answers code 500 here; the fake keeps 500 for its own failures and says 400
            raise Fault(400, "The org has reached the max Custom SSL certificate allowed.", message_code="ORG_1207")
        record = CertificateRecord(id=self.new_id(), org_id=caller.org_id, name=name, domain=domain, pem=pem,
                                   created=self.now())
        self._by_id[record.id] = record
        return record

    def update(self, caller: UserRecord, cert_id: str, name: str | None, domain: str | None,
               certificate: str | None) -> CertificateRecord:
        record = self.get(caller, cert_id)
        new_name = check_name(name) if name is not None else record.name
        new_domain = check_domain(domain) if domain is not None else record.domain
        new_pem = check_certificate(certificate) if certificate is not None else record.pem
        self._unique(caller, new_name, record)
        record.name, record.domain, record.pem = new_name, new_domain, new_pem
        return record

    def unregister(self, caller: UserRecord, cert_id: str) -> CertificateRecord:
        record = self.get(caller, cert_id)
        del self._by_id[record.id]
        return record

    def __iter__(self) -> Iterator[CertificateRecord]:
        return iter(list(self._by_id.values()))
