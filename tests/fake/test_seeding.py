"""Seeding the fake from YAML: every kind lands in the state through the state layer's rules, and a bad
document is refused naming the entry, before anything is seeded when its shape is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from arcgis_typed import MissionClient, NotFound, PortalClient, WsgiTransport
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.seeding import KINDS, SeedError, chunks, count, load, seed

DATA = Path(__file__).parent / "data"


def fresh() -> FakeArcGIS:
    return FakeArcGIS(admin_password="admin-password", seed=1)


def test_the_busy_seed_file() -> None:
    fake = fresh()
    progress: list[tuple[int, int]] = []
    counts = seed(fake, DATA / "busy.yaml", progress=lambda done, total: progress.append((done, total)))
    assert counts == {"organization": 1, "roles": 1, "users": 4, "groups": 2, "items": 4, "server.users": 1,
                      "server.folders": 1, "server.services": 2}
    assert progress[-1] == (16, 16)
    portal = fake.portal
    assert portal.org.name == "City of Springfield"
    bob = portal.users.require("bob")
    assert bob.role_record.name == "Analyst" and bob.has("portal:user:shareToGroup")
    assert portal.users.require("dave").disabled
    roads = next(g for g in portal.groups if g.title == "Roads")
    assert roads.members == {"alice": "owner", "bob": "member", "carol": "admin"}
    by_title = {i.title: i for i in portal.items}
    assert by_title["Logo"].access == "public" and by_title["Logo"].data == (DATA / "logo.png").read_bytes()
    assert by_title["Road map"].access == "org" and by_title["Road map"].groups == {roads.id}
    assert by_title["Road list"].folder_id is not None
    assert by_title["Road map"].data == b'{"operationalLayers": []}'
    site = fake.server.site
    assert site.users["publisher1"].role == "publisher"
    assert {s.name for s in site.catalog} >= {"Rivers", "Parcels"}
    # the seeded users can sign in and see what the sharing allows
    bob_client = PortalClient("https://fake.arcgis.test/portal", transport=WsgiTransport(fake), username="bob",
                              password="bob-password")
    assert {i.title for i in bob_client.content.search(q="owner:alice").results} == {"Logo", "Road map"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"planets": []}, r"unknown seed kind\(s\): planets"),
        ({"version": 2}, r"seed format version 2"),
        ({"users": [{"username": "x", "password": "password-1", "colour": "red"}]}, r"users\[0\]: unknown field\(s\) colour"),
        ({"users": [{"username": "x"}]}, r"users\[0\]: missing password"),
        ({"users": {"username": "x"}}, r"users: expected a list"),
        ({"items": [{"title": "t", "type": "CSV", "owner": "nobody"}]}, r"items\[0\]\.owner: no user 'nobody'"),
        ({"users": [{"username": "admin", "password": "password-1"}]}, r"users\[0\]: A user named 'admin' already exists"),
        ({"users": [{"username": "x", "password": "password-1", "role": "wizard"}]}, r"users\[0\]: .*unknown role"),
        ({"missions": [{"title": "m", "owner": "admin", "name": "m"}]}, r"missions\[0\]: unknown field\(s\) name"),
        ({"missions": [{"title": "m"}]}, r"missions\[0\]: missing owner"),
        ({"missions": [{"title": "m", "owner": "admin", "members": "bob"}]}, r"missions\[0\]\.members: expected a list"),
        ({"missions": [{"title": "m", "owner": "admin", "reports": [{"title": "r", "serviceName": "r"}]}]},
         r"missions\[0\]\.reports\[0\]: missing questions"),
        ({"missions": [{"title": "m", "owner": "admin", "capabilities": ["CHAT", "RADIO"]}]},
         r"missions\[0\]: Invalid parameter 'capabilities': 'RADIO'"),
        ({"missions": [{"title": "m", "owner": "admin", "extent": [10, 10, 0, 0]}]},
         r"missions\[0\]: Invalid parameter 'extent'"),
        ({"missions": [{"title": "m", "owner": "admin", "templateWebMap": "Nope"}]},
         r"missions\[0\]\.templateWebMap: no web map titled 'Nope'"),
        ({"users": [{"username": "viewer", "password": "password-1", "role": "org_user"}],
          "missions": [{"title": "m", "owner": "viewer"}]},
         r"missions\[0\]\.owner: viewer lacks portal:publisher:publishFeatures \(missions\.create needs it\)"),
        ({"server": {"users": [], "machines": []}}, r"server: unknown field\(s\) machines"),
        ({"items": [{"title": "t", "type": "CSV", "owner": "admin", "sharing": {"groups": ["Nope"]}}]},
         r"items\[0\]\.sharing\.groups: no group titled 'Nope'"),
    ],
)
def test_bad_documents_name_the_entry(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(SeedError, match=message):
        seed(fresh(), doc)


def test_a_malformed_document_changes_nothing() -> None:
    fake = fresh()
    doc = {"users": [{"username": "ok", "password": "password-1"}],
           "items": [{"title": "t", "type": "CSV", "owner": "ok", "bogus": 1}]}
    with pytest.raises(SeedError, match=r"items\[0\]: unknown field"):
        seed(fake, doc)
    assert fake.portal.users.get("ok") is None


def test_files_stay_inside_the_seed_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    inner = tmp_path / "seeds"
    inner.mkdir()
    (inner / "evil.yaml").write_text(
        "items: [{title: t, type: CSV, owner: admin, file: ../secret.txt}]\n")
    with pytest.raises(SeedError, match=r"items\[0\]\.file: '\.\./secret\.txt' is outside the seed file's folder"):
        seed(fresh(), inner / "evil.yaml")
    with pytest.raises(SeedError, match="need a seed file on disk"):
        seed(fresh(), b"items: [{title: t, type: CSV, owner: admin, file: logo.png}]")


def test_not_yaml_and_not_a_mapping() -> None:
    with pytest.raises(SeedError, match="not valid YAML"):
        load(b"users: [unclosed")
    with pytest.raises(SeedError, match="is a mapping"):
        load(b"- just a list")


def test_chunks_cover_every_entry_in_order() -> None:
    doc, _ = load(DATA / "busy.yaml")
    pieces = list(chunks(doc, size=2))
    assert sum(size for _, size in pieces) == count({k: v for k, v in doc.items() if k != "version"}) == 16
    kinds = [next(k for k in piece if k != "version") for piece, _ in pieces]
    assert kinds == sorted(kinds, key=list(KINDS).index)
    fake = fresh()
    for piece, _ in chunks({**doc, "items": [i for i in doc["items"] if "file" not in i]}, size=2):
        seed(fake, piece)
    assert len(fake.portal.items) == 3 and len(fake.portal.users) == 5


MISSIONS = b"""
users:
  - {username: alice, password: alice-password, role: org_publisher}
  - {username: bob, password: bob-password, role: org_user}
  - {username: carol, password: carol-password, role: org_user}
