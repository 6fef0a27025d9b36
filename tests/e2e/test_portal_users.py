"""People end to end: community/self, profiles and their visibility, user search with paging and sorting,
and the organization's member list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, TokenRequired
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


@pytest.mark.seed("UserManager.search")
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


def test_org_users_needs_the_privilege(arcgis_fake: FakeArcGIS, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every built-in role may list members; a role without portal:user:viewOrgUsers may not."""
    from arcgis_typed_fake.state import roles

    stripped = tuple(p for p in roles.BUILT_IN_ROLES["org_user"][1] if p != "portal:user:viewOrgUsers")
    monkeypatch.setitem(roles.BUILT_IN_ROLES, "org_user", ("org_user", stripped, "2"))
    bob = add_member(arcgis_fake, "bob")
    with pytest.raises(PermissionDenied):
        bob.users.org_users()
