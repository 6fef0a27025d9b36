"""Typed equivalents of what the official client does on the client side, built from typed operations.

Hand-written (listed in the generator's allowlist): each function here only calls generated operations and
`_runtime.jobs.wait`, so it works against any portal the operations work against, the fake included.

* `wait_for_item_job` - wait for a publish / export / createService job of an item.
* `import_csv` - `ContentManager.import_data` for tabular data: add a CSV item, analyze it, publish it.
* `copy_feature_layer_collection` - `Item.copy_feature_layer_collection`: a new empty hosted feature service
  with the schema of (some of) another one's layers and tables.
* `clone_items` - `ContentManager.clone_items`: copy items from one portal (or owner) to another, hosted
  feature services first, rewriting the item ids and service URLs that web maps and apps refer to.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from arcgis_typed._runtime.jobs import wait
from arcgis_typed._runtime.operation import Upload
from arcgis_typed.portal import PortalClient
from arcgis_typed.portal.models.content import Item
from arcgis_typed.portal.models.publishing import ItemJobStatus
from arcgis_typed.server_admin import ServerAdminClient

HOSTED_FOLDER = "Hosted"


def wait_for_item_job(
    portal: PortalClient,
    owner: str,
    item_id: str,
    job_id: str,
    job_type: str,
    *,
    timeout: float = 300.0,
    interval: float = 1.0,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ItemJobStatus:
    """Poll the item's status for one job until it completes (`JobFailed` / `JobTimeout` otherwise)."""
    return wait(
        lambda: portal.publishing.status(owner, item_id, job_id=job_id, job_type=job_type),  # type: ignore[arg-type]
        timeout=timeout, interval=interval, sleep=sleep, clock=clock, what=f"{job_type} job {job_id}",
    )


