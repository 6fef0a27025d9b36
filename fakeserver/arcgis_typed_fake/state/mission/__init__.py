"""The state of the fake ArcGIS Mission Server: its machines (each with an SSL keystore), its logs, security
configuration, directories, Web Adaptors, system properties, the site backup (exportSite / importSite) and the
mission catalog (`catalog.py`).

The Mission Server is federated with the fake's portal: it accepts portal tokens, its administrators are the
portal's administrators, and its missions live in the portal as groups and items. Every operation that
changes something writes a log record (codes below) that `logs/query` finds.
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import re
import secrets
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from ...clock import Clock, Ids
from ...errors import INVALID_TOKEN, Fault, bad_request, forbidden
from ..keystore import Keystore, now_utc
from ..logs import LEVELS, LogSettings, LogStore
from ..portal import PortalState
from ..roles import RoleStore
from ..sandbox import Sandbox
from ..server.machines import machine_host
from ..tokens import TokenRecord, TokenStore
from ..users import UserRecord, UserStore
from .catalog import MissionCatalog, MissionRecord

__all__ = ["MissionMachine", "MissionState", "SecurityConfig"]

PRODUCT = "ArcGIS Mission Server"
CURRENT_VERSION = "11.4"
FULL_VERSION = "11.4.0"
BUILD = "52500"
BACKUP_FORMAT = 1

# Log codes the fake writes (source in brackets)
CODE_STARTED = 9000  # INFO [Server] the site started (at creation and after importSite)
CODE_MISSION_CREATED = 9101  # INFO [<mission>.MissionServer]
CODE_MISSION_DELETED = 9102  # INFO [<mission>.MissionServer]
CODE_REPORT_ADDED = 9103  # INFO [<mission>.MissionServer]
CODE_JOB_SUBMITTED = 9104  # FINE [Rest]
CODE_REQUEST_FAILED = 9105  # WARNING [Rest | Admin] an operation was refused (its error message)
CODE_SECURITY_CHANGED = 9201  # INFO [Security]
CODE_ACCESS_DENIED = 9202  # SEVERE [Security] a request refused by the security configuration
CODE_CERTIFICATE = 9301  # INFO [Admin] a certificate generated, imported or deleted
CODE_MACHINE = 9302  # INFO [Admin] a machine edited or unregistered
CODE_DIRECTORY = 9303  # INFO [Admin]
CODE_WEB_ADAPTOR = 9304  # INFO [Admin]
CODE_SYSTEM = 9305  # INFO [Admin] system properties, Web Adaptor configuration
CODE_LOG_SETTINGS = 9306  # INFO [Admin]
CODE_SITE_EXPORTED = 9401  # INFO [Admin]
CODE_SITE_IMPORTED = 9402  # WARNING [Admin] the configuration store was overwritten
CODE_REQUEST = 9500  # DEBUG [Rest | Admin] every request handled: its operation


@attrs.define(eq=False)
class MissionMachine:
    name: str
    host: str
    started: int
    web_server_max_heap_size: int = -1
    web_socket_max_heap_size: int = -1
    web_server_certificate_alias: str = "selfsignedcertificate"
    _keystore: Keystore | None = attrs.field(default=None, repr=False)

    def keystore(self, now: int) -> Keystore:
        if self._keystore is None:
            self._keystore = Keystore()
            self._keystore.add_default(self.host, now_utc(now))
        return self._keystore


@attrs.define
class SecurityConfig:
    protocol: str = "HTTP_AND_HTTPS"
    hsts_enabled: bool = False
    allow_direct_access: bool = True
    authentication_tier: str = "ARCGIS_PORTAL"
    authentication_mode: str = "ARCGIS_PORTAL_TOKEN"
    allowed_admin_access_ips: str = ""
    virtual_dirs_security_enabled: bool = False
    security_enabled: bool = True
    portal_properties: dict[str, str] = attrs.Factory(lambda: {"portalMode": "ARCGIS_PORTAL_FEDERATION"})
    portal_secret_set: bool = True

    @property
    def http_enabled(self) -> bool:
        return self.protocol in ("HTTP", "HTTP_AND_HTTPS")

    @property
    def ssl_enabled(self) -> bool:
        return self.protocol in ("HTTPS", "HTTP_AND_HTTPS")

    def allowed_ips(self) -> list[str]:
        return [ip.strip() for ip in self.allowed_admin_access_ips.split(",") if ip.strip()]


@attrs.define
class Directory:
    name: str
    physical_path: str
    directory_type: str
    description: str = ""


@attrs.define
class WebAdaptorRecord:
    id: str
    machine_name: str
    machine_ip: str
    web_adaptor_url: str
    http_port: int
    https_port: int
    description: str = ""
    is_admin_enabled: bool = False


PORTAL_KEYS = ("portalMode", "portalSecretKey", "portalURL", "referer", "serverId", "serverURL", "token")
_DIRECTORY_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:[\\/]|\\\\)")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9\-.]*[A-Za-z0-9])?$")


def _http_url(value: str, param: str) -> str:
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request(f"Invalid parameter '{param}': '{value}' is not an http(s) URL")
    return value.strip()


def _ip(value: str, param: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise bad_request(f"Invalid parameter '{param}': '{value}' is not an IP address") from None


class MissionState:
    """One Mission Server site federated with `portal`."""

    def __init__(self, *, clock: Clock, ids: Ids, portal: PortalState, machines: Sequence[str],
                 files: str | Path | None = None, portal_context: str = "/portal",
                 admin: tuple[str, str] | None = None, password_iterations: int = 1000) -> None:
        if not machines:
            raise ValueError("a Mission Server needs at least one machine")
        self.clock = clock
        self.ids = ids
        self.portal = portal
        self.files = Sandbox(files)
        self.portal_context = portal_context
        now = self.now()
        self.created = now
        self.started = now
        self.machines: dict[str, MissionMachine] = {}
        for name in machines:
            if not name or "/" in name or name.lower() in self.machines:
                raise ValueError(f"machine names must be unique, non-empty and without '/': {name!r}")
            self.machines[name.lower()] = MissionMachine(name=name, host=machine_host(name), started=now)
        self.logs = LogStore(self.now, machine=machines[0], process=str(4000 + len(machines[0])))
        self.security = SecurityConfig()
        self.directories: dict[str, Directory] = {}
        for name, kind in (("arcgisoutput", "OUTPUT"), ("arcgisworkspace", "WORKSPACE")):
            self.directories[name] = Directory(name, f"/arcgis/mission/directories/{name}", kind)
        self.web_adaptors: dict[str, WebAdaptorRecord] = {}
        self.web_adaptor_config: dict[str, Any] = {"sharedKey": secrets.token_hex(16), "webSocketMaxHeapSize": 64,
                                                   "maxConnections": 2000}
        self.system_properties: dict[str, Any] = {"webSocketMaxHeapSize": 64}
        self.catalog = MissionCatalog(portal, self.now, ids.new)
        # the primary site administrator: an account of the site's own (with every administrative privilege),
        # and the tokens admin/generateToken issues for it
        self.site_users = UserStore(password_iterations, RoleStore(now), self.now)
        self.tokens = TokenStore(self.now)
        if admin is not None:
            self.site_users.add(username=admin[0], password=admin[1], id=ids.new(), org_id=portal.org.id,
                                role="org_admin", now=now, full_name="Primary site administrator")
        self.log("INFO", f"{PRODUCT} started.", source="Server", code=CODE_STARTED)

    def now(self) -> int:
        return self.clock.now_ms()

    def log(self, level: str, message: str, *, source: str, code: int, user: str = "", service: bool = False,
            method: str = "") -> None:
        self.logs.write(level, message, source=source, code=code, user=user, service=service, method=method)

    # --- access ----------------------------------------------------------------------------------------------

    def check_access(self, *, scheme: str, ip: str, admin: bool, host: str = "") -> None:
        """The security configuration at work: HTTPS-only sites refuse HTTP; the Administrator API only
        answers the allowed IP addresses when a list is set, and only through a registered Web Adaptor (the
        request's host, or its X-Forwarded-Host, is the adaptor's) when direct administrator access is off."""
        if scheme == "http" and not self.security.http_enabled:
            self.log("SEVERE", "A request over HTTP was refused: the site only accepts HTTPS.", source="Security",
                     code=CODE_ACCESS_DENIED)
            raise forbidden("This site only accepts HTTPS requests (Protocol is HTTPS).")
        allowed = self.security.allowed_ips()
        if admin and allowed and ip not in allowed:
            self.log("SEVERE", f"Administrator access from {ip} was refused: not an allowed address.",
                     source="Security", code=CODE_ACCESS_DENIED)
            raise forbidden(f"Administrator access from '{ip}' is not allowed (allowedAdminAccessIPs).")
        if admin and not self.security.allow_direct_access and not self._through_web_adaptor(host):
            self.log("SEVERE", f"Direct administrator access through '{host}' was refused.", source="Security",
                     code=CODE_ACCESS_DENIED)
            raise forbidden("Direct administrator access is disabled (allowDirectAccess); go through a registered "
                            "Web Adaptor.")

    def _through_web_adaptor(self, host: str) -> bool:
        hosts = {urlsplit(w.web_adaptor_url).netloc.lower() for w in self.web_adaptors.values() if w.is_admin_enabled}
        return host.lower() in hosts

    # --- the primary site administrator -----------------------------------------------------------------------

    def issue_token(self, username: str, password: str, minutes: int | None, *, referer: str | None,
                    ip: str | None) -> tuple[str, TokenRecord]:
        user = self.site_users.authenticate(username, password)
        if user is None:
            raise Fault(400, "Unable to generate token.", ["Invalid username or password."])
        self.log("INFO", f"The primary site administrator '{user.username}' signed in.", source="Security",
                 code=CODE_SECURITY_CHANGED, user=user.username)
        return self.tokens.issue(user.username, minutes, referer=referer, ip=ip)

    def site_caller(self, token: str, *, referer: str | None, ip: str | None) -> UserRecord | None:
        """The primary site administrator a token of admin/generateToken belongs to; None when the token is
        not one (it may be a portal token); 498 when its binding does not match."""
        record = self.tokens.lookup(token)
        if record is None:
            return None
        if record.referer is not None and record.referer != (referer or "") or \
                record.ip is not None and record.ip != (ip or ""):
            raise Fault(498, INVALID_TOKEN)
        return self.site_users.get(record.username)

    # --- machines --------------------------------------------------------------------------------------------

    @property
    def default_machine(self) -> MissionMachine:
        return next(iter(self.machines.values()))

    def machine(self, name: str) -> MissionMachine:
        found = self.machines.get(name.lower())
        if found is None:
            raise Fault(404, f"Machine '{name}' is not registered with the site.")
        return found

    def edit_machine(self, name: str, user: str, *, web_server_max_heap_size: int | None,
                     web_socket_max_heap_size: int | None, web_server_certificate_alias: str | None) -> MissionMachine:
        machine = self.machine(name)
        if web_server_certificate_alias:
            keystore = machine.keystore(self.now())
            entry = keystore.get(web_server_certificate_alias) if web_server_certificate_alias in keystore else None
            if entry is None or entry.key is None:
                raise bad_request(f"Invalid parameter 'webServerCertificateAlias': '{web_server_certificate_alias}' is "
                                  "not a certificate with a private key in the machine's keystore")
            machine.web_server_certificate_alias = entry.alias
        if web_server_max_heap_size is not None:
            machine.web_server_max_heap_size = web_server_max_heap_size
        if web_socket_max_heap_size is not None:
            machine.web_socket_max_heap_size = web_socket_max_heap_size
        self.log("INFO", f"Machine '{machine.name}' was edited.", source="Admin", code=CODE_MACHINE, user=user)
        return machine

    def unregister_machine(self, name: str, user: str) -> MissionMachine:
        machine = self.machine(name)
        if len(self.machines) == 1:
            raise bad_request(f"'{machine.name}' is the last machine of the site; it cannot be unregistered.")
        del self.machines[machine.name.lower()]
        self.log("INFO", f"Machine '{machine.name}' was unregistered from the site.", source="Admin",
                 code=CODE_MACHINE, user=user)
        return machine

    def keystore(self, machine: str) -> Keystore:
        return self.machine(machine).keystore(self.now())

    def delete_certificate(self, machine_name: str, alias: str, user: str) -> None:
        machine = self.machine(machine_name)
        entry = machine.keystore(self.now()).get(alias)
        if entry.alias == machine.web_server_certificate_alias.lower():
            raise bad_request(f"Certificate '{entry.alias}' is used by the machine's web server; point "
                              "webServerCertificateAlias at another certificate first.")
        machine.keystore(self.now()).delete(alias)
        self.certificate_logged(f"Certificate '{entry.alias}' was deleted from the keystore of '{machine.name}'.", user)

    def certificate_logged(self, message: str, user: str) -> None:
        self.log("INFO", message, source="Admin", code=CODE_CERTIFICATE, user=user)

    # --- logs ------------------------------------------------------------------------------------------------

    def edit_log_settings(self, user: str, **changes: object) -> LogSettings:
        settings = self.logs.settings
        for name, value in changes.items():
            if value is not None:
                setattr(settings, name, value.upper() if name == "log_level" and isinstance(value, str) else value)
        self.log("INFO", "The log settings were changed.", source="Admin", code=CODE_LOG_SETTINGS, user=user)
        return settings

    # --- security --------------------------------------------------------------------------------------------

    def update_security(self, user: str, *, protocol: str | None, hsts_enabled: bool | None,
                        allow_direct_access: bool | None, authentication_tier: str | None,
                        authentication_mode: str | None, allowed_admin_access_ips: str | None,
                        virtual_dirs_security_enabled: bool | None, security_enabled: bool | None,
                        portal_properties: object) -> SecurityConfig:
        new = attrs.evolve(self.security, portal_properties=dict(self.security.portal_properties))
        for name, value in (("protocol", protocol), ("authentication_tier", authentication_tier),
                            ("authentication_mode", authentication_mode)):
            if value is not None:
                setattr(new, name, value.upper())
        for name, flag in (("hsts_enabled", hsts_enabled), ("allow_direct_access", allow_direct_access),
                           ("virtual_dirs_security_enabled", virtual_dirs_security_enabled),
                           ("security_enabled", security_enabled)):
            if flag is not None:
                setattr(new, name, flag)
        if allowed_admin_access_ips is not None:
            new.allowed_admin_access_ips = ",".join(
                _ip(ip, "allowedAdminAccessIPs") for ip in allowed_admin_access_ips.split(",") if ip.strip())
        if portal_properties not in (None, ""):
            new.portal_properties, secret = _portal_properties(portal_properties)
            new.portal_secret_set = new.portal_secret_set or secret
        if new.hsts_enabled and new.protocol != "HTTPS":
            raise bad_request("Invalid parameter 'HSTSEnabled': HSTS can only be enabled when Protocol is HTTPS.")
        if not new.allow_direct_access and new.authentication_tier != "WEB_ADAPTOR":
            raise bad_request("Invalid parameter 'allowDirectAccess': direct administrator access can only be "
                              "disabled when the site uses web-tier authentication (authenticationTier WEB_ADAPTOR).")
        self.security = new
        self.log("INFO", "The security configuration was updated.", source="Security", code=CODE_SECURITY_CHANGED,
                 user=user)
        return new

    # --- directories, Web Adaptors, system -------------------------------------------------------------------

    def register_directory(self, user: str, *, name: str, path: str, directory_type: str,
                           description: str | None) -> Directory:
        if not _DIRECTORY_NAME.fullmatch(name):
            raise bad_request(f"Invalid parameter 'name': '{name}' must be 1 to 64 letters, digits or '_'")
        if name.lower() in self.directories:
            raise bad_request(f"Invalid parameter 'name': a directory named '{name}' is already registered")
        if not _ABSOLUTE.match(path) or ".." in re.split(r"[\\/]", path) or any(ord(c) < 32 for c in path):
            raise bad_request(f"Invalid parameter 'path': '{path}' is not an absolute path")
        if any(d.physical_path.rstrip("/\\").lower() == path.rstrip("/\\").lower() for d in self.directories.values()):
            raise bad_request(f"Invalid parameter 'path': '{path}' is already registered")
        directory = Directory(name, path, directory_type.upper(), description or "")
        self.directories[name.lower()] = directory
        self.log("INFO", f"Directory '{name}' ({directory.directory_type}) was registered at {path}.", source="Admin",
                 code=CODE_DIRECTORY, user=user)
        return directory

    def unregister_directory(self, user: str, name: str) -> Directory:
        directory = self.directories.pop(name.lower(), None)
        if directory is None:
            raise Fault(404, f"Directory '{name}' is not registered.")
        self.log("INFO", f"Directory '{directory.name}' was unregistered.", source="Admin", code=CODE_DIRECTORY,
                 user=user)
        return directory

    def web_adaptor(self, web_adaptor_id: str) -> WebAdaptorRecord:
        found = self.web_adaptors.get(web_adaptor_id)
        if found is None:
            raise Fault(404, f"Web Adaptor '{web_adaptor_id}' is not registered.")
        return found

    def register_web_adaptor(self, user: str, *, machine_name: str, machine_ip: str, web_adaptor_url: str,
                             http_port: int, https_port: int, description: str | None,
                             is_admin_enabled: bool | None) -> WebAdaptorRecord:
        if not _HOST.fullmatch(machine_name.strip()):
            raise bad_request(f"Invalid parameter 'machineName': '{machine_name}' is not a host name")
        address = _ip(machine_ip, "machineIP")
        url = _http_url(web_adaptor_url, "webAdaptorURL").rstrip("/")
        if any(w.web_adaptor_url.lower() == url.lower() for w in self.web_adaptors.values()):
            raise bad_request(f"Invalid parameter 'webAdaptorURL': a Web Adaptor at '{url}' is already registered")
        record = WebAdaptorRecord(self.ids.new(), machine_name.strip(), address, url, http_port, https_port,
                                  description or "", bool(is_admin_enabled))
        self.web_adaptors[record.id] = record
        self.log("INFO", f"Web Adaptor {url} was registered.", source="Admin", code=CODE_WEB_ADAPTOR, user=user)
        return record

    def unregister_web_adaptor(self, user: str, web_adaptor_id: str) -> WebAdaptorRecord:
        record = self.web_adaptor(web_adaptor_id)
        del self.web_adaptors[record.id]
        self.log("INFO", f"Web Adaptor {record.web_adaptor_url} was unregistered.", source="Admin",
                 code=CODE_WEB_ADAPTOR, user=user)
        return record

    def update_web_adaptor_config(self, user: str, config: object) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise bad_request("Invalid parameter 'webAdaptorConfig': must be a JSON object")
        checks = {"sharedKey": str, "webSocketMaxHeapSize": int, "maxConnections": int}
        for key, value in config.items():
            kind = checks.get(key)
            if kind is None:
                raise bad_request(f"Invalid parameter 'webAdaptorConfig': unknown key '{key}' "
                                  f"(known: {', '.join(checks)})")
            positive = isinstance(value, int) and not isinstance(value, bool) and value > 0
            if not (positive if kind is int else isinstance(value, str) and value != ""):
                raise bad_request(f"Invalid parameter 'webAdaptorConfig': '{key}' must be a "
                                  f"{'non-empty string' if kind is str else 'positive integer'}")
        self.web_adaptor_config.update(config)
        self.log("INFO", "The Web Adaptor configuration was updated.", source="Admin", code=CODE_SYSTEM, user=user)
        return self.web_adaptor_config

    def update_system_properties(self, user: str, properties: object) -> None:
        if not isinstance(properties, dict) or not all(
                isinstance(v, str | int | float | bool) and isinstance(k, str) and k for k, v in properties.items()):
            raise bad_request("Invalid parameter 'properties': must be a JSON object of strings, numbers or booleans")
        self.system_properties = dict(properties)
        self.log("INFO", "The system properties were updated.", source="Admin", code=CODE_SYSTEM, user=user)

    def licenses(self) -> dict[str, Any]:
        expires = self.created + 365 * 86_400_000
        return {"edition": "Standard", "level": "Standard",
                "features": [{"name": "esriMissionServer", "version": CURRENT_VERSION, "expiration": expires}]}

    # --- site backup -----------------------------------------------------------------------------------------

    def configuration(self) -> dict[str, Any]:
        """The configuration store as JSON (what a backup holds; logs and jobs are not part of it)."""
        now = self.now()
        return {
            "security": {**attrs.asdict(self.security)},
            "machines": [
                {"name": m.name, "host": m.host, "webServerMaxHeapSize": m.web_server_max_heap_size,
                 "webSocketMaxHeapSize": m.web_socket_max_heap_size,
                 "webServerCertificateAlias": m.web_server_certificate_alias, "keystore": m.keystore(now).to_json()}
                for m in self.machines.values()
            ],
            "directories": [attrs.asdict(d) for d in self.directories.values()],
            "webAdaptors": [attrs.asdict(w) for w in self.web_adaptors.values()],
            "webAdaptorConfig": dict(self.web_adaptor_config),
            "systemProperties": dict(self.system_properties),
            "logSettings": attrs.asdict(self.logs.settings),
            "missions": self.catalog.to_json(),
        }

    def export_site(self, user: str, location: str | None) -> str:
        folder = self.files.path(location or "/arcgis/mission/backups", "location")
        if folder.exists() and not folder.is_dir():
            raise bad_request(f"Invalid parameter 'location': '{location}' is not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.fromtimestamp(self.now() / 1000, tz=UTC).strftime("%Y-%m-%d-%H-%M-%S")
        target = folder / f"{stamp}.agssite"
        n = 1
        while target.exists() or target.is_symlink():
            target = folder / f"{stamp}-{n}.agssite"
            n += 1
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps({"product": PRODUCT, "version": FULL_VERSION,
                                                          "format": BACKUP_FORMAT, "exported": self.now()}))
            archive.writestr("config-store.json", json.dumps(self.configuration(), sort_keys=True))
        # a new file, never through a link: O_EXCL fails on anything (even a dangling link) already there
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(buffer.getvalue())
        shown = self.files.display(target)
        self.log("INFO", f"The site was exported to {shown}.", source="Admin", code=CODE_SITE_EXPORTED, user=user)
        return shown

    def import_site(self, user: str, location: str | None) -> None:
        if not location:
            raise bad_request("Invalid parameter 'location': required (the .agssite file to import)")
        path = self.files.path(location, "location")
        if not path.is_file():
            raise bad_request(f"Invalid parameter 'location': no file at '{location}'")
        try:
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
                manifest = json.loads(archive.read("manifest.json"))
                config = json.loads(archive.read("config-store.json"))
            if manifest.get("product") != PRODUCT or manifest.get("format") != BACKUP_FORMAT:
                raise ValueError("not a backup of this product")
            restored = self._restored(config)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
            raise bad_request(f"Invalid parameter 'location': '{location}' is not an {PRODUCT} site backup "
                              f"({type(exc).__name__})") from None
        (self.security, self.machines, self.directories, self.web_adaptors, self.web_adaptor_config,
         self.system_properties, self.logs.settings, self.catalog.missions) = restored
        self.started = self.now()
        self.log("WARNING", f"The configuration store was overwritten from {self.files.display(path)}; the site "
                 "restarted.", source="Admin", code=CODE_SITE_IMPORTED, user=user)
        self.log("INFO", f"{PRODUCT} started.", source="Server", code=CODE_STARTED)

    def _restored(self, config: dict[str, Any]) -> tuple[Any, ...]:
        security = SecurityConfig(**config["security"])
        if security.protocol not in ("HTTP", "HTTP_AND_HTTPS", "HTTPS") or not all(
                isinstance(getattr(security, flag), bool) for flag in (
                    "hsts_enabled", "allow_direct_access", "virtual_dirs_security_enabled", "security_enabled")):
            raise ValueError("security: bad protocol or flags")
        machines = {}
        for m in config["machines"]:
            machine = MissionMachine(name=m["name"], host=m["host"], started=self.now(),
                                     web_server_max_heap_size=int(m["webServerMaxHeapSize"]),
                                     web_socket_max_heap_size=int(m["webSocketMaxHeapSize"]),
                                     web_server_certificate_alias=str(m["webServerCertificateAlias"]),
                                     keystore=Keystore.from_json(m["keystore"]))
            machines[machine.name.lower()] = machine
        if not machines:
            raise ValueError("no machines")
        directories = {d["name"].lower(): Directory(**d) for d in config["directories"]}
        adaptors = {w["id"]: WebAdaptorRecord(**w) for w in config["webAdaptors"]}
        settings = LogSettings(**config["logSettings"])
        if settings.log_level not in (*LEVELS, "OFF") or not isinstance(settings.max_log_file_age, int):
            raise ValueError("logSettings: bad level or age")
        missions: dict[str, MissionRecord] = MissionCatalog.missions_from_json(config["missions"])
        return (security, machines, directories, adaptors, dict(config["webAdaptorConfig"]),
                dict(config["systemProperties"]), settings, missions)


def _portal_properties(raw: object) -> tuple[dict[str, str], bool]:
    """Check portalProperties; returns the properties to keep (never the secret key or token) and whether a
    secret key was given."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict):
        raise bad_request("Invalid parameter 'portalProperties': must be a JSON object")
    unknown = sorted(set(raw) - set(PORTAL_KEYS))
    if unknown:
        raise bad_request(f"Invalid parameter 'portalProperties': unknown key '{unknown[0]}' "
                          f"(known: {', '.join(PORTAL_KEYS)})")
    if not all(isinstance(v, str) for v in raw.values()):
        raise bad_request("Invalid parameter 'portalProperties': every value must be a string")
    if raw.get("portalMode") != "ARCGIS_PORTAL_FEDERATION":
        raise bad_request("Invalid parameter 'portalProperties': portalMode must be ARCGIS_PORTAL_FEDERATION (the "
                          "fake's Mission Server stays federated with its portal)")
    for key in ("portalURL", "serverURL"):
        if key not in raw:
            raise bad_request(f"Invalid parameter 'portalProperties': {key} is required")
        _http_url(raw[key], f"portalProperties.{key}")
    if not raw.get("serverId", "").strip():
        raise bad_request("Invalid parameter 'portalProperties': serverId is required")
    kept = {k: v for k, v in raw.items() if k not in ("portalSecretKey", "token")}
    return kept, bool(raw.get("portalSecretKey"))
