"""Importing the client and its operation modules builds no response model class: the ops modules name their
models for the type checker only, and the session imports an operation's model on its first call (import time
is a budget of DESIGN.md; most of it was attrs building classes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed._runtime.session import response_model
from arcgis_typed.portal import _operations as ops
from arcgis_typed.portal.models.content import Item
from arcgis_typed_fake import FakeArcGIS


def test_importing_ops_modules_imports_no_models() -> None:
    code = (
        "import json, sys, pkgutil, importlib, arcgis_typed\n"
        "for api in ('portal', 'server_admin'):\n"
        "    pkg = importlib.import_module(f'arcgis_typed.{api}.ops')\n"
        "    for info in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'arcgis_typed.{api}.ops.{info.name}')\n"
        "print(json.dumps(sorted(m for m in sys.modules if '.models.' in m)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert json.loads(out.stdout) == []


def test_the_model_comes_on_the_first_call() -> None:
    assert response_model(ops.CONTENT_GET) is Item
    fake = FakeArcGIS(admin_password="lazy-admin-password", password_iterations=1)
    client = PortalClient("https://fake.test/portal", transport=WsgiTransport(fake), username="admin",
                          password="lazy-admin-password")
    added = client.content.add_item("admin", title="Lazy", type="CSV", text="a")
    assert isinstance(client.content.get(added.id), Item)
