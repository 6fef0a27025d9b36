"""People end to end: community/self, profiles and their visibility, user search with paging and sorting,
and the organization's member list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, TokenRequired, Upload
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member, client_for

Member = Callable[..., PortalClient]
PRIVATE_FIELDS = ("email", "privileges", "role", "role_id", "level", "disabled", "storage_usage", "last_login")


@pytest.mark.seed("UserManager.me")
def test_me_is_the_signed_in_user(member: Member, arcgis_fake: FakeArcGIS) -> None:
    alice = member("alice", "org_user", full_name="Alice Liddell", email="alice@example.test",
                   description="Cartographer", tags=["maps", "rivers"])
    me = alice.users.me()
    assert me.username == "alice"
    assert me.full_name == "Alice Liddell"
    assert me.email == "alice@example.test"
    assert me.description == "Cartographer"
    assert me.tags == ["maps", "rivers"]
    assert me.role == "org_user"
    assert me.level == "2"
    assert me.org_id == arcgis_fake.portal.org.id
    assert me.disabled is False
    assert me.privileges is not None
    assert "portal:user:createItem" in me.privileges
    assert not any(":admin:" in p for p in me.privileges)
    assert me.id == arcgis_fake.portal.users.require("alice").id
    assert me.access == "org"


@pytest.mark.seed("UserManager.me")
def test_me_of_a_viewer_and_an_admin(member: Member, arcgis_portal: PortalClient) -> None:
    viewer = member("vic", "viewer").users.me()
    assert viewer.level == "1"
    assert viewer.privileges is not None
    assert "portal:user:createItem" not in viewer.privileges
    assert "portal:user:viewOrgItems" in viewer.privileges
    admin = arcgis_portal.users.me()
    assert admin.role == "org_admin"
    assert "portal:admin:viewUsers" in (admin.privileges or [])


def test_me_needs_a_token(anonymous: PortalClient) -> None:
    with pytest.raises(TokenRequired):
        anonymous.users.me()


# --- profiles and who sees them -------------------------------------------------------------------------------


@pytest.fixture
def people(arcgis_fake: FakeArcGIS) -> dict[str, PortalClient]:
    """Three users whose profiles are private, org-wide and public, a fourth org member, an admin, anonymous."""
    clients = {
        name: add_member(arcgis_fake, name, email=f"{name}@example.test", access=access, full_name=name.title())
        for name, access in (("priv", "private"), ("orgy", "org"), ("pub", "public"))
    }
    clients["other"] = add_member(arcgis_fake, "other")
    clients["admin"] = client_for(arcgis_fake, "admin")
    clients["anonymous"] = client_for(arcgis_fake)
    return clients


# caller -> profiles they can see
VISIBLE = {
    "priv": {"priv", "orgy", "pub"},
    "orgy": {"orgy", "pub"},
    "pub": {"orgy", "pub"},
    "other": {"orgy", "pub"},
    "admin": {"priv", "orgy", "pub"},
    "anonymous": {"pub"},
}


@pytest.mark.seed("UserManager.get")
@pytest.mark.seed("User.(constructor)")
@pytest.mark.parametrize("caller", sorted(VISIBLE))
def test_profile_visibility(people: dict[str, PortalClient], caller: str) -> None:
    client = people[caller]
    for target in ("priv", "orgy", "pub"):
        if target not in VISIBLE[caller]:
            with pytest.raises(BadRequest) as caught:
                client.users.get(target)
            assert caught.value.message == "User does not exist or is inaccessible."
            continue
        user = client.users.get(target)
        assert user.username == target
        assert user.full_name == target.title()
        full = caller in (target, "admin")
        if full:
            assert user.email == f"{target}@example.test"
            assert user.role == "org_user"
            assert user.privileges and "portal:user:createItem" in user.privileges
            assert user.disabled is False
        else:
            for name in PRIVATE_FIELDS:
                assert getattr(user, name) is None, (caller, target, name)


@pytest.mark.seed("UserManager.get")
def test_missing_and_hidden_users_look_alike(people: dict[str, PortalClient]) -> None:
    messages = []
    for name in ("priv", "nobody-at-all"):
        with pytest.raises(BadRequest) as caught:
            people["other"].users.get(name)
        messages.append(caught.value.message.replace(name, "<name>"))
    assert messages[0] == messages[1]


@pytest.mark.seed("UserManager.get")
def test_usernames_are_case_insensitive(people: dict[str, PortalClient]) -> None:
    assert people["admin"].users.get("PUB").username == "pub"


# --- search ---------------------------------------------------------------------------------------------------


@pytest.fixture
def thirty(arcgis_fake: FakeArcGIS) -> list[str]:
    names = []
    for i in range(30):
        name = f"user{i:02d}"
        arcgis_fake.portal.add_user(name, "password-123", full_name=f"Person {chr(ord('A') + (i * 7) % 26)}{i:02d}",
                                    access="public" if i % 3 == 0 else "org")
        names.append(name)
    return names


@pytest.mark.seed("GIS.users")
@pytest.mark.seed("UserManager.search")
@pytest.mark.seed("UserManager.(constructor)")
def test_search_pages_through_thirty_users(arcgis_portal: PortalClient, thirty: list[str]) -> None:
    seen: list[str] = []
    start = 1
    starts = []
    while start != -1:
        page = arcgis_portal.users.search(q="username:user*", start=start, num=7)
        assert page.total == 30
        assert page.start == start
        assert page.num == 7
        assert page.query == "username:user*"
        seen.extend(u.username for u in page.results)
        starts.append(start)
        assert page.next_start == (start + 7 if start + 7 <= 30 else -1)
        start = page.next_start
    assert starts == [1, 8, 15, 22, 29]
    assert seen == thirty  # sorted by username by default, no duplicates, none missing


@pytest.mark.seed("UserManager.search")
def test_search_all_iterates_every_page(arcgis_portal: PortalClient, thirty: list[str]) -> None:
    names = [u.username for u in arcgis_portal.users.search_all(q="user*", page_size=4)]
    assert names == thirty


@pytest.mark.seed("UserManager.search")
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_search_sorts(arcgis_portal: PortalClient, thirty: list[str], order: str) -> None:
    by_name = [u.username for u in arcgis_portal.users.search_all(q="user*", sort_field="username",
                                                                   sort_order=order)]  # type: ignore[arg-type]
    assert by_name == sorted(thirty, reverse=order == "desc")
    by_full = [u.full_name or "" for u in arcgis_portal.users.search_all(q="user*", sort_field="fullname",
                                                                    sort_order=order)]  # type: ignore[arg-type]
    assert by_full == sorted(by_full, key=str.lower, reverse=order == "desc")
    assert len(by_full) == 30


@pytest.mark.seed("UserManager.search")
def test_search_by_terms(arcgis_portal: PortalClient, thirty: list[str], arcgis_fake: FakeArcGIS) -> None:
    def names(q: str) -> list[str]:
        return [u.username for u in arcgis_portal.users.search_all(q=q)]

    assert names("user07") == ["user07"]
    assert names("username:user1*") == [f"user1{i}" for i in range(10)]
    assert names("user0* AND NOT user05") == [f"user0{i}" for i in range(10) if i != 5]
    assert names("role:org_admin") == ["admin"]
    assert names(f"user2* accountid:{arcgis_fake.portal.org.id}") == [f"user2{i}" for i in range(10)]
    assert names("user2* accountid:someoneelse") == []
    assert names("nobody-matches-this") == []


@pytest.mark.seed("UserManager.search")
def test_search_shows_only_visible_profiles(arcgis_fake: FakeArcGIS, thirty: list[str]) -> None:
    anonymous = client_for(arcgis_fake)
    public = [u.username for u in anonymous.users.search_all(q="user*")]
    assert public == [n for i, n in enumerate(thirty) if i % 3 == 0]
    assert all(u.email is None for u in anonymous.users.search_all(q="user*"))
    bob = add_member(arcgis_fake, "bob", access="private")
    assert [u.username for u in bob.users.search_all(q="user*")] == thirty
    assert [u.username for u in bob.users.search_all(q="bob")] == ["bob"]
    assert [u.username for u in anonymous.users.search_all(q="bob")] == []


@pytest.mark.seed("UserManager.search")
def test_search_edges(arcgis_portal: PortalClient, thirty: list[str]) -> None:
    past = arcgis_portal.users.search(q="user*", start=31, num=10)
    assert (past.total, past.results, past.next_start) == (30, [], -1)
    none = arcgis_portal.users.search(q="user*", num=0)
    assert (none.total, none.results, none.next_start) == (30, [], -1)
    default = arcgis_portal.users.search(q="user*")
    assert default.num == 10 and len(default.results) == 10 and default.next_start == 11
    last = arcgis_portal.users.search(q="user*", start=21, num=10)
    assert last.next_start == -1 and len(last.results) == 10


@pytest.mark.parametrize(
    ("kwargs", "wire"),
    [({"sort_field": "shoesize"}, "sortField"), ({"num": 101}, "num"), ({"start": 0}, "start"),
     ({"q": '"unclosed'}, None), ({"q": "(a OR"}, None)],
)
def test_search_refuses_bad_input(arcgis_portal: PortalClient, kwargs: dict[str, object], wire: str | None) -> None:
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.search(**{"q": "*", **kwargs})  # type: ignore[arg-type]
    if wire is None:
        assert caught.value.message == "Unable to perform query. Please check your parameters."
    else:
        assert f"'{wire}'" in caught.value.message


# --- the organization's members -------------------------------------------------------------------------------


def test_org_users_lists_every_member(arcgis_portal: PortalClient, thirty: list[str], member: Member) -> None:
    viewer = member("vic", "viewer")
    everyone = ["admin", *thirty, "vic"]
    page = arcgis_portal.users.org_users(num=100)
    assert page.total == 32
    assert [u.username for u in page.users] == everyone
    assert page.users[0].email == ""  # an admin sees private fields
    assert [u.username for u in arcgis_portal.users.org_users_all(page_size=9)] == everyone
    backwards = arcgis_portal.users.org_users(sort_field="username", sort_order="desc", start=1, num=3)
    assert [u.username for u in backwards.users] == ["vic", "user29", "user28"]
    assert (backwards.start, backwards.num, backwards.next_start) == (1, 3, 4)

    # A member sees every member, private profiles included, but only their public fields.
    theirs = viewer.users.org_users(num=100)
    assert [u.username for u in theirs.users] == everyone
    assert all(u.email is None for u in theirs.users if u.username != "vic")


def test_org_users_needs_a_member(anonymous: PortalClient) -> None:
    with pytest.raises(TokenRequired):
        anonymous.users.org_users()


def test_org_users_refuses_bad_sort(arcgis_portal: PortalClient) -> None:
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.org_users(sort_field="nope")
    assert "sortField" in caught.value.message


def test_org_users_needs_the_privilege(arcgis_fake: FakeArcGIS) -> None:
    """Every built-in role may list members; a custom role without portal:user:viewOrgUsers may not."""
    from arcgis_typed_fake.state.roles import USER_PRIVILEGES

    portal = arcgis_fake.portal
    portal.roles.create("noviewers0000000", "No member list", "", portal.now(),
                        [p for p in USER_PRIVILEGES if p != "portal:user:viewOrgUsers"])
    bob = add_member(arcgis_fake, "bob", role="noviewers0000000")
    with pytest.raises(PermissionDenied):
        bob.users.org_users()


# --- user administration -----------------------------------------------------------------------------------------

STRONG = "Strong-password-1"


def user_state(fake: FakeArcGIS) -> list[tuple[object, ...]]:
    return sorted((u.username, u.role_id, u.disabled, u.full_name, u.email, u.description, tuple(u.tags), u.access,
                   u.units, u.password.digest) for u in fake.portal.users)


@pytest.mark.seed("UserManager.create")
def test_create_a_member(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    result = arcgis_portal.users.create(username="newbie", password=STRONG, email="newbie@example.test",
                                        firstname="New", lastname="Bie", role="org_publisher", description="hi")
    assert (result.status, result.username) == ("success", "newbie")
    user = arcgis_portal.users.get("newbie")
    assert (user.full_name, user.email, user.role, user.role_id, user.description) == (
        "New Bie", "newbie@example.test", "org_publisher", "org_publisher", "hi")
    newbie = client_for(arcgis_fake, "newbie", STRONG)
    assert newbie.users.me().username == "newbie"
    role_id = arcgis_portal.roles.create(name="Helpers").id
    assert role_id
    arcgis_portal.users.create(username="helper", password=STRONG, email="h@example.test", role=role_id)
    assert arcgis_portal.users.get("helper").role_id == role_id
    arcgis_portal.users.create(username="plain", password=STRONG, email="p@example.test")
    assert arcgis_portal.users.get("plain").role == "org_user"


@pytest.mark.seed("UserManager.create")
@pytest.mark.parametrize(
    ("changes", "wire"),
    [({"username": "admin"}, "username"), ({"username": "ADMIN"}, "username"), ({"username": "bad name"}, "username"),
     ({"password": "short1"}, "password"), ({"password": "no-digits-here"}, "password"),
     ({"password": "1234567890"}, "password"), ({"username": "samesame1", "password": "samesame1"}, "password"),
     ({"email": "not-an-email"}, "email"), ({"role": "overlord"}, "role")],
)
def test_create_refuses_bad_input(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS, changes: dict[str, str],
                                  wire: str) -> None:
    before = user_state(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.create(**{"username": "someone", "password": STRONG, "email": "s@example.test",
                                      **changes})  # type: ignore[arg-type]
    assert f"'{wire}'" in caught.value.message
    assert user_state(arcgis_fake) == before


@pytest.mark.seed("User.update")
def test_update_own_profile(member: Member, arcgis_fake: FakeArcGIS) -> None:
    alice = member("alice", full_name="Alice", email="alice@example.test")
    assert alice.users.update("alice", description="Maps", tags=["a", "b"], access="public", units="english",
                              culture="fr", region="FR", preferred_view="GIS").success
    me = alice.users.me()
    assert (me.description, me.tags, me.access, me.units, me.culture, me.region, me.preferred_view) == (
        "Maps", ["a", "b"], "public", "english", "fr", "FR", "GIS")
    alice.users.update("alice", firstname="Alice", lastname="Liddell")
    assert alice.users.me().full_name == "Alice Liddell"
    assert [u.username for u in client_for(arcgis_fake).users.search_all(q="fullname:Liddell")] == ["alice"]
    alice.users.update("alice", fullname="A. L.", email="al@example.test")
    me = alice.users.me()
    assert (me.full_name, me.email, me.description) == ("A. L.", "al@example.test", "Maps")  # others unchanged
    before = user_state(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        alice.users.update("alice", email="nope", description="not applied")
    assert "'email'" in caught.value.message
    assert user_state(arcgis_fake) == before


@pytest.mark.seed("User.update")
def test_update_someone_else_needs_update_users(member: Member, arcgis_portal: PortalClient,
                                               arcgis_fake: FakeArcGIS) -> None:
    alice = member("alice", access="org")
    bob = member("bob", access="private")
    before = user_state(arcgis_fake)
    with pytest.raises(PermissionDenied):
        alice.users.update("admin", description="hacked")
    with pytest.raises(BadRequest):  # bob's private profile is invisible to alice: not found, as ArcGIS answers
        alice.users.update("bob", description="hacked")
    with pytest.raises(BadRequest):
        bob.users.update("nobody-here", description="x")
    assert user_state(arcgis_fake) == before
    assert arcgis_portal.users.update("bob", description="set by admin").success
    assert bob.users.me().description == "set by admin"


# --- roles of members ------------------------------------------------------------------------------------------


@pytest.mark.seed("User.update_role")
def test_update_role(arcgis_portal: PortalClient, member: Member, arcgis_fake: FakeArcGIS) -> None:
    bob = member("bob")
    assert "portal:publisher:publishFeatures" not in (bob.users.me().privileges or [])
    assert arcgis_portal.users.update_role(user="bob", role="org_publisher").success
    me = bob.users.me()  # the same token, the new privileges
    assert me.role == "org_publisher" and "portal:publisher:publishFeatures" in (me.privileges or [])
    arcgis_portal.users.update_role(user="bob", role="viewer")
    with pytest.raises(PermissionDenied):
        bob.content.add_item("bob", title="No", type="Web Map", text="{}")
    assert [u.username for u in arcgis_portal.users.search_all(q="role:org_publisher")] == []
    before = user_state(arcgis_fake)
    for user, role, wire in (("bob", "overlord", "role"), ("nobody-here", "org_user", None)):
        with pytest.raises(BadRequest) as caught:
            arcgis_portal.users.update_role(user=user, role=role)
        if wire:
            assert f"'{wire}'" in caught.value.message
    with pytest.raises(PermissionDenied):
        arcgis_portal.users.update_role(user="admin", role="org_user")  # nobody changes their own role
    assert user_state(arcgis_fake) == before


# --- disable, enable, delete, reset -----------------------------------------------------------------------------


@pytest.mark.seed("User.disable")
@pytest.mark.seed("User.enable")
def test_disable_stops_tokens_at_once(arcgis_portal: PortalClient, member: Member, arcgis_fake: FakeArcGIS) -> None:
    from arcgis_typed import InvalidToken, SignInError

    bob = member("bob")
    assert bob.users.me().disabled is False
    result = arcgis_portal.users.disable("bob")
    assert (result.status, result.success) == ("success", True)
    assert arcgis_portal.users.get("bob").disabled is True
    with pytest.raises((InvalidToken, SignInError)):
        bob.users.me()  # the old token is dead and signing in again is refused
    with pytest.raises(SignInError):
        client_for(arcgis_fake, "bob").users.me()
    assert arcgis_portal.users.enable("bob").status == "success"
    assert arcgis_portal.users.get("bob").disabled is False
    assert client_for(arcgis_fake, "bob").users.me().username == "bob"
    with pytest.raises(PermissionDenied):
        arcgis_portal.users.disable("admin")


@pytest.mark.seed("User.delete")
def test_delete_refused_while_the_user_owns_items(arcgis_portal: PortalClient, member: Member,
                                                  arcgis_fake: FakeArcGIS) -> None:
    bob = member("bob")
    folder = bob.content.add_item("bob", title="Mine", type="Web Map", text="{}")
    before = user_state(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.delete("bob")
    assert folder.id in caught.value.details
    assert user_state(arcgis_fake) == before
    assert bob.users.me().username == "bob"
    arcgis_portal.content.delete("bob", folder.id)
    arcgis_fake.portal.add_folder("bob", "Empty")
    assert arcgis_portal.users.delete("bob").success
    with pytest.raises(BadRequest):
        arcgis_portal.users.get("bob")
    assert [u.username for u in arcgis_portal.users.search_all(q="bob")] == []
    assert arcgis_fake.portal.items.folders("bob") == []
    with pytest.raises(Exception):  # noqa: B017  (its tokens died with it)
        bob.users.me()
    # the name is free again, with nothing of the old account
    arcgis_portal.users.create(username="bob", password=STRONG, email="bob2@example.test")
    assert arcgis_fake.portal.items.folders("bob") == []
    with pytest.raises(PermissionDenied):
        arcgis_portal.users.delete("admin")


@pytest.mark.seed("User.reset")
def test_reset_own_password(member: Member, arcgis_fake: FakeArcGIS) -> None:
    from arcgis_typed import SignInError
    from e2e_helpers import password_of

    bob = member("bob")
    alice = member("alice")
    before = user_state(arcgis_fake)
    for old, new, wire in ((password_of("bob"), "weak", "newPassword"), ("wrong-password-1", STRONG, "password"),
                           (password_of("bob"), "bob", "newPassword")):
        with pytest.raises(BadRequest) as caught:
            bob.users.reset("bob", password=old, new_password=new)
        assert f"'{wire}'" in caught.value.message
    with pytest.raises(PermissionDenied):
        alice.users.reset("bob", password=password_of("bob"), new_password=STRONG)
    assert user_state(arcgis_fake) == before
    assert bob.users.reset("bob", password=password_of("bob"), new_password=STRONG).success
    assert client_for(arcgis_fake, "bob", STRONG).users.me().username == "bob"
    with pytest.raises(SignInError):
        client_for(arcgis_fake, "bob").users.me()  # the old password no longer signs in


# --- who may administer whom -------------------------------------------------------------------------------------

CUSTOM_ADMIN = "useradmin0000000"


@pytest.fixture
def admins(arcgis_fake: FakeArcGIS, arcgis_portal: PortalClient) -> dict[str, PortalClient]:
    """Callers: the default admin, a custom role with every member-administration privilege, a publisher, a user,
    a viewer; plus two targets: `target` (a user) and `boss` (a second default administrator)."""
    portal = arcgis_fake.portal
    portal.roles.create(CUSTOM_ADMIN, "User admins", "", portal.now(), [
        "portal:admin:viewUsers", "portal:admin:updateUsers", "portal:admin:deleteUsers", "portal:admin:disableUsers",
        "portal:admin:changeUserRoles", "portal:admin:inviteUsers", "portal:user:viewOrgUsers"])
    add_member(arcgis_fake, "boss", role="org_admin")
    return {
        "admin": arcgis_portal,
        "custom_admin": add_member(arcgis_fake, "useradmin", role=CUSTOM_ADMIN),
        "publisher": add_member(arcgis_fake, "pub", role="org_publisher"),
        "user": add_member(arcgis_fake, "usr", role="org_user"),
        "viewer": add_member(arcgis_fake, "vwr", role="viewer"),
    }


# operation -> (target, callers who may) ; "create_admin" creates an administrator
ALLOWED = {
    "create": {"admin", "custom_admin"},
    "create_admin": {"admin"},
    "update": {"admin", "custom_admin"},
    "update_boss": {"admin"},
    "promote": {"admin"},
    "demote_boss": {"admin"},
    "to_publisher": {"admin", "custom_admin"},
    "disable": {"admin", "custom_admin"},
    "disable_boss": {"admin"},
    "delete": {"admin", "custom_admin"},
    "delete_boss": {"admin"},
}


@pytest.mark.seed("UserManager.create")
@pytest.mark.seed("User.update")
@pytest.mark.seed("User.update_role")
@pytest.mark.seed("User.disable")
@pytest.mark.seed("User.delete")
@pytest.mark.parametrize("operation", sorted(ALLOWED))
@pytest.mark.parametrize("caller", ["admin", "custom_admin", "publisher", "user", "viewer"])
def test_privilege_matrix(admins: dict[str, PortalClient], arcgis_fake: FakeArcGIS, member: Member, caller: str,
                          operation: str) -> None:
    member("target", access="org")
    client = admins[caller]
    calls = {
        "create": lambda: client.users.create(username="fresh", password=STRONG, email="f@example.test"),
        "create_admin": lambda: client.users.create(username="fresh", password=STRONG, email="f@example.test",
                                                    role="org_admin"),
        "update": lambda: client.users.update("target", description="changed"),
        "update_boss": lambda: client.users.update("boss", description="changed"),
        "promote": lambda: client.users.update_role(user="target", role="org_admin"),
        "demote_boss": lambda: client.users.update_role(user="boss", role="org_user"),
        "to_publisher": lambda: client.users.update_role(user="target", role="org_publisher"),
        "disable": lambda: client.users.disable("target"),
        "disable_boss": lambda: client.users.disable("boss"),
        "delete": lambda: client.users.delete("target"),
        "delete_boss": lambda: client.users.delete("boss"),
    }
    before = user_state(arcgis_fake)
    if caller in ALLOWED[operation]:
        calls[operation]()
        assert user_state(arcgis_fake) != before
    else:
        with pytest.raises(PermissionDenied):
            calls[operation]()
        assert user_state(arcgis_fake) == before


@pytest.mark.seed("UserManager.disable_users")
@pytest.mark.seed("UserManager.enable_users")
def test_disable_and_enable_several(arcgis_portal: PortalClient, member: Member, arcgis_fake: FakeArcGIS) -> None:
    ann, ben = member("ann"), member("ben")
    result = arcgis_portal.users.disable_users(users=["ann", "ben", "admin", "nobody-here"])
    assert result.status == "success"
    outcome = {r.username: (r.success, (r.error or {}).get("code")) for r in result.results}
    assert outcome == {"ann": (True, None), "ben": (True, None), "admin": (False, 403), "nobody-here": (False, 400)}
    assert [u.disabled for u in (arcgis_fake.portal.users.require(n) for n in ("ann", "ben", "admin"))] == [
        True, True, False]
    from arcgis_typed import SignInError

    with pytest.raises(SignInError):
        client_for(arcgis_fake, "ann").users.me()
    assert all(r.success for r in arcgis_portal.users.enable_users(users=["ann", "ben"]).results)
    assert client_for(arcgis_fake, "ben").users.me().disabled is False
    with pytest.raises(PermissionDenied):
        ann.users.disable_users(users=["ben"])
    assert arcgis_fake.portal.users.require("ben").disabled is False
    del ben


@pytest.mark.seed("User.delete")
def test_delete_and_groups(arcgis_portal: PortalClient, member: Member) -> None:
    """A member who owns a group cannot be deleted; one who only belongs to groups leaves them."""
    owner = member("gowner")
    member("joiner")
    owned = owner.groups.create(title="Owned", tags=["t"], access="org").group.id
    admin_group = arcgis_portal.groups.create(title="Admin's", tags=["t"], access="org").group.id
    arcgis_portal.groups.add_users(admin_group, users=["joiner", "gowner"])
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.delete("gowner")
    assert owned in caught.value.details
    assert arcgis_portal.users.delete("joiner").success
    assert "joiner" not in arcgis_portal.groups.users(admin_group).users
    assert "gowner" in arcgis_portal.groups.users(admin_group).users


# --- thumbnails, the profile page, Esri access, groups ------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.seed("User.get_thumbnail")
@pytest.mark.seed("User.download_thumbnail")
@pytest.mark.seed("User.delete_thumbnail")
@pytest.mark.seed("User.update")
def test_thumbnail_upload_read_delete(member: Member, arcgis_portal: PortalClient, anonymous: PortalClient,
                                      arcgis_fake: FakeArcGIS) -> None:
    ann = member("ann", access="public")
    ann.users.update("ann", thumbnail=Upload(filename="../../etc/me.png", data=PNG))
    me = ann.users.me()
    assert me.thumbnail == "me.png"  # only the file name is kept: no path traversal
    assert ann.users.thumbnail("ann", "me.png") == PNG
    assert anonymous.users.thumbnail("ann", "me.png") == PNG  # a public profile's image is public
    for name in ("other.png", "../me.png", "..%2fme.png"):
        with pytest.raises(BadRequest):
            ann.users.thumbnail("ann", name)
    before = user_state(arcgis_fake)
    for bad in (Upload(filename="notes.txt", data=b"hi"), Upload(filename="..", data=PNG),
                Upload(filename="big.png", data=b"\x00" * (1024 * 1024 + 1))):
        with pytest.raises(BadRequest) as caught:
            ann.users.update("ann", thumbnail=bad, description="changed?")
        assert "'thumbnail'" in caught.value.message
    assert user_state(arcgis_fake) == before and ann.users.me().thumbnail == "me.png"
    bob = member("bob")
    with pytest.raises(PermissionDenied):
        bob.users.delete_thumbnail("ann")
    assert arcgis_portal.users.delete_thumbnail("ann").success  # an administrator may
    assert ann.users.me().thumbnail is None
    with pytest.raises(BadRequest):
        ann.users.thumbnail("ann", "me.png")


@pytest.mark.seed("User.homepage")
def test_homepage(member: Member, anonymous: PortalClient) -> None:
    member("ann", access="public", full_name="Ann <b>Lee</b>")
    member("hid", access="private")
    page = anonymous.users.homepage(user="ann")
    assert "Ann &lt;b&gt;Lee&lt;/b&gt;" in page and "<b>" not in page
    with pytest.raises(BadRequest):
        anonymous.users.homepage(user="hid")


@pytest.mark.seed("User.esri_access")
def test_esri_access_is_set_by_administrators_only(member: Member, arcgis_portal: PortalClient) -> None:
    ann = member("ann")
    assert ann.users.me().user_type == "arcgisonly"
    with pytest.raises(PermissionDenied):
        ann.users.update("ann", user_type="both")  # not for oneself
    arcgis_portal.users.update("ann", user_type="both")
    assert ann.users.me().user_type == "both"
    with pytest.raises(PermissionDenied):
        arcgis_portal.users.update("admin", user_type="both")


@pytest.mark.seed("User.groups")
def test_user_groups_are_in_the_profile(member: Member) -> None:
    ann = member("ann")
    bob = member("bob")
    group_id = ann.groups.create(title="Mine", tags=["a"], access="org").group.id
    bob.groups.join(group_id)
    ann.groups.accept(group_id, "bob")
    assert [g.id for g in bob.users.me().groups or []] == [group_id]
    assert bob.users.get("bob").groups is not None


# --- reassigning content, levels, sign-up, members' groups, linked accounts ----------------------------------------


@pytest.mark.seed("User.reassign_to")
@pytest.mark.seed("User.delete")
def test_reassign_then_delete(arcgis_portal: PortalClient, member: Member, arcgis_fake: FakeArcGIS) -> None:
    portal = arcgis_fake.portal
    ann = member("ann")
    member("bob")
    member("vic", "viewer")
    ann_record = portal.users.require("ann")
    portal.add_folder("ann", "Rivers")
    in_root = ann.content.add_item("ann", title="Root map", type="Web Map", text="{}").id
    in_folder = portal.add_item(ann_record, "ann", title="River map", type="Web Map", folder="Rivers").id
    group_id = ann.groups.create(title="Ann's group", tags=["x"]).group.id
    before = user_state(arcgis_fake)
    for target in ("vic", "ghost", "ann"):
        with pytest.raises(BadRequest) as caught:
            arcgis_portal.users.reassign("ann", target_username=target)
        assert "'targetUsername'" in caught.value.message
    with pytest.raises(PermissionDenied):
        ann.users.reassign("ann", target_username="bob")
    assert user_state(arcgis_fake) == before and portal.items.get(in_root).owner == "ann"
    assert arcgis_portal.users.reassign("ann", target_username="bob").success
    root, folder = portal.items.get(in_root), portal.items.get(in_folder)
    assert root is not None and folder is not None and (root.owner, root.folder_id) == ("bob", None)
    moved = portal.items.folder("bob", "ann_Rivers")
    assert moved is not None and (folder.owner, folder.folder_id) == ("bob", moved.id)
    group = portal.groups.get(group_id)
    assert group is not None and group.owner == "bob"
    assert arcgis_portal.users.delete("ann").success  # owns nothing now
    assert sorted(i.title for i in arcgis_portal.content.search_all(q="owner:bob")) == ["River map", "Root map"]


@pytest.mark.seed("User.update_level")
def test_update_level_follows_the_user_type(arcgis_portal: PortalClient, member: Member,
                                            arcgis_fake: FakeArcGIS) -> None:
    ann = member("ann")
    vic = member("vic", "viewer")
    assert vic.users.me().level == "1"
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.update_level(user="ann", level="1")  # a User role does not fit a level 1 member
    assert "'level'" in caught.value.message
    ann.content.add_item("ann", title="Mine", type="Web Map", text="{}")
    arcgis_portal.roles.create(name="Lookers")
    lookers = next(r.id for r in arcgis_fake.portal.roles if r.name == "Lookers")
    arcgis_portal.users.update_role(user="ann", role=lookers)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.users.update_level(user="ann", level="1")  # owns an item
    assert "owns" in caught.value.message
    arcgis_fake.portal.items.remove(next(iter(arcgis_fake.portal.items)))
    assert arcgis_portal.users.update_level(user_name="ann", level="1").success
    me = ann.users.me()
    assert (me.level, me.user_license_type_id) == ("1", "viewerUT")
    with pytest.raises(BadRequest):  # a Viewer cannot hold a role that creates content
        arcgis_portal.users.update_role(user="ann", role="org_user")
    assert arcgis_portal.users.update_level(user="ann", level="2").success
    assert ann.users.me().user_license_type_id == "creatorUT"
    arcgis_portal.users.update_role(user="ann", role="org_user")
    with pytest.raises(BadRequest):
        arcgis_portal.users.update_level(level="2")  # no user
    with pytest.raises(PermissionDenied):
        ann.users.update_level(user="vic", level="2")


@pytest.mark.seed("UserManager.signup")
def test_signup_only_when_allowed(arcgis_portal: PortalClient, anonymous: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    details = {"username": "newbie", "password": STRONG, "fullname": "New Bie", "email": "newbie@example.test"}
    with pytest.raises(PermissionDenied):
        anonymous.users.signup(**details)
    assert arcgis_portal.user_settings.security_config().allow_signup is False
    assert arcgis_portal.user_settings.update_security_config(security_config={"allowSignup": True}).allow_signup
    for changes, wire in (({"password": "short"}, "password"), ({"email": "nope"}, "email"),
                          ({"username": "admin"}, "username")):
        with pytest.raises(BadRequest) as caught:
            anonymous.users.signup(**{**details, **changes})
        assert f"'{wire}'" in caught.value.message
    assert anonymous.users.signup(**details).success
    newbie = client_for(arcgis_fake, "newbie", STRONG)
    me = newbie.users.me()
    assert (me.full_name, me.role, me.email) == ("New Bie", "org_user", "newbie@example.test")


@pytest.mark.seed("UserManager.user_groups")
def test_users_groups(arcgis_portal: PortalClient, member: Member) -> None:
    ann = member("ann")
    member("bob")
    first = ann.groups.create(title="One", tags=["a"]).group.id
    second = ann.groups.create(title="Two", tags=["a"]).group.id
    found = arcgis_portal.users.users_groups(users=["ann", "bob"])
    assert [(r.username, sorted(r.groups)) for r in found.results] == [("ann", sorted([first, second])), ("bob", [])]
    assert len(arcgis_portal.users.users_groups(users=["ann"], limit=1).results[0].groups) == 1
    with pytest.raises(BadRequest):
        arcgis_portal.users.users_groups(users=["ghost"])
    with pytest.raises(BadRequest):
        arcgis_portal.users.users_groups(users=[f"u{i}" for i in range(26)])
    with pytest.raises(PermissionDenied):
        ann.users.users_groups(users=["ann"])


@pytest.mark.seed("User.linked_accounts")
def test_linked_accounts(member: Member, arcgis_portal: PortalClient) -> None:
    ann = member("ann")
    work = member("ann_work")
    bob = member("bob")
    assert ann.users.linked_users("ann").linked_users == []
    assert work.auth is not None
    with pytest.raises(BadRequest):
        ann.users.link_user("ann", user="ann_work", user_token="not-a-token")
    with pytest.raises(PermissionDenied):
        bob.users.link_user("ann", user="ann_work", user_token=work.auth.token())
    assert ann.users.link_user("ann", user="ann_work", user_token=work.auth.token()).success
    assert [u.username for u in ann.users.linked_users("ann").linked_users] == ["ann_work"]
    assert [u.username for u in work.users.linked_users("ann_work").linked_users] == ["ann"]
    assert [u.username for u in arcgis_portal.users.linked_users("ann").linked_users] == ["ann_work"]
    with pytest.raises(PermissionDenied):
        bob.users.linked_users("ann")
    assert work.users.unlink_user("ann_work", user="ann").success
    assert ann.users.linked_users("ann").linked_users == []
    with pytest.raises(BadRequest):
        ann.users.unlink_user("ann", user="ann_work")
