"""Hosted services and their jobs: analyze, publish, createService, export, copy, replaceService, job status.

A hosted service is a service of the hosting ArcGIS Server (the fake's own, folder `Hosted`) plus its portal
item, whose `url` points at it. The server's catalog holds the service definition (what the Administrator API
and the services directory show, layers included); this store holds the feature data and which item serves
which service. Publishing, exporting and creating services are jobs: they take `job_ms` of the fake's clock
(a `ManualClock` makes that deterministic), during which the item's status is `processing`. A job fails when
its item is deleted before it completes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import Fault, bad_request, forbidden
from . import features
from .features import Layer
from .items import ItemRecord

if TYPE_CHECKING:
    from .portal import PortalState
    from .server import ServerState
    from .server.services import ServiceCatalog, ServiceRecord
    from .users import UserRecord

HOSTED = "Hosted"
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_]{1,120}$")
NAME_RULE = "letters, digits and underscores, at most 120"
JOB_TYPES = ("publish", "export", "createService")


@attrs.frozen
class Kind:
    server_type: str  # FeatureServer, MapServer, ...
    item_type: str  # Feature Service, Map Service, ...
    keywords: tuple[str, ...]
    privilege: str


KINDS = {
    k.server_type: k
    for k in (
        Kind("FeatureServer", "Feature Service",
             ("ArcGIS Server", "Data", "Feature Access", "Feature Service", "Service", "Hosted Service"),
             "portal:publisher:publishFeatures"),
        Kind("MapServer", "Map Service", ("ArcGIS Server", "Data", "Map Service", "Service", "Hosted Service", "Tiled"),
             "portal:publisher:publishTiles"),
        Kind("VectorTileServer", "Vector Tile Service", ("Vector Tile Service", "Service", "Hosted Service"),
             "portal:publisher:publishTiles"),
        Kind("SceneServer", "Scene Service", ("Scene Service", "Data", "Service", "Hosted Service"),
             "portal:publisher:publishScenes"),
        Kind("ImageServer", "Image Service", ("Dynamic Imagery", "Service", "Hosted Service"),
             "portal:publisher:publishFeatures"),
    )
}
# isServiceNameAvailable's `type` and createService's `outputType`, in either spelling.
SERVICE_TYPE_NAMES = {
    alias: server
    for server, names in (
        ("FeatureServer", ("featureservice", "feature service", "featureserver")),
        ("MapServer", ("mapservice", "map service", "mapserver")),
        ("ImageServer", ("imageservice", "image service", "imageserver")),
        ("VectorTileServer", ("vectortileservice", "vector tile service", "vectortileserver")),
        ("SceneServer", ("sceneservice", "scene service", "sceneserver")),
    )
    for alias in names
}
# publish's fileType: the item type it needs and the service it makes (None: the fake cannot read it).
FILE_TYPES: dict[str, tuple[str, str | None]] = {
    "csv": ("CSV", "FeatureServer"),
    "geojson": ("GeoJson", "FeatureServer"),
    "featureCollection": ("Feature Collection", "FeatureServer"),
    "tilePackage": ("Tile Package", "MapServer"),
    "compactTilePackage": ("Compact Tile Package", "MapServer"),
    "vectortilepackage": ("Vector Tile Package", "VectorTileServer"),
    "scenepackage": ("Scene Package", "SceneServer"),
    "featureService": ("Feature Service", None),  # with outputType tiles / vectorTiles
    "excel": ("Microsoft Excel", None),
    "shapefile": ("Shapefile", None),
    "fileGeodatabase": ("File Geodatabase", None),
    "serviceDefinition": ("Service Definition", None),
    "sqliteGeodatabase": ("SQLite Geodatabase", None),
    "geoPackage": ("GeoPackage", None),
    "imageCollection": ("Image Collection", None),
    "mapService": ("Map Service", None),
}
TILE_OUTPUTS = {"tiles": "MapServer", "vectortiles": "VectorTileServer"}
# export's exportFormat -> the item type it makes (the fake writes these three).
EXPORTS: dict[str, tuple[str, Callable[[list[Layer]], bytes], str, str]] = {
    "csv": ("CSV", lambda layers: features.write_csv(layers[0]), "text/csv", "csv"),
    "geojson": ("GeoJson", lambda layers: features.write_geojson(layers[0]), "application/geo+json", "geojson"),
    "feature collection": ("Feature Collection", features.write_feature_collection, "application/json", "json"),
}


@attrs.define(eq=False)
class Job:
    id: str
    type: str  # publish | export | createService
    item_id: str
    started: int
    ends: int
    failed: str | None = None

    def state(self, now: int) -> str:
        return "failed" if self.failed else "completed" if now >= self.ends else "processing"


@attrs.define(eq=False)
class Hosted:
    """A hosted service as the portal knows it: its item, and the feature data of its layers and tables."""

    item_id: str
    name: str
    server_type: str
    layers: list[Layer]
    tables: list[Layer] = attrs.Factory(list)
    source_id: str | None = None  # the item it was published from
    max_record_count: int = 2000
    capabilities: str = "Query"
    description: str = ""
    spatial_reference: dict[str, Any] = attrs.Factory(lambda: {"wkid": 4326})  # CSV / GeoJSON coordinates

    @property
    def kind(self) -> Kind:
        return KINDS[self.server_type]


class PublishingStore:
    """Hosted services by their item's id, and jobs by id, of one portal."""

    def __init__(self, portal: PortalState) -> None:
        self._portal = portal
        self.hosted: dict[str, Hosted] = {}
        self.jobs: dict[str, Job] = {}
        self.job_ms = 1000  # how long (by the fake's clock) a job runs
        self.server: ServerState | None = None
        self.server_context: str | None = None
        portal.items.removed_hooks.append(self._item_removed)

    def attach(self, server: ServerState | None, context: str | None) -> None:
        """The hosting server (None: the portal has none, and publishing answers so)."""
        self.server, self.server_context = server, context

    # --- the hosting server ----------------------------------------------------------------------------------

    def catalog(self) -> ServiceCatalog:
        if self.server is None or self.server_context is None:
            raise bad_request("This portal has no hosting server; publishing needs one.")
        try:
            catalog = self.server.site.catalog
        except LookupError:
            raise bad_request("The hosting server is in no site yet (createNewSite).") from None
        try:
            catalog.folder(HOSTED)
        except Fault:
            catalog.create_folder(HOSTED, "Hosted services of the portal.")
        return catalog

    def service_url(self, origin: str, name: str, server_type: str) -> str:
        return f"{origin}{self.server_context}/rest/services/{HOSTED}/{name}/{server_type}"

    def _record(self, hosted: Hosted) -> ServiceRecord:
        return self.catalog().service(HOSTED, hosted.name, hosted.server_type)

    def _definition(self, hosted: Hosted) -> dict[str, Any]:
        def listed(layer: Layer) -> dict[str, Any]:
            return {"id": layer.id, "name": layer.name, "type": layer.kind, "geometryType": layer.geometry_type,
                    "fields": layer.fields, "objectIdField": features.OID,
                    "extent": features.extent(layer, hosted.spatial_reference)}

        return {
            "serviceName": hosted.name,
            "type": hosted.server_type,
            "description": hosted.description,
            "capabilities": hosted.capabilities,
            "jsonProperties": {
                "maxRecordCount": hosted.max_record_count,
                "spatialReference": hosted.spatial_reference,
                "layers": [listed(layer) for layer in hosted.layers],
                "tables": [listed(table) for table in hosted.tables],
            },
            "portalProperties": {"isHosted": True, "portalItems": [{"itemID": hosted.item_id, "type": hosted.server_type}]},
        }

    def _register(self, hosted: Hosted) -> None:
        self.catalog().create_service(HOSTED, self._definition(hosted))
        self.hosted[hosted.item_id] = hosted

    def _redefine(self, hosted: Hosted) -> None:
        self._record(hosted).definition.update(self._definition(hosted))

    def _item_removed(self, item: ItemRecord) -> None:
        """An item was deleted: its unfinished jobs fail, and its hosted service is deleted with it."""
        now = self._portal.now()
        for job in self.jobs.values():
            if job.item_id == item.id and job.state(now) == "processing":
                job.failed = "The item was deleted before the job completed."
        hosted = self.hosted.pop(item.id, None)
        if hosted is not None and self.server is not None and self.server.sites:
            try:
                self.server.sites[0].catalog.delete_service(HOSTED, hosted.name, hosted.server_type)
            except Fault:
                pass  # the server's administrator deleted it already

    def name_available(self, name: str, server_type: str) -> bool:
        if not SERVICE_NAME.match(name):
            return False
        try:
            self.catalog().service(HOSTED, name, server_type)
        except Fault:
            return True
        return False

    def _claim(self, name: Any, server_type: str, param: str) -> str:
        if not isinstance(name, str) or not SERVICE_NAME.match(name):
            raise bad_request(f"Invalid parameter '{param}': the service name {name!r} is not valid ({NAME_RULE}).")
        if not self.name_available(name, server_type):
            raise bad_request(f"Service name '{name}' already exists for '{self._portal.org.name}'.",
                              f"Choose another name for the {server_type}.")
        return name

    def hosted_of(self, item: ItemRecord) -> Hosted:
        hosted = self.hosted.get(item.id)
        if hosted is None:
            raise bad_request(f"Item '{item.id}' is not a hosted service of this portal.")
        return hosted

    # --- jobs ------------------------------------------------------------------------------------------------

    def _job(self, type_: str, item_id: str) -> Job:
        now = self._portal.now()
        job = Job(id=self._portal.ids.new(), type=type_, item_id=item_id, started=now, ends=now + self.job_ms)
        self.jobs[job.id] = job
        return job

    def state_of(self, job: Job) -> str:
        return job.state(self._portal.now())

    def item_status(self, caller: UserRecord, username: str, folder_id: str | None, item_id: str,
                    job_id: str | None, job_type: str | None) -> tuple[ItemRecord | None, Job | None, str]:
        """(item, job, state) for the status operation; the job's item may be gone (a failed job)."""
        job = self.jobs.get(job_id) if job_id else None
        if job_id and (job is None or job.item_id != item_id or (job_type and job.type.lower() != job_type.lower())):
            raise bad_request(f"Job '{job_id}' does not exist for item '{item_id}'.")
        if job is not None and self._portal.items.get(item_id) is None:
            return None, job, self.state_of(job)
        item = self._portal.items.owned_for(caller, item_id, username, "portal:admin:viewItems")
        if folder_id is not None and self._portal.items.folder(item.owner, folder_id) is None:
            raise bad_request(f"Folder '{folder_id}' does not exist.")
        if job is None:
            running = [j for j in self.jobs.values() if j.item_id == item.id and self.state_of(j) == "processing"]
            return item, None, "processing" if running else "completed"
        return item, job, self.state_of(job)

    # --- items -----------------------------------------------------------------------------------------------

    def _owner_folder(self, caller: UserRecord, username: str, folder: str | None) -> tuple[UserRecord, str | None]:
        owner = self._portal.users.require(username)
        if owner is not caller:
            raise forbidden("You can only create items in your own content.")
        return owner, self._folder(owner, folder)

    def _folder(self, owner: UserRecord, folder: str | None) -> str | None:
        if folder is None or folder in ("", "/"):
            return None
        found = self._portal.items.folder(owner.username, folder)
        if found is None:
            raise bad_request(f"Folder '{folder}' does not exist.")
        return found.id

    def _new_item(self, owner: UserRecord, folder_id: str | None, id_to_create: str | None, **fields: Any) -> ItemRecord:
        if id_to_create is not None:
            if not re.fullmatch(r"[0-9a-f]{32}", id_to_create):
                raise bad_request("Invalid parameter 'itemIdToCreate': expected 32 lower-case hex digits.")
            if self._portal.items.get(id_to_create) is not None:
                raise bad_request(f"Invalid parameter 'itemIdToCreate': item '{id_to_create}' already exists.")
        now = self._portal.now()
        item = ItemRecord(id=id_to_create or self._portal.ids.new(), owner=owner.username, org_id=owner.org_id,
                          created=now, modified=now, folder_id=folder_id, **fields)
        return self._portal.items.add(item)

    def _service_item(self, owner: UserRecord, folder_id: str | None, id_to_create: str | None, title: str,
                      kind: Kind, url: str, **fields: Any) -> ItemRecord:
        return self._new_item(owner, folder_id, id_to_create, title=title, type=kind.item_type, url=url,
                              type_keywords=list(kind.keywords), **fields)

    # --- analyze ---------------------------------------------------------------------------------------------

    def read_layers(self, data: bytes, file_type: str, name: str, parameters: Mapping[str, Any]) -> tuple[list[Layer], dict[str, Any]]:
        if file_type == "csv":
            layer, detected = features.read_csv(data, name, parameters)
            return [layer], detected
        if file_type == "geojson":
            return [features.read_geojson(data, name)], {"locationType": "coordinates"}
        if file_type == "featureCollection":
            return features.read_feature_collection(data), {}
        raise features.not_implemented(f"Reading {file_type} files")

    def analyze(self, caller: UserRecord | None, *, item_id: str | None, data: bytes | None, text: str | None,
                file_type: str, parameters: Mapping[str, Any]) -> tuple[Layer, dict[str, Any]]:
        given = [v for v in (item_id, data, text) if v is not None]
        if len(given) != 1:
            raise bad_request("Give exactly one of itemId, file and text to analyze.")
        name = "analyzed"
        if item_id is not None:
            item = self._portal.items.visible(caller, item_id)
            if item.data is None:
                raise bad_request(f"Item '{item_id}' has no file to analyze.")
            data, name = item.data, item.title
        elif text is not None:
            data = text.encode()
        assert data is not None
        layers, detected = self.read_layers(data, file_type, _scrub(name), parameters)
        return layers[0], detected

    # --- publish ---------------------------------------------------------------------------------------------

    def publish(self, caller: UserRecord, username: str, folder: str | None, *, item_id: str, file_type: str,
                parameters: Mapping[str, Any], output_type: str | None, overwrite: bool, id_to_create: str | None,
                origin: str) -> tuple[Hosted, Job, ItemRecord]:
        source = self._portal.items.owned_for(caller, item_id, username, "portal:admin:updateItems")
        need_type, server_type = FILE_TYPES[file_type]
        if source.type.lower() != need_type.lower():
            raise bad_request(f"Item '{item_id}' is a {source.type}; fileType '{file_type}' publishes a {need_type}.")
        layers: list[Layer] = []
        if file_type == "featureService":
            server_type = TILE_OUTPUTS.get((output_type or "").lower())
            if server_type is None:
                raise bad_request("Publishing a feature service needs outputType tiles or vectorTiles.")
            layers = [layer.copy() for layer in self.hosted_of(source).layers]
        elif server_type is None:
            raise features.not_implemented(f"Publishing {file_type} files")
        elif server_type == "FeatureServer":
            if source.data is None:
                raise bad_request(f"Item '{item_id}' has no data to publish.")
            layers, _ = self.read_layers(source.data, file_type, _scrub(source.title), parameters)
        kind = KINDS[server_type]
        if not caller.has(kind.privilege):
            raise forbidden(f"Publishing a {kind.item_type} needs the {kind.privilege} privilege.")
        if overwrite:
            return self._overwrite(source, layers)
        name = self._claim(parameters.get("name"), server_type, "publishParameters")
        max_records = _count(parameters.get("maxRecordCount"), "publishParameters")
        owner = self._portal.users.require(source.owner)
        item = self._service_item(
            owner, self._folder(owner, folder), id_to_create, source.title, kind, self.service_url(origin, name, server_type),
            tags=list(source.tags), snippet=source.snippet, description=source.description,
        )
        hosted = Hosted(item_id=item.id, name=name, server_type=server_type, layers=layers, source_id=source.id,
                        max_record_count=max_records,
                        description=str(parameters.get("serviceDescription") or ""))
        self._register(hosted)
        return hosted, self._job("publish", item.id), item

    def _overwrite(self, source: ItemRecord, layers: list[Layer]) -> tuple[Hosted, Job, ItemRecord]:
        published = [h for h in self.hosted.values() if h.source_id == source.id]
        if len(published) != 1:
            raise bad_request(
                "Overwrite needs exactly one service published from this item" f" (found {len(published)})."
            )
        hosted = published[0]
        hosted.layers = layers
        self._redefine(hosted)
        item = self._portal.items.get(hosted.item_id)
        assert item is not None
        item.modified = self._portal.now()
        return hosted, self._job("publish", item.id), item

    # --- createService ---------------------------------------------------------------------------------------

    def create_service(self, caller: UserRecord, username: str, folder: str | None, *, parameters: Any,
                       output_type: str, is_view: bool, id_to_create: str | None, tags: list[str], snippet: str,
                       origin: str) -> tuple[Hosted, Job, ItemRecord]:
        if not isinstance(parameters, dict):
            raise bad_request("Invalid parameter 'createParameters': expected a JSON object.")
        if is_view:
            raise features.not_implemented("Creating view services (isView)")
        server_type = SERVICE_TYPE_NAMES[output_type.lower()]
        kind = KINDS[server_type]
        owner, folder_id = self._owner_folder(caller, username, folder)
        name = self._claim(parameters.get("name"), server_type, "createParameters")
        layers = features.layers_from_definitions(parameters.get("layers"), "layers")
        tables = features.layers_from_definitions(parameters.get("tables"), "tables", first_id=len(layers))
        if server_type == "ImageServer" and (layers or tables):
            raise bad_request("Invalid parameter 'createParameters': an image service has no layers or tables.")
        if {layer.id for layer in layers} & {t.id for t in tables}:
            raise bad_request("Invalid parameter 'createParameters': a layer and a table share an id.")
        description = parameters.get("serviceDescription") or parameters.get("description") or ""
        spatial_reference = parameters.get("spatialReference") or {"wkid": 102100, "latestWkid": 3857}
        if not isinstance(spatial_reference, dict) or not isinstance(spatial_reference.get("wkid"), int):
            raise bad_request("Invalid parameter 'createParameters': spatialReference needs a numeric wkid.")
        max_records = _count(parameters.get("maxRecordCount"), "createParameters")
        item = self._service_item(owner, folder_id, id_to_create, name.replace("_", " "), kind,
                                  self.service_url(origin, name, server_type), tags=list(tags), snippet=snippet,
                                  description=str(description))
        hosted = Hosted(item_id=item.id, name=name, server_type=server_type, layers=layers, tables=tables,
                        max_record_count=max_records,
                        capabilities=str(parameters.get("capabilities") or ("Image,Metadata" if server_type == "ImageServer" else "Query")),
                        description=str(description), spatial_reference=spatial_reference)
        self._register(hosted)
        return hosted, self._job("createService", item.id), item

    # --- export ----------------------------------------------------------------------------------------------

    def export(self, caller: UserRecord, username: str, *, item_id: str, title: str, export_format: str,
               parameters: Any, tags: list[str], snippet: str) -> tuple[Job, ItemRecord, ItemRecord]:
        owner, _ = self._owner_folder(caller, username, None)
        source = self._portal.items.visible(caller, item_id)
        if source.owner.lower() != caller.username.lower() and not (
            caller.has("portal:admin:updateItems") and caller.org_id == source.org_id
        ):
            raise forbidden("Only the service's owner or an administrator may export it.")
        hosted = self.hosted_of(source)
        if hosted.server_type != "FeatureServer":
            raise bad_request(f"Item '{item_id}' is a {source.type}; only feature services export.")
        if not title.strip():
            raise bad_request("Invalid parameter 'title': must not be empty.")
        known = EXPORTS.get(export_format.lower())
        if known is None:
            raise features.not_implemented(f"Exporting to {export_format}")
        item_type, write, content_type, extension = known
        layers = _selected(hosted.layers + hosted.tables, parameters)
        if item_type != "Feature Collection" and len(layers) != 1:
            raise bad_request(f"A {item_type} export holds one layer; name it in exportParameters.layers.")
        data = write(layers)
        exported = self._new_item(owner, None, None, title=title.strip(), type=item_type, tags=list(tags),
                                  snippet=snippet, data=data, data_name=f"{_scrub(title)}.{extension}",
                                  data_type=content_type)
        return self._job("export", exported.id), exported, source

    # --- copy and replace ------------------------------------------------------------------------------------

    def copy(self, caller: UserRecord, username: str, item_id: str, *, title: str | None, description: str | None,
             tags: list[str] | None, snippet: str | None, folder: str | None) -> ItemRecord:
        owner, folder_id = self._owner_folder(caller, username, folder)
        source = self._portal.items.visible(caller, item_id)
        copied = self._new_item(
            owner, folder_id, None, title=(title or source.title).strip() or source.title, type=source.type,
            type_keywords=list(source.type_keywords), description=source.description if description is None else description,
            snippet=source.snippet if snippet is None else snippet, tags=list(source.tags if tags is None else tags),
            url=source.url, extent=source.extent, spatial_reference=source.spatial_reference,
            access_information=source.access_information, license_info=source.license_info, culture=source.culture,
            properties=source.properties, data=source.data, data_name=source.data_name, data_type=source.data_type,
        )
        return copied

    def replace(self, caller: UserRecord, username: str, *, production_id: str, staging_id: str,
                archive_name: str | None, replace_metadata: bool) -> None:
        self._owner_folder(caller, username, None)
        items = self._portal.items
        production = items.owned_for(caller, production_id, items.visible(caller, production_id).owner, "portal:admin:updateItems")
        staging = items.owned_for(caller, staging_id, items.visible(caller, staging_id).owner, "portal:admin:updateItems")
        old, new = self.hosted_of(production), self.hosted_of(staging)
        if production.id == staging.id or old.server_type != new.server_type:
            raise bad_request("replaceService needs two different hosted services of the same type.")
        archive = archive_name or f"{old.name}_{self._portal.now() // 1000}"
        # the archive takes the staging service's place: check the name before anything changes
        if archive.lower() != new.name.lower():
            self._claim(archive, new.server_type, "replacedServiceName")
        old.layers, new.layers = new.layers, old.layers
        old.tables, new.tables = new.tables, old.tables
        self._redefine(old)
        catalog = self.catalog()
        catalog.delete_service(HOSTED, new.name, new.server_type)
        staging.url = staging.url.replace(f"/{HOSTED}/{new.name}/", f"/{HOSTED}/{archive}/")
        new.name = archive
        catalog.create_service(HOSTED, self._definition(new))
        if replace_metadata:
            production.title, production.tags = staging.title, list(staging.tags)
            production.description, production.snippet = staging.description, staging.snippet
        now = self._portal.now()
        for item in (production, staging):
            item.modified = now
            items.reindex(item)


def _scrub(title: str) -> str:
    """A title as a service or file name: runs of other characters become one underscore."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", title).strip("_")[:120] or "service"


def _count(value: Any, param: str) -> int:
    if value is None:
        return 2000
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise bad_request(f"Invalid parameter '{param}': maxRecordCount must be a whole number, 1 or more.")
    return value


def _selected(layers: list[Layer], parameters: Any) -> list[Layer]:
    """The layers exportParameters.layers names (by id), or all of them."""
    if parameters is None:
        return layers
    wanted = parameters.get("layers") if isinstance(parameters, dict) else None
    if not isinstance(wanted, list):
        raise bad_request("Invalid parameter 'exportParameters': expected {\"layers\": [{\"id\": 0}, ...]}.")
    by_id = {layer.id: layer for layer in layers}
    chosen = []
    for entry in wanted:
        layer_id = entry.get("id") if isinstance(entry, dict) else None
        if layer_id not in by_id:
            raise bad_request(f"Invalid parameter 'exportParameters': no layer with id {layer_id!r}.")
        chosen.append(by_id[layer_id])
    return chosen


__all__ = ["HOSTED", "Hosted", "Job", "KINDS", "PublishingStore", "SERVICE_TYPE_NAMES"]
