"""The fake implements the whole operations table: one registered handler per operation, no strays."""

from __future__ import annotations

import inspect

import pytest
from arcgis_typed.portal._operations import OPERATIONS
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.registry import HANDLERS

KEYS = [f"portal:{op.name}" for op in OPERATIONS]


def test_the_table_is_not_empty() -> None:
    assert len(OPERATIONS) >= 21
    assert len(set(KEYS)) == len(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_every_operation_has_a_handler(key: str) -> None:
    assert key in HANDLERS, f"no handler registered for {key}"
    handler = HANDLERS[key]
    assert callable(handler)
    assert len(inspect.signature(handler).parameters) == 2  # (call, params)


def test_every_portal_handler_serves_an_operation() -> None:
    strays = sorted(k for k in HANDLERS if k.startswith("portal:") and k not in KEYS)
    assert strays == []


def test_handlers_live_in_the_family_module() -> None:
    for op in OPERATIONS:
        family = op.name.split(".", 1)[0]
        module = HANDLERS[f"portal:{op.name}"].__module__
        assert module == f"arcgis_typed_fake.handlers.portal_{family}", (op.name, module)


def test_a_fresh_fake_reports_nothing_unimplemented() -> None:
    fake = FakeArcGIS()
    assert fake.unimplemented == ()
