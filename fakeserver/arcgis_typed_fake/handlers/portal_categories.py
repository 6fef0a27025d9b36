"""Handlers of spec/portal/categories.yaml: the organization's category schema and items' categories."""

from __future__ import annotations

from collections.abc import Callable

from arcgis_typed._runtime import wire
from arcgis_typed.portal.models.categories import (
    CategoryResult,
    CategorySchema,
    UpdateItemsEntry,
    UpdateItemsResult,
)
from arcgis_typed.portal.params.categories import (
    CategoriesAssignParams,
    CategoriesDeleteParams,
    CategoriesSchemaParams,
    CategoriesUpdateItemsParams,
)

from ..call import Call
from ..errors import Fault, bad_request, forbidden
from ..registry import handles
from ..state.categories import MAX_ITEMS
from ..state.users import UserRecord


def _require_admin(caller: UserRecord) -> None:
    """Default administrators, or a custom role with portal:admin:updateItemCategorySchema."""
    if not (caller.role == "org_admin" or caller.has("portal:admin:updateItemCategorySchema")):
        raise forbidden("Only organization administrators may change the category schema.")


@handles("portal:categories.schema")
def schema(call: Call, p: CategoriesSchemaParams) -> CategorySchema:
    return wire.structure({"categorySchema": call.state.categories.schema}, CategorySchema)


@handles("portal:categories.assign")
def assign(call: Call, p: CategoriesAssignParams) -> CategoryResult:
    _require_admin(call.user)
    call.state.categories.assign(p.category_schema)
    return CategoryResult(success=True)


@handles("portal:categories.delete")
def delete(call: Call, p: CategoriesDeleteParams) -> CategoryResult:
    if call.user.role != "org_admin":
        raise forbidden("Only organization administrators may delete the category schema.")
    call.state.categories.delete()
    return CategoryResult(success=True)


@handles("portal:categories.update_items")
def update_items(call: Call, p: CategoriesUpdateItemsParams) -> UpdateItemsResult:
    user = call.user
    return update_each_item(p.items, lambda item_id, categories: call.state.set_item_categories(user, item_id, categories))


def update_each_item(entries: object, apply: Callable[[str, object], object]) -> UpdateItemsResult:
    """Apply `[{"<item id>": {"categories": [...]}}, ...]` item by item; one item's failure is its own result."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) and len(e) == 1 for e in entries):
        raise bad_request(
            'Invalid parameter \'items\': expected [{"<item id>": {"categories": [...]}}, ...].'
        )
    if len(entries) > MAX_ITEMS:
        raise bad_request(f"At most {MAX_ITEMS} items can be updated in one request.")
    results = []
    for entry in entries:
        ((item_id, change),) = entry.items()
        try:
            apply(str(item_id), change.get("categories") if isinstance(change, dict) else None)
            results.append(UpdateItemsEntry(item_id=str(item_id), success=True))
        except Fault as fault:
            results.append(
                UpdateItemsEntry(
                    item_id=str(item_id), success=False, error={"code": fault.code, "message": fault.message}
                )
            )
    return UpdateItemsResult(results=results)
