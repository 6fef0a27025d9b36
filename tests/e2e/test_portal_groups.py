"""Groups end to end through the typed client: creating, reading, searching (visibility, paging, sorting),
updating, protecting, reassigning, deleting; membership (add/remove/promote, join/leave, invitations, join
requests) and sharing items with groups (membership and privilege rules, view-only and shared-update groups,
unsharing, a group's content, an item's groups)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient, Upload
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.errors import Fault

Member = Callable[..., PortalClient]


@pytest.fixture
def alice(member: Member) -> PortalClient:
    return member("alice")


@pytest.fixture
def bob(member: Member) -> PortalClient:
    return member("bob")


@pytest.fixture
def carol(member: Member) -> PortalClient:
    return member("carol")


def _item(client: PortalClient, username: str, title: str = "Parcels") -> str:
    return client.content.add_item(username, title=title, type="CSV", text="a,b\n1,2\n").id


# --- creating, reading, updating ---------------------------------------------------------------------------


@pytest.mark.seed("GroupManager.create")
@pytest.mark.seed("GroupManager.create_from_dict")
@pytest.mark.seed("GroupManager.get")
@pytest.mark.seed("Group.(constructor)")
def test_create_with_every_parameter_and_get(alice: PortalClient) -> None:
    created = alice.groups.create(
        title="Field crews", tags=["field", "crews"], description="<p>d</p>", snippet="s", phone="555",
        access="org", is_invitation_only=True, is_view_only=False, sort_field="modified", sort_order="desc",
        auto_join=False, leaving_disallowed=True, hidden_members=True, is_open_data=False,
        capabilities=["updateitemcontrol"], max_file_size=1024000, display_settings={"itemTypes": ""},
    )
    assert created.success is True
    group = alice.groups.get(created.group.id)
    assert (group.title, group.owner, group.access, group.tags) == ("Field crews", "alice", "org", ["field", "crews"])
    assert group.is_invitation_only is True and group.leaving_disallowed is True and group.hidden_members is True
    assert group.capabilities == ["updateitemcontrol"] and group.sort_field == "modified"
    assert group.user_membership is not None and group.user_membership.member_type == "owner"
    assert group.protected is False and group.created is not None


def test_create_needs_title_tags_and_the_sharing_privileges(alice: PortalClient, member: Member) -> None:
    with pytest.raises(BadRequest):
        alice.groups.create(title=" ", tags=["x"])
    with pytest.raises(BadRequest):
        alice.groups.create(title="x", tags=[" "])
    viewer = member("vic", "viewer")
    with pytest.raises(PermissionDenied):
        viewer.groups.create(title="Mine", tags=["x"])
    alice.groups.create(title="Dup", tags=["x"])
    with pytest.raises(ArcGISError):
        alice.groups.create(title="dup", tags=["x"])


@pytest.mark.seed("Group.update")
def test_update_every_parameter(alice: PortalClient, bob: PortalClient) -> None:
    gid = alice.groups.create(title="Before", tags=["a"]).group.id
    alice.groups.update(
        gid, title="After", tags=["b", "c"], description="d", snippet="s", phone="1", access="public",
        is_invitation_only=True, is_view_only=True, sort_field="title", sort_order="asc", auto_join=True,
        leaving_disallowed=True, hidden_members=True, is_open_data=True, capabilities=["updateitemcontrol"],
        max_file_size=10, display_settings={"itemTypes": "maps"},
    )
    g = alice.groups.get(gid)
    assert (g.title, g.tags, g.access, g.is_view_only, g.auto_join, g.is_open_data) == (
        "After", ["b", "c"], "public", True, True, True)
    alice.groups.update(gid, snippet="", clear_empty_fields=True)
    assert alice.groups.get(gid).snippet == ""
    with pytest.raises(PermissionDenied):
        bob.groups.update(gid, title="Hijacked")  # bob sees the public group but does not manage it


# --- visibility and search ----------------------------------------------------------------------------------


@pytest.mark.seed("GIS.groups")
@pytest.mark.seed("GroupManager.(constructor)")
@pytest.mark.seed("GroupManager.search")
def test_search_sees_only_visible_groups(alice: PortalClient, bob: PortalClient, anonymous: PortalClient,
                                         arcgis_portal: PortalClient) -> None:
    private = alice.groups.create(title="Secret plans", tags=["t"], access="private").group.id
    org = alice.groups.create(title="Org plans", tags=["t"], access="org").group.id
    public = alice.groups.create(title="Public plans", tags=["t"], access="public").group.id

    def found(client: PortalClient) -> set[str]:
        return {g.id for g in client.groups.search_all(q="plans")}

    assert found(alice) == {private, org, public}
    assert found(bob) == {org, public}
    assert found(anonymous) == {public}
    assert found(arcgis_portal) == {private, org, public}  # portal:admin:viewGroups
    with pytest.raises(BadRequest):
        bob.groups.get(private)
    with pytest.raises(BadRequest):
        anonymous.groups.get(org)
    assert {g.id for g in bob.groups.search(q="owner:alice AND access:org").results} == {org}


ORG_SCHEMA = {"categorySchema": [{"title": "Categories", "categories": [
    {"title": "Water", "categories": [{"title": "Rivers"}, {"title": "Lakes"}]},
    {"title": "Forest"},
    {"title": "Region", "categories": [{"title": "US"}, {"title": "Europe"}]},
]}]}


@pytest.mark.seed("GroupManager.search")
def test_search_by_category_filters(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient,
                                    arcgis_fake: FakeArcGIS) -> None:
    arcgis_portal.categories.assign(category_schema=ORG_SCHEMA)
    portal = arcgis_fake.portal
    rivers = alice.groups.create(title="River crew", tags=["t"], access="org").group.id
    lakes = alice.groups.create(title="Lake crew", tags=["t"], access="private").group.id
    woods = alice.groups.create(title="Wood crew", tags=["t"], access="org").group.id
    alice.groups.create(title="Plain crew", tags=["t"], access="org")
    portal.groups.file_under(rivers, portal.categories, ["/Categories/Water/Rivers", "/Categories/Region/US"])
    portal.groups.file_under(lakes, portal.categories, ["/Categories/Water/Lakes"])
    portal.groups.file_under(woods, portal.categories, ["/Categories/Forest", "/Categories/Region/Europe"])

    def found(client: PortalClient, filters: str) -> set[str]:
        return {g.id for g in client.groups.search_all(q="crew", category_filters=filters)}

    assert found(alice, "/Categories/Water") == {rivers, lakes}  # a sub-category matches its parent
    assert found(alice, "/categories/water/rivers/") == {rivers}  # any case, trailing slash
    assert found(alice, "/Categories/Forest, /Categories/Region/US") == {rivers, woods}  # OR
    assert found(alice, "Europe,Lakes") == {woods, lakes}  # titles at any level
    assert found(bob, "Water") == {rivers}  # still only the groups the caller may see
    assert found(alice, "/Categories/Imagery") == set()
    page = alice.groups.search(q="crew", category_filters="Water", num=1)
    assert (page.total, page.next_start, len(page.results)) == (2, 2, 1)
    for bad in (" , ", ",".join(f"T{i}" for i in range(9))):
        with pytest.raises(BadRequest) as caught:
            alice.groups.search(q="crew", category_filters=bad)
        assert "'categoryFilters'" in caught.value.message
    with pytest.raises(Fault, match="Unknown categories"):
        portal.groups.file_under(woods, portal.categories, ["/Categories/Nowhere"])
    filed = portal.groups.get(woods)
    assert filed is not None and filed.org_categories == ["/Categories/Forest", "/Categories/Region/Europe"]


def test_search_pages_and_sorts(alice: PortalClient) -> None:
    ids = [alice.groups.create(title=f"Team {n:03d}", tags=["team"], access="org").group.id for n in range(25)]
    first = alice.groups.search(q="tags:team", sort_field="title", sort_order="desc", num=10)
    assert first.total == 25 and first.next_start == 11 and first.results[0].title == "Team 024"
    assert [g.id for g in alice.groups.search_all(q="tags:team", sort_field="title", page_size=7)] == ids
    with pytest.raises(BadRequest):
        alice.groups.search(q="title:(")


# --- membership ---------------------------------------------------------------------------------------------


@pytest.mark.seed("Group.add_users")
@pytest.mark.seed("Group.remove_users")
@pytest.mark.seed("Group.get_members")
def test_add_remove_and_list_members(alice: PortalClient, bob: PortalClient, carol: PortalClient) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"], access="private").group.id
    assert alice.groups.add_users(gid, users=["bob", "nobody"], admins=["carol"]).not_added == ["nobody"]
    members = alice.groups.users(gid)
    assert (members.owner, members.admins, members.users) == ("alice", ["alice", "carol"], ["bob"])
    assert bob.groups.get(gid).user_membership.member_type == "member"  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        bob.groups.add_users(gid, users=["carol"])  # a plain member does not manage the group
    assert carol.groups.remove_users(gid, users=["bob", "alice"]).not_removed == ["alice"]  # not the owner
    with pytest.raises(BadRequest):
        bob.groups.get(gid)  # no longer a member of the private group


def test_update_users_promotes_and_demotes(alice: PortalClient, bob: PortalClient) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"]).group.id
    alice.groups.add_users(gid, users=["bob"])
    results = alice.groups.update_users(gid, admins=["bob", "ghost"]).results
    assert [(r.username, r.success) for r in results] == [("bob", True), ("ghost", False)]
    assert alice.groups.users(gid).admins == ["alice", "bob"]
    alice.groups.update_users(gid, users=["bob"])
    assert alice.groups.users(gid).users == ["bob"]


@pytest.mark.seed("Group.join")
@pytest.mark.seed("Group.leave")
@pytest.mark.seed("Group.applications")
@pytest.mark.seed("GroupApplication.(constructor)")
@pytest.mark.seed("GroupApplication.properties")
@pytest.mark.seed("GroupApplication.accept")
@pytest.mark.seed("GroupApplication.decline")
def test_join_requests_are_accepted_or_declined(alice: PortalClient, bob: PortalClient, carol: PortalClient) -> None:
    gid = alice.groups.create(title="Open", tags=["x"], access="org").group.id
    bob.groups.join(gid)
    carol.groups.join(gid)
    assert bob.groups.get(gid).user_membership.member_type == "none"  # type: ignore[union-attr]
    apps = alice.groups.applications(gid).applications
    assert [a.username for a in apps] == ["bob", "carol"]
    assert alice.groups.get(gid).user_membership.applications == 2  # type: ignore[union-attr]
    assert alice.groups.application(gid, "bob").full_name == "bob"
    with pytest.raises(PermissionDenied):
        bob.groups.applications(gid)
    alice.groups.accept(gid, "bob")
    alice.groups.decline(gid, "carol")
    assert alice.groups.applications(gid).applications == []
    assert alice.groups.users(gid).users == ["bob"]
    with pytest.raises(BadRequest):
        alice.groups.accept(gid, "carol")
    bob.groups.leave(gid)
    assert alice.groups.users(gid).users == []
    with pytest.raises(BadRequest):
        alice.groups.leave(gid)  # the owner cannot leave


def test_auto_join_and_leaving_disallowed(alice: PortalClient, bob: PortalClient) -> None:
    gid = alice.groups.create(title="Auto", tags=["x"], access="org", auto_join=True, leaving_disallowed=True).group.id
    bob.groups.join(gid)
    assert alice.groups.users(gid).users == ["bob"]
    with pytest.raises(PermissionDenied):
        bob.groups.leave(gid)


@pytest.mark.seed("Group.invite_users")
def test_invitation_only_groups_admit_invited_users(alice: PortalClient, bob: PortalClient, carol: PortalClient) -> None:
    gid = alice.groups.create(title="Closed", tags=["x"], access="private", is_invitation_only=True).group.id
    with pytest.raises(BadRequest):
        bob.groups.join(gid)  # cannot even see the private group
    assert alice.groups.invite(gid, users=["bob", "ghost"], role="group_admin", expiration=60).not_invited == ["ghost"]
    assert bob.groups.get(gid).title == "Closed"  # the invitation shows the group
    bob.groups.join(gid)
    assert alice.groups.users(gid).admins == ["alice", "bob"]
    org_closed = alice.groups.create(title="Org closed", tags=["x"], access="org", is_invitation_only=True).group.id
    with pytest.raises(PermissionDenied):
        carol.groups.join(org_closed)


# --- protection, reassignment, deletion ---------------------------------------------------------------------


@pytest.mark.seed("Group.protected")
@pytest.mark.seed("Group.delete")
def test_protected_groups_cannot_be_deleted(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    gid = alice.groups.create(title="Keep", tags=["x"], access="org").group.id
    alice.groups.protect(gid)
    assert alice.groups.get(gid).protected is True
    with pytest.raises(BadRequest):
        alice.groups.delete(gid)
    with pytest.raises(PermissionDenied):
        bob.groups.unprotect(gid)
    alice.groups.unprotect(gid)
    with pytest.raises(PermissionDenied):
        bob.groups.delete(gid)
    assert arcgis_portal.groups.delete(gid).success is True  # portal:admin:deleteGroups
    with pytest.raises(BadRequest):
        alice.groups.get(gid)


@pytest.mark.seed("Group.reassign_to")
def test_reassign(alice: PortalClient, bob: PortalClient, carol: PortalClient, arcgis_portal: PortalClient) -> None:
    gid = alice.groups.create(title="Mine", tags=["x"], access="org").group.id
    with pytest.raises(PermissionDenied):
        bob.groups.reassign(gid, target_username="bob")
    alice.groups.reassign(gid, target_username="bob")
    members = bob.groups.users(gid)
    assert members.owner == "bob" and members.admins == ["alice", "bob"]
    arcgis_portal.groups.reassign(gid, target_username="carol")
    assert carol.groups.get(gid).owner == "carol"
    with pytest.raises(BadRequest):
        carol.groups.reassign(gid, target_username="ghost")


# --- sharing with groups ------------------------------------------------------------------------------------


@pytest.mark.seed("Item.shared_with")
@pytest.mark.seed("Group.content")
def test_sharing_to_a_group_shows_the_item_to_its_members(alice: PortalClient, bob: PortalClient,
                                                           carol: PortalClient) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"]).group.id
    alice.groups.add_users(gid, users=["bob"])
    item = _item(alice, "alice")
    with pytest.raises(BadRequest):
        bob.content.get(item)
    assert alice.content.share(item, groups=[gid, "nosuchgroup"]).not_shared_with == ["nosuchgroup"]
    assert alice.content.get(item).access == "shared"
    assert bob.content.get(item).id == item
    assert [i.id for i in bob.content.search(q="title:parcels").results] == [item]
    assert [i.id for i in bob.groups.content(gid).items] == [item]
    with pytest.raises(BadRequest):
        carol.content.get(item)
    with pytest.raises(BadRequest):
        carol.groups.content(gid)  # a private group
    shared = alice.content.item_groups(item)
    assert [g.id for g in shared.admin] == [gid] and shared.member == [] and shared.other == []
    assert [g.id for g in bob.content.item_groups(item).member] == [gid]


def test_sharing_needs_membership_and_the_privilege(alice: PortalClient, bob: PortalClient, member: Member,
                                                    arcgis_portal: PortalClient) -> None:
    gid = alice.groups.create(title="Org group", tags=["x"], access="org").group.id
    item = _item(bob, "bob")
    assert bob.content.share(item, groups=[gid]).not_shared_with == [gid]  # bob is not a member
    assert arcgis_portal.content.share(item, groups=[gid]).not_shared_with == []  # portal:admin:shareToGroup
    assert [i.id for i in alice.groups.content(gid).items] == [item]
    with pytest.raises(PermissionDenied):
        alice.content.share(item, groups=[gid])  # not alice's item


def test_view_only_groups_take_items_only_from_managers(alice: PortalClient, bob: PortalClient) -> None:
    gid = alice.groups.create(title="Announcements", tags=["x"], is_view_only=True).group.id
    alice.groups.add_users(gid, users=["bob"])
    mine, his = _item(alice, "alice"), _item(bob, "bob")
    assert alice.content.share(mine, groups=[gid]).not_shared_with == []
    assert bob.content.share(his, groups=[gid]).not_shared_with == [gid]
    alice.groups.update_users(gid, admins=["bob"])
    assert bob.content.share(his, groups=[gid]).not_shared_with == []


def test_shared_update_groups_let_members_edit(alice: PortalClient, bob: PortalClient, carol: PortalClient) -> None:
    gid = alice.groups.create(title="Editors", tags=["x"], capabilities=["updateitemcontrol"]).group.id
    alice.groups.add_users(gid, users=["bob"])
    item = _item(alice, "alice")
    assert alice.content.share(item, groups=[gid]).not_shared_with == [gid]  # needs confirmItemControl
    assert alice.content.share(item, groups=[gid], confirm_item_control=True).not_shared_with == []
    assert alice.content.get(item).item_control == "update"
    bob.content.update("alice", item, title="Edited by bob")
    assert alice.content.get(item).title == "Edited by bob"
    with pytest.raises((PermissionDenied, BadRequest)):
        carol.content.update("alice", item, title="Not carol")
    plain = alice.groups.create(title="Readers", tags=["x"]).group.id
    alice.groups.add_users(plain, users=["carol"])
    alice.content.share(item, groups=[plain])
    with pytest.raises(PermissionDenied):
        carol.content.update("alice", item, title="Still not carol")


@pytest.mark.seed("Item.unshare")
@pytest.mark.seed("ContentManager.unshare_items")
def test_unsharing(alice: PortalClient, bob: PortalClient, carol: PortalClient) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"]).group.id
    alice.groups.add_users(gid, users=["bob", "carol"])
    first, second = _item(bob, "bob", "One"), _item(bob, "bob", "Two")
    bob.content.share_items("bob", items=[first, second], groups=[gid])
    assert {i.id for i in carol.groups.content(gid).items} == {first, second}
    assert carol.content.unshare(first, groups=[gid]).not_unshared_from == [gid]  # not hers, not a manager
    assert alice.content.unshare(first, groups=[gid]).not_unshared_from == []  # the group's owner may
    assert bob.content.get(first).access == "private"
    bob.content.share(first, groups=[gid])
    assert bob.content.unshare_user_item("bob", first, groups=[gid]).not_unshared_from == []
    results = bob.content.unshare_items("bob", items=[second, "nosuch"], groups=[gid]).results
    assert [(r.item_id, r.success) for r in results] == [(second, True), ("nosuch", False)]
    assert carol.groups.content(gid).items == []
    with pytest.raises(PermissionDenied):
        carol.content.unshare_items("bob", items=[second], groups=[gid])


def test_removing_a_member_unshares_only_their_items(alice: PortalClient, bob: PortalClient,
                                                     carol: PortalClient) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"]).group.id
    alice.groups.add_users(gid, users=["bob", "carol"])
    hers, his = _item(carol, "carol", "Hers"), _item(bob, "bob", "His")
    carol.content.share(hers, groups=[gid])
    bob.content.share(his, groups=[gid])
    alice.groups.remove_users(gid, users=["bob"])
    assert [i.id for i in carol.groups.content(gid).items] == [hers]
    with pytest.raises(BadRequest):
        carol.content.get(his)
    carol.groups.leave(gid)
    assert alice.groups.content(gid).items == []


def test_deleting_a_group_unshares_its_items(alice: PortalClient, bob: PortalClient) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"]).group.id
    alice.groups.add_users(gid, users=["bob"])
    item = _item(alice, "alice")
    alice.content.share(item, groups=[gid], org=False)
    alice.groups.delete(gid)
    got = alice.content.get(item)
    assert got.access == "private"
    assert alice.content.item_groups(item).admin == []
    with pytest.raises(BadRequest):
        bob.content.get(item)


def test_group_content_respects_the_callers_access(alice: PortalClient, bob: PortalClient,
                                                   anonymous: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    gid = alice.groups.create(title="Public crew", tags=["x"], access="public").group.id
    shared_only, public = _item(alice, "alice", "Shared"), _item(alice, "alice", "Public")
    alice.content.share(shared_only, groups=[gid])
    alice.content.share(public, groups=[gid], everyone=True)
    assert {i.id for i in alice.groups.content(gid).items} == {shared_only, public}
    assert [i.id for i in anonymous.groups.content(gid).items] == [public]
    assert [i.id for i in bob.groups.content(gid).items] == [public]
    page = alice.groups.content(gid, num=1, sort_field="title")
    assert page.total == 2 and page.next_start == 2 and page.items[0].title == "Public"


def test_a_users_groups_are_listed_on_their_profile(alice: PortalClient, bob: PortalClient,
                                                    arcgis_portal: PortalClient) -> None:
    crew = alice.groups.create(title="Crew", tags=["x"]).group.id
    alice.groups.create(title="Alone", tags=["x"])
    alice.groups.add_users(crew, users=["bob"])
    me = bob.users.me()
    assert [g.id for g in me.groups or []] == [crew]
    assert me.groups[0].user_membership.member_type == "member"  # type: ignore[index,union-attr]
    assert [g.title for g in arcgis_portal.users.get("alice").groups or []] == ["Alone", "Crew"]


@pytest.mark.seed("Group.categories")
def test_a_groups_category_schema(alice: PortalClient, bob: PortalClient, anonymous: PortalClient) -> None:
    gid = alice.groups.create(title="Catalog", tags=["x"], access="public").group.id
    assert anonymous.groups.category_schema(gid).category_schema == []
    schema = {"categorySchema": [{"title": "Categories", "categories": [{"title": "Water"}]}]}
    assert alice.groups.assign_category_schema(gid, category_schema=schema).success is True
    tree = anonymous.groups.category_schema(gid).category_schema[0]
    assert tree.title == "Categories" and [c.title for c in tree.categories or []] == ["Water"]
    with pytest.raises(PermissionDenied):
        bob.groups.assign_category_schema(gid, category_schema={"categorySchema": []})
    with pytest.raises(BadRequest):
        alice.groups.assign_category_schema(gid, category_schema={"categorySchema": [{"title": ""}]})


@pytest.mark.seed("Group.content")
@pytest.mark.seed("GroupManager.search")
@pytest.mark.seed("CategorySchemaManager.assign_to_items")
def test_group_content_categories_are_assigned_and_searched(alice: PortalClient, bob: PortalClient,
                                                            anonymous: PortalClient) -> None:
    gid = alice.groups.create(title="Catalog", tags=["x"], access="public").group.id
    alice.groups.add_users(gid, users=["bob"])
    schema = {"categorySchema": [{"title": "Categories", "categories": [
        {"title": "Water", "categories": [{"title": "Rivers"}]}, {"title": "Forest"}]},
        {"title": "Region", "categories": [{"title": "US"}]}]}
    alice.groups.assign_category_schema(gid, category_schema=schema)
    river, forest, plain, private = (_item(alice, "alice", t) for t in ("River", "Forest", "Plain", "Private"))
    for item in (river, forest, plain):
        alice.content.share(item, groups=[gid], everyone=True)
    alice.content.share(private, groups=[gid])
    result = alice.groups.update_categories(gid, items=[
        {river: {"categories": ["/Categories/Water/Rivers", "/Region/US"]}},
        {forest: {"categories": ["/Categories/Forest"]}},
        {private: {"categories": ["/Categories/Water"]}},
        {plain: {"categories": ["/Categories/Desert"]}},
        {_item(alice, "alice", "Unshared"): {"categories": ["/Categories/Forest"]}},
    ])
    assert [e.success for e in result.results] == [True, True, True, False, False]

    def found(client: PortalClient, categories: list[str] | None = None, q: str | None = None) -> set[str]:
        return {i.id for i in client.groups.search_content(gid, q=q, categories=categories).results}

    assert found(alice, ["/Categories/Water"]) == {river, private}  # a sub-category matches its parent
    assert found(bob, ["/Categories/Water"]) == {river, private}
    assert found(anonymous, ["/Categories/Water"]) == {river}  # the private item stays hidden
    assert found(alice, ["/Categories/Water,/Categories/Forest"]) == {river, private, forest}  # OR in a string
    assert found(alice, ["/Categories/Water", "/Region/US"]) == {river}  # AND across strings
    assert found(alice, q="title:forest") == {forest}
    assert found(alice) == {river, forest, plain, private}
    page = alice.groups.search_content(gid, categories=["/Region/US"])
    assert [(i.id, i.group_categories) for i in page.results] == [(river, ["/Categories/Water/Rivers", "/Region/US"])]
    with pytest.raises(BadRequest):
        alice.groups.search_content(gid, categories=["Water"])  # not a path
    with pytest.raises(PermissionDenied):
        bob.groups.update_categories(gid, items=[{river: {"categories": []}}])
    alice.content.unshare(river, groups=[gid])
    alice.content.share(river, groups=[gid])
    assert found(alice, ["/Region/US"]) == set()  # unsharing dropped the item's categories in the group
    alice.groups.update_categories(gid, items=[{forest: {"categories": []}}])
    assert found(alice, ["/Categories/Forest"]) == set()


@pytest.mark.seed("Group.homepage")
def test_a_groups_home_page(alice: PortalClient, bob: PortalClient, anonymous: PortalClient) -> None:
    gid = alice.groups.create(title="Rivers & <Lakes>", tags=["x"], access="org", snippet="Water").group.id
    page = bob.groups.homepage(id=gid)
    assert "<h1>Rivers &amp; &lt;Lakes&gt;</h1>" in page and f"/community/groups/{gid}" in page
    with pytest.raises(BadRequest):
        anonymous.groups.homepage(id=gid)  # an org group is not shown to anonymous visitors


@pytest.mark.seed("Group.notify")
def test_notify_members(alice: PortalClient, bob: PortalClient, carol: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    gid = alice.groups.create(title="Crew", tags=["x"], access="org").group.id
    alice.groups.add_users(gid, users=["bob"])
    assert alice.groups.notify(gid, subject="Shift", message="Starts at 8", notification_channel_type="email").success
    sent = arcgis_fake.portal.groups.notifications
    assert [(n.sender, n.subject, n.recipients, n.channel) for n in sent] == [
        ("alice", "Shift", ("alice", "bob"), "email")]
    alice.groups.notify(gid, subject="Just bob", message="m", users=["bob"])
    assert sent[-1].recipients == ("bob",)
    with pytest.raises(BadRequest):
        alice.groups.notify(gid, subject="s", message="m", users=["carol"])  # not a member
    with pytest.raises(PermissionDenied):
        bob.groups.notify(gid, subject="s", message="m")
    assert len(sent) == 2


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.seed("Group.get_thumbnail")
@pytest.mark.seed("Group.download_thumbnail")
def test_thumbnails(alice: PortalClient, bob: PortalClient, anonymous: PortalClient) -> None:
    gid = alice.groups.create(title="Pictured", tags=["x"], access="org",
                              thumbnail=Upload("logo.png", PNG, "image/png")).group.id
    group = alice.groups.get(gid)
    assert group.thumbnail == "logo.png"
    assert bob.groups.thumbnail(gid, "logo.png") == PNG
    with pytest.raises(BadRequest):
        anonymous.groups.thumbnail(gid, "logo.png")  # an org group
    with pytest.raises(BadRequest):
        bob.groups.thumbnail(gid, "other.png")
    alice.groups.update(gid, thumbnail=Upload("new.jpg", b"\xff\xd8jpeg", "image/jpeg"))
    assert alice.groups.get(gid).thumbnail == "new.jpg"
    assert alice.groups.thumbnail(gid, "new.jpg") == b"\xff\xd8jpeg"
    with pytest.raises(BadRequest):
        alice.groups.update(gid, title="Unchanged?", thumbnail=Upload("notes.txt", b"text", "text/plain"))
    assert alice.groups.get(gid).title == "Pictured"


def test_a_deleted_user_leaves_every_group(alice: PortalClient, bob: PortalClient, carol: PortalClient,
                                           arcgis_fake: FakeArcGIS) -> None:
    crew = alice.groups.create(title="Crew", tags=["x"], access="org").group.id
    other = alice.groups.create(title="Other", tags=["x"], access="org").group.id
    alice.groups.add_users(crew, users=["bob"])
    bob.groups.join(other)
    alice.groups.invite(crew, users=["carol"])
    groups = arcgis_fake.portal.groups
    groups.forget_user("bob")
    groups.forget_user("carol")
    assert alice.groups.users(crew).users == []
    assert alice.groups.applications(other).applications == []
    assert "carol" not in groups.get(crew).invitations  # type: ignore[union-attr]
