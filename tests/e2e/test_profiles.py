"""Connection profiles: create/get/list/update/delete/save_as, passwords only in the keyring (a test backend
installed as the system keyring, so the real `keyring` code path runs), and a profile signing a client in
against the fake."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed._runtime import profiles as profiles_module
from arcgis_typed._runtime.profiles import ProfileError, ProfileManager
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member, client_for, password_of, portal_url
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict: the test backend."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def manager(tmp_path: Path, ring: MemoryKeyring) -> ProfileManager:
    return ProfileManager(tmp_path / "cfg" / "profiles.ini")


@pytest.mark.seed("ProfileManager.(constructor)")
@pytest.mark.seed("ProfileManager.create")
@pytest.mark.seed("ProfileManager.get")
@pytest.mark.seed("ProfileManager.list")
def test_create_get_list_keeps_the_password_out_of_the_file(manager: ProfileManager, ring: MemoryKeyring) -> None:
    created = manager.create("prod", url="https://gis.example.test/portal", username="me", password="S3cret-pass!")
    assert (created.name, created.url, created.username) == ("prod", "https://gis.example.test/portal", "me")
    manager.create("anon", url="https://gis.example.test/portal")
    assert manager.list() == ["anon", "prod"]
    assert manager.get("prod") == created
    text = manager.path.read_text()
    assert "S3cret-pass!" not in text and "password" not in text
    assert ring.store == {("arcgis-typed", "prod"): "S3cret-pass!"}
    assert manager.password("prod") == "S3cret-pass!" and manager.password("anon") is None
    assert stat.S_IMODE(manager.path.stat().st_mode) == 0o600
    with pytest.raises(ProfileError):
        manager.create("prod", url="https://other.example.test/portal")  # exists: update() it
    for bad_name in ("", "a b", "x" * 65, "../etc", "[section]"):
        with pytest.raises(ProfileError):
            manager.create(bad_name, url="https://gis.example.test/portal")
    with pytest.raises(ProfileError):
        manager.create("bad", url="ftp://gis.example.test")
    with pytest.raises(ProfileError):
        manager.create("bad", url="https://gis.example.test/portal\n[evil]")
    with pytest.raises(ProfileError):
        manager.get("nope")
    assert manager.list() == ["anon", "prod"]


@pytest.mark.seed("ProfileManager.update")
@pytest.mark.seed("ProfileManager.delete")
def test_update_and_delete(manager: ProfileManager, ring: MemoryKeyring) -> None:
    manager.create("prod", url="https://gis.example.test/portal", username="me", password="old-pass-1")
    updated = manager.update("prod", client_id="myapp", password="new-pass-2")
    assert (updated.url, updated.username, updated.client_id) == ("https://gis.example.test/portal", "me", "myapp")
    assert manager.password("prod") == "new-pass-2"
    with pytest.raises(ProfileError):
        manager.update("ghost", url="https://x.example.test/portal")
    assert manager.delete("prod") is True
    assert manager.list() == [] and ring.store == {}
    assert manager.delete("prod") is False


def test_default_path_is_injectable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARCGIS_TYPED_PROFILES", str(tmp_path / "here.ini"))
    assert ProfileManager().path == tmp_path / "here.ini"
    monkeypatch.delenv("ARCGIS_TYPED_PROFILES")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if profiles_module.sys.platform.startswith("linux"):
        assert ProfileManager().path == tmp_path / "xdg" / "arcgis-typed" / "profiles.ini"


def test_a_missing_keyring_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_keyring(name: str, *args: object, **kwargs: object) -> object:
        if name == "keyring":
            raise ImportError("no keyring")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_keyring)
    manager = ProfileManager(tmp_path / "p.ini")
    manager.create("anon", url="https://gis.example.test/portal")  # no password: no keyring needed
    with pytest.raises(ProfileError, match=r"arcgis-typed\[profiles\]"):
        manager.create("prod", url="https://gis.example.test/portal", username="me", password="pw-123456")
    assert manager.list() == ["anon"]  # nothing half-saved


@pytest.mark.seed("ProfileManager.save_as")
@pytest.mark.seed("ProfileManager.get")
def test_save_as_then_connect_signs_in(manager: ProfileManager, arcgis_fake: FakeArcGIS) -> None:
    add_member(arcgis_fake, "ann")
    ann = client_for(arcgis_fake, "ann")
    saved = manager.save_as("fake", ann)
    assert (saved.url, saved.username) == (portal_url(arcgis_fake), "ann")
    again = manager.connect("fake", transport=WsgiTransport(arcgis_fake))
    assert isinstance(again, PortalClient) and again.users.me().username == "ann"
    # a wrong password in the keyring fails to sign in; a token-only client cannot be saved
    manager.update("fake", password="wrong-password-1")
    with pytest.raises(Exception, match="(?i)invalid|unable"):
        manager.connect("fake", transport=WsgiTransport(arcgis_fake))
    token_client = PortalClient(portal_url(arcgis_fake), transport=WsgiTransport(arcgis_fake), token="abc")
    with pytest.raises(ProfileError):
        manager.save_as("tok", token_client)
    manager.create("anon", url=portal_url(arcgis_fake))
    anonymous = manager.connect("anon", transport=WsgiTransport(arcgis_fake))
    assert anonymous.auth is None
    assert password_of("ann") not in manager.path.read_text()


def test_profiles_are_exported_lazily() -> None:
    import subprocess
    import sys

    code = ("import sys, arcgis_typed; assert 'arcgis_typed._runtime.profiles' not in sys.modules; "
            "from arcgis_typed import ProfileManager; assert ProfileManager.__module__ == 'arcgis_typed._runtime.profiles'")
    subprocess.run([sys.executable, "-c", code], check=True)
    import arcgis_typed

    with pytest.raises(AttributeError):
        arcgis_typed.NoSuchThing  # noqa: B018
