"""A hypothesis state machine over users and roles: the default administrator and a member administrator (a
custom role with the member-administration privileges) create and delete custom roles, set their privileges,
create members, change their roles, disable, enable and delete them - all through typed clients - and a plain
model says what must happen.

After every step the fake's roles and members must equal the model, and every enabled member's own view of
their privileges (community/self, with the token they already hold) must be what their role grants now.
Refused operations raise the documented error and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import hypothesis.strategies as st
import pytest
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.state.roles import BUILT_IN_NAMES, BUILT_IN_ROLES
from e2e_helpers import client_for, password_of
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

MANAGER_PRIVILEGES = frozenset(
    {
        "portal:admin:changeUserRoles",
        "portal:admin:deleteUsers",
        "portal:admin:disableUsers",
        "portal:admin:inviteUsers",
        "portal:admin:viewUsers",
        "portal:user:viewOrgUsers",
    }
)
PRIVILEGE_POOL = [
    "portal:user:createItem",
    "portal:user:viewOrgUsers",
    "portal:user:joinGroup",
    "portal:publisher:publishFeatures",
    "portal:admin:viewUsers",
]
NAMES = ["Editors", "editors", "Field crew", "Viewer", "Auditors"]
USERNAMES = ["ann", "ben", "cat", "dan"]
BUILT_INS = ["org_admin", "org_publisher", "org_user", "iAAAAAAAAAAAAAAA"]
CALLERS = ["admin", "manager"]
PASSWORD = "Member-password-1"


@attrs.define
class ModelRole:
    name: str
    privileges: frozenset[str]


@attrs.define
class ModelUser:
    role_id: str
    disabled: bool = False


class IdentityMachine(RuleBasedStateMachine):
    roles = Bundle("roles")  # custom role ids, deleted ones included (to be refused)

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=5)
        portal = self.fake.portal
        portal.roles.create("managers00000000", "Managers", "", portal.now(), MANAGER_PRIVILEGES)
        portal.add_user("manager", password_of("manager"), role="managers00000000")
        self.custom: dict[str, ModelRole] = {"managers00000000": ModelRole("Managers", MANAGER_PRIVILEGES)}
        self.users: dict[str, ModelUser] = {
            "admin": ModelUser("org_admin"),
            "manager": ModelUser("managers00000000"),
        }
        self.clients: dict[str, PortalClient] = {
            "admin": client_for(self.fake, "admin"),
            "manager": client_for(self.fake, "manager"),
        }
        for name in USERNAMES[:2]:  # two members from the start, so that acting on members is common
            portal.add_user(name, PASSWORD, role="org_user")
            self.users[name] = ModelUser("org_user")
            self.clients[name] = client_for(self.fake, name, PASSWORD)

    # --- the model's rules -----------------------------------------------------------------------------------

    def privileges(self, role_id: str) -> frozenset[str]:
        if role_id in BUILT_IN_ROLES:
            return frozenset(BUILT_IN_ROLES[role_id][1])
        return self.custom[role_id].privileges

    def is_admin(self, role_id: str) -> bool:
        return any(":admin:" in p for p in self.privileges(role_id))

    def role_exists(self, role_id: str) -> bool:
        return role_id in BUILT_IN_ROLES or role_id in self.custom

    def full(self, caller: str) -> bool:
        return self.users[caller].role_id == "org_admin"

    def may_act_on(self, caller: str, target: str, privilege: str) -> type[ArcGISError] | None:
        """The error acting on `target` as `caller` must raise, or None when allowed."""
        if privilege not in self.privileges(self.users[caller].role_id):
            return PermissionDenied  # checked before anything else
        if target not in self.users:
            return BadRequest
        if target == caller:
            return PermissionDenied
        if self.is_admin(self.users[target].role_id) and not self.full(caller):
            return PermissionDenied
        return None

    def fake_roles(self) -> dict[str, tuple[str, frozenset[str]]]:
        return {r.id: (r.name, frozenset(r.privileges)) for r in self.fake.portal.roles if not r.built_in}

    def fake_users(self) -> dict[str, tuple[str, bool]]:
        return {u.username: (u.role_id, u.disabled) for u in self.fake.portal.users}

    def expect(self, error: type[ArcGISError] | None, call: Callable[[], object]) -> bool:
        before = (self.fake_roles(), self.fake_users())
        if error is None:
            call()
            return True
        with pytest.raises(error):
            call()
        assert (self.fake_roles(), self.fake_users()) == before
        return False

    # --- roles -----------------------------------------------------------------------------------------------

    @rule(target=roles, caller=st.sampled_from(CALLERS), name=st.sampled_from(NAMES))
    def create_role(self, caller: str, name: str) -> str:
        taken = {r.name.lower() for r in self.custom.values()} | {n.lower() for n in BUILT_IN_NAMES.values()}
        error = PermissionDenied if not self.full(caller) else BadRequest if name.lower() in taken else None
        if error is not None:
            self.expect(error, lambda: self.clients[caller].roles.create(name=name))
            return "nosuchrole000000"
        role_id = self.clients[caller].roles.create(name=name).id
        assert role_id
        self.custom[role_id] = ModelRole(name, frozenset())
        return role_id

    @rule(
        caller=st.sampled_from(CALLERS),
        role_id=roles,
        privileges=st.lists(st.sampled_from(PRIVILEGE_POOL), unique=True, max_size=4),
    )
    def set_privileges(self, caller: str, role_id: str, privileges: list[str]) -> None:
        error = (
            BadRequest if role_id not in self.custom else PermissionDenied if not self.full(caller) else None
        )
        if self.expect(
            error, lambda: self.clients[caller].roles.set_privileges(role_id, privileges=privileges)
        ):
            self.custom[role_id].privileges = frozenset(privileges)

    @rule(caller=st.sampled_from(CALLERS), role_id=consumes(roles))
    def delete_role(self, caller: str, role_id: str) -> None:
        held = any(u.role_id == role_id for u in self.users.values())
        error = (
            BadRequest
            if role_id not in self.custom
            else PermissionDenied
            if not self.full(caller)
            else BadRequest
            if held
            else None
        )
        if self.expect(error, lambda: self.clients[caller].roles.delete(role_id)):
            del self.custom[role_id]

    # --- members ---------------------------------------------------------------------------------------------

    def pick_role(self, data: st.DataObject) -> str:
        return data.draw(
            st.sampled_from(BUILT_INS + sorted(self.custom) + ["nosuchrole000000"])
            if data.draw(st.booleans())
            else st.sampled_from(["org_admin", *sorted(self.custom)])
        )

    @rule(caller=st.sampled_from(CALLERS), username=st.sampled_from(USERNAMES), data=st.data())
    def create_user(self, caller: str, username: str, data: st.DataObject) -> None:
        role_id = self.pick_role(data)
        error: type[ArcGISError] | None = None
        if "portal:admin:inviteUsers" not in self.privileges(self.users[caller].role_id):
            error = PermissionDenied
        elif username in self.users or not self.role_exists(role_id):
            error = BadRequest
        elif self.is_admin(role_id) and not self.full(caller):
            error = PermissionDenied
        if self.expect(
            error,
            lambda: self.clients[caller].users.create(
                username=username, password=PASSWORD, email=f"{username}@example.test", role=role_id
            ),
        ):
            self.users[username] = ModelUser(role_id)
            self.clients[username] = client_for(self.fake, username, PASSWORD)

    @rule(
        caller=st.sampled_from(CALLERS),
        username=st.sampled_from(USERNAMES + ["manager", "admin"]),
        data=st.data(),
    )
    def update_role(self, caller: str, username: str, data: st.DataObject) -> None:
        role_id = self.pick_role(data)
        error: type[ArcGISError] | None = None
        if "portal:admin:changeUserRoles" not in self.privileges(self.users[caller].role_id):
            error = PermissionDenied
        elif username not in self.users or not self.role_exists(role_id):
            error = BadRequest
        if error is None:
            error = self.may_act_on(caller, username, "portal:admin:changeUserRoles")
        if error is None and self.is_admin(role_id) and not self.full(caller):
            error = PermissionDenied
        if self.expect(error, lambda: self.clients[caller].users.update_role(user=username, role=role_id)):
            self.users[username].role_id = role_id

    # The two callers are never disabled or deleted by the other (either may become a default administrator):
    # they stay callers. Acting on oneself is tried, and refused.
    @rule(caller=st.sampled_from(CALLERS), data=st.data(), disabled=st.booleans())
    def disable_or_enable(self, caller: str, data: st.DataObject, disabled: bool) -> None:
        username = data.draw(st.sampled_from([*USERNAMES, caller]))
        ops = self.clients[caller].users
        if self.expect(
            self.may_act_on(caller, username, "portal:admin:disableUsers"),
            lambda: ops.disable(username) if disabled else ops.enable(username),
        ):
            self.users[username].disabled = disabled

    @rule(caller=st.sampled_from(CALLERS), data=st.data())
    def delete_user(self, caller: str, data: st.DataObject) -> None:
        username = data.draw(st.sampled_from([*USERNAMES, caller]))
        if self.expect(
            self.may_act_on(caller, username, "portal:admin:deleteUsers"),
            lambda: self.clients[caller].users.delete(username),
        ):
            del self.users[username]
            del self.clients[username]

    # --- invariants ------------------------------------------------------------------------------------------

    @invariant()
    def roles_and_members_match(self) -> None:
        assert self.fake_roles() == {i: (r.name, r.privileges) for i, r in self.custom.items()}
        assert self.fake_users() == {n: (u.role_id, u.disabled) for n, u in self.users.items()}

    @invariant()
    def members_see_their_privileges(self) -> None:
        for name, user in self.users.items():
            if user.disabled:
                continue
            me = self.clients[name].users.me()
            assert (me.role_id, frozenset(me.privileges or ())) == (
                user.role_id,
                self.privileges(user.role_id),
            )


IdentityMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestIdentityStateMachine = IdentityMachine.TestCase
