"""Users of the portal: accounts with salted password hashes, roles and the privileges they grant."""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import re
import secrets
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import Fault, bad_request, forbidden, not_found
from .invitations import (
    DEFAULT_MINUTES,
    GroupInvitationStore,
    InvitationRecord,
    InvitationStore,
)
from .licenses import USER_TYPES, LicenseStore, UserTypeDef, check_fits, default_user_type, resolve_user_type
from .locales import check_culture, check_region
from .notifications import NotificationStore
from .roles import RoleRecord, RoleStore, validate_privileges
from .search import USER_ALIASES, USER_DEFAULT_FIELDS, USER_FIELDS, SearchIndex
from .user_settings import SecurityConfig, UserDefaults

Thumbnail = tuple[str, bytes, "str | None"]  # file name, bytes, content type
MAX_THUMBNAIL_BYTES = 1024 * 1024
# the images a thumbnail may be (users, groups and items alike), by extension, with their content types
THUMBNAIL_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp"}

if TYPE_CHECKING:
    from .portal import PortalState

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-")


@attrs.define(eq=False)
class PasswordHash:
    """PBKDF2-HMAC-SHA256 with a random salt; compared in constant time."""

    salt: bytes
    digest: bytes
    iterations: int

    @classmethod
    def create(cls, password: str, iterations: int) -> PasswordHash:
        salt = secrets.token_bytes(16)
        return cls(salt, hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations), iterations)

    def matches(self, password: str) -> bool:
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), self.salt, self.iterations)
        return hmac.compare_digest(candidate, self.digest)

    def __repr__(self) -> str:
        return "PasswordHash(<hidden>)"


@attrs.define(eq=False)
class UserRecord:
    username: str
    id: str
    org_id: str
    role_id: str
    password: PasswordHash = attrs.field(repr=False)
    roles: RoleStore = attrs.field(repr=False, kw_only=True)
    full_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    description: str = ""
    access: str = "org"
    tags: list[str] = attrs.Factory(list)
    disabled: bool = False
    created: int = 0
    modified: int = 0
    last_login: int = -1
    culture: str = "en"
    region: str = ""
    units: str = "metric"
    preferred_view: str = ""
    user_type_id: str = "creatorUT"
    esri_access: str = "arcgisonly"
    thumbnail: str | None = None  # the file name, as `info/{name}` serves it
    thumbnail_data: bytes = attrs.field(default=b"", repr=False)
    thumbnail_type: str = "image/png"
    linked: set[str] = attrs.Factory(set)  # usernames (lower) of linked accounts

    @property
    def user_type(self) -> UserTypeDef:
        return USER_TYPES[self.user_type_id]

    @property
    def role_record(self) -> RoleRecord:
        return self.roles.require(self.role_id)

    @property
    def role(self) -> str:
        return self.role_record.base_role

    @property
    def privileges(self) -> tuple[str, ...]:
        return self.role_record.privileges

    @property
    def level(self) -> str:
        """Follows the user type (Viewer: 1, the others: 2), as in ArcGIS Enterprise 10.7 and later."""
        return str(self.user_type.level)

    def has(self, privilege: str) -> bool:
        return privilege in self.role_record.granted

    @property
    def is_admin(self) -> bool:
        return self.role_record.is_admin

    @property
    def is_full_admin(self) -> bool:
        """The built-in Administrator role: the only one that may manage roles and make or unmake administrators."""
        return self.role_id == "org_admin"


