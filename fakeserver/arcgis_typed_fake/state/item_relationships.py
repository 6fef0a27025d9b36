"""Relationships between items: typed links from an origin item to a destination item.

The relationship types are those the REST API documents (and the official client accepts). Where the
documentation names the item types a type relates and its ownership rules, they are checked:

* origin / destination types: the item's `type` must be one of those listed (`None` = any type);
* `mustOwnAllItems`, `mustOwnOriginItem`, `mustOwnDestinationItem`: the caller must own those items.

Users need not own the items they relate otherwise, only see them. Only the creator of a relationship (or an
administrator with portal:admin:updateItems) may delete it. Deleting either item removes the relationship
(`ItemStore.remove` calls `RelationshipStore.drop_item`).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

import attrs

from ..errors import bad_request, forbidden

if TYPE_CHECKING:
    from .items import ItemRecord
    from .portal import PortalState
    from .users import UserRecord

_SERVICES = frozenset({"Map Service", "Feature Service", "Image Service"})
_DOCUMENTS = frozenset({"Microsoft Word", "Microsoft Excel", "Microsoft PowerPoint", "PDF", "Image", "Visio Document"})
_SOURCE_DATA = frozenset({
    "Service Definition", "CSV", "Shapefile", "Feature Service", "Tile Package", "Feature Collection",
    "File Geodatabase", "GeoJson", "GeoPackage", "Scene Package", "Vector Tile Package", "SQLite Geodatabase",
    "Microsoft Excel", "Compact Tile Package", "Image Collection",
})
_VTS = frozenset({"Vector Tile Service", "Style"})
_MAP_PACKAGES = frozenset({"Map Package", "Tile Package", "SQLite Geodatabase", "Vector Tile Package"})


@attrs.frozen
class RelationshipType:
    origin: AbstractSet[str] | None = None  # None: any item type
    destination: AbstractSet[str] | None = None
    rules: AbstractSet[str] = frozenset()


#: Relationship types with the origin / destination types and rules the REST API documents ("Relationship
#: types"); types the documentation lists without such details relate any items.
RELATIONSHIP_TYPES: dict[str, RelationshipType] = {
    "Map2Service": RelationshipType(frozenset({"Web Map"}), _SERVICES),
    "WMA2Code": RelationshipType(frozenset({"Web Mapping Application"}), frozenset({"Code Attachment"})),
    "Map2FeatureCollection": RelationshipType(frozenset({"Web Map"}), frozenset({"Feature Collection"})),
    "MobileApp2Code": RelationshipType(frozenset({"Mobile Application"}), frozenset({"Code Attachment"})),
    "Service2Data": RelationshipType(frozenset({"Feature Service", "Map Service"}), _SOURCE_DATA, frozenset({"mustOwnAllItems"})),
    "Service2Service": RelationshipType(frozenset({"Feature Service"}), frozenset({"Map Service"}), frozenset({"mustOwnAllItems"})),
    "Map2AppConfig": RelationshipType(frozenset({"Web Map"}), frozenset({"Application Configuration"}), frozenset({"mustOwnAllItems"})),
    "Map2IndoorsConfig": RelationshipType(frozenset({"Web Map"}), frozenset({"Indoors Map Configuration"}), frozenset({"mustOwnAllItems"})),
    "Item2Attachment": RelationshipType(None, _DOCUMENTS, frozenset({"mustOwnAllItems"})),
    "Item2Report": RelationshipType(None, _DOCUMENTS),
    "Listed2Provisioned": RelationshipType(None, None, frozenset({"mustOwnAllItems"})),
    "Style2Style": RelationshipType(frozenset({"Vector Tile Service"}), _VTS, frozenset({"mustOwnDestinationItem"})),
    "Service2Style": RelationshipType(_VTS, _VTS, frozenset({"mustOwnDestinationItem"})),
    "Survey2Service": RelationshipType(frozenset({"Form"}), frozenset({"Feature Service"}), frozenset({"mustOwnOriginItem"})),
    "Survey2Data": RelationshipType(frozenset({"Form"}), None, frozenset({"mustOwnOriginItem"})),
    "Area2Package": RelationshipType(frozenset({"Map Area"}), _MAP_PACKAGES, frozenset({"mustOwnAllItems"})),
    "Area2CustomPackage": RelationshipType(frozenset({"Map Area"}), _MAP_PACKAGES, frozenset({"mustOwnAllItems"})),
    **{
        name: RelationshipType()
        for name in (
            "Service2Route", "Map2Area", "Service2Layer", "TrackView2Map", "SurveyAddIn2Data",
            "WorkforceMap2FeatureService", "Theme2Story", "WebStyle2DesktopStyle", "Solution2Item", "APIKey2Item",
            "Mission2Item", "Notebook2WebTool", "Listed2ImplicitlyListed", "Data2Map", "Data2App", "Data2Scene",
            "Map2App", "Scene2App", "App2DependentApp", "Widget2App", "Map2StoryMapTheme",
        )
    },
}
_BY_LOWER = {name.lower(): name for name in RELATIONSHIP_TYPES}


@attrs.frozen
class Relationship:
    origin: str
    destination: str
    type: str
    creator: str


class RelationshipStore:
    """Relationships indexed by origin and by destination item."""

    def __init__(self) -> None:
        self._from: dict[str, set[Relationship]] = {}
        self._to: dict[str, set[Relationship]] = {}

    def __len__(self) -> int:
        return sum(len(s) for s in self._from.values())

    def find(self, origin: str, destination: str, type_: str) -> Relationship | None:
        return next(
            (r for r in self._from.get(origin, set()) if r.destination == destination and r.type == type_), None
        )

    def add(self, rel: Relationship) -> None:
        self._from.setdefault(rel.origin, set()).add(rel)
        self._to.setdefault(rel.destination, set()).add(rel)

    def remove(self, rel: Relationship) -> None:
        self._from.get(rel.origin, set()).discard(rel)
        self._to.get(rel.destination, set()).discard(rel)

    def forward(self, item_id: str) -> set[Relationship]:
        return set(self._from.get(item_id, set()))

    def reverse(self, item_id: str) -> set[Relationship]:
        return set(self._to.get(item_id, set()))

    def destinations(self, item_id: str) -> list[str]:
        """The items an item is related to as the origin (what it depends upon, for the dependency graph)."""
        return sorted({r.destination for r in self._from.get(item_id, set())})

    def drop_item(self, item_id: str) -> None:
        for rel in self.forward(item_id) | self.reverse(item_id):
            self.remove(rel)
        self._from.pop(item_id, None)
        self._to.pop(item_id, None)


def relationship_type(name: str) -> str:
    """The documented spelling of a relationship type (matched case-insensitively), or a 400 naming it."""
    found = _BY_LOWER.get(name.strip().lower())
    if found is None:
        raise bad_request(f"Invalid relationship type '{name}'.")
    return found


def _acting_user(state: PortalState, caller: UserRecord, username: str) -> None:
    owner = state.users.require(username)
    if owner is not caller and not (caller.org_id == owner.org_id and caller.has("portal:admin:updateItems")):
        raise forbidden()


def _items(state: PortalState, caller: UserRecord, origin_id: str, destination_id: str) -> tuple[ItemRecord, ItemRecord]:
    if origin_id == destination_id:
        raise bad_request("An item cannot be related to itself.")
    return state.items.visible(caller, origin_id), state.items.visible(caller, destination_id)


def add_relationship(
    state: PortalState, caller: UserRecord, username: str, origin_id: str, destination_id: str, type_name: str
) -> Relationship:
    _acting_user(state, caller, username)
    name = relationship_type(type_name)
    origin, destination = _items(state, caller, origin_id, destination_id)
    spec = RELATIONSHIP_TYPES[name]
    for role, item, allowed in (("origin", origin, spec.origin), ("destination", destination, spec.destination)):
        if allowed is not None and item.type not in allowed:
            raise bad_request(
                f"Invalid {role} item type '{item.type}' for relationship type '{name}'.",
                f"Allowed: {', '.join(sorted(allowed))}.",
            )
    me = caller.username.lower()
    must_own = []
    if spec.rules & {"mustOwnAllItems", "mustOwnOriginItem"}:
        must_own.append(origin)
    if spec.rules & {"mustOwnAllItems", "mustOwnDestinationItem"}:
        must_own.append(destination)
    for item in must_own:
        if item.owner.lower() != me:
            raise bad_request(f"Relationship type '{name}' requires you to own item '{item.id}'.")
    existing = state.items.relationships.find(origin.id, destination.id, name)
    if existing is not None:
        return existing
    rel = Relationship(origin=origin.id, destination=destination.id, type=name, creator=caller.username)
    state.items.relationships.add(rel)
    return rel


def delete_relationship(
    state: PortalState, caller: UserRecord, username: str, origin_id: str, destination_id: str, type_name: str
) -> Relationship:
    _acting_user(state, caller, username)
    name = relationship_type(type_name)
    rel = state.items.relationships.find(origin_id, destination_id, name)
    if rel is None:
        raise bad_request("Relationship does not exist.")
    admin = caller.has("portal:admin:updateItems") and any(
        (item := state.items.get(i)) is not None and item.org_id == caller.org_id for i in (origin_id, destination_id)
    )
    if rel.creator.lower() != caller.username.lower() and not admin:
        raise forbidden("Only the user who created a relationship may delete it.")
    state.items.relationships.remove(rel)
    return rel


def related_items(
    state: PortalState, caller: UserRecord | None, item_id: str, type_names: list[str], direction: str
) -> list[ItemRecord]:
    item = state.items.visible(caller, item_id)
    names = {relationship_type(n) for n in type_names}
    if not names:
        raise bad_request("Invalid parameter 'relationshipTypes': give at least one relationship type.")
    store = state.items.relationships
    if direction == "reverse":
        ids = {r.origin for r in store.reverse(item.id) if r.type in names}
    else:
        ids = {r.destination for r in store.forward(item.id) if r.type in names}
    visible = state.items.visible_ids(caller)
    return sorted(state.items.all_of(i for i in ids if i in visible), key=lambda i: (i.created, i.id))
