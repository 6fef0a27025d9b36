"""Users of the portal: accounts with salted password hashes, roles and the privileges they grant."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator

import attrs

from ..errors import Fault, bad_request, not_found
from .roles import BUILT_IN_ROLES, resolve_role
from .search import USER_ALIASES, USER_DEFAULT_FIELDS, USER_FIELDS, SearchIndex

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

    @property
    def role(self) -> str:
        return BUILT_IN_ROLES[self.role_id][0]

    @property
    def privileges(self) -> tuple[str, ...]:
        return BUILT_IN_ROLES[self.role_id][1]

    @property
    def level(self) -> str:
        return BUILT_IN_ROLES[self.role_id][2]

    def has(self, privilege: str) -> bool:
        return privilege in self.privileges

    @property
    def is_admin(self) -> bool:
        return any(":admin:" in p for p in self.privileges)


class UserStore:
    """Users by lower-cased username (usernames are case-insensitive in ArcGIS, shown as created)."""

    def __init__(self, password_iterations: int) -> None:
        self._by_name: dict[str, UserRecord] = {}
        self.password_iterations = password_iterations
        self.index = SearchIndex(USER_FIELDS, default_fields=USER_DEFAULT_FIELDS, aliases=USER_ALIASES)

    def __len__(self) -> int:
        return len(self._by_name)

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
            role_id = resolve_role(role)
        except KeyError:
            raise bad_request(f"Unknown role '{role}'.") from None
        if access not in ("private", "org", "public"):
            raise bad_request(f"Invalid access '{access}'.")
        user = UserRecord(
            username=username,
            id=id,
            org_id=org_id,
            role_id=role_id,
            password=PasswordHash.create(password, self.password_iterations),
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

    def authenticate(self, username: str, password: str) -> UserRecord | None:
        """The user when the password matches and the account is enabled, else None (same cost either way)."""
        user = self.get(username)
        if user is None:
            PasswordHash.create(password, self.password_iterations)  # keep the timing of unknown users alike
            return None
        if not user.password.matches(password) or user.disabled:
            return None
        return user
