"""Serve a WSGI app (normally the fake) on a loopback port, over HTTP or HTTPS.

Why cheroot rather than Werkzeug's development server: Werkzeug's server closes
every connection after one response, so each client request pays a TCP (and TLS)
handshake and real clients never exercise their connection pools. cheroot is a
small, pure-Python, thread-pooled HTTP/1.1 server with working keep-alive and a
builtin TLS adapter on top of the standard ``ssl`` module, so one urllib3 pool
connection carries any number of requests, over HTTP or HTTPS.

Why trustme: it creates a throwaway certificate authority and a server
certificate in memory in milliseconds, with no ``openssl`` command and nothing
added to any system trust store. Clients trust the server by pointing at
:attr:`RunningServer.ca_path`, which is how the real ArcGIS Enterprise is tested
behind an internal CA.

Several machines: an app that hosts an ArcGIS Server of several machines (``FakeArcGIS`` with
``server_machines=("MACHINE1", "MACHINE2")``) gets one more loopback port per extra machine, all sharing the
certificate, so a script can talk to "another machine" for real (seed 003 joins one to a site). The app says
which machines it has (``server_machines``) and gives the WSGI app that serves each one
(``machine_app(name, origins)``); :attr:`RunningServer.machine_admin_urls` lists them.

Usage::

    with serve(app, https=True) as server:
        urllib3.PoolManager(ca_certs=server.ca_path).request("GET", server.portal_url)
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import trustme
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from .app import MAX_REQUEST_BYTES

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["RunningServer", "serve"]

_log = logging.getLogger(__name__)
# cheroot's error log goes here instead of stderr; without a handler configured by
# the user it stays silent (pytest still captures it and shows it on failure).
_log.addHandler(logging.NullHandler())

_START_TIMEOUT = 10.0  # seconds to wait for the socket to be bound
_STOP_TIMEOUT = 5.0  # seconds to wait for the serving thread on stop()
_HANDSHAKE_TIMEOUT = 3.0  # cheroot handshakes in its accept loop; bound the stall


class _QuietServer(wsgi.Server):
    """cheroot server whose error log is a logger, never stderr.

    Messages are cheroot's own (peer address, exception repr); request lines,
    headers and query strings, which may carry tokens, are never logged.
    """

    def error_log(self, msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
        _log.log(level, "%s", msg, exc_info=traceback)


class _HandshakeTimeoutSSLAdapter(BuiltinSSLAdapter):
    """cheroot performs the TLS handshake in the thread that accepts connections,
    with the socket's normal 10 s timeout: a client that connects and never
    speaks TLS would freeze the whole server for that long. Shorten it."""

    def wrap(self, sock: socket.socket) -> Any:
        sock.settimeout(_HANDSHAKE_TIMEOUT)
        # cheroot restores its own timeout afterwards; its stub leaves wrap unannotated
        return super().wrap(sock)  # type: ignore[no-untyped-call]


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class _Listener:
    """One cheroot server on one port, served by a daemon thread."""

    def __init__(self, app: WSGIApplication, *, host: str, port: int, threads: int, tls: Any) -> None:
        self.server = _QuietServer(
            (host, port),
            app,
            numthreads=threads,
            max=threads,
            server_name=host,
            request_queue_size=128,  # listen() backlog; the default 5 drops bursts
        )
        # Idle keep-alive connections cheroot keeps open before it starts
        # answering "Connection: close" (default 10).
        self.server.keep_alive_conn_limit = 256
        # The selector loop polls at this interval, and cheroot's stop() waits for
        # it: the default 0.5 s would add half a second to every stop().
        self.server.expiration_interval = 0.05
        # A body larger than the fake accepts is refused (413, connection closed) before it is read: otherwise
        # cheroot would read and discard all of it to keep the connection alive, however large it claims to be.
        self.server.max_request_body_size = MAX_REQUEST_BYTES
        if tls is not None:
            self.server.ssl_adapter = tls
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        # prepare() (which starts the worker threads) runs in the daemon thread too,
        # so every thread cheroot creates is a daemon and a forgotten stop() can
        # never keep the interpreter from exiting.
        self.thread = threading.Thread(target=self._run, name="arcgis-typed-fake-server", daemon=True)

    def start(self) -> None:
        self.thread.start()
        if not self._ready.wait(_START_TIMEOUT):
            raise RuntimeError(f"server did not start within {_START_TIMEOUT} s")
        if self._startup_error is not None:
            raise self._startup_error

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.bind_addr[:2]
        return str(host), int(port)

    def _run(self) -> None:
        try:
            self.server.prepare()  # binds and listens; resolves port 0
        except BaseException as exc:  # noqa: BLE001  # re-raised in the starting thread
            self._startup_error = exc
            return
        finally:
            self._ready.set()
        try:
            self.server.serve()
        except BaseException:  # noqa: BLE001  # a daemon thread: log, never print
            _log.exception("the fake server stopped unexpectedly")

    def stop(self) -> None:
        self.server.stop()  # closes the listening socket and idle connections
        if self.thread.is_alive():
            self.thread.join(_STOP_TIMEOUT)
            if self.thread.is_alive():
                _log.warning("server thread still running %s s after stop()", _STOP_TIMEOUT)


class RunningServer:
    """A started server; stop it with :meth:`stop` or by leaving the ``with`` block.

    Create it with :func:`serve`.
    """

    host: str
    port: int
    base_url: str
    portal_url: str
    server_admin_url: str | None
    mission_admin_url: str | None
    machine_admin_urls: dict[str, str]  # server machine -> its Administrator API URL (one port per machine)
    ca_path: str | None

    def __init__(self, app: WSGIApplication, *, https: bool, host: str, port: int, threads: int) -> None:
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self._lock = threading.Lock()
        self._stopped = False
        self._tmpdir: str | None = None
        self._listeners: list[_Listener] = []
        self.ca_path = None
        scheme = "https" if https else "http"
        server_context: str | None = getattr(app, "server_context", None)
        mission_context: str | None = getattr(app, "mission_context", None)
        machine_app = getattr(app, "machine_app", None)
        machines: tuple[str, ...] = tuple(getattr(app, "server_machines", ())) if server_context else ()
        if machine_app is None:
            machines = ()
        origins: dict[str, str] = {}  # filled once every port is bound; the machine apps read it per request
        try:
            tls_files = self._make_tls_files(host) if https else None
            for i, name in enumerate(machines or (None,)):
                served = app if name is None else machine_app(name, origins)  # type: ignore[misc]
                listener = _Listener(
                    served, host=host, port=port if i == 0 else 0, threads=threads,
                    tls=_HandshakeTimeoutSSLAdapter(*tls_files) if tls_files else None,
                )
                self._listeners.append(listener)
                listener.start()
        except BaseException:
            self.stop()
            raise

        bound_host, self.port = self._listeners[0].address
        self.host = bound_host
        self.base_url = f"{scheme}://{_url_host(self.host)}:{self.port}"
        for name, listener in zip(machines, self._listeners, strict=False):  # no machines: one listener
            origins[name.lower()] = f"{scheme}://{_url_host(self.host)}:{listener.address[1]}"
        self.portal_url = self.base_url + getattr(app, "portal_context", "/portal")
        self.server_admin_url = f"{self.base_url}{server_context}/admin" if server_context else None
        self.mission_admin_url = f"{self.base_url}{mission_context}/admin" if mission_context else None
        self.machine_admin_urls = {name: f"{origins[name.lower()]}{server_context}/admin" for name in machines}

    def _make_tls_files(self, host: str) -> tuple[str, str]:
        # mkdtemp: a fresh directory, mode 0700, per server (no sharing between
        # pytest-xdist workers); removed by stop().
        self._tmpdir = tempfile.mkdtemp(prefix="arcgis-typed-fake-tls-")
        ca = trustme.CA()
        identities = ["127.0.0.1", "localhost", "::1"]
        if host not in identities:
            identities.append(host)
        leaf = ca.issue_cert(*identities)
        ca_path = os.path.join(self._tmpdir, "ca.pem")
        chain_path = os.path.join(self._tmpdir, "server-chain.pem")
        key_path = os.path.join(self._tmpdir, "server-key.pem")
        ca.cert_pem.write_to_path(ca_path)
        with open(chain_path, "wb") as chain:
            chain.writelines(blob.bytes() for blob in leaf.cert_chain_pems)
        leaf.private_key_pem.write_to_path(key_path)
        self.ca_path = ca_path
        return chain_path, key_path

    def stop(self) -> None:
        """Stop serving, free the ports and delete the TLS files. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            for listener in self._listeners:
                listener.stop()
        finally:
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<RunningServer {self.base_url} {state}>"


def serve(
    app: WSGIApplication,
    *,
    https: bool = True,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = 8,
) -> RunningServer:
    """Start serving ``app`` in a background thread and return the running server.

    ``port=0`` picks a free ephemeral port (see :attr:`RunningServer.port`). With
    ``https=True`` the certificate is issued for 127.0.0.1, localhost and ::1 by a
    throwaway CA whose PEM file is :attr:`RunningServer.ca_path`. Each extra machine
    of a multiple-machine fake ArcGIS Server gets its own ephemeral port
    (:attr:`RunningServer.machine_admin_urls`); the first machine answers on ``port``.
    """
    return RunningServer(app, https=https, host=host, port=port, threads=threads)
