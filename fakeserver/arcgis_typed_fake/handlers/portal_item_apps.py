"""Handlers of spec/portal/item_apps.yaml: registering app items as OAuth2 apps."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.item_apps import RegisteredApp, UnregisterResult
from arcgis_typed.portal.params.item_apps import (
    ItemAppsAppInfoParams,
    ItemAppsRegisterParams,
    ItemAppsUnregisterParams,
)

from ..call import Call
from ..registry import handles
from ..state import item_apps as rules
from ..state.item_apps import AppRecord


def _app_view(app: AppRecord) -> RegisteredApp:
    return RegisteredApp(
        item_id=app.item_id, client_id=app.client_id, client_secret=app.client_secret, app_type=app.app_type,
        redirect_uris=list(app.redirect_uris), http_referrers=list(app.http_referrers),
        privileges=list(app.privileges), registered=ms_to_datetime(app.registered), modified=ms_to_datetime(app.modified),
    )


@handles("portal:item_apps.register")
def register(call: Call, p: ItemAppsRegisterParams) -> RegisteredApp:
    return _app_view(rules.register(
        call.state, call.user, p.item_id, app_type=p.app_type, redirect_uris=list(p.redirect_uris or []),
        http_referrers=list(p.http_referrers or []), privileges=list(p.privileges or []),
    ))


@handles("portal:item_apps.app_info")
def app_info(call: Call, p: ItemAppsAppInfoParams) -> RegisteredApp:
    return _app_view(rules.app_info(call.state, call.user, p.username, p.id))


@handles("portal:item_apps.unregister")
def unregister(call: Call, p: ItemAppsUnregisterParams) -> UnregisterResult:
    rules.unregister(call.state, call.user, p.client_id)
    return UnregisterResult(success=True)
