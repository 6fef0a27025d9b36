"""Roles end to end: listing (built-in Viewer and custom roles, paging), reading, creating, renaming, setting
privileges and deleting custom roles; only default administrators manage them; custom roles drive the
privilege checks of every operation their members call."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, TokenRequired
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.state.roles import ADMIN_PRIVILEGES, USER_PRIVILEGES, VIEWER_ROLE_ID
from e2e_helpers import add_member, bearer, raw_json
from werkzeug.test import Client

Member = Callable[..., PortalClient]


def role_state(fake: FakeArcGIS) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return sorted((r.id, r.name, r.description, r.privileges) for r in fake.portal.roles)


@pytest.mark.seed("RoleManager.all")
@pytest.mark.seed("RoleManager.(constructor)")
@pytest.mark.seed("UserManager.roles")
def test_a_fresh_org_lists_the_viewer_role(arcgis_portal: PortalClient) -> None:
    page = arcgis_portal.roles.list()
    assert (page.total, page.start, page.next_start) == (1, 1, -1)
    [viewer] = page.roles
    assert (viewer.id, viewer.name) == (VIEWER_ROLE_ID, "Viewer")
    assert viewer.privileges is None  # only with returnPrivileges
    assert viewer.created is not None and viewer.created.tzinfo is not None
    with_privileges = arcgis_portal.roles.list(return_privileges=True).roles[0]
    assert with_privileges.privileges and "portal:user:viewOrgItems" in with_privileges.privileges
    assert "portal:user:createItem" not in with_privileges.privileges


@pytest.mark.seed("RoleManager.create")
@pytest.mark.seed("RoleManager.get_role")
@pytest.mark.seed("Role.(constructor)")
@pytest.mark.seed("Role.name")
@pytest.mark.seed("Role.description")
@pytest.mark.seed("Role.privileges")
def test_create_a_role_with_privileges(arcgis_portal: PortalClient) -> None:
    created = arcgis_portal.roles.create(name="Editors", description="Edit features")
    assert created.success is True and created.id and len(created.id) == 16
    role = arcgis_portal.roles.get(created.id)
    assert (role.id, role.name, role.description, role.privileges) == (created.id, "Editors", "Edit features", [])
    wanted = ["portal:user:joinGroup", "features:user:edit", "portal:user:viewOrgItems"]
    assert arcgis_portal.roles.set_privileges(created.id, privileges={"privileges": wanted}).success
    assert arcgis_portal.roles.privileges(created.id).privileges == sorted(wanted)
    assert arcgis_portal.roles.get(created.id).privileges == sorted(wanted)
    # a bare list is accepted too, and replaces the privileges
    arcgis_portal.roles.set_privileges(created.id, privileges=["portal:user:createItem"])
    assert arcgis_portal.roles.privileges(created.id).privileges == ["portal:user:createItem"]
    assert [r.name for r in arcgis_portal.roles.list_all()] == ["Viewer", "Editors"]


@pytest.mark.seed("RoleManager.get_role")
def test_built_in_roles_can_be_read(arcgis_portal: PortalClient) -> None:
    admin = arcgis_portal.roles.get("org_admin")
    assert admin.name == "Administrator"
    assert set(admin.privileges or []) == set(ADMIN_PRIVILEGES)
    assert set(arcgis_portal.roles.privileges("org_user").privileges) == set(USER_PRIVILEGES)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.roles.get("nosuchrole000000")
    assert caught.value.message == "Role does not exist or is inaccessible."


@pytest.mark.seed("RoleManager.all")
@pytest.mark.seed("RoleManager.exists")
def test_roles_page(arcgis_portal: PortalClient) -> None:
    names = [f"Role {i:02d}" for i in range(24)]
    for name in names:
        arcgis_portal.roles.create(name=name)
    first = arcgis_portal.roles.list(start=1, num=10)
    assert (first.total, first.num, first.next_start, len(first.roles)) == (25, 10, 11, 10)
    last = arcgis_portal.roles.list(start=21, num=10)
    assert (last.next_start, len(last.roles)) == (-1, 5)
    assert [r.name for r in arcgis_portal.roles.list_all(page_size=7)] == ["Viewer", *names]
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.roles.list(num=101)
    assert "'num'" in caught.value.message


@pytest.mark.seed("RoleManager.create")
@pytest.mark.parametrize(
    ("name", "description", "wire"),
    [("", None, "name"), ("   ", None, "name"), ("x" * 129, None, "name"), ("Viewer", None, "name"),
     ("ADMINISTRATOR", None, "name"), ("Taken", None, "name"), ("taken", None, "name"), ("ok", "d" * 251, "description")],
)
def test_create_refuses_bad_names(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS, name: str,
                                  description: str | None, wire: str) -> None:
    arcgis_portal.roles.create(name="Taken")
    before = role_state(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.roles.create(name=name, description=description)
    assert f"'{wire}'" in caught.value.message
    assert role_state(arcgis_fake) == before


@pytest.mark.seed("Role.privileges")
@pytest.mark.parametrize("privileges", [["portal:user:createItem", "portal:user:flyToTheMoon"], [1], "portal:user:x",
                                        {"privileges": "portal:user:createItem"}, {"other": []}])
def test_set_privileges_refuses_unknown_privileges(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS,
                                                   privileges: object) -> None:
    role_id = arcgis_portal.roles.create(name="Careful").id
    assert role_id
    arcgis_portal.roles.set_privileges(role_id, privileges=["portal:user:joinGroup"])
    before = role_state(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.roles.set_privileges(role_id, privileges=privileges)
    assert "'privileges'" in caught.value.message
    assert role_state(arcgis_fake) == before


@pytest.mark.seed("Role.name")
@pytest.mark.seed("Role.description")
def test_update_renames_and_describes(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    role_id = arcgis_portal.roles.create(name="Analysts", description="old").id
    assert role_id
    arcgis_portal.roles.create(name="Other")
    assert arcgis_portal.roles.update(role_id, name="Senior analysts").success
    role = arcgis_portal.roles.get(role_id)
    assert (role.name, role.description) == ("Senior analysts", "old")
    arcgis_portal.roles.update(role_id, description="new")
    assert arcgis_portal.roles.get(role_id).description == "new"
    arcgis_portal.roles.update(role_id, name="SENIOR ANALYSTS")  # its own name, in another case
    before = role_state(arcgis_fake)
    for bad in ("other", "Viewer", " "):
        with pytest.raises(BadRequest) as caught:
            arcgis_portal.roles.update(role_id, name=bad)
        assert "'name'" in caught.value.message
    assert role_state(arcgis_fake) == before


@pytest.mark.parametrize("role_id", ["org_admin", "org_publisher", "org_user", VIEWER_ROLE_ID])
def test_built_in_roles_cannot_change(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS, role_id: str) -> None:
    before = role_state(arcgis_fake)
    for attempt in (lambda: arcgis_portal.roles.update(role_id, name="Mine now"),
                    lambda: arcgis_portal.roles.set_privileges(role_id, privileges=["portal:user:joinGroup"]),
                    lambda: arcgis_portal.roles.delete(role_id)):
        with pytest.raises(PermissionDenied):
            attempt()
    assert role_state(arcgis_fake) == before


@pytest.mark.seed("Role.delete")
def test_delete_is_refused_while_members_hold_the_role(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    role_id = arcgis_portal.roles.create(name="Temporary").id
    assert role_id
    add_member(arcgis_fake, "holder", role=role_id)
    before = role_state(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.roles.delete(role_id)
    assert "holder" in caught.value.details
    assert role_state(arcgis_fake) == before
    arcgis_fake.portal.users.require("holder").role_id = "org_user"
    assert arcgis_portal.roles.delete(role_id).success
    with pytest.raises(BadRequest):
        arcgis_portal.roles.get(role_id)
    assert [r.id for r in arcgis_portal.roles.list_all()] == [VIEWER_ROLE_ID]
    with pytest.raises(BadRequest):
        arcgis_portal.roles.delete(role_id)


# --- custom roles drive privileges ---------------------------------------------------------------------------


@pytest.mark.seed("Role.privileges")
def test_a_custom_role_grants_exactly_its_privileges(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    role_id = arcgis_portal.roles.create(name="Lurkers").id
    assert role_id
    arcgis_portal.roles.set_privileges(role_id, privileges=["portal:user:joinGroup"])
    lurker = add_member(arcgis_fake, "lurker", role=role_id)
    me = lurker.users.me()
    # the level follows the user type (Creator, the default for every role but Viewer), not the role
    assert (me.role, me.role_id, me.level, me.privileges) == ("org_user", role_id, "2", ["portal:user:joinGroup"])
    assert me.user_license_type_id == "creatorUT"
    with pytest.raises(PermissionDenied):
        lurker.users.org_users()
    with pytest.raises(PermissionDenied):
        lurker.content.add_item("lurker", title="Nope", type="Web Map", text="{}")
    assert len(arcgis_fake.portal.items) == 0

    # new privileges apply to the members' very next request, with the same token
    arcgis_portal.roles.set_privileges(role_id, privileges=["portal:user:createItem", "portal:user:viewOrgUsers",
                                                            "portal:publisher:publishFeatures"])
    assert lurker.content.add_item("lurker", title="Now yes", type="Web Map", text="{}").success
    assert lurker.users.org_users().total == 2
    me = lurker.users.me()
    assert (me.role, me.level) == ("org_publisher", "2")
    assert [u.username for u in arcgis_portal.users.search_all(q="role:org_publisher")] == ["lurker"]


def test_a_custom_admin_role_sees_full_profiles(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    role_id = arcgis_portal.roles.create(name="Member viewers").id
    assert role_id
    arcgis_portal.roles.set_privileges(role_id, privileges=["portal:admin:viewUsers", "portal:user:viewOrgUsers"])
    add_member(arcgis_fake, "quiet", access="private", email="quiet@example.test")
    auditor = add_member(arcgis_fake, "auditor", role=role_id)
    assert auditor.users.me().role == "org_admin"
    assert auditor.users.get("quiet").email == "quiet@example.test"


# --- who may manage roles ------------------------------------------------------------------------------------

ALL_ADMIN = "allpowers0000000"


@pytest.fixture
def callers(arcgis_fake: FakeArcGIS, arcgis_portal: PortalClient) -> dict[str, PortalClient]:
    """One client per kind of caller: the default admin, a custom role holding every admin privilege (still not
    a default administrator), a publisher, a user and a viewer."""
    portal = arcgis_fake.portal
    portal.roles.create(ALL_ADMIN, "All admin privileges", "", portal.now(), ADMIN_PRIVILEGES)
    return {
        "admin": arcgis_portal,
        "custom_admin": add_member(arcgis_fake, "custom", role=ALL_ADMIN),
        "publisher": add_member(arcgis_fake, "pub", role="org_publisher"),
        "user": add_member(arcgis_fake, "usr", role="org_user"),
        "viewer": add_member(arcgis_fake, "vwr", role="viewer"),
    }


@pytest.mark.seed("RoleManager.create")
@pytest.mark.seed("Role.delete")
@pytest.mark.parametrize("caller", ["admin", "custom_admin", "publisher", "user", "viewer"])
def test_privilege_matrix(callers: dict[str, PortalClient], arcgis_fake: FakeArcGIS, caller: str) -> None:
    client = callers[caller]
    target = callers["admin"].roles.create(name="Target").id
    assert target
    # every member may read the roles
    assert [r.name for r in client.roles.list_all()] == ["Viewer", "All admin privileges", "Target"]
    assert client.roles.get(target).name == "Target"
    assert client.roles.privileges(ALL_ADMIN).privileges == sorted(ADMIN_PRIVILEGES)
    writes = {
        "create": lambda: client.roles.create(name="By " + caller),
        "update": lambda: client.roles.update(target, description="changed"),
        "set_privileges": lambda: client.roles.set_privileges(target, privileges=["portal:user:joinGroup"]),
        "delete": lambda: client.roles.delete(target),
    }
    for name, write in writes.items():
        before = role_state(arcgis_fake)
        if caller == "admin":
            assert write().success, name
        else:
            with pytest.raises(PermissionDenied):
                write()
            assert role_state(arcgis_fake) == before, name


def test_roles_need_a_token(anonymous: PortalClient) -> None:
    with pytest.raises(TokenRequired):
        anonymous.roles.list()
    with pytest.raises(TokenRequired):
        anonymous.roles.create(name="Sneaky")


def test_the_official_clients_login_request(arcgis_portal: PortalClient, raw: Client) -> None:
    """After signing in, the official client POSTs portals/self/roles with start=1&num=100 to name the role."""
    arcgis_portal.roles.create(name="Field crew", description="Collects data")
    body = raw_json(raw.post("/portal/sharing/rest//portals/self/roles",
                             data={"start": "1", "num": "100", "f": "json"},
                             headers=bearer(arcgis_portal) | {"Referer": "http"}))
    assert set(body) == {"total", "start", "num", "nextStart", "roles"}, body
    assert (body["total"], body["start"], body["num"], body["nextStart"]) == (2, 1, 100, -1)
    assert [set(r) for r in body["roles"]] == [{"id", "name", "description", "created", "modified"}] * 2
    assert body["roles"][1]["name"] == "Field crew"
    assert isinstance(body["roles"][1]["created"], int)
