"""Registering app items end to end: who may, which items, the registration's life and the type keyword."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient


@pytest.mark.seed("Item.register")
@pytest.mark.seed("Item.app_info")
@pytest.mark.seed("Item.unregister")
def test_register_read_unregister(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    app_id = alice.content.add_item("alice", title="My app", type="Web Mapping Application").id
    alice.content.share(app_id, org=True)
    with pytest.raises(PermissionDenied):
        bob.item_apps.register(item_id=app_id, app_type="browser")
    app = alice.item_apps.register(item_id=app_id, app_type="browser", redirect_uris=["https://app.example.com/cb"])
    assert app.item_id == app_id and app.client_id and app.client_secret
    assert app.redirect_uris == ["https://app.example.com/cb"] and app.app_type == "browser"
    assert "Registered App" in (alice.content.get(app_id).type_keywords or [])
    with pytest.raises(BadRequest):
        alice.item_apps.register(item_id=app_id, app_type="browser")  # once per item

    info = alice.item_apps.app_info("alice", app_id)
    assert (info.client_id, info.client_secret) == (app.client_id, app.client_secret)
    assert arcgis_portal.item_apps.app_info("alice", app_id).client_id == app.client_id
    with pytest.raises(PermissionDenied):
        bob.item_apps.app_info("alice", app_id)
    with pytest.raises(PermissionDenied):
        bob.item_apps.unregister(app.client_id)

    assert alice.item_apps.unregister(app.client_id).success is True
    assert "Registered App" not in (alice.content.get(app_id).type_keywords or [])
    with pytest.raises(BadRequest):
        alice.item_apps.app_info("alice", app_id)
    with pytest.raises(BadRequest):
        alice.item_apps.unregister(app.client_id)
    again = alice.item_apps.register(item_id=app_id, app_type="native")
    assert again.client_id != app.client_id
    assert arcgis_portal.item_apps.unregister(again.client_id).success is True


@pytest.mark.seed("Item.register")
def test_only_application_items_register(alice: PortalClient) -> None:
    csv = alice.content.add_item("alice", title="Data", type="CSV").id
    with pytest.raises(BadRequest):
        alice.item_apps.register(item_id=csv, app_type="browser")
    app_id = alice.content.add_item("alice", title="App", type="Application").id
    with pytest.raises(BadRequest):
        alice.item_apps.register(item_id=app_id, app_type="browser", redirect_uris=["not a url"])
    assert "Registered App" not in (alice.content.get(app_id).type_keywords or [])


@pytest.mark.seed("Item.unregister")
def test_deleting_the_item_drops_the_registration(alice: PortalClient) -> None:
    app_id = alice.content.add_item("alice", title="App", type="Application").id
    app = alice.item_apps.register(item_id=app_id, app_type="server")
    alice.content.delete("alice", app_id)
    with pytest.raises(BadRequest):
        alice.item_apps.unregister(app.client_id)