class UserStore:
    """Users by lower-cased username (usernames are case-insensitive in ArcGIS, shown as created)."""

    def __init__(self, password_iterations: int, roles: RoleStore, now: Callable[[], int] | None = None) -> None:
        self._by_name: dict[str, UserRecord] = {}
        self.roles = roles
        now = now or _epoch
        self.invitations = InvitationStore(now)
        self.new_id: Callable[[], str] = _random_id  # wire_identity gives the portal's ids
        self.group_invitations = GroupInvitationStore(now, self._next_id)
        self.notifications = NotificationStore(now, self._next_id)
        self.licenses = LicenseStore()
        self.defaults = UserDefaults()
        self.security = SecurityConfig()
        self.password_iterations = password_iterations
        self.index = SearchIndex(USER_FIELDS, default_fields=USER_DEFAULT_FIELDS, aliases=USER_ALIASES)

    def _next_id(self) -> str:
        return self.new_id()

    def __len__(self) -> int:
        return len(self._by_name)

    def __snapshot_restored__(self) -> None:  # a snapshot holds no search index (see snapshot.py)
        for user in self:
            self.reindex(user)

    def __iter__(self) -> Iterator[UserRecord]:
        return iter(self._by_name.values())

    def get(self, username: str) -> UserRecord | None:
        return self._by_name.get(username.lower())

    def require(self, username: str) -> UserRecord:
        user = self.get(username)
        if user is None:
            raise not_found("User", f"No user '{username}' is visible to the caller.")
        return user

    def add(
        self,
        *,
        username: str,
        password: str,
        id: str,
        org_id: str,
        role: str,
        now: int,
        full_name: str = "",
        email: str = "",
        first_name: str = "",
        last_name: str = "",
        description: str = "",
        access: str = "org",
        tags: list[str] | None = None,
        user_type: str | None = None,
    ) -> UserRecord:
        if not username or len(username) > 128 or not set(username) <= USERNAME_CHARS:
            raise bad_request(f"Invalid username '{username}'.")
        if self.get(username) is not None:
            raise Fault(409, f"A user named '{username}' already exists.")
        if len(password) < 8:
            raise bad_request("Passwords must be at least 8 characters long.")
        try:
            role_id = self.roles.resolve(role).id
        except KeyError:
            raise bad_request(f"Invalid parameter 'role': unknown role '{role}'.") from None
        if access not in ("private", "org", "public"):
            raise bad_request(f"Invalid access '{access}'.")
        role_record = self.roles.require(role_id)
        if user_type is None:
            type_def = default_user_type(role_record.id)
        else:
            if user_type not in USER_TYPES:
                raise bad_request(f"Invalid parameter 'userLicenseTypeId': unknown user type '{user_type}'.")
            type_def = USER_TYPES[user_type]
            check_fits(type_def, role_record.privileges, role_record.name)
        user = UserRecord(
            username=username,
            id=id,
            org_id=org_id,
            role_id=role_id,
            password=PasswordHash.create(password, self.password_iterations),
            roles=self.roles,
            full_name=full_name or " ".join(p for p in (first_name, last_name) if p) or username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            description=description,
            access=access,
            tags=list(tags or []),
            created=now,
            modified=now,
            user_type_id=type_def.id,
        )
        self._by_name[username.lower()] = user
        self.reindex(user)
        return user

    def reindex(self, user: UserRecord) -> None:
        self.index.put(
            user.username.lower(),
            {
                "username": user.username,
                "email": user.email,
                "accountid": user.org_id,
                "access": user.access,
                "role": user.role,
                "roleid": user.role_id,
                "level": user.level,
                "provider": "arcgis",
                "fullname": user.full_name,
                "firstname": user.first_name,
                "lastname": user.last_name,
                "description": user.description,
                "tags": list(user.tags),
                "created": user.created,
                "modified": user.modified,
                "lastlogin": user.last_login,
                "usertype": user.user_type_id,
            },
        )

    def remove(self, user: UserRecord) -> None:
        del self._by_name[user.username.lower()]
        self.index.remove(user.username.lower())

    def authenticate(self, username: str, password: str) -> UserRecord | None:
        """The user when the password matches and the account is enabled, else None (same cost either way)."""
        user = self.get(username)
        if user is None:
            PasswordHash.create(password, self.password_iterations)  # keep the timing of unknown users alike
            return None
        if not user.password.matches(password) or user.disabled:
            return None
        return user

    # --- roles: only default administrators manage them ------------------------------------------------------

    def holders(self, role_id: str) -> list[UserRecord]:
        return [u for u in self._by_name.values() if u.role_id == role_id]

    @staticmethod
    def _require_role_admin(caller: UserRecord) -> None:
        if not caller.is_full_admin:
            raise forbidden("Only default administrators may manage roles.")

    def create_role(self, caller: UserRecord, *, role_id: str, name: str, description: str | None,
                    now: int) -> RoleRecord:
        self._require_role_admin(caller)
        return self.roles.create(role_id, name, description or "", now)

    def update_role(self, caller: UserRecord, role_id: str, *, name: str | None, description: str | None,
                    now: int) -> RoleRecord:
        """Rename or describe a custom role (a missing role is 400, then non-administrators 403, as ArcGIS)."""
        self.roles.require(role_id)
        self._require_role_admin(caller)
        role = self.roles.custom(role_id)
        self.roles.update(role, name=name, description=description, now=now)
        return role

    def set_role_privileges(self, caller: UserRecord, role_id: str, privileges: object, now: int) -> RoleRecord:
        self.roles.require(role_id)
        self._require_role_admin(caller)
        role = self.roles.custom(role_id)
        if isinstance(privileges, dict) and set(privileges) == {"privileges"}:
            privileges = privileges["privileges"]
        if not isinstance(privileges, list):
            raise bad_request('Invalid parameter \'privileges\': expected {"privileges": [...]} or a list of strings.')
        granted = validate_privileges(privileges)
        members = self.holders(role.id)
        for member in members:  # every holder's user type must allow what the role would grant
            check_fits(member.user_type, granted, role.name, "privileges")
        role.set_privileges(granted)
        role.modified = now
        for user in members:  # the role and level they show (and search on) follow the privileges
            self.reindex(user)
        return role

    def delete_role(self, caller: UserRecord, role_id: str) -> RoleRecord:
        self.roles.require(role_id)
        self._require_role_admin(caller)
        role = self.roles.custom(role_id)
        members = self.holders(role.id)
        if members:
            raise bad_request(
                f"Role '{role.name}' is assigned to {len(members)} member(s); assign them another role first.",
                *sorted(u.username for u in members)[:10],
            )
        self.roles.remove(role)
        return role


