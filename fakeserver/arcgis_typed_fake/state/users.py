"""Users of the portal: accounts with salted password hashes, roles and the privileges they grant."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import Fault, bad_request, forbidden, not_found
from .invitations import DEFAULT_MINUTES, InvitationRecord, InvitationStore
from .roles import RoleRecord, RoleStore, validate_privileges
from .search import USER_ALIASES, USER_DEFAULT_FIELDS, USER_FIELDS, SearchIndex

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
        return self.role_record.level

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
        self.invitations = InvitationStore(now or (lambda: 0))
        self.password_iterations = password_iterations
        self.index = SearchIndex(USER_FIELDS, default_fields=USER_DEFAULT_FIELDS, aliases=USER_ALIASES)

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
) -> UserRecord:
    users = state.users
    if users.get(username) is not None:
        raise bad_request(f"Invalid parameter 'username': a user named '{username}' already exists.")
    if not username or len(username) > 128 or not set(username) <= USERNAME_CHARS:
        raise bad_request(f"Invalid parameter 'username': '{username}' is not a valid username.")
    try:
        record = users.roles.resolve(role or "org_user")
    except KeyError:
        raise bad_request(f"Invalid parameter 'role': unknown role '{role}'.") from None
    if record.is_admin and not caller.is_full_admin:
        raise forbidden("Only default administrators may give administrative roles.")
    _check_email(email)
    check_password(password, username)
    return state.add_user(
        username, password, role=record.id, email=email, first_name=first_name or "", last_name=last_name or "",
        full_name=full_name or "", description=description or "",
    )


_PROFILE_FIELDS = {"fullname": "full_name", "firstname": "first_name", "lastname": "last_name", "email": "email",
                   "description": "description", "tags": "tags", "access": "access", "culture": "culture",
                   "region": "region", "units": "units", "preferred_view": "preferred_view"}


def update_profile(state: PortalState, caller: UserRecord, username: str, *, clear_empty_fields: bool,
                   **fields: Any) -> UserRecord:
    target = state.require_user_visible(caller, username)
    if target is not caller:
        if not (caller.org_id == target.org_id and caller.has("portal:admin:updateUsers")):
            raise forbidden()
        _guard_administrator(caller, target)
    changes: dict[str, Any] = {}
    for wire, value in fields.items():
        if value is None or (value in ("", []) and not clear_empty_fields):
            continue
        changes[_PROFILE_FIELDS[wire]] = value
    if changes.get("email") is not None:
        _check_email(changes["email"])
    if "full_name" not in changes and ("first_name" in changes or "last_name" in changes):
        first, last = changes.get("first_name", target.first_name), changes.get("last_name", target.last_name)
        changes["full_name"] = " ".join(p for p in (first, last) if p) or target.username
    for name, value in changes.items():
        setattr(target, name, list(value) if name == "tags" else value)
    target.modified = state.now()
    state.users.reindex(target)
    return target


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
    state.users.remove(target)
    return target


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
