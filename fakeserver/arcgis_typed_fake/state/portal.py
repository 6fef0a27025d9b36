"""The state of one fake portal: its organization, users, tokens and items, and the rules that act on them.

Handlers call these methods; every check (privileges, ownership, visibility) and every error happens here.
"""

from __future__ import annotations

import attrs

from ..clock import Clock, Ids
from ..errors import INVALID_TOKEN, Fault, bad_request, forbidden, not_found
from . import items as items_rules
from .categories import CategoryStore
from .certificates import CertificateStore
from .data_store_items import DataStoreItemStore
from .dependencies import DependencyStore
from .groups import GroupStore
from .items import Folder, ItemRecord, ItemStore
from .marketplace import MarketplaceStore
from .notifications import wire_identity
from .org import OrgSettings
from .publishing import PublishingStore
from .roles import RoleStore
from .servers import FederatedServers
from .tokens import TokenStore
from .users import UserRecord, UserStore

MAX_ITEM_BYTES = 100 * 1024 * 1024
_ADMIN_SHARE_PRIVILEGES = ("portal:admin:shareToGroup", "portal:admin:shareToOrg", "portal:admin:shareToPublic")


@attrs.define(eq=False)
class Organization:
    id: str
    name: str
    url_key: str
    current_version: str = "2024.1"
    full_version: str = "11.4.0"
    portal_name: str = "ArcGIS Enterprise"
    description: str = ""
    can_share_public: bool = True
    can_search_public: bool = True
    created: int = 0
    settings: OrgSettings = attrs.Factory(OrgSettings)  # portals/self/settings and what portals/self/update sets
    modified: int = 0


