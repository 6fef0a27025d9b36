"""Handlers of spec/portal/item_relationships.yaml: adding, deleting and following relationships."""

from __future__ import annotations

from arcgis_typed.portal.models.item_relationships import RelatedItems, RelationshipResult
from arcgis_typed.portal.params.item_relationships import (
    ItemRelationshipsAddParams,
    ItemRelationshipsDeleteParams,
    ItemRelationshipsRelatedItemsParams,
)

from ..call import Call
from ..registry import handles
from ..state import item_relationships as rules
from .portal_content import item_view


@handles("portal:item_relationships.add")
def add(call: Call, p: ItemRelationshipsAddParams) -> RelationshipResult:
    rules.add_relationship(call.state, call.user, p.username, p.origin_item_id, p.destination_item_id, p.relationship_type)
    return RelationshipResult(success=True)


@handles("portal:item_relationships.delete")
def delete(call: Call, p: ItemRelationshipsDeleteParams) -> RelationshipResult:
    rules.delete_relationship(
        call.state, call.user, p.username, p.origin_item_id, p.destination_item_id, p.relationship_type
    )
    return RelationshipResult(success=True)


@handles("portal:item_relationships.related_items")
def related_items(call: Call, p: ItemRelationshipsRelatedItemsParams) -> RelatedItems:
    found = rules.related_items(call.state, call.caller, p.id, p.relationship_types, p.direction or "forward")
    return RelatedItems(total=len(found), related_items=[item_view(i) for i in found])
