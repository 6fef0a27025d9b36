"""Snapshots (versioned JSON files), restore, baselines and forks of the fake's state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.clock import Clock
from arcgis_typed_fake.faults import Faults
from arcgis_typed_fake.journal import RequestJournal
from arcgis_typed_fake.seeding import seed
from arcgis_typed_fake.snapshot import FORMAT, VERSION, SnapshotError, StateBlob, encode_state
from arcgis_typed_fake.state.search import SearchIndex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data"
BUSY = DATA / "busy.yaml"
ADMIN_PASSWORD = "admin-password"


def busy_fake(seed_value: int = 3) -> FakeArcGIS:
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, seed=seed_value)
    seed(fake, BUSY)
    return fake


def client(fake: FakeArcGIS, username: str = "admin", password: str = ADMIN_PASSWORD) -> PortalClient:
    return PortalClient(f"https://fake.arcgis.test{fake.portal_context}", transport=WsgiTransport(fake),
                        username=username, password=password)


def state_of(fake: FakeArcGIS, *, salts: bool = True) -> Any:
    """The snapshot's state part, as canonical JSON text (what restore must reproduce exactly); without the
    password hashes when `salts` is false (salts are random even in deterministic mode)."""
    state = fake.snapshot()["state"]
    return json.dumps(state if salts else _without_hashes(state), sort_keys=True)


def _without_hashes(value: Any) -> Any:
    if isinstance(value, dict):
        if str(value.get("$type", "")).endswith(":PasswordHash"):
            return "<hash>"
        return {k: _without_hashes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_hashes(v) for v in value]
    return value


def indexes(value: object, path: str, seen: set[int], out: dict[str, int]) -> dict[str, int]:
    """Every search index reachable from `value` (by attribute path) and how many documents it holds."""
    if id(value) in seen or not type(value).__module__.startswith("arcgis_typed_fake"):
        if isinstance(value, dict):
            for k, v in value.items():
                indexes(v, f"{path}[{k!r}]", seen, out)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                indexes(v, f"{path}[{i}]", seen, out)
        return out
    seen.add(id(value))
    if isinstance(value, SearchIndex):
        out[path] = len(value)
        return out
    names = [f.name for f in attrs.fields(type(value))] if attrs.has(type(value)) else list(getattr(value, "__dict__", {}))
    for name in names:
        indexes(getattr(value, name), f"{path}.{name}", seen, out)
    return out


def test_restore_reproduces_the_state_and_its_behaviour(tmp_path: Path) -> None:
    fake = busy_fake()
    path = tmp_path / "snap.json"
    doc = fake.snapshot(path)
    assert (doc["format"], doc["version"]) == (FORMAT, VERSION)
    on_disk = json.loads(path.read_text())
    assert on_disk["state"] == json.loads(json.dumps(doc["state"]))
    other = FakeArcGIS(admin_password="another-password", seed=99)
    other.restore(path)
    assert state_of(other) == state_of(fake)
    # behaviour, not only data: search indexes are rebuilt, password hashes still verify, sharing holds
    alice = client(other, "alice", "alice-password")
    found = alice.content.search(q="title:road", sort_field="title")
    assert [r.title for r in found.results] == ["Road list", "Road map"]
    bob = client(other, "bob", "bob-password")
    assert {r.title for r in bob.content.search(q="type:csv").results} == {"Bob's notes"}
    assert [g.title for g in bob.groups.search(q="title:roads").results] == ["Roads"]
    assert indexes(other.portal, "portal", set(), {}) == indexes(fake.portal, "portal", set(), {})


def test_snapshot_mutate_restore_equals_the_original(tmp_path: Path) -> None:
    fake = busy_fake()
    before = state_of(fake)
    fake.snapshot(tmp_path / "s.json")
    admin = client(fake)
    admin.content.add_item("admin", title="added later", type="CSV", text="x")
    admin.users.delete("carol")
    fake.server.site.catalog.create_folder("Later")
    assert state_of(fake) != before
    fake.restore(tmp_path / "s.json")
    assert state_of(fake) == before
    assert fake.portal.users.get("carol") is not None


def _with_id(doc: Any, wanted: int) -> dict[str, Any]:
    """The encoded object carrying `"$id": wanted`."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$id") == wanted:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError(f"no object with $id {wanted}")