class PortalState:
    def __init__(
        self,
        *,
        clock: Clock,
        ids: Ids,
        org_id: str,
        org_name: str,
        password_iterations: int,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.org = Organization(id=org_id, name=org_name, url_key=org_name.lower().replace(" ", ""), created=clock.now_ms())
        self.roles = RoleStore(clock.now_ms())
        self.users = UserStore(password_iterations, self.roles, clock.now_ms)
        self.items = ItemStore()
        self.groups = GroupStore(self.users, self.items, self.now, self.ids.new)
        self.categories = CategoryStore()
        self.tokens = TokenStore(clock.now_ms, ids.secret)
        self.publishing = PublishingStore(self)  # hosted services and their jobs (the app attaches the server)
        self.dependencies = DependencyStore(self)
        self.dependencies.related = self.items.relationships.destinations  # an item depends on what it relates to
        # Every organization of the portal by id: the home organization and others added with add_organization
        # (a marketplace needs vendors and purchasers); users and items belong to one through their org_id.
        self.organizations: dict[str, Organization] = {self.org.id: self.org}
        self.marketplace = MarketplaceStore(users=self.users, items=self.items, organizations=self.organizations,
                                            now=self.now, new_id=self.ids.new)
        self.certificates = CertificateStore(now=self.now, new_id=self.ids.new)
        wire_identity(self)  # notifications, group invitations: ids and the group store's events
        self.servers = FederatedServers()  # federated servers (portals/self/servers)
        self.data_store_items = DataStoreItemStore(self)  # data store items registered with those servers

    def now(self) -> int:
        return self.clock.now_ms()

    # --- organizations ---------------------------------------------------------------------------------------

    def add_organization(self, name: str, *, org_id: str | None = None) -> Organization:
        """Another organization of the portal (the home one is `org`); its members are users added with
        `add_user(..., org_id=org.id)`."""
        org_id = org_id or self.ids.new()[:16]
        if not name.strip() or org_id in self.organizations:
            raise bad_request(f"Invalid organization '{name}' ({org_id}): empty name or id already taken.")
        org = Organization(id=org_id, name=name.strip(), url_key=name.lower().replace(" ", ""), created=self.now())
        self.organizations[org_id] = org
        return org

    def org_of(self, user: UserRecord | None) -> Organization:
        """The organization a user belongs to (the home organization for anonymous callers)."""
        return self.organizations.get(user.org_id, self.org) if user is not None else self.org

    # --- accounts and tokens ---------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, *, role: str = "org_user", org_id: str | None = None,
                 **profile: object) -> UserRecord:
        if org_id is not None and org_id not in self.organizations:
            raise bad_request(f"No organization '{org_id}' (add it with add_organization).")
        return self.users.add(
            username=username, password=password, id=self.ids.new(), org_id=org_id or self.org.id, role=role,
            now=self.now(), **profile,  # type: ignore[arg-type]
        )

    def sign_in(self, username: str, password: str) -> UserRecord:
        user = self.users.authenticate(username, password)
        if user is None:
            raise Fault(400, "Unable to generate token.", ["Invalid username or password."])
        user.last_login = self.now()
        return user

    def caller_for(self, token: str, *, referer: str | None, ip: str | None) -> UserRecord:
        """The user a token belongs to, if the token is live, matches its binding and the user is enabled."""
        record = self.tokens.lookup(token)
        if record is None or record.kind == "refresh":  # a refresh token only buys access tokens
            raise Fault(498, INVALID_TOKEN)
        if record.referer is not None and record.referer != (referer or ""):
            raise Fault(498, INVALID_TOKEN)
        if record.ip is not None and record.ip != (ip or ""):
            raise Fault(498, INVALID_TOKEN)
        user = self.users.get(record.username)
        if user is None or user.disabled:
            self.tokens.revoke(token)
            raise Fault(498, INVALID_TOKEN)
        return user

    # --- items -----------------------------------------------------------------------------------------------

    def add_folder(self, username: str, title: str) -> Folder:
        owner = self.users.require(username)
        if not title.strip() or any(c in title for c in '/\\<>:"|?*'):
            raise bad_request(f"Invalid folder name '{title}'.")
        return self.items.add_folder(Folder(id=self.ids.new(), title=title.strip(), username=owner.username, created=self.now()))

    def add_item(
        self,
        caller: UserRecord,
        username: str,
        *,
        title: str,
        type: str,
        folder: str | None = None,
        data: bytes | None = None,
        data_name: str | None = None,
        data_type: str | None = None,
        text: str | None = None,
        url: str | None = None,
        **fields: object,
    ) -> ItemRecord:
        owner = self.users.require(username)
        if owner is not caller:
            raise forbidden("You can only add items to your own content.")
        if not caller.has("portal:user:createItem"):
            raise forbidden()
        if sum(v is not None for v in (data, text, url)) > 1:
            raise bad_request("Give the item's data as one of file, text or url, not several.")
        if not title.strip():
            raise bad_request("Invalid parameter 'title': must not be empty.")
        folder_id = None
        if folder is not None:
            found = self.items.folder(owner.username, folder)
            if found is None:
                raise bad_request(f"Folder '{folder}' does not exist.")
            folder_id = found.id
        now = self.now()
        item = ItemRecord(
            id=self.ids.new(), owner=owner.username, org_id=owner.org_id, title=title.strip(), type=type,
            created=now, modified=now, folder_id=folder_id, url=url or "", **fields,  # type: ignore[arg-type]
        )
        self._set_data(item, data, data_name, data_type, text)
        return self.items.add(item)

    def _set_data(
        self, item: ItemRecord, data: bytes | None, name: str | None, content_type: str | None, text: str | None
    ) -> None:
        if data is not None:
            if len(data) > MAX_ITEM_BYTES:
                raise bad_request(f"The file is larger than the {MAX_ITEM_BYTES} bytes this portal accepts.")
            item.data = data
            item.data_name = _safe_name(name) if name else None
            item.data_type = content_type or "application/octet-stream"
        elif text is not None:
            item.data = text.encode()
            item.data_name = None
            item.data_type = "application/json" if text.lstrip()[:1] in ("{", "[") else "text/plain"

    def update_item(
        self,
        caller: UserRecord,
        username: str,
        item_id: str,
        *,
        data: bytes | None = None,
        data_name: str | None = None,
        data_type: str | None = None,
        text: str | None = None,
        clear_empty_fields: bool = False,
        **fields: object,
    ) -> ItemRecord:
        item = self.items.owned_for(caller, item_id, username, "portal:admin:updateItems", group_edit=True)
        if "title" in fields and fields["title"] is not None and not str(fields["title"]).strip():
            raise bad_request("Invalid parameter 'title': must not be empty.")
        if data is not None and text is not None:
            raise bad_request("Give the item's data as one of file or text, not both.")
        for name, value in fields.items():
            if value is None:
                continue
            if value == "" and not clear_empty_fields:
                continue
            setattr(item, name, value)
        self._set_data(item, data, data_name, data_type, text)
        item.modified = self.now()
        self.items.reindex(item)
        return item

    def delete_item(self, caller: UserRecord, username: str, item_id: str) -> ItemRecord:
        item = items_rules.delete_item(self, caller, username, item_id)  # the rules of deleting live with the items
        self.marketplace.forget_item(item.id)
        return item

    def share_item(
        self, caller: UserRecord, item: ItemRecord, *, everyone: bool | None, org: bool | None, groups: list[str],
        confirm_item_control: bool = False,
    ) -> list[str]:
        """Set who an item is shared with; returns the groups it could not be shared with."""
        own = item.owner.lower() == caller.username.lower()
        if not own and caller.org_id != item.org_id:
            raise forbidden()
        if not own and not any(caller.has(p) for p in _ADMIN_SHARE_PRIVILEGES):
            raise forbidden()  # only the owner or an administrator may change an item's sharing

        def allowed(user_privilege: str, admin_privilege: str) -> bool:
            return caller.has(user_privilege) if own else caller.has(admin_privilege)

        access = item.access
        public = access == "public" if everyone is None else everyone
        org_wide = access in ("org", "public") if org is None else org
        if (
            public
            and access != "public"
            and not (self.org.can_share_public and allowed("portal:user:shareToPublic", "portal:admin:shareToPublic"))
        ):
            raise forbidden("You do not have permissions to share this item publicly.")
        if (org_wide or public) and access not in ("org", "public") and not allowed(
            "portal:user:shareToOrg", "portal:admin:shareToOrg"
        ):
            raise forbidden("You do not have permissions to share this item with the organization.")
        narrowing = everyone is False and access == "public" or org is False and access == "org"
        if not own and narrowing and not caller.has("portal:admin:updateItems"):
            raise forbidden()
        not_shared = [g for g in groups if not self._share_to_group(caller, item, g, own, confirm_item_control)]
        item.access = "public" if public else "org" if org_wide else ("shared" if item.groups else "private")
        item.modified = self.now()
        self.items.reindex(item)
        return not_shared

    def _share_to_group(self, caller: UserRecord, item: ItemRecord, group_id: str, own: bool, confirm: bool) -> bool:
        """Share with one group if the rules allow it: the caller belongs to the group (or administers the
        organization) with the right sharing privilege; only managers share into view-only groups; a
        shared-update group needs confirmItemControl."""
        group = self.groups.get(group_id)
        if group is None or not self.groups.can_view(caller, group):
            return False
        kind = self.groups.member_type(caller, group)
        admin = caller.org_id == group.org_id and caller.has("portal:admin:shareToGroup")
        if not admin:
            if not own or kind == "none" or not caller.has("portal:user:shareToGroup"):
                return False
            if group.is_view_only and kind not in ("owner", "admin"):
                return False
        if group.shared_update and not confirm and group_id not in item.groups:
            return False
        self.items.share_with_group(item, group_id, update=group.shared_update and (confirm or group_id in item.update_groups))
        return True

    def unshare_item(self, caller: UserRecord, item: ItemRecord, groups: list[str]) -> list[str]:
        """Stop sharing an item with groups: the owner and administrators may, and a group's owner and
        managers for their group; returns the groups it could not be unshared from."""
        own = item.owner.lower() == caller.username.lower()
        admin = caller.org_id == item.org_id and any(caller.has(p) for p in _ADMIN_SHARE_PRIVILEGES)
        not_unshared = []
        for group_id in groups:
            group = self.groups.get(group_id)
            if group is None or not (own or admin or self.groups.is_manager(caller, group)):
                not_unshared.append(group_id)
                continue
            if group_id in item.groups:
                self.items.unshare_from_group(item, group_id)
        item.modified = self.now()
        self.items.reindex(item)
        return not_unshared

    def set_item_categories(self, caller: UserRecord, item_id: str, categories: object) -> ItemRecord:
        """Set an item's content categories (its owner, or an administrator with portal:admin:updateItems)."""
        item = self.items.get(item_id)
        if item is None:
            raise not_found("Item")
        item = self.items.owned_for(caller, item_id, item.owner, "portal:admin:updateItems")
        item.categories = self.categories.check_item_categories(categories)
        item.modified = self.now()
        self.items.reindex(item)
        return item

    def require_visible_item(self, caller: UserRecord | None, item_id: str) -> ItemRecord:
        return self.items.visible(caller, item_id)

    def require_user_visible(self, caller: UserRecord | None, username: str) -> UserRecord:
        user = self.users.get(username)
        if user is None or not self.can_view_user(caller, user):
            raise not_found("User", f"No user '{username}' is visible to the caller.")
        return user

    def can_view_user(self, caller: UserRecord | None, user: UserRecord) -> bool:
        if user.access == "public":
            return True
        if caller is None:
            return False
        if caller is user or (caller.org_id == user.org_id and caller.has("portal:admin:viewUsers")):
            return True
        return user.access == "org" and caller.org_id == user.org_id


def _safe_name(name: str) -> str:
    """A file name without any folder part (no path traversal through uploaded names)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()  # no control characters (CR/LF, NUL)
    return base if base not in ("", ".", "..") else "data"
