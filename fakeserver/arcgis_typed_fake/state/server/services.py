"""The services resource of a site: the root folder, one level of subfolders, and the GIS services in them.

Folder and service names are matched case-insensitively and shown as created. Every rule and error of the
services family lives here; handlers only turn records into models.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ...errors import Fault, bad_request

ROOT = "/"
ROOT_DESCRIPTION = "Root folder"
# The service types of the Administrator API (canonical spelling; matched case-insensitively).
SERVICE_TYPES = (
    "FeatureServer", "GPServer", "GeocodeServer", "GeoDataServer", "GeometryServer", "GlobeServer", "ImageServer",
    "MapServer", "SceneServer", "SearchServer", "StreamServer", "VectorTileServer",
)
_TYPES = {t.lower(): t for t in SERVICE_TYPES}
_NAME = re.compile(r"^[A-Za-z0-9_]{1,120}$")
# Fixed words of the services resource's own paths: a folder of that name could never be reached.
RESERVED_FOLDERS = frozenset({"createfolder", "createservice", "deletefolder", "exists", "types"})
# What createService fills in when the definition leaves it out.
SERVICE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "capabilities": "",
    "provider": "ArcObjects11",
    "clusterName": "default",
    "minInstancesPerNode": 1,
    "maxInstancesPerNode": 2,
    "maxWaitTime": 60,
    "maxStartupTime": 300,
    "maxIdleTime": 1800,
    "maxUsageTime": 600,
    "recycleInterval": 24,
    "loadBalancing": "ROUND_ROBIN",
    "isolationLevel": "HIGH",
    "properties": {},
    "extensions": [],
}
_COUNTS = ("minInstancesPerNode", "maxInstancesPerNode", "maxWaitTime", "maxStartupTime", "maxIdleTime",
           "maxUsageTime", "recycleInterval")


@attrs.define(eq=False)
class FolderRecord:
    name: str
    description: str = ""
    web_encrypted: bool = False
    is_default: bool = False


@attrs.define(eq=False)
class ServiceRecord:
    folder: str  # "/" for the root folder, else the folder's name as created
    name: str
    type: str  # canonical spelling, e.g. MapServer
    definition: dict[str, Any]  # the JSON definition, wire names, defaults filled in
    configured_state: str = "STARTED"

    @property
    def description(self) -> str:
        return str(self.definition.get("description") or "")

    @property
    def full_name(self) -> str:
        return f"{self.name}.{self.type}" if self.folder == ROOT else f"{self.folder}/{self.name}.{self.type}"


def _key(folder: str, name: str, type_: str) -> tuple[str, str, str]:
    return folder.lower(), name.lower(), type_.lower()


class ServiceCatalog:
    """The folders and services of one site."""

    def __init__(self) -> None:
        self._folders: dict[str, FolderRecord] = {}
        self._services: dict[tuple[str, str, str], ServiceRecord] = {}

    def folders(self) -> list[FolderRecord]:
        return list(self._folders.values())

    def __iter__(self) -> Iterator[ServiceRecord]:
        return iter(self._services.values())

    def __len__(self) -> int:
        return len(self._services)

    # --- folders ---------------------------------------------------------------------------------------------

    def folder(self, name: str) -> FolderRecord:
        found = self._folders.get(name.lower())
        if found is None:
            raise Fault(404, f"Folder '{name}' does not exist.")
        return found

    def create_folder(self, name: str, description: str = "", *, is_default: bool = False) -> FolderRecord:
        if not _NAME.match(name):
            raise bad_request(
                f"Invalid parameter 'folderName': '{name}' is not a valid folder name "
                "(letters, digits and underscores, at most 120)."
            )
        if name.lower() in RESERVED_FOLDERS:
            raise bad_request(f"Invalid parameter 'folderName': '{name}' is a reserved name.")
        if name.lower() in self._folders:
            raise Fault(409, f"Folder '{name}' already exists.")
        folder = FolderRecord(name=name, description=description, is_default=is_default)
        self._folders[name.lower()] = folder
        return folder

    def delete_folder(self, name: str) -> FolderRecord:
        folder = self.folder(name)
        if folder.is_default:
            raise bad_request(f"The default folder '{folder.name}' cannot be deleted.")
        for key in [k for k in self._services if k[0] == folder.name.lower()]:
            del self._services[key]
        del self._folders[folder.name.lower()]
        return folder

    def folder_name(self, name: str | None) -> str:
        """The folder a request names ("/" for the root folder; 404 when it does not exist)."""
        return ROOT if name is None or name == ROOT else self.folder(name).name

    # --- services --------------------------------------------------------------------------------------------

    def in_folder(self, folder: str | None) -> list[ServiceRecord]:
        name = self.folder_name(folder)
        return [s for s in self._services.values() if s.folder.lower() == name.lower()]

    def service(self, folder: str | None, name: str, type_: str) -> ServiceRecord:
        where = self.folder_name(folder)
        found = self._services.get(_key(where, name, type_))
        if found is None:
            shown = f"{name}.{type_}" if where == ROOT else f"{where}/{name}.{type_}"
            raise Fault(404, f"Service '{shown}' does not exist.", ["Check the folder, the name and the type."])
        return found

    def create_service(self, folder: str | None, definition: Mapping[str, Any]) -> ServiceRecord:
        where = self.folder_name(folder)
        name = str(definition.get("serviceName") or "")
        if not _NAME.match(name):
            raise bad_request(
                f"Invalid parameter 'service': '{name}' is not a valid service name "
                "(letters, digits and underscores, at most 120)."
            )
        type_ = _TYPES.get(str(definition.get("type") or "").lower())
        if type_ is None:
            raise bad_request(
                f"Invalid parameter 'service': unknown service type '{definition.get('type')}' "
                f"(one of {', '.join(SERVICE_TYPES)})."
            )
        full = {**SERVICE_DEFAULTS, **{k: v for k, v in definition.items() if v is not None}}
        for count in _COUNTS:
            if not isinstance(full[count], int) or isinstance(full[count], bool) or full[count] < 0:
                raise bad_request(f"Invalid parameter 'service': '{count}' must be a whole number, 0 or more.")
        if full["minInstancesPerNode"] > full["maxInstancesPerNode"]:
            raise bad_request("Invalid parameter 'service': minInstancesPerNode is larger than maxInstancesPerNode.")
        key = _key(where, name, type_)
        if key in self._services:
            shown = f"{name}.{type_}" if where == ROOT else f"{where}/{name}.{type_}"
            raise Fault(409, f"Service '{shown}' already exists.")
        full["serviceName"], full["type"] = name, type_
        record = ServiceRecord(folder=where, name=name, type=type_, definition=full)
        self._services[key] = record
        return record

    def delete_service(self, folder: str | None, name: str, type_: str) -> ServiceRecord:
        record = self.service(folder, name, type_)
        del self._services[_key(record.folder, record.name, record.type)]
        return record


def default_catalog() -> ServiceCatalog:
    """What a new site comes with: the System and Utilities folders with their services, and a sample."""
    catalog = ServiceCatalog()
    catalog.create_folder(
        "System", "Services the server deploys for itself (caching, publishing).", is_default=True
    )
    catalog.create_folder(
        "Utilities", "Services the server deploys for application developers (geometry, printing).", is_default=True
    )
    for folder, name, type_, text in (
        ("System", "CachingTools", "GPServer", "Builds and manages map and image service caches."),
        ("System", "PublishingTools", "GPServer", "Publishes service definitions."),
        ("Utilities", "Geometry", "GeometryServer", "Geometric operations: project, buffer, simplify."),
        ("Utilities", "PrintingTools", "GPServer", "Prints web maps."),
        (None, "SampleWorldCities", "MapServer", "A sample map service; it may be deleted."),
    ):
        catalog.create_service(folder, {"serviceName": name, "type": type_, "description": text})
    return catalog