# --- user administration: the rules of createUser, update, updateuserrole, disable / enable, delete, reset --------


def check_password(password: str, username: str, wire: str = "password") -> None:
    """The portal's default password policy: 8 or more characters, a letter and a digit, not the username."""
    if len(password) < 8 or not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise bad_request(f"Invalid parameter '{wire}': a password needs at least 8 characters, with at least one "
                          "letter and one digit.")
    if password.lower() == username.lower():
        raise bad_request(f"Invalid parameter '{wire}': the password may not be the username.")


def thumbnail_file_name(thumbnail: Thumbnail | None) -> str | None:
    """The file name to keep an uploaded image under (no folder part: no path traversal), checked before
    anything changes; None when no image was given."""
    if thumbnail is None:
        return None
    name, data, _ = thumbnail
    if len(data) > MAX_THUMBNAIL_BYTES:
        raise bad_request(f"Invalid parameter 'thumbnail': at most {MAX_THUMBNAIL_BYTES} bytes.")
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if ext not in THUMBNAIL_TYPES or base.startswith("."):
        raise bad_request(f"Invalid parameter 'thumbnail': expected a {', '.join(THUMBNAIL_TYPES)} image file.")
    return base


def _check_email(email: str) -> None:
    if not EMAIL.match(email):
        raise bad_request(f"Invalid parameter 'email': '{email}' is not an email address.")


def _guard_administrator(caller: UserRecord, target: UserRecord) -> None:
    """Only default administrators act on members who hold administrative privileges."""
    if target.is_admin and not caller.is_full_admin:
        raise forbidden("Only default administrators may manage administrators.")


def _member(state: PortalState, caller: UserRecord, username: str) -> UserRecord:
    """A member of the caller's organization that the caller can see (the same error when missing or hidden)."""
    target = state.require_user_visible(caller, username)
    if target.org_id != caller.org_id:
        raise forbidden()
    return target


