"""Application items registered as OAuth2 apps: a client id and secret per registered item.

Only the owner registers an item, once, and only items of an application type; the item gets the
"Registered App" type keyword. Unregistering (owner or administrator) drops the keyword. Deleting the item
drops the registration (`ItemStore.remove` calls `AppStore.drop_item`).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import attrs

from ..errors import bad_request, forbidden, not_found

if TYPE_CHECKING:
    from .items import ItemRecord
    from .portal import PortalState
    from .users import UserRecord

APP_ITEM_TYPES = frozenset({
    "Application", "Web Mapping Application", "Mobile Application", "Native Application", "Desktop Application",
    "Web Experience", "API Key",
})
REGISTERED = "Registered App"


@attrs.define(eq=False)
class AppRecord:
    item_id: str
    client_id: str
    client_secret: str = attrs.field(repr=False)
    app_type: str
    redirect_uris: list[str]
    http_referrers: list[str]
    privileges: list[str]
    registered: int
    modified: int


class AppStore:
    def __init__(self) -> None:
        self._by_client: dict[str, AppRecord] = {}
        self._by_item: dict[str, str] = {}

    def by_item(self, item_id: str) -> AppRecord | None:
        client_id = self._by_item.get(item_id)
        return self._by_client.get(client_id) if client_id else None

    def by_client(self, client_id: str) -> AppRecord | None:
        return self._by_client.get(client_id)

    def put(self, app: AppRecord) -> None:
        self._by_client[app.client_id] = app
        self._by_item[app.item_id] = app.client_id

    def drop_item(self, item_id: str) -> None:
        client_id = self._by_item.pop(item_id, None)
        if client_id:
            self._by_client.pop(client_id, None)


def register(
    state: PortalState, caller: UserRecord, item_id: str, *, app_type: str, redirect_uris: list[str],
    http_referrers: list[str], privileges: list[str],
) -> AppRecord:
    item = state.items.visible(caller, item_id)
    if item.owner.lower() != caller.username.lower():
        raise forbidden("Only the item's owner may register it as an app.")
    if item.type not in APP_ITEM_TYPES:
        raise bad_request(f"Items of type '{item.type}' cannot be registered as apps.")
    if state.items.apps.by_item(item.id) is not None:
        raise bad_request("The item is already registered as an app.")
    for uri in redirect_uris:
        if not (uri.startswith(("https://", "http://")) or uri == "urn:ietf:wg:oauth:2.0:oob"):
            raise bad_request(f"Invalid parameter 'redirect_uris': '{uri}' is not an absolute URL.")
    now = state.now()
    app = AppRecord(
        item_id=item.id, client_id=secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")[:16],
        client_secret=secrets.token_hex(16), app_type=app_type.lower(), redirect_uris=list(redirect_uris),
        http_referrers=list(http_referrers), privileges=list(privileges), registered=now, modified=now,
    )
    state.items.apps.put(app)
    if REGISTERED not in item.type_keywords:
        item.type_keywords.append(REGISTERED)
    item.modified = now
    state.items.reindex(item)
    return app


def app_info(state: PortalState, caller: UserRecord, username: str, item_id: str) -> AppRecord:
    item = state.items.owned_for(caller, item_id, username, "portal:admin:viewItems")
    app = state.items.apps.by_item(item.id)
    if app is None:
        raise bad_request("The item is not a registered app.")
    return app


def unregister(state: PortalState, caller: UserRecord, client_id: str) -> ItemRecord:
    app = state.items.apps.by_client(client_id)
    item = state.items.get(app.item_id) if app else None
    if app is None or item is None or not state.items.can_view(caller, item):
        raise not_found("App", client_id)
    if not state.items.may_administer(caller, item, "portal:admin:updateItems"):
        raise forbidden("Only the owner or an administrator may unregister the app.")
    state.items.apps.drop_item(item.id)
    if REGISTERED in item.type_keywords:
        item.type_keywords.remove(REGISTERED)
    item.modified = state.now()
    state.items.reindex(item)
    return item
