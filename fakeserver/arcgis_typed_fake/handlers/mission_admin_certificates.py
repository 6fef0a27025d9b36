"""Handlers of spec/mission_admin/certificates.yaml: a machine's keystore (real X.509 / PKCS#12 material)."""

from __future__ import annotations

from arcgis_typed.mission_admin.models.certificates import Certificate, CertificateList
from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.params.certificates import (
    CertificatesDeleteParams,
    CertificatesExportParams,
    CertificatesGenerateCsrParams,
    CertificatesGenerateParams,
    CertificatesGetParams,
    CertificatesImportCaSignedParams,
    CertificatesImportExistingParams,
    CertificatesImportRootParams,
    CertificatesListParams,
)
from werkzeug.wrappers import Response

from ..call import MissionCall
from ..registry import handles
from ..state.keystore import describe, now_utc, pem
from ..state.mission import CODE_CERTIFICATE
from ._mission import SUCCESS, logged


def _done(call: MissionCall, message: str) -> StatusResult:
    call.mission.certificate_logged(message, call.user.username)
    return StatusResult(status=SUCCESS)


def _file(data: bytes, name: str, content_type: str) -> Response:
    return Response(data, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@handles("mission_admin:certificates.list")
@logged
def list_certificates(call: MissionCall, p: CertificatesListParams) -> CertificateList:
    return CertificateList(certificates=[e.alias for e in call.mission.keystore(p.machine_name)])


@handles("mission_admin:certificates.get")
@logged
def get(call: MissionCall, p: CertificatesGetParams) -> Certificate:
    return Certificate(**describe(call.mission.keystore(p.machine_name).get(p.alias)))  # type: ignore[arg-type]


@handles("mission_admin:certificates.generate")
@logged
def generate(call: MissionCall, p: CertificatesGenerateParams) -> StatusResult:
    entry = call.mission.keystore(p.machine_name).generate(
        alias=p.alias, keyalg=p.keyalg, keysize=p.keysize, sigalg=p.sigalg, common_name=p.common_name,
        org_unit=p.organizational_unit, organization=p.organization, city=p.city, state=p.state, country=p.country,
        validity=p.validity, san=p.san, now=now_utc(call.mission.now()))
    asked = p.sigalg or ("SHA1withDSA" if (p.keyalg or "RSA").upper() == "DSA" else "SHA1withRSA")
    if asked.upper() != entry.sigalg.upper():
        call.mission.log("WARNING", f"{asked} is not supported for signatures; '{entry.alias}' was signed with "
                         f"{entry.sigalg}.", source="Admin", code=CODE_CERTIFICATE, user=call.user.username)
    return _done(call, f"Self-signed certificate '{entry.alias}' was generated on '{p.machine_name}'.")


@handles("mission_admin:certificates.generate_csr")
@logged
def generate_csr(call: MissionCall, p: CertificatesGenerateCsrParams) -> Response:
    data = call.mission.keystore(p.machine_name).csr(p.alias)
    return _file(data, f"{p.alias.lower()}.csr", "application/pkcs10")


@handles("mission_admin:certificates.import_ca_signed")
@logged
def import_ca_signed(call: MissionCall, p: CertificatesImportCaSignedParams) -> StatusResult:
    entry = call.mission.keystore(p.machine_name).import_ca_signed(p.alias, p.ca_signed_certificate.data)
    return _done(call, f"The CA-signed certificate of '{entry.alias}' was imported on '{p.machine_name}'.")


@handles("mission_admin:certificates.import_existing")
@logged
def import_existing(call: MissionCall, p: CertificatesImportExistingParams) -> StatusResult:
    entry = call.mission.keystore(p.machine_name).import_pkcs12(p.alias, p.cert_password, p.cert_file.data)
    return _done(call, f"Server certificate '{entry.alias}' was imported on '{p.machine_name}'.")


@handles("mission_admin:certificates.import_root")
@logged
def import_root(call: MissionCall, p: CertificatesImportRootParams) -> StatusResult:
    entry = call.mission.keystore(p.machine_name).import_root(p.alias, p.root_ca_certificate.data)
    return _done(call, f"CA certificate '{entry.alias}' was imported as trusted on '{p.machine_name}'.")


@handles("mission_admin:certificates.export")
@logged
def export(call: MissionCall, p: CertificatesExportParams) -> Response:
    entry = call.mission.keystore(p.machine_name).get(p.alias)
    return _file(pem(entry), f"{entry.alias}.crt", "application/x-x509-ca-cert")


@handles("mission_admin:certificates.delete")
@logged
def delete(call: MissionCall, p: CertificatesDeleteParams) -> StatusResult:
    call.mission.delete_certificate(p.machine_name, p.alias, call.user.username)
    return StatusResult(status=SUCCESS)