def create_member(
    state: PortalState, caller: UserRecord, *, username: str, password: str, email: str, role: str | None,
    first_name: str | None, last_name: str | None, full_name: str | None, description: str | None,
    user_license_type: str | None = None,
) -> UserRecord:
    _check_username_free(state, username)
    record = _resolve_role(state, role)
    if record.is_admin and not caller.is_full_admin:
        raise forbidden("Only default administrators may give administrative roles.")
    return _new_member(state, username=username, password=password, email=email, role=record,
                       user_license_type=user_license_type, first_name=first_name or "", last_name=last_name or "",
                       full_name=full_name or "", description=description or "")


def _resolve_role(state: PortalState, role: str | None) -> RoleRecord:
    """The role a new member gets: the one given, else the new-member default, else User."""
    try:
        return state.users.roles.resolve(role or state.users.defaults.role or "org_user")
    except KeyError:
        raise bad_request(f"Invalid parameter 'role': unknown role '{role}'.") from None


def _new_member(state: PortalState, *, username: str, password: str, email: str, role: RoleRecord,
                user_license_type: str | None, **profile: str) -> UserRecord:
    """Checks and adds a built-in member (createUser and signUp); new-member defaults fill what is not given."""
    users = state.users
    _check_username_free(state, username)
    if not username or len(username) > 128 or not set(username) <= USERNAME_CHARS:
        raise bad_request(f"Invalid parameter 'username': '{username}' is not a valid username.")
    _check_email(email)
    check_password(password, username)
    type_id = user_license_type or users.defaults.user_license_type
    if type_id is not None:
        type_def = resolve_user_type(type_id, "userLicenseTypeId")
        if user_license_type is None and not type_def.allowed >= role.granted:
            type_def = default_user_type(role.id)  # a default that does not fit this role is skipped
        check_fits(type_def, role.privileges, role.name)
        _check_seats(state, type_def)
        type_id = type_def.id
    user = state.add_user(username, password, role=role.id, email=email, user_type=type_id, **profile)
    user.esri_access = users.defaults.user_type or "arcgisonly"
    for group_id in users.defaults.groups:
        group = state.groups.get(group_id)
        if group is not None:
            state.groups.add_member(group, user.username)
    return user


def _check_username_free(state: PortalState, username: str) -> None:
    if state.users.get(username) is not None:
        raise bad_request(f"Invalid parameter 'username': a user named '{username}' already exists.")


def _check_seats(state: PortalState, type_def: UserTypeDef, leaving: UserTypeDef | None = None) -> None:
    if leaving is not None and leaving.id == type_def.id:
        return
    taken = sum(1 for u in state.users if u.user_type_id == type_def.id)
    if taken >= state.users.licenses.max_users[type_def.id]:
        raise bad_request(f"Invalid parameter 'userLicenseType': no '{type_def.id}' licenses are left.")


def signup(state: PortalState, *, username: str, password: str, fullname: str, email: str) -> UserRecord:
    """community/signUp: anyone, when the portal allows it; the new-member defaults apply."""
    if not state.users.security.allow_signup:
        raise forbidden("Self sign-up is turned off for this portal.")
    return _new_member(state, username=username, password=password, email=email, role=_resolve_role(state, None),
                       user_license_type=None, full_name=fullname)


_PROFILE_FIELDS = {"fullname": "full_name", "firstname": "first_name", "lastname": "last_name", "email": "email",
                   "description": "description", "tags": "tags", "access": "access", "culture": "culture",
                   "region": "region", "units": "units", "preferred_view": "preferred_view"}


def _self_or_user_admin(state: PortalState, caller: UserRecord, username: str) -> UserRecord:
    """The user themselves, or a member an administrator with portal:admin:updateUsers may change."""
    target = state.require_user_visible(caller, username)
    if target is not caller:
        if not (caller.org_id == target.org_id and caller.has("portal:admin:updateUsers")):
            raise forbidden()
        _guard_administrator(caller, target)
    return target


