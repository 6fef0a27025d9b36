"""The data store of a server site (admin/data): registered data items and the rules of registering them.

Validation checks what the Administrator API checks before it tries to connect: the type, the path (the root
folder of the type plus one name), and the connection details each type needs. The fake cannot connect to
anything; instead a path or database host put in `unreachable` (the Python API's fault injection) fails
validation as a share or database the server cannot reach would.

Secrets (database passwords, cloud keys) are stored as given and answered sealed: `PASSWORD=x` comes back as
`ENCRYPTED_PASSWORD=<opaque>` and a cloud store's secret keys as `<opaque>`; a sealed value sent back (an edit
of an item as read) stands for the secret it seals.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from ..errors import Fault, bad_request

ROOTS = {"folder": "fileShares", "egdb": "enterpriseDatabases", "bigDataFileShare": "bigDataFileShares",
         "cloudStore": "cloudStores"}
CONNECTION_TYPES = ("shared", "replicated", "serverOnly")
BIG_DATA_CONNECTIONS = ("fileShare", "hdfs", "hive", "dataStore")
PROVIDERS = ("amazon", "azure", "azuredatalakegen2", "alibaba", "google", "minio", "ozone", "s3compatible")
CLOUD_SECRETS = ("secretAccessKey", "accountKey", "sasToken", "clientSecret", "password", "secretKey",
                 "privateKey", "accessKeySecret")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .\-]{0,127}$")
_PASSWORD = re.compile(r"(?i)(?<![A-Z_])PASSWORD=([^;]*)")
_ENCRYPTED = re.compile(r"(?i)ENCRYPTED_PASSWORD=([^;]*)")
SEAL_PREFIX = "00022e"


def not_found(path: str) -> Fault:
    return Fault(404, f"Data item '{path}' does not exist.")


@attrs.define(eq=False)
class DataItem:
    id: str
    path: str
    type: str
    info: dict[str, Any]
    client_path: str | None = None
    provider: str | None = None
    manifest: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class DataStore:
    def __init__(self, *, new_id: Callable[[], str], services: Callable[[], Iterable[Any]]) -> None:
        self.new_id = new_id
        self.services = services  # the site's services (their definitions reference data items)
        self.items: dict[str, DataItem] = {}  # lower-cased path -> item
        self.config: dict[str, Any] = {"blockDataCopy": False}
        self.unreachable: set[str] = set()  # server paths and database hosts validation fails on
        self._sealed: dict[str, str] = {}
        self._key = secrets.token_bytes(16)

    def __iter__(self) -> Iterator[DataItem]:
        return iter(sorted(self.items.values(), key=lambda i: i.path.lower()))

    # --- secrets ------------------------------------------------------------------------------------------------

    def seal(self, secret: str) -> str:
        token = SEAL_PREFIX + hashlib.sha256(self._key + secret.encode()).hexdigest()[:58]
        self._sealed[token] = secret
        return token

    def unseal(self, value: str) -> str:
        return self._sealed.get(value, value)

    def sealed_info(self, item: DataItem) -> dict[str, Any]:
        """The item's info as answered: passwords and keys sealed."""
        info = copy.deepcopy(item.info)
        for key in ("connectionString", "clientConnectionString"):
            value = info.get(key)
            if isinstance(value, str) and item.type == "egdb":
                info[key] = _PASSWORD.sub(lambda m: f"ENCRYPTED_PASSWORD={self.seal(m.group(1))}", value)
            elif item.type == "cloudStore" and key == "connectionString":
                info[key] = self._seal_cloud(value)
        return info

    def _seal_cloud(self, value: Any) -> Any:
        parsed, as_text = (_json_object(value), True) if isinstance(value, str) else (value, False)
        if not isinstance(parsed, dict):
            return value
        sealed = {k: self.seal(v) if k in CLOUD_SECRETS and isinstance(v, str) and v else v for k, v in parsed.items()}
        return json.dumps(sealed) if as_text else sealed

    def _unseal_info(self, info: dict[str, Any]) -> dict[str, Any]:
        info = copy.deepcopy(info)
        for key in ("connectionString", "clientConnectionString"):
            value = info.get(key)
            if isinstance(value, str) and _ENCRYPTED.search(value):
                info[key] = _ENCRYPTED.sub(lambda m: f"PASSWORD={self.unseal(m.group(1))}", value)
            elif isinstance(value, dict):
                info[key] = {k: self.unseal(v) if isinstance(v, str) else v for k, v in value.items()}
            elif isinstance(value, str) and isinstance(_json_object(value), dict):
                info[key] = json.dumps({k: self.unseal(v) if isinstance(v, str) else v
                                        for k, v in _json_object(value).items()})
        return info

    # --- validation ---------------------------------------------------------------------------------------------

    def check(self, raw: Any) -> DataItem:
        """A data item from the `item` parameter, validated; Fault 400 naming what is wrong."""
        if not isinstance(raw, dict):
            raise bad_request("Invalid parameter 'item': expected a JSON object describing the data item.")
        kind, path, info = raw.get("type"), raw.get("path"), raw.get("info")
        if kind not in ROOTS:
            raise bad_request(f"Invalid parameter 'item': unknown data item type '{kind}'.",
                              f"Types: {', '.join(ROOTS)}.")
        if not isinstance(path, str) or not isinstance(info, dict):
            raise bad_request("Invalid parameter 'item': a data item needs a path and an info object.")
        root, _, name = path.strip("/").partition("/")
        if path != f"/{root}/{name}" or root != ROOTS[kind] or not _NAME.match(name):
            raise bad_request(f"Invalid parameter 'item': the path of a {kind} item is /{ROOTS[kind]}/<name>, "
                              f"not '{path}'.")
        info = self._unseal_info(info)
        client_path = raw.get("clientPath")
        provider = raw.get("provider")
        getattr(self, f"_check_{kind.lower()}")(info, client_path, provider)
        return DataItem(id="", path=path, type=kind, info=info, client_path=client_path,
                        provider=provider if kind == "cloudStore" else None)

    def _connection_type(self, info: dict[str, Any]) -> str:
        kind = info.get("dataStoreConnectionType", "shared")
        if kind not in CONNECTION_TYPES:
            raise bad_request(f"Invalid parameter 'item': dataStoreConnectionType must be one of "
                              f"{', '.join(CONNECTION_TYPES)}.")
        return str(kind)

    def _reach(self, where: str) -> None:
        if any(where.lower().startswith(u.lower()) for u in self.unreachable):
            raise bad_request(f"The server cannot reach '{where}'.", "Check that every machine of the site can "
                              "access it.")

    def _check_folder(self, info: dict[str, Any], client_path: Any, provider: Any) -> None:
        server_path = info.get("path")
        if not isinstance(server_path, str) or not _absolute(server_path):
            raise bad_request("Invalid parameter 'item': a folder needs an absolute info.path the server can reach.")
        if self._connection_type(info) == "replicated" and not (isinstance(client_path, str) and client_path.strip()):
            raise bad_request("Invalid parameter 'item': a replicated folder needs a clientPath.")
        self._reach(server_path)

    def _check_egdb(self, info: dict[str, Any], client_path: Any, provider: Any) -> None:
        parts = _connection_parts(info.get("connectionString"))
        if parts is None or "DBCLIENT" not in parts or not ({"SERVER", "INSTANCE", "DB_CONNECTION_PROPERTIES"} & set(parts)):
            raise bad_request("Invalid parameter 'item': a database needs a connectionString with DBCLIENT and "
                              "SERVER (or INSTANCE / DB_CONNECTION_PROPERTIES).")
        if parts.get("AUTHENTICATION_MODE", "DBMS").upper() == "DBMS" and not parts.get("USER"):
            raise bad_request("Invalid parameter 'item': database authentication needs USER and PASSWORD.")
        if self._connection_type(info) == "replicated" and _connection_parts(info.get("clientConnectionString")) is None:
            raise bad_request("Invalid parameter 'item': a replicated database needs a clientConnectionString.")
        host = parts.get("SERVER") or parts.get("DB_CONNECTION_PROPERTIES") or parts.get("INSTANCE", "")
        self._reach(host)

    def _check_bigdatafileshare(self, info: dict[str, Any], client_path: Any, provider: Any) -> None:
        if info.get("connectionType", "fileShare") not in BIG_DATA_CONNECTIONS:
            raise bad_request(f"Invalid parameter 'item': connectionType must be one of {', '.join(BIG_DATA_CONNECTIONS)}.")
        conn = _json_object(info.get("connectionString")) if isinstance(info.get("connectionString"), str) else None
        share = conn.get("path") if isinstance(conn, dict) else None
        if not isinstance(share, str) or not _absolute(share):
            raise bad_request('Invalid parameter \'item\': a big data file share needs a connectionString '
                              '{"path": "<absolute path>"}.')
        self._reach(share)

    def _check_cloudstore(self, info: dict[str, Any], client_path: Any, provider: Any) -> None:
        if provider not in PROVIDERS:
            raise bad_request(f"Invalid parameter 'item': unknown cloud provider '{provider}'.",
                              f"Providers: {', '.join(PROVIDERS)}.")
        store = info.get("objectStore")
        if not isinstance(store, str) or not store.strip("/"):
            raise bad_request("Invalid parameter 'item': a cloud store needs an objectStore (bucket or container).")
        conn = info.get("connectionString")
        conn = _json_object(conn) if isinstance(conn, str) else conn
        if not isinstance(conn, dict) or not conn:
            raise bad_request("Invalid parameter 'item': a cloud store needs a connectionString object.")
        if not isinstance(info.get("isManaged", False), bool):
            raise bad_request("Invalid parameter 'item': isManaged must be true or false.")
        self._reach(f"{provider}://{store.strip('/')}")

    # --- registration ---------------------------------------------------------------------------------------

    def register(self, raw: Any) -> tuple[DataItem, bool]:
        """(the item, whether it is new); an item already at the path is answered as it is."""
        item = self.check(raw)
        existing = self.items.get(item.path.lower())
        if existing is not None:
            return existing, False
        item.id = self.new_id()
        if item.type == "bigDataFileShare":
            item.manifest = {"datasets": []}
        self.items[item.path.lower()] = item
        return item, True

    def get(self, path: str) -> DataItem:
        found = self.items.get(path.lower().rstrip("/"))
        if found is None:
            raise not_found(path)
        return found

    def edit(self, path: str, raw: Any) -> DataItem:
        item = self.get(path)
        changed = self.check(raw)
        if changed.path.lower() != item.path.lower() or changed.type != item.type:
            raise bad_request("Invalid parameter 'item': an edit cannot change the item's path or type.")
        item.info, item.client_path, item.provider = changed.info, changed.client_path, changed.provider
        return item

    def ref_count(self, path: str) -> int:
        item = self.get(path)
        needles = [item.path.lower()] + [str(v).lower() for v in (item.info.get("path"),) if v]
        return sum(1 for service in self.services() if _mentions(service.definition, needles))

    def unregister(self, path: str, force: bool) -> DataItem:
        item = self.get(path)
        count = self.ref_count(path)
        if count and not force:
            raise bad_request(f"{count} services reference '{item.path}'; unregister it with force=true.")
        del self.items[item.path.lower()]
        return item

    def find(self, *, parent: str | None, ancestor: str | None, types: str | None, id: str | None) -> list[DataItem]:
        wanted = None
        if types:
            wanted = {t.strip().lower() for t in types.split(",") if t.strip()}
            unknown = wanted - {t.lower() for t in ROOTS}
            if unknown:
                raise bad_request(f"Invalid parameter 'types': unknown types {sorted(unknown)}.")
        found = []
        for item in self:
            folder = item.path.rsplit("/", 1)[0]
            if parent is not None and folder.lower() != parent.rstrip("/").lower() and not (
                    parent == "/" and folder == ""):
                continue
            if ancestor is not None and not item.path.lower().startswith(ancestor.rstrip("/").lower() + "/"):
                continue
            if wanted is not None and item.type.lower() not in wanted:
                continue
            if id and item.id != id:
                continue
            found.append(item)
        return found

    def validate_all(self) -> list[tuple[str, str]]:
        """Each item's path and status (success, or the reason it fails)."""
        results = []
        for item in self:
            raw = {"type": item.type, "path": item.path, "info": item.info, "clientPath": item.client_path,
                   "provider": item.provider}
            try:
                self.check(raw)
                results.append((item.path, "success"))
            except Fault as fault:
                results.append((item.path, fault.message))
        return results

    # --- manifests ----------------------------------------------------------------------------------------------

    def manifest(self, path: str) -> dict[str, Any]:
        item = self.get(path)
        if item.manifest is None:
            raise bad_request(f"'{item.path}' is not a big data file share; only those have manifests.")
        return item.manifest

    def set_manifest(self, path: str, data: bytes | None) -> None:
        current = self.manifest(path)
        if data is None:
            raise bad_request("Invalid parameter 'manifest': a manifest file is required.")
        try:
            manifest = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise bad_request("Invalid parameter 'manifest': not a JSON file.") from None
        datasets = manifest.get("datasets") if isinstance(manifest, dict) else None
        if not isinstance(datasets, list) or not all(isinstance(d, dict) and isinstance(d.get("name"), str)
                                                     for d in datasets):
            raise bad_request('Invalid parameter \'manifest\': expected {"datasets": [{"name": ...}, ...]}.')
        current.clear()
        current.update(manifest)

    def regenerate(self, path: str) -> None:
        manifest = self.manifest(path)
        manifest["datasets"] = sorted(manifest.get("datasets", []), key=lambda d: str(d.get("name", "")).lower())

    def update_config(self, value: Any) -> None:
        if not isinstance(value, dict) or set(value) - set(self.config):
            raise bad_request(f"Invalid parameter 'datastoreConfig': known settings are {sorted(self.config)}.")
        if not all(isinstance(v, bool) for v in value.values()):
            raise bad_request("Invalid parameter 'datastoreConfig': blockDataCopy must be true or false.")
        self.config.update(value)


def _absolute(path: str) -> bool:
    return path.startswith(("/", "\\\\")) or re.match(r"^[A-Za-z]:[\\/]", path) is not None


def _json_object(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def _connection_parts(value: Any) -> dict[str, str] | None:
    if not isinstance(value, str) or "=" not in value:
        return None
    parts = {}
    for part in value.split(";"):
        key, sep, val = part.partition("=")
        if sep:
            parts[key.strip().upper()] = val.strip()
    return parts


def _mentions(value: Any, needles: list[str]) -> bool:
    """Whether any string inside a JSON value starts with one of `needles` (a data item's path or share)."""
    if isinstance(value, str):
        text = value.lower()
        return any(text == n or text.startswith((n.rstrip("/\\") + "/", n.rstrip("/\\") + "\\")) for n in needles)
    if isinstance(value, dict):
        return any(_mentions(v, needles) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, needles) for v in value)
    return False


def random_item_id() -> str:
    """A data item's id (random, as the real server's)."""
    return secrets.token_hex(16)
