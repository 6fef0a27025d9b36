"""Seeding the fake from YAML: every kind lands in the state through the state layer's rules, and a bad
document is refused naming the entry, before anything is seeded when its shape is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from arcgis_typed import PortalClient, WsgiTransport
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
        ({"missions": [{"name": "m"}]}, r"missions: this fake has no Mission Server state yet"),
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
