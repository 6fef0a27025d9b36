"""Shared fixtures. The pytest plugin of `arcgis_typed_fake` (registered through its entry point) provides
`arcgis_fake`, `arcgis_portal` and `arcgis_fake_server`; this file adds paths and seed-marker bookkeeping."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures" / "arcgis-rest-js"
