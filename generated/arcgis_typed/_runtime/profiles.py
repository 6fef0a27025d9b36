"""Named connection profiles: where a portal is and who signs in, kept in a small INI file in the user's
configuration folder; passwords go to the system keyring (the `keyring` package, `pip install
arcgis-typed[profiles]`) and never into the file.

```python
from arcgis_typed import ProfileManager
profiles = ProfileManager()                       # ~/.config/arcgis-typed/profiles.ini (or $ARCGIS_TYPED_PROFILES)
profiles.create("prod", url="https://gis.example.com/portal", username="me", password="...")
portal = profiles.connect("prod")                 # a signed-in PortalClient
```
"""

from __future__ import annotations

import configparser
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from arcgis_typed._runtime.session import Session

# seed rows this module serves without any REST call (read by the codegen's seed-coverage report)
SEEDS = ("ProfileManager.(constructor)", "ProfileManager.create", "ProfileManager.delete", "ProfileManager.get",
         "ProfileManager.list", "ProfileManager.save_as", "ProfileManager.update")
KEYRING_SERVICE = "arcgis-typed"
ENV_PATH = "ARCGIS_TYPED_PROFILES"
FIELDS = ("url", "username", "key_file", "cert_file", "client_id", "ca_certs")
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class ProfileError(Exception):
    """A profile that does not exist, a bad profile name or value, or a missing keyring."""


class Keyring(Protocol):
    """What profiles need of a keyring (the `keyring` module satisfies it)."""

    def get_password(self, service_name: str, username: str) -> str | None: ...
    def set_password(self, service_name: str, username: str, password: str) -> None: ...
    def delete_password(self, service_name: str, username: str) -> None: ...


@attrs.frozen(kw_only=True)
class Profile:
    """One saved connection (the password is not part of it: `ProfileManager.password` reads the keyring)."""

    name: str
    url: str | None = None
    username: str | None = None
    key_file: str | None = None
    cert_file: str | None = None
    client_id: str | None = None
    ca_certs: str | None = None


def default_path() -> Path:
    """`$ARCGIS_TYPED_PROFILES`, else `profiles.ini` in the platform's user configuration folder."""
    if os.environ.get(ENV_PATH):
        return Path(os.environ[ENV_PATH])
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "arcgis-typed" / "profiles.ini"


def _system_keyring() -> Keyring:
    try:
        import keyring
    except ImportError:
        raise ProfileError(
            "Saving passwords in profiles needs the system keyring: pip install 'arcgis-typed[profiles]'"
        ) from None
    return keyring  # the module has the three functions