items:
  - {title: Topo map, type: Web Map, owner: alice, text: {operationalLayers: [], baseMap: {title: Topo, baseMapLayers: [{id: topo}]}}}
missions:
  - title: Wildfire
    owner: alice
    snippet: Fire line
    description: North ridge
    licenseInfo: Internal
    tags: [fire, ridge]
    capabilities: [chat, TASK, REPORT]
    extent: [-120.5, 34, -119, 35.25]
    locale: fr-CA
    appId: myapp
    templateWebMap: Topo map
    webMapDescription: The mission map
    members: [bob]
    reports:
      - title: Sightings
        serviceName: sightings
        questions: [{type: Number, label: Count, fieldName: headcount}, {type: Image, label: Photo}]
        description: Animals seen
        tags: [wildlife, ridge]
        displayField: headcount
        locale: en
        shareAsTemplate: true
  - {title: Flood, owner: alice}
"""


def clients(fake: FakeArcGIS, username: str, password: str) -> tuple[PortalClient, MissionClient]:
    transport = WsgiTransport(fake)
    portal = PortalClient("https://fake.arcgis.test/portal", transport=transport, username=username,
                          password=password)
    return portal, MissionClient("https://fake.arcgis.test/mission/rest", auth=portal.auth, transport=transport)


def test_seeded_missions_are_missions_of_the_mission_server() -> None:
    fake = fresh()
    progress: list[tuple[int, int]] = []
    counts = seed(fake, MISSIONS, progress=lambda done, total: progress.append((done, total)))
    assert counts == {"users": 3, "items": 1, "missions": 2}
    assert progress[-1] == (6, 6)
    portal, alice = clients(fake, "alice", "alice-password")
    listed = alice.missions.list().services
    assert [m.title for m in listed] == ["Wildfire", "Flood"]
    mission = alice.missions.get(listed[0].name)
    assert (mission.title, mission.owner, mission.snippet, mission.description, mission.license_info) == (
        "Wildfire", "alice", "Fire line", "North ridge", "Internal")
    assert mission.tags == ["fire", "ridge"] and mission.capabilities == ["CHAT", "TASK", "REPORT"]
    assert mission.extent is not None and (mission.extent.xmin, mission.extent.ymin, mission.extent.xmax,
                                           mission.extent.ymax) == (-120.5, 34, -119, 35.25)
    assert (mission.locale, mission.app_id) == ("fr-CA", "myapp")
    (report,) = mission.reports or []
    assert (report.title, report.service_name, report.description, report.tags, report.display_field) == (
        "Sightings", "sightings", "Animals seen", ["wildlife", "ridge"], "headcount")
    assert report.share_as_template is True and [q["fieldName"] for q in report.questions] == ["headcount", "photo"]
    # the portal content of the mission: its group with bob in it, the web map with the template's basemap
    group = portal.groups.get(mission.group_id or "")
    assert group.title == "Wildfire"
    assert portal.groups.users(group.id).users == ["bob"]
    web_map = json.loads(portal.content.get_data(mission.web_map_id or ""))
    assert web_map["baseMap"]["title"] == "Topo"
    assert fake.portal.items.get(mission.web_map_id or "").description == "The mission map"
    defaults = alice.missions.get(listed[1].name)
    assert defaults.capabilities == ["CHAT", "TASK", "REPORT", "PRESENCE", "TRACK", "EVENTS"] and defaults.reports == []
    # who sees them: the members of the mission's group, not other users
    _, bob = clients(fake, "bob", "bob-password")
    assert [m.title for m in bob.missions.list().services] == ["Wildfire"]
    _, carol = clients(fake, "carol", "carol-password")
    assert carol.missions.list().services == []
    with pytest.raises(NotFound):
        carol.missions.get(listed[0].name)


def test_a_refused_mission_leaves_nothing_behind() -> None:
    fake = fresh()
    doc = {
        "users": [{"username": "alice", "password": "alice-password", "role": "org_publisher"}],
        "missions": [
            {"title": "Kept", "owner": "alice", "reports": [{"title": "R", "serviceName": "taken", "questions": [
                {"type": "Number", "label": "N"}]}]},
            {"title": "Dropped", "owner": "alice", "reports": [
                {"title": "A", "serviceName": "fresh", "questions": [{"type": "Number", "label": "N"}]},
                {"title": "B", "serviceName": "taken", "questions": [{"type": "Number", "label": "N"}]}]},
        ],
    }
    with pytest.raises(SeedError, match=r"missions\[1\]\.reports\[1\]: Invalid parameter 'serviceName': a service "
                                        r"named 'taken' already exists"):
        seed(fake, doc)
    # the entries before the refused one stay (as for every kind); the refused mission is gone entirely
    assert [m.title for m in fake.mission.catalog.missions.values()] == ["Kept"]
    assert [g.title for g in fake.portal.groups] == ["Kept"]
    kept = next(iter(fake.mission.catalog.missions.values()))
    assert {i.id for i in fake.portal.items} == set(kept.item_ids())
    # a member that cannot be added takes the mission away too
    with pytest.raises(SeedError, match=r"missions\[0\]\.members: no user 'nobody'"):
        seed(fake, {"missions": [{"title": "Lonely", "owner": "alice", "members": ["nobody"]}]})
    assert len(fake.mission.catalog.missions) == 1 and len(fake.portal.groups) == 1
    # a malformed report is refused before anything is seeded
    with pytest.raises(SeedError, match=r"missions\[1\]\.reports\[0\]: unknown field\(s\) colour"):
        seed(fake, {"users": [{"username": "dan", "password": "dan-password"}],
                    "missions": [{"title": "Fine", "owner": "alice"},
                                 {"title": "Bad", "owner": "alice", "reports": [{"title": "R", "serviceName": "r",
                                                                                 "questions": [], "colour": 1}]}]})
    assert fake.portal.users.get("dan") is None and len(fake.mission.catalog.missions) == 1


def test_snapshots_keep_seeded_missions(tmp_path: Path) -> None:
    fake = fresh()
    seed(fake, MISSIONS)
    _, alice = clients(fake, "alice", "alice-password")
    before = {m.name: alice.missions.get(m.name) for m in alice.missions.list().services}
    fake.snapshot(tmp_path / "state.json")
    for mission_id in before:
        alice.missions.delete(mission_id)
    assert alice.missions.list().services == []
    fake.restore(tmp_path / "state.json")
    _, alice = clients(fake, "alice", "alice-password")
    assert {m.name: alice.missions.get(m.name) for m in alice.missions.list().services} == before
    again = FakeArcGIS(admin_password="admin-password", seed=1)
    again.restore(fake.snapshot())
    _, bob = clients(again, "bob", "bob-password")
    assert [m.title for m in bob.missions.list().services] == ["Wildfire"]


def test_missions_need_a_mission_server() -> None:
    fake = FakeArcGIS(admin_password="admin-password", seed=1, mission_context=None)
    with pytest.raises(SeedError, match=r"missions: this fake has no Mission Server"):
        seed(fake, {"missions": [{"title": "m", "owner": "admin"}]})
