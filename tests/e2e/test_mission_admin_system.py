"""System resources end to end: the system resource, properties, licenses and the configuration store;
server directories (DATA / WORKSPACE / OUTPUT); Web Adaptors (register, list, read, config, unregister)."""

from __future__ import annotations

from pathlib import Path

import pytest
from arcgis_typed import BadRequest, NotFound, PermissionDenied
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import bearer
from mission_helpers import Side, admin_side, make_fake, member_side
from werkzeug.test import Client


@pytest.fixture
def fake(tmp_path: Path) -> FakeArcGIS:
    return make_fake(tmp_path)[0]


@pytest.fixture
def admin(fake: FakeArcGIS) -> Side:
    return admin_side(fake)


@pytest.mark.seed("SystemManager.(constructor)", "SystemManager.ofMissionServer", "SystemManager.licenses")
def test_system_properties_licenses_and_config_store(admin: Side) -> None:
    assert set(admin.admin.system.get().resources) >= {"licenses", "configStore", "directories", "webadaptors"}
    licenses = admin.admin.system.licenses()
    assert [f.name for f in licenses.features] == ["esriMissionServer"]
    assert licenses.features[0].expiration is not None
    store = admin.admin.system.config_store()
    assert store.type == "FILESYSTEM" and store.status == "Ready"
    assert admin.admin.system.properties().web_socket_max_heap_size == 64
    admin.admin.system.update_properties(properties={"WebContextURL": "https://m.example.com/mission", "x": 1})
    props = admin.admin.system.properties()
    assert props.web_context_url == "https://m.example.com/mission" and props.extra == {"x": 1}
    for bad in ([1], {"nested": {"a": 1}}, "text"):
        with pytest.raises(BadRequest, match="'properties'"):
            admin.admin.system.update_properties(properties=bad)
    assert admin.admin.system.properties().extra == {"x": 1}


@pytest.mark.seed("DirectoryManager.(constructor)", "DirectoryManager.register")
def test_directories(admin: Side) -> None:
    names = [d.name for d in admin.admin.directories.list().directories]
    assert names == ["arcgisoutput", "arcgisworkspace"]
    for kind in ("DATA", "WORKSPACE", "OUTPUT"):
        assert admin.admin.directories.register(
            name=f"my{kind.lower()}", path=f"/data/{kind.lower()}", directory_type=kind,  # type: ignore[arg-type]
            description=f"{kind} dir").status == "success"
    listed = {d.name: d for d in admin.admin.directories.list().directories}
    assert listed["mydata"].directory_type == "DATA" and listed["myoutput"].physical_path == "/data/output"
    assert admin.admin.directories.register(name="win", path="D:\\arcgis\\data", directory_type="DATA").status == "success"
    for kwargs, wire in [({"name": "mydata", "path": "/other"}, "name"), ({"name": "bad name", "path": "/x"}, "name"),
                         ({"name": "rel", "path": "relative/path"}, "path"), ({"name": "up", "path": "/a/../b"}, "path"),
                         ({"name": "again", "path": "/data/data/"}, "path")]:
        with pytest.raises(BadRequest, match=f"'{wire}'"):
            admin.admin.directories.register(directory_type="DATA", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match="'type'"):
        admin.admin.directories.register(name="t", path="/t", directory_type="CACHE")  # type: ignore[arg-type]
    assert admin.admin.directories.unregister("MYDATA").status == "success"
    with pytest.raises(NotFound):
        admin.admin.directories.unregister("mydata")
    assert "mydata" not in [d.name for d in admin.admin.directories.list().directories]


@pytest.mark.seed("WebAdaptorManager.(constructor)", "WebAdaptorManager.register", "WebAdaptorManager.list",
                  "WebAdaptorManager.config", "WebAdaptor.(constructor)", "WebAdaptor.unregister")
def test_web_adaptors(fake: FakeArcGIS, admin: Side) -> None:
    was = admin.admin.webadaptors
    assert was.list().web_adaptors == []
    assert was.register(machine_name="web01.example.com", machine_ip="10.0.0.7",
                        web_adaptor_url="https://web01.example.com/mission", http_port=80, https_port=443,
                        description="front door").status == "success"
    [one] = was.list().web_adaptors
    assert (one.machine_name, one.machine_ip, one.http_port, one.https_port, one.description) == (
        "web01.example.com", "10.0.0.7", 80, 443, "front door")
    assert was.get(one.id) == one
    for kwargs, wire in [({"machine_ip": "10.0.0.999"}, "machineIP"), ({"web_adaptor_url": "web01/mission"}, "webAdaptorURL"),
                         ({"web_adaptor_url": "https://WEB01.example.com/mission/"}, "webAdaptorURL"),
                         ({"http_port": 0}, "httpPort"), ({"https_port": 70000}, "httpsPort"),
                         ({"machine_name": "bad host!"}, "machineName")]:
        args = {"machine_name": "web02", "machine_ip": "10.0.0.8", "web_adaptor_url": "https://web02/mission",
                "http_port": 80, "https_port": 443, **kwargs}
        with pytest.raises(BadRequest, match=f"'{wire}'"):
            was.register(**args)  # type: ignore[arg-type]
    assert len(was.list().web_adaptors) == 1
    config = was.config()
    assert config.shared_key and config.web_socket_max_heap_size == 64
    updated = was.update_config(web_adaptor_config={"webSocketMaxHeapSize": 256, "sharedKey": "k" * 32})
    assert (updated.web_socket_max_heap_size, updated.shared_key) == (256, "k" * 32)
    for bad in ({"webSocketMaxHeapSize": -1}, {"sharedKey": ""}, {"colour": "red"}, [1]):
        with pytest.raises(BadRequest, match="'webAdaptorConfig'"):
            was.update_config(web_adaptor_config=bad)
    assert was.config() == updated
    assert was.unregister(one.id).status == "success"
    with pytest.raises(NotFound):
        was.get(one.id)
    with pytest.raises(NotFound):
        was.unregister(one.id)


def test_publishers_cannot_administer(fake: FakeArcGIS) -> None:
    pub = member_side(fake, "pub")
    with pytest.raises(PermissionDenied):
        pub.admin.directories.register(name="x", path="/x", directory_type="DATA")
    with pytest.raises(PermissionDenied):
        pub.admin.webadaptors.list()


def test_the_administrator_directory_is_browsable(fake: FakeArcGIS, admin: Side) -> None:
    page = Client(fake).get("/mission/admin", query_string={"f": "html"},
                            headers={"Host": "fake.arcgis.test", "Referer": "http", **bearer(admin.portal)})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.data.decode()
    for resource in ("machines", "logs", "security", "system", "info"):
        assert f'href="/mission/admin/{resource}?f=html' in html
