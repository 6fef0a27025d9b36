"""Site backup end to end: exportSite writes a .agssite ZIP under the server's file system; importSite
overwrites the configuration store with it (security, machines and keystores, directories, Web Adaptors,
system properties, log settings, missions) - export -> mutate -> import restores exactly; paths cannot leave
the server's file system; what is not a backup is refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from arcgis_typed import BadRequest
from arcgis_typed_fake import FakeArcGIS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mission_helpers import MACHINE, Side, admin_side, make_fake

GENERATE = {"keysize": 1024, "common_name": "m.example.com", "organizational_unit": "GIS", "organization": "Esri",
            "city": "Redlands", "state": "CA", "country": "US"}


def snapshot(fake: FakeArcGIS) -> str:
    config = fake.mission.configuration()
    return json.dumps(config, sort_keys=True)


def mutate(admin: Side, n: int) -> None:
    admin.admin.security.update(protocol="HTTPS", hsts_enabled=n % 2 == 0)
    admin.admin.directories.register(name=f"data{n}", path=f"/data/{n}", directory_type="DATA")
    admin.admin.webadaptors.register(machine_name="wa", machine_ip="10.0.0.5", web_adaptor_url=f"https://wa/m{n}",
                                     http_port=80, https_port=443)
    admin.admin.webadaptors.update_config(web_adaptor_config={"maxConnections": 10 + n})
    admin.admin.system.update_properties(properties={"WebContextURL": f"https://m{n}.example.com/mission"})
    admin.admin.logs.edit_settings(max_log_file_age=5 + n)
    admin.admin.certificates.generate(MACHINE, alias=f"c{n}", **GENERATE)  # type: ignore[arg-type]
    admin.admin.machines.edit(MACHINE, web_server_certificate_alias=f"c{n}", web_server_max_heap_size=100 + n)
    admin.rest.missions.create(title=f"Mission {n}")


@pytest.mark.seed("SiteManager.(constructor)", "SiteManager.export_site", "SiteManager.import_site")
def test_export_mutate_import_restores_exactly(tmp_path: Path) -> None:
    fake, clock = make_fake(tmp_path)
    admin = admin_side(fake)
    mutate(admin, 1)
    before = snapshot(fake)
    exported = admin.admin.site.export_site(location="C:\\backups\\site")
    assert exported.status == "success" and exported.location.startswith("/backups/site/")
    assert exported.location.endswith(".agssite")
    on_disk = fake.mission.files.root / exported.location.lstrip("/")
    with zipfile.ZipFile(on_disk) as archive:
        assert sorted(archive.namelist()) == ["config-store.json", "manifest.json"]
        assert json.loads(archive.read("manifest.json"))["product"] == "ArcGIS Mission Server"
    mutate(admin, 2)
    assert snapshot(fake) != before
    assert admin.admin.site.import_site(location=exported.location).status == "success"
    assert snapshot(fake) == before
    assert [s.title for s in admin.rest.missions.list().services] == ["Mission 1"]
    assert admin.admin.machines.get(MACHINE).web_server_certificate_alias == "c1"
    assert admin.admin.certificates.list(MACHINE).certificates == ["selfsignedcertificate", "c1"]
    # a second export in the same second gets a name of its own; the default folder is the server's
    again = admin.admin.site.export_site()
    third = admin.admin.site.export_site()
    assert again.location != third.location and again.location.startswith("/arcgis/mission/backups/")
    clock.advance(seconds=1)


@given(n=st.integers(min_value=2, max_value=50))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_round_trip_property(tmp_path: Path, n: int) -> None:
    fake, _ = make_fake(tmp_path / f"p{n}")
    admin = admin_side(fake)
    mutate(admin, 0)
    before = snapshot(fake)
    location = admin.admin.site.export_site(location="/b").location
    for i in range(1, n % 3 + 2):
        mutate(admin, n * 10 + i)
    admin.admin.site.import_site(export_location=location)  # the name the official client sends
    assert snapshot(fake) == before


@pytest.mark.parametrize("location", ["../../etc", "/backups/../../x", "C:\\..\\x", "bad\x00name"])
def test_paths_stay_inside_the_server_file_system(tmp_path: Path, location: str) -> None:
    fake, _ = make_fake(tmp_path)
    admin = admin_side(fake)
    with pytest.raises(BadRequest, match="'location'"):
        admin.admin.site.export_site(location=location)
    with pytest.raises(BadRequest, match="'location'"):
        admin.admin.site.import_site(location=location)
    assert not (tmp_path / "x").exists() and not (tmp_path / "etc").exists()


def test_what_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    fake, _ = make_fake(tmp_path)
    admin = admin_side(fake)
    root = fake.mission.files.root
    (root / "notzip.agssite").write_bytes(b"hello")
    with zipfile.ZipFile(root / "other.agssite", "w") as archive:
        archive.writestr("manifest.json", json.dumps({"product": "ArcGIS Notebook Server", "format": 1}))
        archive.writestr("config-store.json", "{}")
    with zipfile.ZipFile(root / "broken.agssite", "w") as archive:
        archive.writestr("manifest.json", json.dumps({"product": "ArcGIS Mission Server", "format": 1}))
        archive.writestr("config-store.json", json.dumps({"security": {"colour": 1}}))
    good = json.loads(json.dumps(fake.mission.configuration()))
    for name, change in (("level.agssite", ("logSettings", "log_level", "LOUD")),
                         ("proto.agssite", ("security", "protocol", "FTP"))):
        bad = json.loads(json.dumps(good))
        bad[change[0]][change[1]] = change[2]
        with zipfile.ZipFile(root / name, "w") as archive:
            archive.writestr("manifest.json", json.dumps({"product": "ArcGIS Mission Server", "format": 1}))
            archive.writestr("config-store.json", json.dumps(bad))
    before = snapshot(fake)
    for name in ("notzip.agssite", "other.agssite", "broken.agssite", "missing.agssite", "level.agssite",
                 "proto.agssite"):
        with pytest.raises(BadRequest, match="'location'"):
            admin.admin.site.import_site(location=f"/{name}")
    with pytest.raises(BadRequest, match="'location'"):
        admin.admin.site.import_site()
    (root / "afile").write_text("x")
    with pytest.raises(BadRequest, match="not a folder"):
        admin.admin.site.export_site(location="/afile")
    assert snapshot(fake) == before


def test_links_out_of_the_server_file_system_are_refused(tmp_path: Path) -> None:
    fake, _ = make_fake(tmp_path)
    admin = admin_side(fake)
    outside = tmp_path / "outside"
    outside.mkdir()
    (fake.mission.files.root / "link").symlink_to(outside)
    with pytest.raises(BadRequest, match="outside the server's file system"):
        admin.admin.site.export_site(location="/link")
    with pytest.raises(BadRequest, match="outside the server's file system"):
        admin.admin.site.import_site(location="/link/site.agssite")
    assert list(outside.iterdir()) == []
