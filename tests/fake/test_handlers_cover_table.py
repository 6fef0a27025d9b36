"""The fake implements every operations table: one registered handler per operation, no strays."""

from __future__ import annotations

import inspect

import pytest
from arcgis_typed.mission import _operations as mission_ops
from arcgis_typed.mission_admin import _operations as mission_admin_ops
from arcgis_typed.portal import _operations as portal_ops
from arcgis_typed.server_admin import _operations as server_admin_ops
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.registry import HANDLERS

TABLES = {"portal": portal_ops.OPERATIONS, "server_admin": server_admin_ops.OPERATIONS,
          "mission": mission_ops.OPERATIONS, "mission_admin": mission_admin_ops.OPERATIONS}
KEYS = [f"{api}:{op.name}" for api, ops in TABLES.items() for op in ops]


def test_the_tables_are_not_empty() -> None:
    assert len(TABLES["portal"]) >= 21
    assert len(TABLES["server_admin"]) >= 23
    assert len(set(KEYS)) == len(KEYS)
    assert {op.envelope for op in TABLES["portal"]} == {"portal"}
    assert {op.envelope for op in TABLES["server_admin"]} == {"server"}


@pytest.mark.parametrize("key", KEYS)
def test_every_operation_has_a_handler(key: str) -> None:
    assert key in HANDLERS, f"no handler registered for {key}"
    handler = HANDLERS[key]
    assert callable(handler)
    assert len(inspect.signature(handler).parameters) == 2  # (call, params)


def test_every_handler_serves_an_operation() -> None:
    strays = sorted(k for k in HANDLERS if k not in KEYS)
    assert strays == []


def test_handlers_live_in_the_family_module() -> None:
    for api, ops in TABLES.items():
        for op in ops:
            family = op.name.split(".", 1)[0]
            module = HANDLERS[f"{api}:{op.name}"].__module__
            assert module == f"arcgis_typed_fake.handlers.{api}_{family}", (op.name, module)


def test_a_fresh_fake_reports_nothing_unimplemented() -> None:
    fake = FakeArcGIS()
    assert fake.unimplemented == ()
    assert FakeArcGIS(server_context=None).unimplemented == ()


def test_server_context_none_serves_no_server() -> None:
    from werkzeug.test import Client

    fake = FakeArcGIS(server_context=None)
    body = Client(fake).get("/arcgis/rest/info", query_string={"f": "json"}).get_json()
    assert body["error"]["code"] == 400  # an unknown route, answered in the portal's envelope


def test_contexts_are_configurable() -> None:
    from werkzeug.test import Client

    fake = FakeArcGIS(portal_context="/gis", server_context="/server")
    assert Client(fake).get("/server/rest/info", query_string={"f": "json"}).get_json()["currentVersion"] == 11.4
    body = Client(fake).get("/server/admin/nothing").get_json()
    assert body["status"] == "error" and body["code"] == 404
    with pytest.raises(ValueError):
        FakeArcGIS(portal_context="/same", server_context="/same")


def test_mission_context_is_configurable() -> None:
    from werkzeug.test import Client

    fake = FakeArcGIS(mission_context="/ms", password_iterations=1)
    body = Client(fake).get("/ms/admin/nothing").get_json()
    assert body["status"] == "error" and body["code"] == 404  # the Administrator API's envelope
    body = Client(fake).get("/ms/rest/nothing").get_json()
    assert body["error"]["code"] == 400  # the REST API answers {"error": ...}
    body = Client(fake).get("/ms/rest/services", query_string={"f": "json"}).get_json()
    assert body["error"]["code"] == 499
    assert Client(FakeArcGIS(mission_context=None)).get("/mission/admin").get_json()["error"]["code"] == 400
    with pytest.raises(ValueError):
        FakeArcGIS(portal_context="/same", mission_context="/same")
