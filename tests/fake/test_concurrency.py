"""Concurrency: the threaded HTTPS fake (`serve(https=True)`, loopback only) under 8 concurrent typed clients, each
doing a random mix of writes - create, update and delete users, groups and items, share items, add users to
groups - on its own objects and on one group they all share (its members and its content are where updates
could get lost).

Checked: every write succeeds (no 500, no error at all: each client only touches what it may), nothing is lost
(the shared group ends up with exactly the members and items the clients' logs say were added), the fake's
indexes agree with its records, and the final state equals the state a fresh fake reaches when the log of
successful writes is replayed serially, in the order the server answered them, through the in-process transport.

Size: `CLIENTS` x `WRITES` writes; 8 x 1,000 is the full run (ARCGIS_HARDENING_FULL=1, about a minute on 2 CPUs);
CI runs 8 x 150 (a few seconds). Bounded in time: every client thread must finish within `DEADLINE_S`.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed_fake import FakeArcGIS, serve
from fuzzworld import ErrorLog, watch_errors

PASSWORD = "concurrency-admin-password"
FULL = os.environ.get("ARCGIS_HARDENING_FULL") == "1"
CLIENTS = 8
WRITES = 1000 if FULL else 150
DEADLINE_S = 600 if FULL else 120
SHARED = "shared"  # the logical name of the group every client writes to


@attrs.define
class Entry:
    """One successful write, in logical names (`c3-item-7`), so that it can be replayed on another fake."""

    seq: int
    client: int
    action: str
    args: dict[str, Any]


@attrs.define
class Log:
    entries: list[Entry] = attrs.Factory(list)
    lock: threading.Lock = attrs.Factory(threading.Lock)

    def add(self, client: int, action: str, args: dict[str, Any]) -> None:
        with self.lock:  # the order the server answered in (each write is logged right after its answer)
            self.entries.append(Entry(len(self.entries), client, action, args))


def apply(portal: PortalClient, action: str, args: dict[str, Any], ids: dict[str, str]) -> None:
    """Perform one write; `ids` maps logical names to this fake's ids (filled in by creations)."""
    if action == "create_user":
        portal.users.create(username=args["name"], password="Passw0rd-" + args["name"], email=f"{args['name']}@x.test",
                            role="org_user", fullname=args["name"])
    elif action == "update_user":
        portal.users.update(args["name"], description=args["text"])
    elif action == "delete_user":
        portal.users.delete(args["name"])
    elif action == "create_group":
        ids[args["name"]] = portal.groups.create(title=args["name"], tags=["c"], access="org").group.id
    elif action == "update_group":
        portal.groups.update(ids[args["name"]], snippet=args["text"])
    elif action == "delete_group":
        portal.groups.delete(ids[args["name"]])
    elif action == "add_member":
        result = portal.groups.add_users(ids[args["group"]], users=[args["user"]])
        assert not result.not_added, result
    elif action == "add_item":
        ids[args["name"]] = portal.content.add_item("admin", title=args["name"], type="CSV", text="a,b",
                                                    tags=["t0"]).id
    elif action == "update_item":
        portal.content.update("admin", ids[args["name"]], title=args["text"], tags=args["tags"])
    elif action == "share_item":
        result = portal.content.share(ids[args["name"]], groups=[ids[g] for g in args["groups"]], org=True)
        assert not result.not_shared_with, result
    elif action == "delete_item":
        portal.content.delete("admin", ids[args["name"]])
    else:
        raise AssertionError(action)


