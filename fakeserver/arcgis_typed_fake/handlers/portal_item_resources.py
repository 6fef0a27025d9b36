"""Handlers of spec/portal/item_resources.yaml: an item's file resources."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.item_resources import ItemResource, ItemResourcesPage, ResourceResult
from arcgis_typed.portal.params.item_resources import (
    ItemResourcesAddParams,
    ItemResourcesGetParams,
    ItemResourcesListParams,
    ItemResourcesRemoveParams,
    ItemResourcesUpdateParams,
)
from werkzeug.wrappers import Response

from ..call import Call
from ..registry import handles
from ..state import item_resources as rules
from ..state.items import ItemRecord
from ._paging import window


def _result(item: ItemRecord) -> ResourceResult:
    return ResourceResult(success=True, item_id=item.id, owner=item.owner, folder=item.folder_id)


@handles("portal:item_resources.list")
def list_(call: Call, p: ItemResourcesListParams) -> ItemResourcesPage:
    item = call.state.require_visible_item(call.caller, p.id)
    may_see_private = call.state.items.may_administer(call.caller, item, "portal:admin:viewItems")
    found = [r for r in call.state.items.resources.of(item.id) if r.access != "private" or may_see_private]
    w = window(p.start, p.num, len(found), default_num=1000)
    return ItemResourcesPage(
        **w.counts,
        resources=[
            ItemResource(resource=r.name, created=ms_to_datetime(r.created), size=len(r.data), access=r.access)
            for r in found[w.start - 1 : w.start - 1 + w.num]
        ],
    )


@handles("portal:item_resources.get")
def get(call: Call, p: ItemResourcesGetParams) -> Response:
    record = rules.read_resource(call.state, call.caller, p.id, p.resource)
    name = record.name.rsplit("/", 1)[-1]
    return Response(record.data, content_type=record.content_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@handles("portal:item_resources.add")
def add(call: Call, p: ItemResourcesAddParams) -> ResourceResult:
    return _result(rules.add_resources(
        call.state, call.user, p.username, p.id, data=p.file.data if p.file else None,
        upload_name=p.file.filename if p.file else None, file_name=p.file_name, prefix=p.resources_prefix,
        text=p.text, archive=bool(p.archive), access=p.access, replace=False,
    ))


@handles("portal:item_resources.update")
def update(call: Call, p: ItemResourcesUpdateParams) -> ResourceResult:
    return _result(rules.add_resources(
        call.state, call.user, p.username, p.id, data=p.file.data if p.file else None,
        upload_name=p.file.filename if p.file else None, file_name=p.file_name, prefix=p.resources_prefix,
        text=p.text, archive=False, access=p.access, replace=True,
    ))


@handles("portal:item_resources.remove")
def remove(call: Call, p: ItemResourcesRemoveParams) -> ResourceResult:
    return _result(rules.remove_resources(call.state, call.user, p.username, p.id, p.resource, bool(p.delete_all)))
