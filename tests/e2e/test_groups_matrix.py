"""The privilege and membership matrix of every group operation of the spec: each operation of the `groups`
family in the generated operations table is called by every kind of caller (anonymous, a member of the
organization outside the group, a plain member, a manager, the owner, an organization administrator who is
not a member) on a private, an org and a public group, and must succeed, be refused with 403, look missing
(the "does not exist or is inaccessible" 400) or require a token (499), as the rules say. Refusals change
nothing. A test fails when the table has a group operation the matrix does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient, TokenRequired
from arcgis_typed.portal._operations import OPERATIONS
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.state.groups import Application
from e2e_helpers import client_for, password_of

RELATIONS = ["anonymous", "outsider", "member", "manager", "owner", "admin"]
ACCESS = ["private", "org", "public"]
USERNAME = {"outsider": "olga", "member": "mia", "manager": "max", "owner": "oscar", "admin": "admin"}

Ctx = dict[str, str]
Action = Callable[[PortalClient, Ctx], Any]


def visible(relation: str, access: str) -> bool:
    if access == "public":
        return True
    if relation == "anonymous":
        return False
    return relation != "outsider" or access == "org"


def read(relation: str, access: str) -> str:
    return "ok" if visible(relation, access) else "hidden"


def managed(relation: str, access: str) -> str:
    if relation == "anonymous":
        return "token"
    if not visible(relation, access):
        return "hidden"
    return "ok" if relation in ("manager", "owner", "admin") else "denied"


def owned(relation: str, access: str) -> str:
    if relation == "anonymous":
        return "token"
    if not visible(relation, access):
        return "hidden"
    return "ok" if relation in ("owner", "admin") else "denied"


def join(relation: str, access: str) -> str:
    if relation == "anonymous":
        return "token"
    return "ok" if visible(relation, access) else "hidden"


def leave(relation: str, access: str) -> str:
    if relation == "anonymous":
        return "token"
    if not visible(relation, access):
        return "hidden"
    return "ok" if relation in ("member", "manager") else "bad"  # the owner cannot; non-members are not in it


def create(relation: str, access: str) -> str:
    return "token" if relation == "anonymous" else "ok"


def search(relation: str, access: str) -> str:
    return "ok"


# operation -> (how to call it, who may)
MATRIX: dict[str, tuple[Action, Callable[[str, str], str]]] = {
    "groups.create": (lambda c, x: c.groups.create(title="New group", tags=["n"]), create),
    "groups.get": (lambda c, x: c.groups.get(x["gid"]), read),
    "groups.search": (lambda c, x: c.groups.search(q="title:matrix"), search),
    "groups.update": (lambda c, x: c.groups.update(x["gid"], snippet="changed"), managed),
    "groups.delete": (lambda c, x: c.groups.delete(x["gid"]), owned),
    "groups.protect": (lambda c, x: c.groups.protect(x["gid"]), owned),
    "groups.unprotect": (lambda c, x: c.groups.unprotect(x["gid"]), owned),
    "groups.reassign": (lambda c, x: c.groups.reassign(x["gid"], target_username="mia"), owned),
    "groups.add_users": (lambda c, x: c.groups.add_users(x["gid"], users=["olga"]), managed),
    "groups.remove_users": (lambda c, x: c.groups.remove_users(x["gid"], users=["mia"]), managed),
    "groups.update_users": (lambda c, x: c.groups.update_users(x["gid"], admins=["mia"]), owned),
    "groups.users": (lambda c, x: c.groups.users(x["gid"]), read),
    "groups.join": (lambda c, x: c.groups.join(x["gid"]), join),
    "groups.leave": (lambda c, x: c.groups.leave(x["gid"]), leave),
    "groups.invite": (lambda c, x: c.groups.invite(x["gid"], users=["olga"]), managed),
    "groups.applications": (lambda c, x: c.groups.applications(x["gid"]), managed),
    "groups.application": (lambda c, x: c.groups.application(x["gid"], "olga"), managed),
    "groups.accept": (lambda c, x: c.groups.accept(x["gid"], "olga"), managed),
    "groups.decline": (lambda c, x: c.groups.decline(x["gid"], "olga"), managed),
    "groups.content": (lambda c, x: c.groups.content(x["gid"]), read),
    "groups.search_content": (lambda c, x: c.groups.search_content(x["gid"], q="title:matrix"), read),
    "groups.update_categories": (lambda c, x: c.groups.update_categories(x["gid"], items=[]), managed),
    "groups.homepage": (lambda c, x: c.groups.homepage(id=x["gid"]), read),
    "groups.category_schema": (lambda c, x: c.groups.category_schema(x["gid"]), read),
    "groups.assign_category_schema": (
        lambda c, x: c.groups.assign_category_schema(x["gid"], category_schema={"categorySchema": [{"title": "C"}]}),
        managed,
    ),
    "groups.notify": (lambda c, x: c.groups.notify(x["gid"], subject="Hi", message="Hello"), managed),
    "groups.thumbnail": (lambda c, x: c.groups.thumbnail(x["gid"], "logo.png"), read),
}

ERRORS: dict[str, type[ArcGISError]] = {
    "hidden": BadRequest, "bad": BadRequest, "denied": PermissionDenied, "token": TokenRequired,
}


def test_the_matrix_covers_every_group_operation_of_the_table() -> None:
    table = {op.name for op in OPERATIONS if op.name.startswith("groups.")}
    assert table == set(MATRIX)


def _state(fake: FakeArcGIS) -> object:
    groups = fake.portal.groups
    return sorted(
        (g.id, g.owner, g.snippet, g.protected, tuple(sorted(g.members.items())), tuple(sorted(g.applications)),
         tuple(sorted(g.invitations)), repr(g.categories.schema)) for g in groups
    ), len(groups.notifications)


@pytest.mark.parametrize("access", ACCESS)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("op", sorted(MATRIX))
def test_matrix(op: str, relation: str, access: str) -> None:
    fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=3)
    portal = fake.portal
    for name in ("olga", "mia", "max", "oscar"):
        portal.add_user(name, password_of(name), role="org_user")
    owner = portal.users.require("oscar")
    group = portal.groups.create(owner, title="Matrix group", tags=["m"], access=access)
    portal.groups.add_users(owner, group.id, ["mia"], ["max"])
    group.applications["olga"] = Application(username="olga", received=portal.now())  # a pending request
    group.thumbnail, group.thumbnail_data = "logo.png", b"\x89PNG"
    ctx = {"gid": group.id}
    client = client_for(fake) if relation == "anonymous" else client_for(fake, USERNAME[relation])
    action, rule = MATRIX[op]
    expected = rule(relation, access)
    if expected == "ok":
        result = action(client, ctx)
        if op == "groups.search":
            assert ({g.id for g in result.results} == {group.id}) is visible(relation, access)
        return
    before = _state(fake)
    with pytest.raises(ERRORS[expected]):
        action(client, ctx)
    assert _state(fake) == before