class ProfileManager:
    """Create, read, list, update and delete profiles; `connect` builds a signed-in client from one.

    `path` is the profile file (see `default_path`); `keyring` any object with the keyring functions (the
    system keyring, imported only when a password is stored or read, by default)."""

    def __init__(self, path: str | Path | None = None, *, keyring: Keyring | None = None,
                 service: str = KEYRING_SERVICE) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._keyring = keyring
        self.service = service

    # --- the file ----------------------------------------------------------------------------------------

    def _read(self) -> configparser.ConfigParser:
        parser = configparser.ConfigParser(interpolation=None)
        if self.path.exists():
            parser.read(self.path, encoding="utf-8")
        return parser

    def _write(self, parser: configparser.ConfigParser) -> None:
        """Atomically, readable by the user only (the file names accounts, never passwords)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".profiles-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                parser.write(fh)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def keyring(self) -> Keyring:
        if self._keyring is None:
            self._keyring = _system_keyring()
        return self._keyring

    @staticmethod
    def _check_name(profile: str) -> str:
        if not isinstance(profile, str) or not _NAME.match(profile):
            raise ProfileError(f"Invalid profile name {profile!r}: 1-64 letters, digits, '_', '.', '@' or '-'.")
        return profile

    # --- the operations ------------------------------------------------------------------------------------

    def list(self) -> list[str]:
        """The names of the saved profiles, sorted."""
        return sorted(self._read().sections())

    def get(self, profile: str) -> Profile:
        parser = self._read()
        if not parser.has_section(self._check_name(profile)):
            raise ProfileError(f"No profile named {profile!r} in {self.path}.")
        section = parser[profile]
        return Profile(name=profile, **{f: section.get(f) or None for f in FIELDS})

    def exists(self, profile: str) -> bool:
        return self._read().has_section(self._check_name(profile))

    def create(self, profile: str, url: str | None = None, username: str | None = None, password: str | None = None,
               key_file: str | None = None, cert_file: str | None = None, client_id: str | None = None,
               ca_certs: str | None = None) -> Profile:
        """Save a new profile (an existing name is an error: use `update`); the password goes to the keyring."""
        if self.exists(profile):
            raise ProfileError(f"A profile named {profile!r} already exists; use update().")
        values = {"url": url, "username": username, "key_file": key_file, "cert_file": cert_file,
                  "client_id": client_id, "ca_certs": ca_certs}
        return self._save(profile, values, password, replace=True)

    def update(self, profile: str, url: str | None = None, username: str | None = None, password: str | None = None,
               key_file: str | None = None, cert_file: str | None = None, client_id: str | None = None,
               ca_certs: str | None = None) -> Profile:
        """Change the values given (None keeps a value); a new password replaces the one in the keyring."""
        self.get(profile)
        values = {"url": url, "username": username, "key_file": key_file, "cert_file": cert_file,
                  "client_id": client_id, "ca_certs": ca_certs}
        return self._save(profile, values, password, replace=False)

    def _save(self, profile: str, values: dict[str, str | None], password: str | None, *, replace: bool) -> Profile:
        for key, value in values.items():
            if value is not None and ("\n" in value or "\r" in value):
                raise ProfileError(f"Invalid {key}: a profile value is one line.")
        url = values.get("url")
        if url is not None and not url.startswith(("https://", "http://")):
            raise ProfileError(f"Invalid url {url!r}: expected http(s)://host/context.")
        if password is not None:  # the keyring first: a profile never points at a password that was not saved
            self.keyring().set_password(self.service, self._check_name(profile), password)
        parser = self._read()
        if replace or not parser.has_section(profile):
            if parser.has_section(profile):
                parser.remove_section(profile)
            parser.add_section(profile)
        for key, value in values.items():
            if value is not None:
                parser.set(profile, key, value)
        self._write(parser)
        return self.get(profile)

    def delete(self, profile: str) -> bool:
        """Remove a profile and its password; False when there was no such profile."""
        parser = self._read()
        if not parser.has_section(self._check_name(profile)):
            return False
        parser.remove_section(profile)
        self._write(parser)
        ring = self._keyring if self._keyring is not None else _optional_system_keyring()
        if ring is not None and ring.get_password(self.service, profile) is not None:
            ring.delete_password(self.service, profile)
        return True

    def password(self, profile: str) -> str | None:
        """The profile's password from the keyring (None when none was saved)."""
        self.get(profile)
        return self.keyring().get_password(self.service, profile)

    def save_as(self, profile: str, client: Session) -> Profile:
        """Save how `client` connects: its URL and, when it signs in with a username and password, those
        (the password to the keyring). A client holding only a token or an API key cannot be saved: tokens
        expire and keys are secrets the keyring does not keep here."""
        from arcgis_typed._runtime.auth import PasswordAuth

        auth = client.auth
        if auth is not None and not isinstance(auth, PasswordAuth):
            raise ProfileError("Only clients that sign in with a username and password (or anonymously) can be "
                               "saved as a profile.")
        values: dict[str, str | None] = {f: None for f in FIELDS}
        values.update(url=client.url, username=auth.username if auth else None)
        return self._save(profile, values, auth.password if auth else None, replace=True)

    def connect(self, profile: str, client_class: Callable[..., Any] | None = None, **options: Any) -> Any:
        """A client for the profile, signed in with its username and keyring password when it has them.
        `client_class` defaults to `arcgis_typed.PortalClient`; `options` go to it (transport, timeout...)."""
        found = self.get(profile)
        if found.url is None:
            raise ProfileError(f"Profile {profile!r} has no url.")
        if found.key_file or found.cert_file:
            raise ProfileError(f"Profile {profile!r} uses client certificates (key_file, cert_file), which this "
                               "client does not support yet.")
        if client_class is None:
            from arcgis_typed.portal import PortalClient

            client_class = PortalClient
        if found.ca_certs is not None:
            options.setdefault("ca_certs", found.ca_certs)
        if found.username is not None:
            password = self.password(profile)
            if password is None:
                raise ProfileError(f"No password for profile {profile!r} in the keyring; update() it with one.")
            options.update(username=found.username, password=password)
        return client_class(found.url, **options)


def _optional_system_keyring() -> Keyring | None:
    try:
        return _system_keyring()
    except ProfileError:
        return None
