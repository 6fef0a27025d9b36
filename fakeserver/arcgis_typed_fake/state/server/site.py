"""A site: the machines that share one configuration, its own user store (the server's built-in users with
their roles), its tokens, and its services.

Server users have one of three roles, each granting a privilege of the Administrator API: `administrator`
(ADMINISTER, which includes PUBLISH), `publisher` (PUBLISH) and `user` (ACCESS: may sign in, may not
administer). The primary site administrator is the account the site was created with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ...errors import Fault, bad_request
from ..datastores import DataStore, random_item_id
from ..tokens import TokenStore
from ..users import USERNAME_CHARS, PasswordHash
from .services import ServiceCatalog, ServiceRecord, default_catalog

if TYPE_CHECKING:
    from .machines import MachineRecord

ROLE_PRIVILEGES = {"administrator": "ADMINISTER", "publisher": "PUBLISH", "user": "ACCESS"}
_IMPLIED = {"ADMINISTER": ("ADMINISTER", "PUBLISH", "ACCESS"), "PUBLISH": ("PUBLISH", "ACCESS"), "ACCESS": ("ACCESS",)}
_ROLE_ALIASES = {"admin": "administrator", "administer": "administrator", "publish": "publisher", "access": "user"}


@attrs.define(eq=False)
class ServerUser:
    username: str
    password: PasswordHash = attrs.field(repr=False)
    role: str = "publisher"  # administrator | publisher | user
    primary: bool = False  # the primary site administrator

    @property
    def privilege(self) -> str:
        """ADMINISTER, PUBLISH or ACCESS (what the Administrator API's info calls loggedInUserPrivilege)."""
        return ROLE_PRIVILEGES[self.role]

    def has(self, privilege: str) -> bool:
        """Administrators may do what publishers may; publishers what users may."""
        return privilege in _IMPLIED[self.privilege]


class Site:
    """One site. Machines join and leave it through `ServerState`, which keeps `machines` up to date."""

    def __init__(self, *, id: str, created: int, now: Callable[[], int], password_iterations: int,
                 secret: Callable[[], str] | None = None) -> None:
        self.id = id
        self.created = created
        self.machines: list[MachineRecord] = []
        self.users: dict[str, ServerUser] = {}
        self.tokens = TokenStore(now, secret)
        self.catalog: ServiceCatalog = default_catalog()
        self.data = DataStore(new_id=random_item_id, services=self.services)  # admin/data
        self._password_iterations = password_iterations

    def services(self) -> ServiceCatalog:
        """The site's services (the data store counts the references their definitions make)."""
        return self.catalog

    def __repr__(self) -> str:
        return f"<Site {self.id[:8]} machines={[m.name for m in self.machines]}>"

    # --- users ------------------------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, *, role: str = "publisher", primary: bool = False) -> ServerUser:
        """A user of the site's built-in store; `role` is administrator, publisher or user."""
        role = _ROLE_ALIASES.get(role.lower(), role.lower())
        if role not in ROLE_PRIVILEGES:
            raise bad_request(f"Unknown role '{role}' (administrator, publisher or user).")
        if not username or len(username) > 128 or not set(username) <= USERNAME_CHARS:
            raise bad_request(f"Invalid parameter 'username': '{username}' is not a valid user name.")
        if not password:
            raise bad_request("Invalid parameter 'password': must not be empty.")
        if username.lower() in self.users:
            raise Fault(409, f"A user named '{username}' already exists.")
        user = ServerUser(
            username=username, password=PasswordHash.create(password, self._password_iterations), role=role, primary=primary
        )
        self.users[username.lower()] = user
        return user

    def authenticate(self, username: str, password: str) -> ServerUser | None:
        """The user when the password matches, else None (same cost either way)."""
        user = self.users.get(username.lower())
        if user is None:
            PasswordHash.create(password, self._password_iterations)
            return None
        return user if user.password.matches(password) else None

    # --- machines and services --------------------------------------------------------------------------------

    def machine(self, name: str) -> MachineRecord:
        for machine in self.machines:
            if machine.name.lower() == name.lower():
                return machine
        raise Fault(404, f"Machine '{name}' is not registered with the site.")

    def service_state(self, service: ServiceRecord) -> str:
        """The real-time state: a started service runs only while some machine of the site is started."""
        running = service.configured_state == "STARTED" and any(m.configured_state == "STARTED" for m in self.machines)
        return "STARTED" if running else "STOPPED"
