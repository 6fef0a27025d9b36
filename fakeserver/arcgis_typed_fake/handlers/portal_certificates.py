"""Handlers of spec/portal/certificates.yaml: the organization's registered certificates."""

from __future__ import annotations

from arcgis_typed.portal.models.certificates import Certificate, CertificateList, CertificateResult
from arcgis_typed.portal.params.certificates import (
    CertificatesGetParams,
    CertificatesListParams,
    CertificatesRegisterParams,
    CertificatesUnregisterParams,
    CertificatesUpdateParams,
)

from ..call import Call
from ..registry import handles
from ..state.certificates import CertificateRecord


def certificate_view(record: CertificateRecord) -> Certificate:
    return Certificate(id=record.id, name=record.name, domain=record.domain, ssl_certificate=record.pem)


@handles("portal:certificates.list")
def list_(call: Call, p: CertificatesListParams) -> CertificateList:
    return CertificateList(certificates=[certificate_view(c) for c in call.state.certificates.of_org(call.user)])


@handles("portal:certificates.get")
def get(call: Call, p: CertificatesGetParams) -> Certificate:
    return certificate_view(call.state.certificates.get(call.user, p.certificate_id))


@handles("portal:certificates.register")
def register(call: Call, p: CertificatesRegisterParams) -> CertificateResult:
    record = call.state.certificates.register(call.user, p.name, p.domain, p.certificate)
    return CertificateResult(success=True, certificate_id=record.id)


@handles("portal:certificates.update")
def update(call: Call, p: CertificatesUpdateParams) -> CertificateResult:
    record = call.state.certificates.update(call.user, p.certificate_id, p.name, p.domain, p.certificate)
    return CertificateResult(success=True, certificate_id=record.id)


@handles("portal:certificates.unregister")
def unregister(call: Call, p: CertificatesUnregisterParams) -> CertificateResult:
    record = call.state.certificates.unregister(call.user, p.certificate_id)
    return CertificateResult(success=True, certificate_id=record.id)
