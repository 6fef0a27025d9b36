"""Security review, TLS: the client verifies certificates by default (an untrusted server is a `TLSError`, never a
silent success), trusts a private CA only when told (`ca_certs`), checks the host name, and turns verification
off only when asked to (`verify=False`)."""

from __future__ import annotations

import ssl

import pytest
import urllib3
from arcgis_typed import PortalClient, ServerAdminClient, TLSError, Urllib3Transport
from arcgis_typed_fake import serve
from arcgis_typed_fake.server import RunningServer
from fuzzworld import ADMIN_PASSWORD, new_world


@pytest.fixture(scope="module")
def server() -> RunningServer:
    with serve(new_world().fake, https=True) as running:
        yield running  # type: ignore[misc]


def test_the_default_transport_requires_a_valid_certificate() -> None:
    transport = Urllib3Transport()
    assert transport.pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"
    client = PortalClient("https://fake.test/portal")
    assert isinstance(client.transport, Urllib3Transport)
    assert client.transport.pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"


def test_an_untrusted_server_is_refused(server: RunningServer) -> None:
    with pytest.raises(TLSError) as info:
        PortalClient(server.portal_url).org.info()
    assert "certificate" in str(info.value).lower()
    with pytest.raises(TLSError):
        PortalClient(server.portal_url, username="admin", password=ADMIN_PASSWORD)
    assert server.server_admin_url is not None
    with pytest.raises(TLSError):
        ServerAdminClient(server.server_admin_url.removesuffix("/admin"), username="admin", password=ADMIN_PASSWORD)


def test_the_private_ca_is_trusted_only_when_given(server: RunningServer) -> None:
    client = PortalClient(server.portal_url, ca_certs=server.ca_path, username="admin", password=ADMIN_PASSWORD)
    assert client.users.me().username == "admin"


def test_the_host_name_is_checked(server: RunningServer) -> None:
    """The certificate names 127.0.0.1, localhost and ::1; another name for the same address is refused."""
    assert server.ca_path is not None
    pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=server.ca_path,
                               assert_hostname="portal.example.test")
    transport = Urllib3Transport(pool=pool, retries=0)
    with pytest.raises(TLSError):
        PortalClient(server.portal_url, transport=transport).org.info()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verification_is_off_only_when_asked(server: RunningServer) -> None:
    client = PortalClient(server.portal_url, verify=False)
    assert client.org.info() is not None
    transport = client.transport
    assert isinstance(transport, Urllib3Transport)
    assert transport.pool.connection_pool_kw["cert_reqs"] == "CERT_NONE"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_fake_speaks_modern_tls_only(server: RunningServer) -> None:
    assert server.ca_path is not None
    context = ssl.create_default_context(cafile=server.ca_path)
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.minimum_version = ssl.TLSVersion.TLSv1
    import socket

    with socket.create_connection((server.host, server.port), timeout=5) as raw, pytest.raises(ssl.SSLError):
        context.wrap_socket(raw, server_hostname="127.0.0.1")