@attrs.define
class Model:
    """What one client has made and not yet deleted (it only ever touches its own, and the shared group)."""

    me: int
    users: list[str] = attrs.Factory(list)
    grouped_users: set[str] = attrs.Factory(set)  # users added to a group: kept, so deleting them stays simple
    groups: list[str] = attrs.Factory(list)
    items: list[str] = attrs.Factory(list)
    made: int = 0

    def name(self, kind: str) -> str:
        self.made += 1
        return f"c{self.me}-{kind}-{self.made}"

    def next_write(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        choices = ["create_user", "create_group", "add_item", "add_item"]
        if self.users:
            choices += ["update_user", "add_member", "add_member"]
            if set(self.users) - self.grouped_users:
                choices.append("delete_user")
        if self.groups:
            choices += ["update_group", "delete_group"]
        if self.items:
            choices += ["update_item", "update_item", "share_item", "share_item", "delete_item"]
        action = rng.choice(choices)
        text = f"{action}-{rng.randrange(10**6)}"
        if action in ("create_user", "create_group", "add_item"):
            name = self.name(action.split("_")[1])
            {"create_user": self.users, "create_group": self.groups, "add_item": self.items}[action].append(name)
            return action, {"name": name}
        if action == "update_user":
            return action, {"name": rng.choice(self.users), "text": text}
        if action == "delete_user":
            name = rng.choice(sorted(set(self.users) - self.grouped_users))
            self.users.remove(name)
            return action, {"name": name}
        if action == "add_member":
            user = rng.choice(self.users)
            self.grouped_users.add(user)
            return action, {"group": SHARED if rng.random() < 0.7 or not self.groups else rng.choice(self.groups),
                            "user": user}
        if action in ("update_group", "delete_group"):
            name = rng.choice(self.groups)
            if action == "delete_group":
                self.groups.remove(name)
            return action, {"name": name, "text": text}
        name = rng.choice(self.items)
        if action == "update_item":
            return action, {"name": name, "text": text, "tags": [f"t{rng.randrange(5)}" for _ in range(2)]}
        if action == "share_item":
            groups = [SHARED] + ([rng.choice(self.groups)] if self.groups and rng.random() < 0.5 else [])
            return action, {"name": name, "groups": groups}
        self.items.remove(name)
        return action, {"name": name}


# --- the state, in logical names ---------------------------------------------------------------------------


def projection(fake: FakeArcGIS, ids: dict[str, str]) -> dict[str, Any]:
    portal = fake.portal
    logical = {v: k for k, v in ids.items()}
    users = {u.username: (u.description, u.disabled, u.role_id) for u in portal.users if u.username != "admin"}
    groups = {logical[g.id]: (g.title, g.snippet, g.access, tuple(sorted(g.members.items())))
              for g in portal.groups}
    items = {logical[i.id]: (i.title, tuple(i.tags), i.access, tuple(sorted(logical[g] for g in i.groups)))
             for i in portal.items}
    return {"users": users, "groups": groups, "items": items}


def check_indexes(fake: FakeArcGIS) -> None:
    """The fake's derived structures agree with its records after the storm."""
    portal = fake.portal
    for group in portal.groups:
        assert set(portal.items.in_group(group.id)) == {i.id for i in portal.items if group.id in i.groups}
        for member in group.members:
            assert group.id in portal.groups.groups_of(member)
    admin = portal.users.require("admin")
    for item in list(portal.items)[:200]:  # the search index has every item under its final title and tags
        assert item.id in portal.items.search(admin, f'title:"{item.title}"'), item.title
        for tag in item.tags:
            assert item.id in portal.items.search(admin, f"tags:{tag}")
    assert len({i.id for i in portal.items}) == len(portal.items)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    with watch_errors() as log:
        yield log


def test_concurrent_clients_lose_nothing_and_match_a_serial_replay(errors: ErrorLog) -> None:
    fake = FakeArcGIS(admin_password=PASSWORD, password_iterations=1)
    log = Log()
    ids: dict[str, str] = {}
    ids_lock = threading.Lock()
    failures: list[BaseException] = []
    with serve(fake, https=True, threads=CLIENTS) as server:
        setup = PortalClient(server.portal_url, username="admin", password=PASSWORD, ca_certs=server.ca_path)
        ids[SHARED] = setup.groups.create(title=SHARED, tags=["shared"], access="org").group.id

        def client(me: int) -> None:
            rng = random.Random(me)
            portal = PortalClient(server.portal_url, username="admin", password=PASSWORD, ca_certs=server.ca_path)
            model = Model(me)
            local: dict[str, str] = {SHARED: ids[SHARED]}
            try:
                for _ in range(WRITES):
                    action, args = model.next_write(rng)
                    apply(portal, action, args, local)
                    log.add(me, action, args)
                with ids_lock:
                    ids.update(local)
            except BaseException as exc:  # noqa: BLE001  # reported by the main thread
                failures.append(exc)

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, DEADLINE_S - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
        assert not any(t.is_alive() for t in threads), f"clients still running after {DEADLINE_S} s"
    assert not failures, failures[:3]
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert len(log.entries) == CLIENTS * WRITES
    logging.getLogger(__name__).info("%d writes by %d clients in %.1f s", len(log.entries), CLIENTS, elapsed)

    # nothing lost: the shared group has every member and item the logs say were added
    shared = fake.portal.groups.get(ids[SHARED])
    assert shared is not None
    members = {e.args["user"] for e in log.entries if e.action == "add_member" and e.args["group"] == SHARED}
    assert set(shared.members) == {m.lower() for m in members} | {"admin"}
    shared_items = {e.args["name"] for e in log.entries if e.action == "share_item"} - {
        e.args["name"] for e in log.entries if e.action == "delete_item"}
    assert {i.id for i in fake.portal.items if ids[SHARED] in i.groups} == {ids[n] for n in shared_items}
    check_indexes(fake)

    # the same as a serial replay of the log
    replay = FakeArcGIS(admin_password=PASSWORD, password_iterations=1)
    portal = PortalClient("https://fake.test/portal", transport=WsgiTransport(replay), username="admin",
                          password=PASSWORD)
    replay_ids = {SHARED: portal.groups.create(title=SHARED, tags=["shared"], access="org").group.id}
    for entry in log.entries:
        apply(portal, entry.action, entry.args, replay_ids)
    live, serial = projection(fake, ids), projection(replay, replay_ids)
    assert live == serial
    assert len(live["items"]) + len(live["groups"]) + len(live["users"]) > CLIENTS
