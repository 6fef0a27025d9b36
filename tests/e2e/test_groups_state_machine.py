"""A hypothesis state machine over users, groups, memberships, invitations, join requests and item sharing,
driven through the typed clients and compared with a plain model of who may see what.

The invariant: for every caller (each user and anonymous), a group search for everything returns exactly the
groups the model says they may see, an item search for everything exactly the items, and every visible
group's content exactly the items shared with it that they may see. Each rule predicts success, 403
(PermissionDenied) or the "does not exist or is inaccessible" 400 (BadRequest) from the model, and refused
operations leave the fake's state untouched. Deleted groups stay in play, to be refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import attrs
import hypothesis.strategies as st
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import client_for, password_of
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

ROLES = {"admin": "org_admin", "alice": "org_user", "bob": "org_user", "carl": "org_user", "vic": "viewer"}
USERS = sorted(ROLES)
OWNERS = ["admin", "alice", "bob", "carl"]  # the viewer can create neither groups nor items
CALLERS = [*USERS, None]


@attrs.define
class ModelGroup:
    owner: str
    access: str
    invitation_only: bool
    view_only: bool
    members: dict[str, str] = attrs.Factory(dict)  # username -> owner / admin / member
    applications: set[str] = attrs.Factory(set)
    invited: dict[str, str] = attrs.Factory(dict)  # username -> group_member / group_admin
    protected: bool = False


@attrs.define
class ModelItem:
    owner: str
    access: str = "private"  # private / org / public, before groups
    groups: set[str] = attrs.Factory(set)


def is_admin(user: str | None) -> bool:
    return user is not None and ROLES[user] == "org_admin"


class GroupsMachine(RuleBasedStateMachine):
    groups = Bundle("groups")
    items = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=5)
        for name, role in ROLES.items():
            if name != "admin":
                self.fake.portal.add_user(name, password_of(name), role=role)
        self.clients: dict[str | None, PortalClient] = {name: client_for(self.fake, name) for name in USERS}
        self.clients[None] = client_for(self.fake)
        self.model_groups: dict[str, ModelGroup] = {}
        self.model_items: dict[str, ModelItem] = {}
        self.counter = 0

    # --- the model's rules ---------------------------------------------------------------------------------

    def sees_group(self, who: str | None, gid: str) -> bool:
        g = self.model_groups.get(gid)
        if g is None:
            return False
        if g.access == "public":
            return True
        if who is None:
            return False
        return who in g.members or who in g.invited or g.access == "org" or is_admin(who)

    def groups_of(self, who: str | None) -> set[str]:
        return {gid for gid, g in self.model_groups.items() if who is not None and who in g.members}

    def sees_item(self, who: str | None, iid: str) -> bool:
        item = self.model_items[iid]
        if item.access == "public":
            return True
        if who is None:
            return False
        return (who == item.owner or item.access == "org" or is_admin(who)
                or bool(item.groups & self.groups_of(who)))

    def manages(self, who: str, gid: str) -> bool:
        return self.model_groups[gid].members.get(who) in ("owner", "admin") or is_admin(who)

    def drop_member(self, gid: str, who: str) -> None:
        del self.model_groups[gid].members[who]
        for item in self.model_items.values():
            if item.owner == who:
                item.groups.discard(gid)

    def fake_state(self) -> object:
        portal = self.fake.portal
        return (
            sorted((g.id, g.owner, g.protected, tuple(sorted(g.members.items())), tuple(sorted(g.applications)),
                    tuple(sorted(g.invitations))) for g in portal.groups),
            sorted((i.id, i.access, tuple(sorted(i.groups))) for i in portal.items),
        )

    @contextmanager
    def expect(self, error: type[ArcGISError] | None) -> Iterator[None]:
        """Run a request that must succeed (error None) or raise `error` and change nothing."""
        if error is None:
            yield
            return
        before = self.fake_state()
        try:
            yield
        except error:
            pass
        else:
            raise AssertionError(f"expected {error.__name__}")
        assert self.fake_state() == before

    def group_error(self, who: str, gid: str, *, manage: bool = False,
                    owner_only: bool = False) -> type[ArcGISError] | None:
        if not self.sees_group(who, gid):
            return BadRequest
        g = self.model_groups[gid]
        if owner_only and not (g.members.get(who) == "owner" or is_admin(who)):
            return PermissionDenied
        if manage and not self.manages(who, gid):
            return PermissionDenied
        return None

    # --- rules ---------------------------------------------------------------------------------------------

    @rule(target=groups, owner=st.sampled_from(OWNERS), access=st.sampled_from(["private", "org", "public"]),
          invitation_only=st.booleans(), view_only=st.booleans())
    def create_group(self, owner: str, access: str, invitation_only: bool, view_only: bool) -> str:
        self.counter += 1
        gid = self.clients[owner].groups.create(
            title=f"Group {self.counter}", tags=["t"], access=access, is_invitation_only=invitation_only,
            is_view_only=view_only).group.id
        self.model_groups[gid] = ModelGroup(owner, access, invitation_only, view_only, members={owner: "owner"})
        return gid

    @rule(target=items, owner=st.sampled_from(OWNERS), access=st.sampled_from(["private", "org", "public"]))
    def create_item(self, owner: str, access: str) -> str:
        self.counter += 1
        client = self.clients[owner]
        iid = client.content.add_item(owner, title=f"Item {self.counter}", type="CSV", text="a\n1\n").id
        if access != "private":
            client.content.share(iid, everyone=access == "public", org=True)
        self.model_items[iid] = ModelItem(owner, access)
        return iid

    @rule(who=st.sampled_from(USERS), gid=groups, user=st.sampled_from(USERS), as_admin=st.booleans())
    def add_user(self, who: str, gid: str, user: str, as_admin: bool) -> None:
        error = self.group_error(who, gid, manage=True)
        with self.expect(error):
            kw = {"admins": [user]} if as_admin else {"users": [user]}
            assert self.clients[who].groups.add_users(gid, **kw).not_added == []  # type: ignore[arg-type]
        if error is None:
            g = self.model_groups[gid]
            current = g.members.get(user)
            if current != "owner" and not (current == "admin" and not as_admin):
                g.members[user] = "admin" if as_admin else "member"
            g.invited.pop(user, None)
            g.applications.discard(user)

    @rule(who=st.sampled_from(USERS), gid=groups, user=st.sampled_from(USERS))
    def remove_user(self, who: str, gid: str, user: str) -> None:
        error = self.group_error(who, gid, manage=True)
        with self.expect(error):
            not_removed = self.clients[who].groups.remove_users(gid, users=[user]).not_removed
        if error is None:
            g = self.model_groups[gid]
            kind = g.members.get(user)
            refused = kind is None or kind == "owner" or (
                kind == "admin" and g.members.get(who) == "admin" and not is_admin(who))
            assert not_removed == ([user] if refused else [])
            if not refused:
                self.drop_member(gid, user)

    @rule(who=st.sampled_from(USERS), gid=groups)
    def join(self, who: str, gid: str) -> None:
        g = self.model_groups.get(gid)
        error = self.group_error(who, gid)
        if error is None and g is not None and who not in g.members and who not in g.invited and g.invitation_only:
            error = PermissionDenied
        with self.expect(error):
            self.clients[who].groups.join(gid)
        if error is None and g is not None and who not in g.members:
            if who in g.invited:
                g.members[who] = "admin" if g.invited.pop(who) == "group_admin" else "member"
                g.applications.discard(who)
            else:
                g.applications.add(who)

    @rule(who=st.sampled_from(USERS), gid=groups)
    def leave(self, who: str, gid: str) -> None:
        g = self.model_groups.get(gid)
        error = self.group_error(who, gid)
        if error is None and g is not None and g.members.get(who) in (None, "owner"):
            error = BadRequest
        with self.expect(error):
            self.clients[who].groups.leave(gid)
        if error is None:
            self.drop_member(gid, who)

    @rule(who=st.sampled_from(USERS), gid=groups, user=st.sampled_from(USERS), accept=st.booleans())
    def decide(self, who: str, gid: str, user: str, accept: bool) -> None:
        g = self.model_groups.get(gid)
        error = self.group_error(who, gid, manage=True)
        if error is None and g is not None and user not in g.applications:
            error = BadRequest
        with self.expect(error):
            ops = self.clients[who].groups
            (ops.accept if accept else ops.decline)(gid, user)
        if error is None and g is not None:
            g.applications.discard(user)
            if accept:
                g.members[user] = "member"
                g.invited.pop(user, None)

    @rule(who=st.sampled_from(USERS), gid=groups, user=st.sampled_from(USERS), manager=st.booleans())
    def invite(self, who: str, gid: str, user: str, manager: bool) -> None:
        g = self.model_groups.get(gid)
        error = self.group_error(who, gid, manage=True)
        if error is None and g is not None and manager and not (g.members.get(who) == "owner" or is_admin(who)):
            error = PermissionDenied
        role = "group_admin" if manager else "group_member"
        with self.expect(error):
            self.clients[who].groups.invite(gid, users=[user], role=role)
        if error is None and g is not None and user not in g.members:
            g.invited[user] = role

    @rule(who=st.sampled_from(USERS), gid=groups)
    def delete_group(self, who: str, gid: str) -> None:
        g = self.model_groups.get(gid)
        error = self.group_error(who, gid, owner_only=True)
        if error is None and g is not None and g.protected:
            error = BadRequest
        with self.expect(error):
            self.clients[who].groups.delete(gid)
        if error is None:
            del self.model_groups[gid]
            for item in self.model_items.values():
                item.groups.discard(gid)

    @rule(who=st.sampled_from(USERS), gid=groups, protect=st.booleans())
    def protect(self, who: str, gid: str, protect: bool) -> None:
        error = self.group_error(who, gid, owner_only=True)
        with self.expect(error):
            ops = self.clients[who].groups
            (ops.protect if protect else ops.unprotect)(gid)
        if error is None:
            self.model_groups[gid].protected = protect

    @rule(who=st.sampled_from(USERS), iid=items, gid=groups)
    def share(self, who: str, iid: str, gid: str) -> None:
        item = self.model_items[iid]
        error: type[ArcGISError] | None = None
        if not self.sees_item(who, iid):
            error = BadRequest
        elif who != item.owner and not is_admin(who):
            error = PermissionDenied
        with self.expect(error):
            not_shared = self.clients[who].content.share(iid, groups=[gid]).not_shared_with
        if error is None:
            g = self.model_groups.get(gid)
            ok = g is not None and self.sees_group(who, gid) and (
                is_admin(who) or (g.members.get(who) is not None
                                  and (not g.view_only or g.members[who] in ("owner", "admin"))))
            assert not_shared == ([] if ok else [gid])
            if ok:
                item.groups.add(gid)

    @rule(who=st.sampled_from(USERS), iid=items, gid=groups)
    def unshare(self, who: str, iid: str, gid: str) -> None:
        item = self.model_items[iid]
        error = None if self.sees_item(who, iid) else BadRequest
        with self.expect(error):
            not_unshared = self.clients[who].content.unshare(iid, groups=[gid]).not_unshared_from
        if error is None:
            ok = gid in self.model_groups and (who == item.owner or self.manages(who, gid))
            assert not_unshared == ([] if ok else [gid])
            if ok:
                item.groups.discard(gid)

    # the same rules with the actor most likely to succeed (the group's or item's owner), so that deep
    # states (members sharing, then leaving or being removed) are reached often

    def owner_of(self, gid: str) -> str:
        g = self.model_groups.get(gid)
        return g.owner if g is not None else "admin"

    @rule(gid=groups, user=st.sampled_from(USERS), as_admin=st.booleans())
    def owner_adds_user(self, gid: str, user: str, as_admin: bool) -> None:
        self.add_user(self.owner_of(gid), gid, user, as_admin)

    @rule(gid=groups, user=st.sampled_from(USERS))
    def owner_removes_user(self, gid: str, user: str) -> None:
        self.remove_user(self.owner_of(gid), gid, user)

    @rule(gid=groups, user=st.sampled_from(USERS), manager=st.booleans())
    def owner_invites(self, gid: str, user: str, manager: bool) -> None:
        self.invite(self.owner_of(gid), gid, user, manager)

    @rule(gid=groups, user=st.sampled_from(USERS), accept=st.booleans())
    def owner_decides(self, gid: str, user: str, accept: bool) -> None:
        self.decide(self.owner_of(gid), gid, user, accept)

    @rule(iid=items, gid=groups)
    def owner_shares(self, iid: str, gid: str) -> None:
        self.share(self.model_items[iid].owner, iid, gid)

    @rule(iid=items, gid=groups)
    def owner_unshares(self, iid: str, gid: str) -> None:
        self.unshare(self.model_items[iid].owner, iid, gid)

    @rule(gid=groups, iid=items, leave=st.booleans())
    def a_sharer_goes(self, gid: str, iid: str, leave: bool) -> None:
        """The owner of an item joins the group, shares the item with it, and then leaves or is removed."""
        who = self.model_items[iid].owner
        self.add_user(self.owner_of(gid), gid, who, False)
        self.share(who, iid, gid)
        if leave:
            self.leave(who, gid)
        else:
            self.remove_user(self.owner_of(gid), gid, who)

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def searches_return_exactly_what_the_model_allows(self) -> None:
        for who in CALLERS:
            client = self.clients[who]
            groups = {g.id for g in client.groups.search_all(q="*")}
            assert groups == {gid for gid in self.model_groups if self.sees_group(who, gid)}, who
            items = {i.id for i in client.content.search_all(q="*")}
            assert items == {iid for iid in self.model_items if self.sees_item(who, iid)}, who
            for gid in groups:
                content = {i.id for i in client.groups.content_all(gid)}
                expected = {iid for iid, it in self.model_items.items() if gid in it.groups and self.sees_item(who, iid)}
                assert content == expected, (who, gid)

    @invariant()
    def memberships_match(self) -> None:
        fake = {g.id: (g.owner, dict(g.members), set(g.applications), g.protected) for g in self.fake.portal.groups}
        model = {gid: (g.owner, dict(g.members), set(g.applications), g.protected) for gid, g in self.model_groups.items()}
        assert fake == model
        shared = {i.id: set(i.groups) for i in self.fake.portal.items}
        assert shared == {iid: item.groups for iid, item in self.model_items.items()}


GroupsMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestGroupsStateMachine = GroupsMachine.TestCase
