"""Relationships end to end: documented types and their item-type and ownership rules, directions, visibility,
who may delete them."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS


def related(client: PortalClient, item_id: str, *types: str, direction: str = "forward") -> list[str]:
    page = client.item_relationships.related_items(item_id, relationship_types=list(types), direction=direction)  # type: ignore[arg-type]
    assert page.total == len(page.related_items)
    return [i.id for i in page.related_items]


@pytest.mark.seed("Item.add_relationship")
@pytest.mark.seed("Item.related_items")
@pytest.mark.seed("Item.delete_relationship")
def test_relationship_lifecycle(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    web_map = alice.content.add_item("alice", title="Map", type="Web Map").id
    layer = alice.content.add_item("alice", title="Layer", type="Feature Service").id
    tiles = alice.content.add_item("alice", title="Tiles", type="Map Service").id
    ok = alice.item_relationships.add("alice", origin_item_id=web_map, destination_item_id=layer,
                                      relationship_type="Map2Service")
    assert ok.success is True
    alice.item_relationships.add("alice", origin_item_id=web_map, destination_item_id=tiles,
                                 relationship_type="map2service")  # type names match case-insensitively
    alice.item_relationships.add("alice", origin_item_id=web_map, destination_item_id=tiles,
                                 relationship_type="Map2Service")  # adding twice keeps one
    assert len(arcgis_fake.portal.items.relationships) == 2
    assert set(related(alice, web_map, "Map2Service")) == {layer, tiles}
    assert related(alice, layer, "Map2Service", direction="reverse") == [web_map]
    assert related(alice, layer, "Map2Service") == []
    assert related(alice, web_map, "Service2Data") == []
    with pytest.raises(BadRequest):
        related(alice, web_map, "NoSuchType")

    assert alice.item_relationships.delete("alice", origin_item_id=web_map, destination_item_id=layer,
                                           relationship_type="Map2Service").success is True
    assert related(alice, web_map, "Map2Service") == [tiles]
    with pytest.raises(BadRequest):
        alice.item_relationships.delete("alice", origin_item_id=web_map, destination_item_id=layer,
                                        relationship_type="Map2Service")


@pytest.mark.seed("Item.add_relationship")
def test_documented_rules_are_enforced(alice: PortalClient, bob: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    web_map = alice.content.add_item("alice", title="Map", type="Web Map").id
    csv = alice.content.add_item("alice", title="CSV", type="CSV").id
    service = alice.content.add_item("alice", title="Svc", type="Feature Service").id
    bobs_service = bob.content.add_item("bob", title="Bob svc", type="Feature Service").id
    bob.content.share(bobs_service, org=True)
    bobs_map = bob.content.add_item("bob", title="Bob map", type="Web Map").id
    bob.content.share(bobs_map, org=True)

    def add(client: PortalClient, user: str, origin: str, dest: str, kind: str) -> None:
        client.item_relationships.add(user, origin_item_id=origin, destination_item_id=dest, relationship_type=kind)

    cases = [
        (web_map, csv, "Map2Service", "destination item type"),  # CSV is not a service
        (csv, service, "Map2Service", "origin item type"),
        (web_map, service, "Bogus2Thing", "relationship type"),
        (web_map, web_map, "Map2Service", "itself"),
        (service, bobs_service, "Service2Data", "own"),  # mustOwnAllItems
    ]
    for origin, dest, kind, words in cases:
        with pytest.raises(BadRequest) as caught:
            add(alice, "alice", origin, dest, kind)
        assert words in caught.value.message, (kind, caught.value.message)
    # Map2Service has no ownership rule: alice may relate her map to bob's shared service.
    add(alice, "alice", web_map, bobs_service, "Map2Service")
    # Service2Data: alice owns both.
    add(alice, "alice", service, csv, "Service2Data")
    # Items one cannot see do not exist.
    private = bob.content.add_item("bob", title="Hidden", type="Feature Service").id
    with pytest.raises(BadRequest):
        add(alice, "alice", web_map, private, "Map2Service")
    # One acts in one's own name.
    with pytest.raises(PermissionDenied):
        add(bob, "alice", bobs_map, service, "Map2Service")
    assert len(arcgis_fake.portal.items.relationships) == 2


@pytest.mark.seed("Item.delete_relationship")
def test_only_the_creator_or_an_admin_deletes(alice: PortalClient, bob: PortalClient,
                                              arcgis_portal: PortalClient) -> None:
    service = alice.content.add_item("alice", title="Svc", type="Feature Service").id
    alice.content.share(service, org=True)
    bobs_map = bob.content.add_item("bob", title="Map", type="Web Map").id
    bob.content.share(bobs_map, org=True)
    bob.item_relationships.add("bob", origin_item_id=bobs_map, destination_item_id=service,
                               relationship_type="Map2Service")
    with pytest.raises(PermissionDenied):
        alice.item_relationships.delete("alice", origin_item_id=bobs_map, destination_item_id=service,
                                        relationship_type="Map2Service")
    assert related(alice, service, "Map2Service", direction="reverse") == [bobs_map]
    assert arcgis_portal.item_relationships.delete("admin", origin_item_id=bobs_map, destination_item_id=service,
                                                   relationship_type="Map2Service").success is True
    assert related(alice, service, "Map2Service", direction="reverse") == []


@pytest.mark.seed("Item.related_items")
def test_related_items_hide_what_the_caller_may_not_see(alice: PortalClient, bob: PortalClient,
                                                        anonymous: PortalClient) -> None:
    web_map = alice.content.add_item("alice", title="Map", type="Web Map").id
    public_layer = alice.content.add_item("alice", title="Public", type="Feature Service").id
    private_layer = alice.content.add_item("alice", title="Private", type="Feature Service").id
    for dest in (public_layer, private_layer):
        alice.item_relationships.add("alice", origin_item_id=web_map, destination_item_id=dest,
                                     relationship_type="Map2Service")
    alice.content.share(web_map, everyone=True)
    alice.content.share(public_layer, everyone=True)
    assert set(related(alice, web_map, "Map2Service")) == {public_layer, private_layer}
    assert related(anonymous, web_map, "Map2Service") == [public_layer]
    assert related(bob, web_map, "Map2Service") == [public_layer]
    with pytest.raises(BadRequest):
        related(bob, private_layer, "Map2Service", direction="reverse")