def import_csv(
    portal: PortalClient,
    owner: str,
    csv_text: str,
    *,
    title: str,
    service_name: str,
    tags: Sequence[str] = (),
    analyze_parameters: dict[str, Any] | None = None,
    timeout: float = 300.0,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Item:
    """Import a table as a hosted feature layer (a point layer when it has latitude/longitude columns): add
    it as a CSV item, analyze it, publish it with the analyzed parameters, wait; returns the service item."""
    added = portal.content.add_item(owner, title=title, type="CSV", tags=list(tags),
                                    file=Upload(f"{service_name}.csv", csv_text.encode(), "text/csv"))
    analyzed = portal.publishing.analyze(item_id=added.id, file_type="csv", analyze_parameters=analyze_parameters)
    parameters = dict(analyzed.publish_parameters)
    parameters["name"] = service_name
    published = portal.publishing.publish(owner, item_id=added.id, file_type="csv", publish_parameters=parameters)
    service = published.services[0]
    if service.service_item_id is None or service.job_id is None:
        raise ValueError(f"publishing {title!r} made no service: {service.error}")
    wait_for_item_job(portal, owner, service.service_item_id, service.job_id, "publish", timeout=timeout,
                      sleep=sleep, clock=clock)
    return portal.content.get(service.service_item_id)


def _service_path(url: str) -> tuple[str, str, str]:
    """(folder, name, type) of a services directory URL `.../rest/services/<folder>/<name>/<type>`."""
    parts = url.rstrip("/").split("/")
    if len(parts) < 4 or parts[-4] != "services":
        raise ValueError(f"not a service URL in a folder of a services directory: {url!r}")
    return parts[-3], parts[-2], parts[-1]


def _definitions(server: ServerAdminClient, url: str, ids: Sequence[int] | None, kind: str) -> list[dict[str, Any]]:
    folder, name, type_ = _service_path(url)
    listed = server.layers.service(folder, name, type_)
    refs = listed.layers if kind == "layers" else listed.tables
    out = []
    for ref in refs:
        if ids is not None and ref.id not in ids:
            continue
        layer = server.layers.layer(folder, name, type_, str(ref.id))
        out.append({"id": layer.id, "name": layer.name, "geometryType": layer.geometry_type,
                    "fields": [{"name": f.name, "type": f.type, "alias": f.alias, "nullable": f.nullable}
                               for f in layer.fields]})
    return out


def copy_feature_layer_collection(
    portal: PortalClient,
    server: ServerAdminClient,
    owner: str,
    item: Item,
    service_name: str,
    *,
    layers: Sequence[int] | None = None,
    tables: Sequence[int] | None = None,
    folder_id: str | None = None,
    description: str | None = None,
    snippet: str | None = None,
    timeout: float = 300.0,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Item:
    """A new hosted feature service named `service_name` with the schema of `item`'s layers and tables (all,
    or those whose ids are given), read through the services directory; waits for it and returns its item."""
    if item.url is None:
        raise ValueError(f"item {item.id} has no service URL")
    suffix = 1
    name = service_name
    while not portal.publishing.is_service_name_available("self", name=name, service_type="featureService").available:
        suffix += 1
        name = f"{service_name}_{suffix}"
    parameters = {
        "name": name,
        "serviceDescription": description if description is not None else item.description or "",
        "layers": _definitions(server, item.url, layers, "layers"),
        "tables": _definitions(server, item.url, tables, "tables"),
    }
    created = portal.publishing.create_service(owner, folder_id=folder_id, create_parameters=parameters,
                                               output_type="featureService",
                                               snippet=snippet if snippet is not None else item.snippet)
    if created.job_id is not None:
        wait_for_item_job(portal, owner, created.item_id, created.job_id, "createService", timeout=timeout,
                          sleep=sleep, clock=clock)
    return portal.content.get(created.item_id)


def _swizzle(text: str, mapping: dict[str, str]) -> str:
    for old, new in sorted(mapping.items(), key=lambda kv: -len(kv[0])):  # longer first: URLs before ids
        text = text.replace(old, new)
    return text


def clone_items(
    source: PortalClient,
    source_server: ServerAdminClient,
    target: PortalClient,
    owner: str,
    item_ids: Sequence[str],
    *,
    item_mapping: dict[str, str] | None = None,
    timeout: float = 300.0,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[Item]:
    """Clone items into `owner`'s content on `target` (which may be the same portal): hosted feature
    services become new empty services with the same schema (named `<name>_clone`, or the next free name),
    then every other item is added with its data, the ids and service URLs it refers to rewritten to the
    clones (on the same portal - `target is source` - items are copied with the copy operation and then
    updated). `item_mapping` (source id -> existing target id) reuses items instead of cloning them. Returns
    the items created, in the order they were created."""
    mapping = dict(item_mapping or {})
    items = [source.content.get(i) for i in item_ids]
    services = [i for i in items if i.type == "Feature Service" and i.id not in mapping]
    created: list[Item] = []
    for item in services:
        assert item.url is not None
        _, name, _ = _service_path(item.url)
        clone = copy_feature_layer_collection(target, source_server, owner, item, f"{name}_clone", timeout=timeout,
                                              sleep=sleep, clock=clock)
        mapping[item.id] = clone.id
        if clone.url:
            mapping[item.url] = clone.url
        created.append(clone)
    for item in items:
        if item.id in mapping:
            continue
        data = source.content.get_data(item.id)
        text: str | None = None
        file: Upload | None = None
        try:
            json.loads(data)
            text = _swizzle(data.decode(), mapping)
        except ValueError:
            file = Upload(item.name or "data", data) if item.size and item.size > 0 else None
        url = _swizzle(item.url, mapping) if item.url else None
        if target is source:  # the same portal: copy the item, then point it at the clones
            new_id = target.publishing.copy(owner, item.id).item_id
            if (text is not None and text.encode() != data) or url != item.url:
                target.content.update(owner, new_id, text=text if text is not None and text.encode() != data else None,
                                      url=url if url != item.url else None)
        else:
            new_id = target.content.add_item(
                owner, title=item.title or item.id, type=item.type or "Document Link",
                type_keywords=item.type_keywords, description=item.description, snippet=item.snippet, tags=item.tags,
                text=text, file=file, url=url,
            ).id
        mapping[item.id] = new_id
        created.append(target.content.get(new_id))
    return created


__all__ = ["clone_items", "copy_feature_layer_collection", "import_csv", "wait_for_item_job"]