def update_profile(state: PortalState, caller: UserRecord, username: str, *, clear_empty_fields: bool,
                   thumbnail: Thumbnail | None = None, esri_access: str | None = None, **fields: Any) -> UserRecord:
    target = _self_or_user_admin(state, caller, username)
    thumbnail_name = thumbnail_file_name(thumbnail)
    if esri_access is not None and esri_access != target.esri_access and (
            target is caller or not caller.has("portal:admin:updateUsers")):
        raise forbidden("Only an administrator may change a member's Esri access, never their own.")
    changes: dict[str, Any] = {}
    for wire, value in fields.items():
        if value is None or (value in ("", []) and not clear_empty_fields):
            continue
        changes[_PROFILE_FIELDS[wire]] = value
    if changes.get("email") is not None:
        _check_email(changes["email"])
    if changes.get("culture"):
        changes["culture"] = check_culture(changes["culture"])
    if changes.get("region"):
        changes["region"] = check_region(changes["region"])
    if "full_name" not in changes and ("first_name" in changes or "last_name" in changes):
        first, last = changes.get("first_name", target.first_name), changes.get("last_name", target.last_name)
        changes["full_name"] = " ".join(p for p in (first, last) if p) or target.username
    for name, value in changes.items():
        setattr(target, name, list(value) if name == "tags" else value)
    if esri_access is not None:
        target.esri_access = esri_access
    if thumbnail_name is not None and thumbnail is not None:
        sent = thumbnail[2] or ""
        target.thumbnail, target.thumbnail_data = thumbnail_name, thumbnail[1]
        target.thumbnail_type = sent if sent.startswith("image/") else (
            mimetypes.guess_type(thumbnail_name)[0] or "image/png")
    target.modified = state.now()
    state.users.reindex(target)
    return target


def delete_thumbnail(state: PortalState, caller: UserRecord, username: str) -> UserRecord:
    target = _self_or_user_admin(state, caller, username)
    target.thumbnail, target.thumbnail_data = None, b""
    target.modified = state.now()
    return target


def thumbnail_of(state: PortalState, caller: UserRecord | None, username: str, file_name: str) -> UserRecord:
    user = state.require_user_visible(caller, username)
    if user.thumbnail is None or user.thumbnail != file_name:
        raise not_found("Resource", f"The user has no file '{file_name}'.")
    return user


def change_role(state: PortalState, caller: UserRecord, username: str, role: str) -> UserRecord:
    target = _member(state, caller, username)
    try:
        record = state.users.roles.resolve(role)
    except KeyError:
        raise bad_request(f"Invalid parameter 'role': unknown role '{role}'.") from None
    if target is caller:
        raise forbidden("You cannot change your own role.")
    _guard_administrator(caller, target)
    if record.is_admin and not caller.is_full_admin:
        raise forbidden("Only default administrators may give administrative roles.")
    check_fits(target.user_type, record.privileges, record.name)
    target.role_id = record.id
    target.modified = state.now()
    state.users.reindex(target)
    return target


def set_disabled(state: PortalState, caller: UserRecord, username: str, disabled: bool) -> UserRecord:
    target = _member(state, caller, username)
    if target is caller:
        raise forbidden("You cannot disable or enable your own account.")
    _guard_administrator(caller, target)
    target.disabled = disabled
    if disabled:
        state.tokens.revoke_user(target.username)
    return target


def delete_member(state: PortalState, caller: UserRecord, username: str) -> UserRecord:
    target = _member(state, caller, username)
    if target is caller:
        raise forbidden("You cannot delete your own account.")
    _guard_administrator(caller, target)
    name = target.username.lower()
    items = sorted(i.id for i in state.items if i.owner.lower() == name)
    groups = sorted(g.id for g in state.groups if g.owner.lower() == name)
    if items or groups:
        raise bad_request(
            f"User '{target.username}' owns {len(items)} item(s) and {len(groups)} group(s); reassign or delete "
            "them first.", *(items + groups)[:10],
        )
    state.groups.forget_user(target.username)  # group memberships and invitations
    state.items.forget_folders(target.username)  # empty folders go with the user
    state.tokens.revoke_user(target.username)
    _forget_identity(state, target)
    state.users.remove(target)
    return target


