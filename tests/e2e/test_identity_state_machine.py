"""A hypothesis state machine over users, roles, user types, group invitations and notifications: the default
administrator and a member administrator (a custom role with the member-administration privileges) create and
delete custom roles, set their privileges, create members, change their roles and levels, disable, enable and
delete them, invite members to a group and send them messages; members accept or decline their invitations -
all through typed clients - and a plain model says what must happen.

After every step the fake's roles, members (with their user types), the group's members, each member's pending
invitations and notifications must equal the model, and every enabled member's own view of their privileges
(community/self, with the token they already hold) must be what their role grants now. A member's role must fit
their user type (Viewer members hold only roles within the Viewer privileges). Refused operations raise the
documented error and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import hypothesis.strategies as st
import pytest
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.state.licenses import VIEWER_ALLOWED
from arcgis_typed_fake.state.roles import BUILT_IN_NAMES, BUILT_IN_ROLES, VIEWER_ROLE_ID
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
    user_type: str = "creatorUT"
    invited: bool = False  # a pending invitation to the group
    notes: list[str] = attrs.Factory(list)  # notification types received, in order


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
        group = self.clients["admin"].groups.create(title="Crew", tags=["crew"], is_invitation_only=True).group
        self.group_id = group.id
        self.members: set[str] = {"admin"}

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

    def fits(self, user_type: str, role_id: str) -> bool:
        return user_type != "viewerUT" or self.privileges(role_id) <= VIEWER_ALLOWED

    def fake_roles(self) -> dict[str, tuple[str, frozenset[str]]]:
        return {r.id: (r.name, frozenset(r.privileges)) for r in self.fake.portal.roles if not r.built_in}

    def fake_users(self) -> dict[str, tuple[str, bool, str]]:
        return {u.username: (u.role_id, u.disabled, u.user_type_id) for u in self.fake.portal.users}

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
        holders = [u for u in self.users.values() if u.role_id == role_id]
        if error is None and any(u.user_type == "viewerUT" for u in holders) and not set(privileges) <= VIEWER_ALLOWED:
            error = BadRequest  # a Viewer member holds the role
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
            self.users[username] = ModelUser(role_id, user_type="viewerUT" if role_id == VIEWER_ROLE_ID else "creatorUT")
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
        if error is None and not self.fits(self.users[username].user_type, role_id):
            error = BadRequest
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
            self.members.discard(username)

    # --- levels (user types) -----------------------------------------------------------------------------------

    @rule(caller=st.sampled_from(CALLERS), username=st.sampled_from(USERNAMES), level=st.sampled_from(["1", "2"]))
    def update_level(self, caller: str, username: str, level: str) -> None:
        error: type[ArcGISError] | None = None
        if "portal:admin:changeUserRoles" not in self.privileges(self.users[caller].role_id):
            error = PermissionDenied
        elif username not in self.users:
            error = BadRequest
        else:
            error = self.may_act_on(caller, username, "portal:admin:changeUserRoles")
        wanted = "viewerUT" if level == "1" else "creatorUT"
        if (error is None and level == "1" and self.users[username].user_type != "viewerUT"
                and not self.fits("viewerUT", self.users[username].role_id)):
            error = BadRequest
        if self.expect(error, lambda: self.clients[caller].users.update_level(user=username, level=level)):
            current = self.users[username].user_type
            if (current == "viewerUT") != (level == "1"):
                self.users[username].user_type = wanted

    # --- group invitations and notifications ------------------------------------------------------------------

    @rule(username=st.sampled_from(USERNAMES))
    def invite(self, username: str) -> None:
        result = self.clients["admin"].groups.invite(self.group_id, users=[username])
        if username not in self.users:
            assert result.not_invited == [username]
        elif username not in self.members:
            self.users[username].invited = True
            self.users[username].notes.append("user_invite")

    @rule(username=st.sampled_from(USERNAMES), accept=st.booleans())
    def answer(self, username: str, accept: bool) -> None:
        user = self.users.get(username)
        if user is None or user.disabled:
            return
        ops = self.clients[username].invitations
        listed = ops.user_invitations(username).user_invitations
        assert [i.target_id for i in listed] == ([self.group_id] if user.invited else [])
        if not user.invited:
            with pytest.raises(BadRequest):
                ops.accept(username, "noinvitation0000")
            return
        answer = ops.accept(username, listed[0].id) if accept else ops.decline(username, listed[0].id)
        assert answer.group_id == self.group_id
        user.invited = False
        if accept:
            self.members.add(username)
        self.users["admin"].notes.append("user_invitation_accepted" if accept else "user_invitation_declined")

    @rule(caller=st.sampled_from(CALLERS), data=st.data())
    def send_message(self, caller: str, data: st.DataObject) -> None:
        names = data.draw(st.lists(st.sampled_from(sorted(self.users)), min_size=1, max_size=3, unique=True))
        if "portal:admin:updateUsers" not in self.privileges(self.users[caller].role_id):
            with pytest.raises(PermissionDenied):
                self.clients[caller].notifications.send(users=names, subject="Hi", message="News")
            return
        assert self.clients[caller].notifications.send(users=names, subject="Hi", message="News").success
        for name in names:
            self.users[name].notes.append("message_received")

    # --- invariants ------------------------------------------------------------------------------------------

    @invariant()
    def roles_and_members_match(self) -> None:
        assert self.fake_roles() == {i: (r.name, r.privileges) for i, r in self.custom.items()}
        assert self.fake_users() == {n: (u.role_id, u.disabled, u.user_type) for n, u in self.users.items()}

    @invariant()
    def invitations_memberships_and_notifications_match(self) -> None:
        portal = self.fake.portal
        group = portal.groups.get(self.group_id)
        assert group is not None and set(group.members) == self.members
        for name, user in self.users.items():
            assert (name in group.invitations) == user.invited
            assert [r.type for r in reversed(portal.users.notifications.of(name))] == user.notes

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
