"""The privilege matrix of the identity area, generated from the spec: every operation of the users, roles,
invitations, notifications, licenses and user_settings families in the operations table is called by an
anonymous caller, a User, a Publisher, an Administrator and a member with a custom role. A caller lacking one
of the privileges the operation declares gets the 403 envelope and changes nothing; an anonymous caller of a
token operation gets 499; every other call reaches the operation's handler (whose answer may still refuse on
ownership or values, never with a 500). Adding an operation adds its rows."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from arcgis_typed._runtime.operation import Operation, Param
from arcgis_typed.portal._operations import OPERATIONS
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.registry import HANDLERS
from werkzeug.test import Client

FAMILIES = ("users", "roles", "invitations", "notifications", "licenses", "user_settings")
CALLERS = ("anonymous", "org_user", "org_publisher", "org_admin", "custom")
CUSTOM = ("portal:admin:viewUsers", "portal:user:viewOrgUsers", "portal:admin:changeUserRoles",
          "portal:user:joinGroup")
PASSWORD = "Matrix-password-1"
VALUES = {"username": "alice", "user": "alice", "users": "alice", "targetUsername": "bob", "role": "org_user",
          "email": "someone@example.test", "emails": "someone@example.test", "password": PASSWORD,
          "newPassword": "Other-password-2", "name": "A role", "roleId": "org_user", "q": "*",
          "privileges": '{"privileges": ["portal:user:joinGroup"]}', "userLicenseType": "creatorUT",
          "securityConfig": "{}", "subject": "Hi", "message": "News", "fullname": "Some One", "level": "2"}
TABLE = [op for op in OPERATIONS if op.name.split(".")[0] in FAMILIES]


def _value(p: Param) -> str:
    value = VALUES.get(p.wire, "x")
    return p.enum[0] if p.enum and value not in p.enum else value


def _granted(fake: FakeArcGIS, caller: str) -> frozenset[str]:
    if caller == "anonymous":
        return frozenset()
    user = fake.portal.users.require(caller)
    return user.role_record.granted


def expected(fake: FakeArcGIS, op: Operation, caller: str) -> int | None:
    """499, 403 or None (gets past the privilege check), from the table's auth and privileges alone."""
    if caller == "anonymous":
        return 499 if op.auth == "token" else None
    return 403 if not set(op.privileges) <= _granted(fake, caller) else None


def test_the_table_has_the_identity_operations() -> None:
    names = {op.name for op in TABLE}
    assert {"users.create", "roles.create", "invitations.accept", "notifications.send", "licenses.counts",
            "user_settings.set"} <= names
    assert any(op.privileges for op in TABLE)


def _world() -> tuple[FakeArcGIS, Client, dict[str, str]]:
    fake = FakeArcGIS(admin_password=PASSWORD, password_iterations=1, seed=3)
    portal = fake.portal
    portal.roles.create("custom0000000000", "Custom", "", portal.now(), CUSTOM)
    for name, role in (("org_user", "org_user"), ("org_publisher", "org_publisher"), ("custom", "custom0000000000"),
                       ("alice", "org_user"), ("bob", "org_user")):
        portal.add_user(name, PASSWORD, role=role)
    client = Client(fake)
    tokens = {}
    for caller in ("org_user", "org_publisher", "custom", "admin"):
        answer = client.post("/portal/sharing/rest/generateToken",
                             data={"username": caller, "password": PASSWORD, "f": "json"})
        tokens["org_admin" if caller == "admin" else caller] = json.loads(answer.data)["token"]
    return fake, client, tokens


def _snapshot(fake: FakeArcGIS) -> object:
    portal = fake.portal
    return (sorted((u.username, u.role_id, u.disabled, u.user_type_id, u.full_name) for u in portal.users),
            sorted((r.id, r.name, r.privileges) for r in portal.roles),
            sorted(i.id for i in portal.users.invitations.pending()),
            repr(portal.users.defaults), portal.users.security.allow_signup)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_privilege_matrix(op: Operation, caller: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, client, tokens = _world()
    key = f"portal:{op.name}"
    original = HANDLERS[key]
    reached: list[bool] = []

    def spy(*args: Any) -> Any:
        reached.append(True)
        return original(*args)

    monkeypatch.setitem(HANDLERS, key, spy)
    path = "/portal" + op.path
    for p in op.params:
        if p.location == "path":
            path = path.replace("{" + p.wire + "}", quote(_value(p), safe=""))
    form: dict[str, Any] = {"f": "json"}
    form.update({p.wire: _value(p) for p in op.params if p.required and p.location == "form"})
    headers = {} if caller == "anonymous" else {"X-Esri-Authorization": f"Bearer {tokens[caller]}"}
    want = expected(fake, op, caller if caller != "org_admin" else "admin")
    before = _snapshot(fake)
    if "POST" in op.methods:
        response = client.post(path, data=form, headers=headers)
    else:
        response = client.get(path, query_string=form, headers=headers)
    assert response.status_code == 200, (op.name, caller, response.status_code)
    body: Any = json.loads(response.data) if response.mimetype == "application/json" else None
    code = body["error"]["code"] if isinstance(body, dict) and "error" in body else None
    if want is not None:
        assert (code, reached) == (want, []), (op.name, caller, body)
        assert _snapshot(fake) == before, (op.name, caller)
    else:
        assert reached == [True], (op.name, caller, body)