def _forget_identity(state: PortalState, user: UserRecord) -> None:
    """What a deleted member leaves: notifications, group invitations, provisions, links to their accounts."""
    users = state.users
    users.notifications.forget_user(user.username)
    users.group_invitations.forget_user(user.username)
    users.licenses.forget_user(user.username)
    for name in user.linked:
        other = users.get(name)
        if other is not None:
            other.linked.discard(user.username.lower())


def change_password(state: PortalState, caller: UserRecord, username: str, password: str,
                    new_password: str) -> UserRecord:
    target = state.require_user_visible(caller, username)
    if target is not caller:
        raise forbidden("Only the user may change their password with the current one.")
    if not target.password.matches(password):
        raise bad_request("Invalid parameter 'password': the current password is not correct.")
    check_password(new_password, target.username, "newPassword")
    if new_password == password:
        raise bad_request("Invalid parameter 'newPassword': the new password must differ from the current one.")
    target.password = PasswordHash.create(new_password, state.users.password_iterations)
    target.modified = state.now()
    return target


def invite(
    state: PortalState, caller: UserRecord, emails: list[str], *, role: str | None, level: str | None,
    expiration: int | None, message: str | None, must_approve: bool,
) -> list[str]:
    """Invite each address; returns the ones not invited (malformed, already a member, already invited)."""
    try:
        record = state.users.roles.resolve(role or "org_user")
    except KeyError:
        raise bad_request(f"Invalid parameter 'role': unknown role '{role}'.") from None
    if record.is_admin and not caller.is_full_admin:
        raise forbidden("Only default administrators may invite administrators.")
    members = {u.email.lower() for u in state.users if u.org_id == caller.org_id and u.email}
    not_invited: list[str] = []
    now = state.now()
    for email in emails:
        address = email.strip()
        if not EMAIL.match(address) or address.lower() in members or state.users.invitations.pending_for(address):
            not_invited.append(email)
            continue
        state.users.invitations.add(InvitationRecord(
            id=state.ids.new(), email=address, role_id=record.id, level=level or record.level,
            invited_by=caller.username, message=message or "", must_approve=must_approve, created=now,
            expiration=now + 60_000 * (expiration or DEFAULT_MINUTES),
        ))
    return not_invited


# --- reassigning content, levels and user types ------------------------------------------------------------------


def reassign(state: PortalState, caller: UserRecord, username: str, target_username: str) -> UserRecord:
    """Give all of a member's items and groups to another member; folders come along as `<user>_<folder>`."""
    source = _member(state, caller, username)
    _guard_administrator(caller, source)
    target = state.users.get(target_username)
    if target is None or target.org_id != caller.org_id or target.disabled:
        raise bad_request(f"Invalid parameter 'targetUsername': no enabled member '{target_username}'.")
    if target is source:
        raise bad_request("Invalid parameter 'targetUsername': the member already owns their content.")
    items = [i for i in state.items if i.owner.lower() == source.username.lower()]
    groups = [g for g in state.groups if g.owner.lower() == source.username.lower()]
    if items and not target.has("portal:user:createItem") or groups and not target.has("portal:user:createGroup"):
        raise bad_request(f"Invalid parameter 'targetUsername': '{target.username}' may not own this content.")
    folders = {f.id: f for f in state.items.folders(source.username)}
    moved: dict[str, str] = {}  # old folder id -> new folder id
    for item in items:
        folder_id = None
        if item.folder_id is not None and item.folder_id in folders:
            if item.folder_id not in moved:
                title = f"{source.username}_{folders[item.folder_id].title}"
                existing = state.items.folder(target.username, title)
                moved[item.folder_id] = existing.id if existing else state.add_folder(target.username, title).id
            folder_id = moved[item.folder_id]
        state.items.change_owner(item, target.username, folder_id)
    for group in groups:
        state.groups.reassign(caller, group.id, target.username)
    return source


def set_level(state: PortalState, caller: UserRecord, username: str | None, level: str) -> UserRecord:
    """updateUserLevel: level 1 is the Viewer user type, level 2 Creator (kept when already level 2)."""
    if not username:
        raise bad_request("Invalid parameter 'user': the member's username is required.")
    target = _member(state, caller, username)
    _guard_administrator(caller, target)
    if str(target.user_type.level) == level:
        return target
    return _set_user_type(state, target, USER_TYPES["viewerUT" if level == "1" else "creatorUT"], "level")