def test_every_state_attribute_is_in_snapshots() -> None:
    """Every attribute of every state root (PortalState, ServerState, and any root added to STATE_ROOTS) is
    written, or declared derived/secret in `__snapshot_exclude__` - and then rebuilt after a restore. A new store
    holding something the snapshot cannot write (a lambda, a lock, a foreign object) fails here, naming it; a
    store whose search index is not rebuilt fails the index comparison."""
    fake = busy_fake()
    client(fake).content.search(q="roads")  # fill caches too
    roots = {name: getattr(fake, name) for name in fake.STATE_ROOTS}
    encoded = encode_state(roots, {"clock": fake.clock})
    for name, root in roots.items():
        node = encoded[name]
        if "$ref" in node:  # reached first from another root (the portal's publishing holds its hosting server)
            node = _with_id(encoded, node["$ref"])
        written = set(node) - {"$type", "$id"}
        excluded = set(getattr(type(root), "__snapshot_exclude__", ()))
        missing = set(vars(root)) - written - excluded
        assert not missing, f"{name}: attributes not in snapshots: {sorted(missing)}"
    restored = FakeArcGIS(admin_password=ADMIN_PASSWORD)
    restored.restore(fake.snapshot())
    for name in fake.STATE_ROOTS:
        assert indexes(getattr(restored, name), name, set(), {}) == indexes(getattr(fake, name), name, set(), {})


def test_state_objects_of_the_fake_are_all_roots() -> None:
    """An attribute of FakeArcGIS holding state (an object of a class of `arcgis_typed_fake` other than the
    clock, the journal, the fault rules and the baseline) must be listed in STATE_ROOTS, or snapshots and forks
    would silently leave it out."""
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD)
    not_state = (Clock, RequestJournal, Faults, StateBlob)
    holding_state = {name for name, value in vars(fake).items()
                     if type(value).__module__.startswith("arcgis_typed_fake") and not isinstance(value, not_state)}
    assert holding_state == set(fake.STATE_ROOTS)


def test_an_attribute_the_snapshot_cannot_write_is_named() -> None:
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD)
    fake.portal.items.member_groups = lambda username: frozenset()  # what a careless new store might hold
    with pytest.raises(SnapshotError, match=r"portal\.(\w+\.)?items\.member_groups: .*lambda"):
        fake.snapshot()


def test_snapshots_hold_no_live_token_and_no_password(tmp_path: Path) -> None:
    fake = busy_fake()
    admin = client(fake)
    admin.users.me()
    assert admin.auth is not None
    token = admin.auth.token()
    text = (fake.snapshot(tmp_path / "s.json") and (tmp_path / "s.json").read_text())
    assert token not in text
    for password in (ADMIN_PASSWORD, "alice-password", "publisher-password"):
        assert password not in text
    fake.restore(tmp_path / "s.json")
    assert fake.portal.tokens.lookup(token) is None
    # the same client signs in again by itself (498 -> one refresh)
    assert admin.users.me().username == "admin"
    assert [r.error_code for r in fake.requests][-3:] == [498, None, None]


def test_incompatible_snapshots_are_refused(tmp_path: Path) -> None:
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD)
    doc = fake.snapshot()
    with pytest.raises(SnapshotError, match=r"format version 99.*reads version 1 only"):
        fake.restore({**doc, "version": 99})
    with pytest.raises(SnapshotError, match="not an arcgis-typed fake snapshot"):
        fake.restore({"hello": "world"})
    (tmp_path / "half.json").write_text(json.dumps(doc)[:100])
    with pytest.raises(SnapshotError, match="not valid JSON"):
        fake.restore(tmp_path / "half.json")
    other = FakeArcGIS(admin_password=ADMIN_PASSWORD, portal_context="/gis")
    with pytest.raises(SnapshotError, match="other settings.*portalContext"):
        other.restore(doc)
    tampered = json.loads(json.dumps(doc))
    tampered["state"]["portal"]["$type"] = "os:system"
    with pytest.raises(SnapshotError, match="unknown state class"):
        fake.restore(tampered)


_WRITER = """
import sys
sys.path[:0] = {paths!r}
from arcgis_typed_fake import FakeArcGIS
fake = FakeArcGIS(admin_password="admin-password", seed=1)
admin = fake.portal.users.get("admin")
for i in range(3000):
    fake.portal.add_item(admin, "admin", title=f"item {{i}}", type="CSV", tags=["bulk"])
print("ready", flush=True)
n = 0
while True:
    n += 1
    fake.portal.org.description = f"generation {{n}}"
    fake.snapshot({path!r})
"""


