"""Groups: who owns, manages and belongs to them, who may see them, invitations and join requests.

Visibility: a public group is seen by everybody (anonymous callers too), an org group by the members of its
organization, a private group by its members, the users invited to it and administrators with
portal:admin:viewGroups. Owners and managers (`admin` members) administer a group; organization
administrators act with the portal:admin:* group privileges. Membership changes reach the item store, which
caches per-caller visibility (items shared with a group are visible to its members).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet

import attrs

from ..errors import Fault, bad_request, forbidden, not_found
from .categories import CategoryStore, category_terms, matches_terms
from .items import ItemStore
from .search import GROUP_ALIASES, GROUP_DEFAULT_FIELDS, GROUP_FIELDS, QuerySyntaxError, SearchIndex
from .users import Thumbnail, UserRecord, UserStore, thumbnail_file_name

GROUP_ACCESS = ("private", "org", "public")
MAX_USERS_PER_REQUEST = 25
SHARED_UPDATE = "updateitemcontrol"


@attrs.define(eq=False)
class Application:
    username: str
    received: int
    comments: str = ""


@attrs.frozen
class Notification:
    group_id: str
    sender: str
    subject: str
    message: str
    recipients: tuple[str, ...]
    channel: str
    sent: int


@attrs.define(eq=False)
class GroupRecord:
    id: str
    title: str
    owner: str
    org_id: str
    created: int
    modified: int
    access: str = "private"
    description: str = ""
    snippet: str = ""
    phone: str = ""
    tags: list[str] = attrs.Factory(list)
    sort_field: str = "title"
    sort_order: str = "asc"
    is_invitation_only: bool = False
    is_view_only: bool = False
    auto_join: bool = False
    leaving_disallowed: bool = False
    hidden_members: bool = False
    is_open_data: bool = False
    capabilities: list[str] = attrs.Factory(list)
    provider: str | None = None
    provider_group_name: str | None = None
    max_file_size: int | None = None
    display_settings: object = None
    protected: bool = False
    # username (lower) -> "owner" | "admin" | "member"; the owner is always a member of type "owner"
    members: dict[str, str] = attrs.Factory(dict)
    applications: dict[str, Application] = attrs.Factory(dict)  # username (lower) -> request
    invitations: dict[str, tuple[str, int]] = attrs.Factory(dict)  # username (lower) -> (role, expires ms)
    categories: CategoryStore = attrs.Factory(CategoryStore)
    # paths of the organization's category schema the group is filed under (group search's categoryFilters)
    org_categories: list[str] = attrs.Factory(list)
    thumbnail: str | None = None  # the file name, as `info/{name}` serves it
    thumbnail_data: bytes = attrs.field(default=b"", repr=False)
    thumbnail_type: str = "image/png"

    @property
    def shared_update(self) -> bool:
        return SHARED_UPDATE in (c.lower() for c in self.capabilities)


class GroupStore:
    """Groups by id, memberships by user, a search index; every rule that acts on groups."""

    def __init__(self, users: UserStore, items: ItemStore, now: Callable[[], int], new_id: Callable[[], str]) -> None:
        self._groups: dict[str, GroupRecord] = {}
        self._of_user: dict[str, set[str]] = {}  # username (lower) -> group ids
        self.users = users
        self.items = items
        self.now = now
        self.new_id = new_id
        self.notifications: list[Notification] = []  # every notification sent, oldest first
        # what members are told of (invitations, join requests and answers, messages); set by the identity state
        self.on_event: Callable[..., None] = ignore_event  # the identity state reports events as notifications
        self.index = SearchIndex(GROUP_FIELDS, default_fields=GROUP_DEFAULT_FIELDS, aliases=GROUP_ALIASES)
        items.member_groups = self.groups_of

    def __snapshot_restored__(self) -> None:  # a snapshot holds no search index (see snapshot.py)
        for group in self:
            self.reindex(group)

    def __len__(self) -> int:
        return len(self._groups)

    def __iter__(self) -> Iterator[GroupRecord]:
        return iter(self._groups.values())

    # --- reading -------------------------------------------------------------------------------------------

    def get(self, group_id: str) -> GroupRecord | None:
        return self._groups.get(group_id)

    def all_of(self, ids: AbstractSet[str]) -> list[GroupRecord]:
        """The groups of `ids`, by title."""
        return sorted((self._groups[i] for i in ids if i in self._groups), key=lambda g: (g.title.lower(), g.id))

    def groups_of(self, username: str) -> AbstractSet[str]:
        return self._of_user.get(username.lower(), frozenset())

    def member_type(self, caller: UserRecord | None, group: GroupRecord) -> str:
        if caller is None:
            return "none"
        return group.members.get(caller.username.lower(), "none")

    def is_manager(self, caller: UserRecord | None, group: GroupRecord) -> bool:
        return self.member_type(caller, group) in ("owner", "admin")

    def _admin(self, caller: UserRecord, group: GroupRecord, privilege: str) -> bool:
        return caller.org_id == group.org_id and caller.has(privilege)

    def can_view(self, caller: UserRecord | None, group: GroupRecord) -> bool:
        if group.access == "public":
            return True
        if caller is None:
            return False
        name = caller.username.lower()
        if name in group.members or name in group.invitations:
            return True
        if caller.org_id != group.org_id:
            return False
        if group.access == "org":
            return True
        return caller.has("portal:admin:viewGroups")

    def visible(self, caller: UserRecord | None, group_id: str) -> GroupRecord:
        """The group, if `caller` may see it; the same error whether it is missing or hidden (as ArcGIS)."""
        group = self._groups.get(group_id)
        if group is None or not self.can_view(caller, group):
            raise not_found("Group", f"No group '{group_id}' is visible to the caller.")
        return group

    def thumbnail(self, caller: UserRecord | None, group_id: str, file_name: str) -> GroupRecord:
        group = self.visible(caller, group_id)
        if group.thumbnail is None or group.thumbnail != file_name:
            raise not_found("Resource", f"The group has no file '{file_name}'.")
        return group

    def search(self, caller: UserRecord | None, q: str) -> set[str]:
        try:
            matches = self.index.query(q)
        except QuerySyntaxError as exc:
            raise Fault(400, "Unable to perform query. Please check your parameters.", [str(exc)]) from None
        return {i for i in matches if self.can_view(caller, self._groups[i])}

    def in_categories(self, ids: AbstractSet[str], category_filters: str) -> set[str]:
        """The groups of `ids` filed under a category `category_filters` names (group search's categoryFilters)."""
        terms = category_terms(category_filters)
        return {i for i in ids if matches_terms(self._groups[i].org_categories, terms)}

    def file_under(self, group_id: str, schema: CategoryStore, categories: list[str]) -> GroupRecord:
        """File a group under categories of the organization's schema `schema` (replacing its categories); the
        fake's Python API, as no REST operation of the fake sets them."""
        group = self._groups.get(group_id)
        if group is None:
            raise not_found("Group")
        group.org_categories = schema.check_item_categories(categories)
        return group

    def page(self, ids: AbstractSet[str], *, sort_field: str | None, sort_order: str | None, start: int,
             num: int) -> list[GroupRecord]:
        fields = [f.strip() for f in (sort_field or "title").split(",") if f.strip()]
        try:
            ordered = self.index.page(ids, sort_fields=fields, descending=(sort_order == "desc"), start=start, num=num)
        except ValueError as exc:
            raise bad_request(f"Invalid sort field: {exc}") from None
        return [self._groups[i] for i in ordered]

    def members_view(self, caller: UserRecord | None, group_id: str) -> GroupRecord:
        group = self.visible(caller, group_id)
        if group.hidden_members and not (
            self.member_type(caller, group) != "none"
            or (caller is not None and self._admin(caller, group, "portal:admin:viewGroups"))
        ):
            raise forbidden("The members of this group are hidden.")
        return group

    # --- checks ----------------------------------------------------------------------------------------------

    def _check_access(self, caller: UserRecord, access: str) -> None:
        if access not in GROUP_ACCESS:
            raise bad_request(f"Invalid parameter 'access': '{access}' (expected private, org or public).")
        if access == "public" and not caller.has("portal:user:shareGroupToPublic"):
            raise forbidden("You do not have permissions to share groups publicly.")
        if access == "org" and not caller.has("portal:user:shareGroupToOrg"):
            raise forbidden("You do not have permissions to share groups with the organization.")

    def _managed(self, caller: UserRecord, group_id: str, admin_privilege: str) -> GroupRecord:
        group = self.visible(caller, group_id)
        if not (self.is_manager(caller, group) or self._admin(caller, group, admin_privilege)):
            raise forbidden()
        return group

    def _owned(self, caller: UserRecord, group_id: str, admin_privilege: str) -> GroupRecord:
        group = self.visible(caller, group_id)
        if not (self.member_type(caller, group) == "owner" or self._admin(caller, group, admin_privilege)):
            raise forbidden()
        return group

    # --- writing ---------------------------------------------------------------------------------------------

    def create(self, caller: UserRecord, *, title: str, tags: list[str], access: str | None,
               thumbnail: Thumbnail | None = None, **fields: object) -> GroupRecord:
        if not caller.has("portal:user:createGroup"):
            raise forbidden()
        if not title.strip():
            raise bad_request("Invalid parameter 'title': must not be empty.")
        if not [t for t in tags if t.strip()]:
            raise bad_request("Invalid parameter 'tags': at least one tag is required.")
        access = (access or "private").lower()
        self._check_access(caller, access)
        thumbnail_name = self._thumbnail_name(thumbnail)
        mine = self.groups_of(caller.username)
        if any(self._groups[g].title.lower() == title.strip().lower() and self._groups[g].owner == caller.username
               for g in mine):
            raise Fault(409, f"You already have a group named '{title.strip()}'. Try a different name.")
        now = self.now()
        group = GroupRecord(
            id=self.new_id(), title=title.strip(), owner=caller.username, org_id=caller.org_id, created=now,
            modified=now, access=access, tags=[t.strip() for t in tags if t.strip()],
            **{k: v for k, v in fields.items() if v is not None},  # type: ignore[arg-type]
        )
        self._set_thumbnail(group, thumbnail_name, thumbnail)
        self._groups[group.id] = group
        self._set_member(group, caller.username, "owner")
        self.reindex(group)
        return group

    def update(self, caller: UserRecord, group_id: str, *, clear_empty_fields: bool, thumbnail: Thumbnail | None = None,
               **fields: object) -> GroupRecord:
        group = self._managed(caller, group_id, "portal:admin:updateGroups")
        thumbnail_name = self._thumbnail_name(thumbnail)
        if fields.get("title") is not None and not str(fields["title"]).strip():
            raise bad_request("Invalid parameter 'title': must not be empty.")
        access = fields.get("access")
        if isinstance(access, str) and access.lower() != group.access:
            self._check_access(caller, access.lower())
            fields["access"] = access.lower()
        for name, value in fields.items():
            if value is None or (value == "" and not clear_empty_fields):
                continue
            if name == "tags" and not value and not clear_empty_fields:
                continue
            setattr(group, name, value)
        self._set_thumbnail(group, thumbnail_name, thumbnail)
        group.modified = self.now()
        self.reindex(group)
        self.items.invalidate()
        return group

    @staticmethod
    def _thumbnail_name(thumbnail: Thumbnail | None) -> str | None:
        """The file name to keep a thumbnail under, if it is acceptable (checked before anything changes)."""
        return thumbnail_file_name(thumbnail)

    @staticmethod
    def _set_thumbnail(group: GroupRecord, name: str | None, thumbnail: Thumbnail | None) -> None:
        if name is not None and thumbnail is not None:
            group.thumbnail, group.thumbnail_data = name, thumbnail[1]
            group.thumbnail_type = thumbnail[2] or "image/png"

    def delete(self, caller: UserRecord, group_id: str) -> GroupRecord:
        group = self._owned(caller, group_id, "portal:admin:deleteGroups")
        if group.protected:
            raise bad_request("Unable to delete group. Delete protection is turned on.")
        for name in list(group.members):
            self._of_user.get(name, set()).discard(group.id)
        del self._groups[group.id]
        self.index.remove(group.id)
        self.items.drop_group(group.id)
        return group

    def set_protected(self, caller: UserRecord, group_id: str, protected: bool) -> GroupRecord:
        group = self._owned(caller, group_id, "portal:admin:deleteGroups")
        group.protected = protected
        group.modified = self.now()
        return group

    def reassign(self, caller: UserRecord, group_id: str, target_username: str) -> GroupRecord:
        group = self._owned(caller, group_id, "portal:admin:reassignGroups")
        target = self.users.get(target_username)
        if target is None or target.org_id != group.org_id or target.disabled:
            raise bad_request(f"User '{target_username}' does not exist or cannot own the group.")
        if not target.has("portal:user:createGroup"):
            raise bad_request(f"User '{target.username}' does not have the privileges to own groups.")
        old_owner = group.owner
        if old_owner.lower() != target.username.lower():
            group.owner = target.username
            self._set_member(group, target.username, "owner")
            self._set_member(group, old_owner, "admin")  # the previous owner stays, as a manager
            group.modified = self.now()
            self.reindex(group)
        return group

    def add_users(self, caller: UserRecord, group_id: str, users: list[str], admins: list[str]) -> list[str]:
        group = self._managed(caller, group_id, "portal:admin:assignToGroups")
        if len(users) + len(admins) > MAX_USERS_PER_REQUEST:
            raise bad_request(f"At most {MAX_USERS_PER_REQUEST} users can be added in one request.")
        not_added = []
        for names, kind in ((users, "member"), (admins, "admin")):
            for name in names:
                user = self.users.get(name)
                if user is None or user.org_id != group.org_id or not user.has("portal:user:joinGroup"):
                    not_added.append(name)
                    continue
                current = group.members.get(user.username.lower())
                if current == "owner" or current == kind or (current == "admin" and kind == "member"):
                    continue
                self._set_member(group, user.username, kind)
        return not_added

    def remove_users(self, caller: UserRecord, group_id: str, users: list[str]) -> list[str]:
        group = self._managed(caller, group_id, "portal:admin:assignToGroups")
        not_removed = []
        for name in users:
            kind = group.members.get(name.lower())
            if kind is None or kind == "owner":
                not_removed.append(name)
                continue
            if kind == "admin" and self.member_type(caller, group) == "admin" and not self._admin(
                caller, group, "portal:admin:assignToGroups"
            ):
                not_removed.append(name)  # a manager cannot remove another manager
                continue
            self._remove_member(group, name)
        return not_removed

    def update_users(self, caller: UserRecord, group_id: str, users: list[str], admins: list[str]) -> list[tuple[str, bool]]:
        group = self._owned(caller, group_id, "portal:admin:assignToGroups")
        results = []
        for names, kind in ((admins, "admin"), (users, "member")):
            for name in names:
                current = group.members.get(name.lower())
                if current is None or current == "owner":
                    results.append((name, False))
                    continue
                user = self.users.get(name)
                self._set_member(group, user.username if user else name, kind)
                results.append((name, True))
        return results

    def join(self, caller: UserRecord, group_id: str) -> GroupRecord:
        group = self.visible(caller, group_id)
        name = caller.username.lower()
        if name in group.members:
            return group
        invitation = group.invitations.pop(name, None)
        if invitation is not None and invitation[1] >= self.now():
            self._set_member(group, caller.username, "admin" if invitation[0] == "group_admin" else "member")
            group.applications.pop(name, None)
            return group
        if group.is_invitation_only:
            raise forbidden("This group is invitation only; you cannot join it without an invitation.")
        if group.auto_join and caller.org_id == group.org_id:
            self._set_member(group, caller.username, "member")
            return group
        if name not in group.applications:
            group.applications[name] = Application(username=caller.username, received=self.now())
            managers = [m for m, kind in sorted(group.members.items()) if kind in ("owner", "admin")]
            self.on_event("group_join", group, managers, username=caller.username)
        return group

    def leave(self, caller: UserRecord, group_id: str) -> GroupRecord:
        group = self.visible(caller, group_id)
        kind = group.members.get(caller.username.lower())
        if kind is None:
            raise bad_request(f"User '{caller.username}' is not a member of this group.")
        if kind == "owner":
            raise bad_request("The group owner cannot leave the group; reassign it first.")
        if group.leaving_disallowed:
            raise forbidden("Members may not leave this group.")
        self._remove_member(group, caller.username)
        return group

    def invite(self, caller: UserRecord, group_id: str, users: list[str], role: str | None,
               expiration: int | None) -> list[str]:
        group = self._managed(caller, group_id, "portal:admin:assignToGroups")
        role = (role or "group_member").lower()
        if role == "group_admin" and not (self.member_type(caller, group) == "owner" or caller.is_admin):
            raise forbidden("Only the group owner may invite managers.")
        expires = self.now() + (expiration or 10080) * 60_000
        not_invited = []
        for name in users:
            user = self.users.get(name)
            if user is None or user.org_id != group.org_id:
                not_invited.append(name)
                continue
            if user.username.lower() not in group.members:
                group.invitations[user.username.lower()] = (role, expires)
                self.on_event("invited", group, [user.username], sender=caller.username, role=role, expiration=expires)
        self.items.invalidate()
        return not_invited

    def applications_of(self, caller: UserRecord, group_id: str) -> list[Application]:
        group = self._managed(caller, group_id, "portal:admin:assignToGroups")
        return sorted(group.applications.values(), key=lambda a: (a.received, a.username.lower()))

    def application(self, caller: UserRecord, group_id: str, username: str) -> Application:
        group = self._managed(caller, group_id, "portal:admin:assignToGroups")
        found = group.applications.get(username.lower())
        if found is None:
            raise bad_request(f"No request from '{username}' to join this group.")
        return found

    def decide(self, caller: UserRecord, group_id: str, username: str, accept: bool) -> GroupRecord:
        group = self._managed(caller, group_id, "portal:admin:assignToGroups")
        found = group.applications.pop(username.lower(), None)
        if found is None:
            raise bad_request(f"No request from '{username}' to join this group.")
        user = self.users.get(found.username)
        if accept and user is not None:
            self._set_member(group, user.username, "member")
        if user is not None:
            kind = "group_application_accepted" if accept else "group_application_declined"
            self.on_event(kind, group, [user.username])
        return group

    def assign_categories(self, caller: UserRecord, group_id: str, schema: object) -> GroupRecord:
        group = self._managed(caller, group_id, "portal:admin:updateGroups")
        group.categories.assign(schema)
        group.modified = self.now()
        return group

    def managed_by(self, caller: UserRecord, group_id: str) -> GroupRecord:
        """The group, if the caller owns or manages it or administers groups (forbidden otherwise)."""
        return self._managed(caller, group_id, "portal:admin:updateGroups")

    def set_item_categories(self, group: GroupRecord, item_id: str, categories: object) -> None:
        """Set the group content categories of an item shared with the group (the caller manages the group)."""
        item = self.items.get(item_id)
        if item is None or group.id not in item.groups:
            raise bad_request(f"Item '{item_id}' is not shared with group '{group.id}'.")
        paths = group.categories.check_item_categories(categories)
        if paths:
            item.group_categories[group.id] = paths
        else:
            item.group_categories.pop(group.id, None)

    def notify(self, caller: UserRecord, group_id: str, *, subject: str, message: str, users: list[str],
               channel: str | None) -> Notification:
        group = self._managed(caller, group_id, "portal:admin:updateGroups")
        if not subject.strip() or not message.strip():
            raise bad_request("A notification needs a subject and a message.")
        outside = [u for u in users if u.lower() not in group.members]
        if outside:
            raise bad_request(f"Not members of the group: {', '.join(outside)}.")
        recipients = tuple(sorted({u.lower() for u in users} if users else set(group.members)))
        note = Notification(group.id, caller.username, subject, message, recipients, (channel or "email").lower(),
                            self.now())
        self.notifications.append(note)
        if note.channel == "builtin":
            self.on_event("message", group, list(recipients), sender=caller.username, subject=subject,
                          message=message, channel=note.channel)
        return note

    def add_member(self, group: GroupRecord, username: str) -> None:
        """Make a user a member (new-member defaults), unless they already belong."""
        if username.lower() not in group.members:
            self._set_member(group, username, "member")

    def decline_invitation(self, group: GroupRecord, username: str) -> None:
        group.invitations.pop(username.lower(), None)
        self.items.invalidate()

    def forget_user(self, username: str) -> None:
        """A user was deleted: they leave every group, and their requests and invitations go."""
        name = username.lower()
        for group_id in list(self._of_user.pop(name, set())):
            group = self._groups.get(group_id)
            if group is not None and group.members.get(name) != "owner":
                group.members.pop(name, None)
                self.items.unshare_owned(username, group_id)
        for group in self._groups.values():
            group.applications.pop(name, None)
            group.invitations.pop(name, None)
        self.items.invalidate()

    # --- internals -------------------------------------------------------------------------------------------

    def _set_member(self, group: GroupRecord, username: str, kind: str) -> None:
        group.members[username.lower()] = kind
        group.invitations.pop(username.lower(), None)
        group.applications.pop(username.lower(), None)
        self._of_user.setdefault(username.lower(), set()).add(group.id)
        self.items.invalidate()

    def _remove_member(self, group: GroupRecord, username: str) -> None:
        group.members.pop(username.lower(), None)
        self._of_user.get(username.lower(), set()).discard(group.id)
        self.items.unshare_owned(username, group.id)  # their own items leave the group; nobody else's do
        self.items.invalidate()

    def reindex(self, group: GroupRecord) -> None:
        self.index.put(
            group.id,
            {
                "id": group.id,
                "title": group.title,
                "owner": group.owner,
                "tags": list(group.tags),
                "snippet": group.snippet,
                "description": group.description,
                "access": group.access,
                "accountid": group.org_id,
                "isinvitationonly": "true" if group.is_invitation_only else "false",
                "isviewonly": "true" if group.is_view_only else "false",
                "capabilities": list(group.capabilities),
                "created": group.created,
                "modified": group.modified,
            },
        )


def ignore_event(kind: str, group: GroupRecord, recipients: list[str], **data: object) -> None:
    """The group store's event hook until the identity state wires its own."""