def _set_user_type(state: PortalState, target: UserRecord, type_def: UserTypeDef, wire: str) -> UserRecord:
    role = target.role_record
    check_fits(type_def, role.privileges, role.name, wire)
    if type_def.level == 1:
        name = target.username.lower()
        owned = sum(1 for i in state.items if i.owner.lower() == name) + sum(
            1 for g in state.groups if g.owner.lower() == name)
        if owned:
            raise bad_request(f"Invalid parameter '{wire}': '{target.username}' owns {owned} item(s) or group(s); "
                              "a level 1 member may own none. Reassign them first.")
    _check_seats(state, type_def, leaving=target.user_type)
    target.user_type_id = type_def.id
    target.modified = state.now()
    state.users.reindex(target)
    return target


def set_user_types(state: PortalState, caller: UserRecord, usernames: list[str],
                   user_type: str) -> list[tuple[str, Fault | None]]:
    """updateUserLicenseType: each member changes, or is refused with the reason; the others go on."""
    type_def = resolve_user_type(user_type)
    results: list[tuple[str, Fault | None]] = []
    for name in usernames:
        try:
            target = _member(state, caller, name)
            _guard_administrator(caller, target)
            _set_user_type(state, target, type_def, "userLicenseType")
        except Fault as fault:
            results.append((name, fault))
        else:
            results.append((target.username, None))
    return results


def groups_of_users(state: PortalState, caller: UserRecord, usernames: list[str],
                    limit: int | None) -> list[tuple[str, list[str]]]:
    if len(usernames) > 25:
        raise bad_request("Invalid parameter 'users': at most 25 usernames at a time.")
    found = []
    for name in usernames:
        user = state.users.get(name)
        if user is None or user.org_id != caller.org_id:
            raise bad_request(f"Invalid parameter 'users': no member '{name}'.")
        ids = sorted(state.groups.groups_of(user.username))
        found.append((user.username, ids[:limit] if limit else ids))
    return found


# --- linked accounts ----------------------------------------------------------------------------------------------


def _own_account(state: PortalState, caller: UserRecord, username: str) -> None:
    if state.require_user_visible(caller, username) is not caller:
        raise forbidden("Only the user may link or unlink accounts of theirs.")


def link(state: PortalState, caller: UserRecord, username: str, other: str, other_token: str) -> UserRecord:
    _own_account(state, caller, username)
    record = state.tokens.lookup(other_token)
    target = state.users.get(other)
    if target is None or record is None or record.username.lower() != target.username.lower() or target.disabled:
        raise bad_request("Invalid parameter 'userToken': not a valid token of that account.")
    if target is caller:
        raise bad_request("Invalid parameter 'user': an account cannot be linked to itself.")
    caller.linked.add(target.username.lower())
    target.linked.add(caller.username.lower())
    return target


def unlink(state: PortalState, caller: UserRecord, username: str, other: str) -> None:
    _own_account(state, caller, username)
    if other.lower() not in caller.linked:
        raise bad_request(f"Invalid parameter 'user': '{other}' is not linked to this account.")
    caller.linked.discard(other.lower())
    target = state.users.get(other)
    if target is not None:
        target.linked.discard(caller.username.lower())


def self_or_user_viewer(state: PortalState, caller: UserRecord, username: str) -> UserRecord:
    """The user themselves, or a member an administrator with portal:admin:viewUsers may look into."""
    target = state.require_user_visible(caller, username)
    if target is not caller and not (caller.org_id == target.org_id and caller.has("portal:admin:viewUsers")):
        raise forbidden()
    return target


def linked_of(state: PortalState, caller: UserRecord, username: str) -> list[UserRecord]:
    target = self_or_user_viewer(state, caller, username)
    found = [u for u in (state.users.get(n) for n in sorted(target.linked)) if u is not None]
    return found


def _epoch() -> int:
    return 0


def _random_id() -> str:
    return secrets.token_hex(16)
