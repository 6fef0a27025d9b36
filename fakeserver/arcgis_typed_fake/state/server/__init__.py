"""The state of the fake ArcGIS Server: its machines, the sites they form, and the rules of the site, machines
and tokens families (the services family's rules live in `services.py`).

Tokens come in two kinds. `admin/generateToken` issues an administrative token that only the machine that
issued it accepts (a multiple-machine site shares no admin session); the token service `tokens/generateToken`
issues tokens every machine of the site accepts. Both are bound to a referer or client address on request.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...clock import Clock, Ids
from ...errors import INVALID_TOKEN, Fault, bad_request, forbidden
from ..tokens import TokenRecord
from .machines import MachineRecord, first_label, machine_host
from .services import ServiceCatalog, ServiceRecord
from .site import ServerUser, Site

__all__ = ["MachineRecord", "ServerState", "ServerUser", "ServiceCatalog", "ServiceRecord", "Site", "machine_host"]

NOT_IN_SITE = (
    "The server machine '{name}' does not participate in a site. Create a site with createNewSite, or join one "
    "with joinSite."
)


class ServerState:
    """Machines (by name, in the order given) and their sites. The first machine answers requests that name no
    machine; with `admin` it starts out in a site whose primary site administrator has those credentials."""

    current_version = 11.4
    full_version = "11.4.0"
    current_build = "52570"

    def __init__(
        self,
        *,
        clock: Clock,
        ids: Ids,
        machines: Sequence[str],
        password_iterations: int,
        admin: tuple[str, str] | None,
    ) -> None:
        if not machines:
            raise ValueError("an ArcGIS Server needs at least one machine")
        self.clock = clock
        self.ids = ids
        self.password_iterations = password_iterations
        self.machines: dict[str, MachineRecord] = {}
        for name in machines:
            if not name or "/" in name or name.lower() in self.machines:
                raise ValueError(f"machine names must be unique, non-empty and without '/': {name!r}")
            self.machines[name.lower()] = MachineRecord(name=name)
        self.sites: list[Site] = []
        if admin is not None:
            self.create_site(self.default_machine, *admin)

    def now(self) -> int:
        return self.clock.now_ms()

    # --- machines --------------------------------------------------------------------------------------------

    @property
    def default_machine(self) -> MachineRecord:
        return next(iter(self.machines.values()))

    @property
    def site(self) -> Site:
        """The site of the first machine (the one most fakes have)."""
        site = self.default_machine.site
        if site is None:
            raise LookupError("the first machine is in no site yet (createNewSite or joinSite)")
        return site

    def machine(self, name: str) -> MachineRecord | None:
        return self.machines.get(name.lower())

    def machine_for_host(self, host: str) -> MachineRecord | None:
        """The machine a host name reaches in-process (see `machines.py`), or None."""
        host = host.lower().rstrip(".")
        for machine in self.machines.values():
            if host == machine.host or first_label(host) == first_label(machine.name):
                return machine
        return None

    def require_site(self, machine: MachineRecord) -> Site:
        if machine.site is None:
            raise bad_request(NOT_IN_SITE.format(name=machine.name))
        return machine.site

    # --- sites -----------------------------------------------------------------------------------------------

    def create_site(self, machine: MachineRecord, username: str, password: str) -> Site:
        if machine.site is not None:
            raise bad_request(f"The server machine '{machine.name}' already participates in a site.")
        site = Site(id=self.ids.new(), created=self.now(), now=self.clock.now_ms,
                    password_iterations=self.password_iterations, secret=self.ids.secret)
        site.add_user(username, password, role="administrator", primary=True)
        self.sites.append(site)
        self._join(machine, site, started=True)
        return site

    def join_site(self, machine: MachineRecord, target: MachineRecord | None, admin_url: str,
                  username: str, password: str) -> Site:
        """Join `machine` to the site of `target` (the machine `admin_url` names); it joins STOPPED."""
        if machine.site is not None:
            raise bad_request(f"The server machine '{machine.name}' already participates in a site.")
        if target is None or target.site is None:
            raise bad_request(f"Failed to join the site: no site answers at '{admin_url}'.",
                              "adminURL must be the Administrator Directory URL of a machine of the site.")
        site = target.site
        user = site.authenticate(username, password)
        if user is None:
            raise bad_request("Failed to join the site: invalid username or password.")
        if not user.has("ADMINISTER"):
            raise forbidden(f"Failed to join the site: '{user.username}' is not an administrator of the site.")
        self._join(machine, site, started=False)
        return site

    def _join(self, machine: MachineRecord, site: Site, *, started: bool) -> None:
        machine.site = site
        site.machines.append(machine)
        machine.configured_state = "STOPPED"
        if started:
            self.start_machine(site, machine.name)

    def start_machine(self, site: Site, name: str) -> MachineRecord:
        machine = site.machine(name)
        if machine.configured_state != "STARTED":
            machine.configured_state = "STARTED"
            machine.started = self.now()
        return machine

    def stop_machine(self, site: Site, name: str) -> MachineRecord:
        machine = site.machine(name)
        machine.configured_state = "STOPPED"
        return machine

    def unregister_machine(self, site: Site, name: str) -> MachineRecord:
        machine = site.machine(name)
        if len(site.machines) == 1:
            raise bad_request(f"'{machine.name}' is the last machine of the site; it cannot be unregistered.")
        site.machines.remove(machine)
        machine.site = None
        machine.configured_state = "STOPPED"
        return machine

    # --- tokens ----------------------------------------------------------------------------------------------

    def issue_token(
        self,
        machine: MachineRecord,
        username: str,
        password: str,
        minutes: int | None,
        *,
        referer: str | None,
        ip: str | None,
        machine_bound: bool,
    ) -> tuple[str, TokenRecord]:
        site = self.require_site(machine)
        user = site.authenticate(username, password)
        if user is None:
            raise Fault(400, "Unable to generate token.", ["Invalid username or password."])
        return site.tokens.issue(
            user.username, minutes, referer=referer, ip=ip, machine=machine.name if machine_bound else None
        )

    def caller_for(self, machine: MachineRecord, token: str, *, referer: str | None, ip: str | None) -> ServerUser:
        """The user a token belongs to, if the token is live, this machine accepts it and its binding matches."""
        site = self.require_site(machine)
        record = site.tokens.lookup(token)
        if record is None:
            raise Fault(498, INVALID_TOKEN)
        if record.machine is not None and record.machine.lower() != machine.name.lower():
            issued_by = f"This administrative token was issued by '{record.machine}'"
            raise Fault(498, INVALID_TOKEN, [f"{issued_by}; it is only valid on the machine that issued it."])
        if record.referer is not None and record.referer != (referer or ""):
            raise Fault(498, INVALID_TOKEN)
        if record.ip is not None and record.ip != (ip or ""):
            raise Fault(498, INVALID_TOKEN)
        user = site.users.get(record.username.lower())
        if user is None:
            site.tokens.revoke(token)
            raise Fault(498, INVALID_TOKEN)
        return user