def test_kill_9_while_writing_leaves_a_complete_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    FakeArcGIS(admin_password=ADMIN_PASSWORD).snapshot(path)
    paths = [p for p in sys.path if "generated" in p or "fakeserver" in p or "codegen" in p]
    proc = subprocess.Popen([sys.executable, "-c", _WRITER.format(paths=paths, path=str(path))],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for delay in (0.05, 0.13, 0.21):  # several kills at different points of the write loop
            time.sleep(delay)
            doc = json.loads(path.read_text())  # readers always see a complete file
            assert doc["format"] == FORMAT
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    doc = json.loads(path.read_text())
    FakeArcGIS(admin_password=ADMIN_PASSWORD, seed=1).restore(doc)


# --- baselines and forks ---------------------------------------------------------------------------------------


def test_fork_is_isolated_and_reset_returns_to_the_baseline() -> None:
    base = busy_fake()
    original = state_of(base)
    baseline = base.baseline()
    one, two = baseline.fork(), baseline.fork()
    client(one).content.add_item("admin", title="only in one", type="CSV", text="x")
    one.portal.users.remove(one.portal.users.require("bob"))
    assert two.portal.users.get("bob") is not None and base.portal.users.get("bob") is not None
    assert state_of(two) == original == state_of(base)
    assert not client(two).content.search(q="title:only").results
    one.reset()
    assert state_of(one) == original
    assert len(one.requests) == 0


def test_a_fork_keeps_signed_in_clients_working() -> None:
    base = busy_fake()
    admin = client(base)
    admin.users.me()  # signed in on the baseline
    fork = base.fork()
    forked = PortalClient(admin.url, transport=WsgiTransport(fork), auth=admin.auth)
    assert forked.users.me().username == "admin"
    assert [r.op for r in fork.requests] == ["portal:users.me"]  # no new sign-in: the token was copied


_ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("item"), st.text("abcdefgh ", min_size=1, max_size=12).filter(str.strip)),
        st.tuples(st.just("user"), st.from_regex(r"u[a-z]{3,8}", fullmatch=True)),
        st.tuples(st.just("advance"), st.integers(1, 10_000)),
        st.tuples(st.just("delete_item"), st.integers(0, 10)),
    ),
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_ACTIONS, second=_ACTIONS)
def test_forks_never_see_each_other(first: list[tuple[str, Any]], second: list[tuple[str, Any]]) -> None:
    baseline = _BASELINE.baseline()
    original = _BASELINE_STATE
    forks = [baseline.fork(), baseline.fork()]
    for fake, actions in zip(forks, (first, second), strict=True):
        for action, value in actions:
            _apply(fake, action, value)
    expected = []
    for actions in (first, second):
        model = baseline.fork()
        for action, value in actions:
            _apply(model, action, value)
        expected.append(state_of(model, salts=False))
    assert [state_of(f, salts=False) for f in forks] == expected
    assert state_of(_BASELINE) == original
    assert state_of(baseline.fork()) == original


def _apply(fake: FakeArcGIS, action: str, value: Any) -> None:
    portal = fake.portal
    admin = portal.users.require("admin")
    if action == "item":
        portal.add_item(admin, "admin", title=value, type="CSV", text="a")
    elif action == "user" and portal.users.get(value) is None:
        portal.add_user(value, "password-1")
    elif action == "advance":
        fake.clock.advance(seconds=value)  # type: ignore[attr-defined]
    elif action == "delete_item":
        own = sorted((i for i in portal.items if i.owner == "admin"), key=lambda i: i.id)
        if own:
            portal.delete_item(admin, "admin", own[value % len(own)].id)


def _deterministic_busy() -> FakeArcGIS:
    from arcgis_typed_fake import ManualClock

    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, seed=5, clock=ManualClock(1_700_000_000_000))
    seed(fake, BUSY)
    return fake


_BASELINE = _deterministic_busy()
_BASELINE_STATE = state_of(_BASELINE)


def test_a_snapshot_from_a_copy_equals_one_taken_under_the_lock() -> None:
    from arcgis_typed_fake.product import snapshot

    fake = busy_fake()
    direct, copied = snapshot(fake), snapshot(fake, copy_first=True)
    for doc in (direct, copied):
        doc.pop("clockMs")
    assert json.dumps(direct, sort_keys=True) == json.dumps(copied, sort_keys=True)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("portal", "org", "name"), {"$method": "__class__", "of": {"$ref": 1}}, "refusing to load method"),
        (("portal", "org", "name"), {"$method": "nothing_here", "of": {"$ref": 1}}, "refusing to load method"),
        (("portal", "org", "name"), {"$function": "arcgis_typed_fake.cli:main"}, "refusing to load function"),
        (("portal", "org", "name"), {"$function": "os:system"}, "refusing to load function"),
        (("portal", "org", "__class__"), {"$bytes": ""}, "refusing attribute"),
    ],
)
def test_a_tampered_snapshot_cannot_reach_code(path: tuple[str, ...], value: Any, message: str) -> None:
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD)
    doc = json.loads(json.dumps(fake.snapshot()))
    target = doc["state"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SnapshotError, match=message):
        fake.restore(doc)
