"""The privilege and ownership matrix of every operation on one item: each item operation of the spec (the
item-level operations of `content` and every operation of the item_* families) is called by every kind of
caller (anonymous, another member of the organization, the owner, an organization administrator) on a
private, an org and a public item, and must succeed, be refused with 403, look missing (the "does not exist
or is inaccessible" 400), be refused as bad input (400) or require a token (499), as the rules say. Refusals
change nothing. A test fails when the table has an operation of these families the matrix does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient, TokenRequired, Upload
from arcgis_typed.portal._operations import OPERATIONS
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import client_for, password_of

RELATIONS = ["anonymous", "member", "owner", "admin"]
ACCESS = ["private", "org", "public"]
USERNAME = {"member": "mia", "owner": "oscar", "admin": "admin"}
FAMILIES = ("item_comments.", "item_relationships.", "item_resources.", "item_apps.", "item_usage.")
# content operations on a user's content or on several items, tested in test_portal_content.py
NOT_ONE_ITEM = {
    "content.user_content", "content.folder_content", "content.add_item", "content.search", "content.share_items",
    "content.unshare_items", "content.create_folder", "content.delete_folder", "content.rename_folder",
    "content.delete_items",
}

Ctx = dict[str, str]
Action = Callable[[PortalClient, Ctx], Any]


def visible(relation: str, access: str) -> bool:
    return access == "public" or (relation != "anonymous" and (access == "org" or relation != "member"))


def read(relation: str, access: str) -> str:
    return "ok" if visible(relation, access) else "hidden"


def signed_read(relation: str, access: str) -> str:
    return "token" if relation == "anonymous" else read(relation, access)


def owned(relation: str, access: str) -> str:
    """The owner or an administrator; others are refused (403) when they can see the item."""
    if relation == "anonymous":
        return "token"
    if not visible(relation, access):
        return "hidden"
    return "ok" if relation in ("owner", "admin") else "denied"


def owner_only(relation: str, access: str) -> str:
    result = owned(relation, access)
    return "denied" if result == "ok" and relation == "admin" else result


def author(relation: str, access: str) -> str:
    """The comment's author: the member when the caller is one, else the owner (administrators are not)."""
    result = signed_read(relation, access)
    return "denied" if result == "ok" and relation == "admin" else result


def rate(relation: str, access: str) -> str:
    result = signed_read(relation, access)
    return "bad" if result == "ok" and relation == "owner" else result  # not one's own item


def admin_privilege(relation: str, access: str) -> str:
    """Checked before the item is looked at (portal:admin:reassignItems)."""
    return "token" if relation == "anonymous" else "ok" if relation == "admin" else "denied"


def relate(relation: str, access: str) -> str:
    return signed_read(relation, access)  # Map2Service has no ownership rule: seeing both items is enough


MATRIX: dict[str, tuple[Action, Callable[[str, str], str]]] = {
    "content.get": (lambda c, x: c.content.get(x["id"]), read),
    "content.get_data": (lambda c, x: c.content.get_data(x["id"]), read),
    "content.item_groups": (lambda c, x: c.content.item_groups(x["id"]), read),
    "content.item_page": (lambda c, x: c.content.item_page(id=x["id"]), read),
    "content.thumbnail": (lambda c, x: c.content.thumbnail(x["id"], "t.png"), read),
    "content.metadata": (lambda c, x: c.content.metadata(x["id"]), read),
    "content.update": (lambda c, x: c.content.update("oscar", x["id"], snippet="changed"), owned),
    "content.delete": (lambda c, x: c.content.delete("oscar", x["id"]), owned),
    "content.can_delete": (lambda c, x: c.content.can_delete("oscar", x["id"]), owned),
    "content.share": (lambda c, x: c.content.share(x["id"], groups=[]), owned),
    "content.unshare": (lambda c, x: c.content.unshare(x["id"], groups=[]), signed_read),
    "content.unshare_user_item": (lambda c, x: c.content.unshare_user_item("oscar", x["id"], groups=[]), signed_read),
    "content.move": (lambda c, x: c.content.move("oscar", x["id"], folder="Stuff"), owned),
    "content.reassign": (lambda c, x: c.content.reassign("oscar", x["id"], target_username="mia"), admin_privilege),
    "content.protect": (lambda c, x: c.content.protect("oscar", x["id"]), owned),
    "content.unprotect": (lambda c, x: c.content.unprotect("oscar", x["id"]), owned),
    "content.set_content_status": (lambda c, x: c.content.set_content_status(x["id"], status="deprecated"), owned),
    "content.proxies": (lambda c, x: c.content.proxies("oscar", x["id"]), owned),
    "content.user_item": (lambda c, x: c.content.user_item("oscar", x["id"]), owned),
    "item_comments.list": (lambda c, x: c.item_comments.list(x["id"]), read),
    "item_comments.get": (lambda c, x: c.item_comments.get(x["id"], x["comment"]), read),
    "item_comments.add": (lambda c, x: c.item_comments.add(x["id"], comment="hi"), signed_read),
    "item_comments.update": (lambda c, x: c.item_comments.update(x["id"], x["comment"], comment="edited"), author),
    "item_comments.delete": (lambda c, x: c.item_comments.delete(x["id"], x["comment"]), signed_read),
    "item_comments.rating": (lambda c, x: c.item_comments.rating(x["id"]), signed_read),
    "item_comments.add_rating": (lambda c, x: c.item_comments.add_rating(x["id"], rating=3), rate),
    "item_comments.delete_rating": (lambda c, x: c.item_comments.delete_rating(x["id"]), lambda r, a: (
        "bad" if rate(r, a) == "ok" else rate(r, a))),  # nobody has rated it yet
    "item_relationships.add": (lambda c, x: c.item_relationships.add(
        x["me"], origin_item_id=x["map"], destination_item_id=x["id"], relationship_type="Map2Service"), relate),
    "item_relationships.delete": (lambda c, x: c.item_relationships.delete(
        "oscar", origin_item_id=x["id"], destination_item_id=x["svc"], relationship_type="Service2Service"),
        lambda r, a: "token" if r == "anonymous" else "ok" if r in ("owner", "admin") else "denied"),
    "item_relationships.related_items": (lambda c, x: c.item_relationships.related_items(
        x["id"], relationship_types=["Map2Service"]), read),
    "item_resources.list": (lambda c, x: c.item_resources.list(x["id"]), read),
    "item_resources.get": (lambda c, x: c.item_resources.get(x["id"], "r.json"), read),
    "item_resources.add": (lambda c, x: c.item_resources.add("oscar", x["id"], text="{}", file_name="n.json"), owned),
    "item_resources.update": (lambda c, x: c.item_resources.update("oscar", x["id"], text="{}", file_name="r.json"),
                              owned),
    "item_resources.remove": (lambda c, x: c.item_resources.remove("oscar", x["id"], resource="r.json"), owned),
    "item_apps.register": (lambda c, x: c.item_apps.register(item_id=x["app"], app_type="browser"), owner_only),
    "item_apps.app_info": (lambda c, x: c.item_apps.app_info("oscar", x["registered"]), owned),
    "item_apps.unregister": (lambda c, x: c.item_apps.unregister(x["client"]), owned),
    "item_usage.usage": (lambda c, x: c.item_usage.usage(
        "self", start_time=0, end_time=86_400_000, period="1d", etype="svcusg", name=x["id"]), owned),
}

ERRORS: dict[str, type[ArcGISError]] = {
    "hidden": BadRequest, "bad": BadRequest, "denied": PermissionDenied, "token": TokenRequired,
}


def test_the_matrix_covers_every_item_operation_of_the_table() -> None:
    table = {op.name for op in OPERATIONS if op.name.startswith(FAMILIES)}
    table |= {op.name for op in OPERATIONS if op.name.startswith("content.") and op.name not in NOT_ONE_ITEM}
    assert table - set(MATRIX) == set()


def _state(fake: FakeArcGIS) -> object:
    items = fake.portal.items
    return sorted(
        (i.id, i.owner, i.snippet, i.access, i.protected, i.folder_id, i.content_status, tuple(i.type_keywords),
         i.num_comments, i.num_ratings, tuple((r.name, r.data) for r in items.resources.of(i.id)),
         tuple(sorted((r.destination, r.type) for r in items.relationships.forward(i.id))),
         tuple((c.id, c.comment) for c in items.comments.comments(i.id)))
        for i in items
    )


@pytest.mark.parametrize("access", ACCESS)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("op", sorted(MATRIX))
def test_matrix(op: str, relation: str, access: str) -> None:
    fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=3)
    portal = fake.portal
    for name in ("mia", "oscar"):
        portal.add_user(name, password_of(name), role="org_user")
    owner = portal.users.require("oscar")
    client = client_for(fake) if relation == "anonymous" else client_for(fake, USERNAME[relation])
    oscar = client_for(fake, "oscar") if relation != "owner" else client
    portal.add_folder("oscar", "Stuff")
    item = portal.add_item(owner, "oscar", title="Matrix item", type="Feature Service", text="{}")
    oscar.content.update("oscar", item.id, thumbnail=Upload("t.png", b"\x89PNG", "image/png"),
                         metadata=Upload("metadata.xml", b"<metadata/>", "text/xml"))
    oscar.item_resources.add("oscar", item.id, text="{}", file_name="r.json")
    svc = portal.add_item(owner, "oscar", title="Other service", type="Map Service")
    oscar.content.share(svc.id, everyone=True)
    # the caller's own public web map, to relate to the item (the administrator's for the anonymous caller)
    me = USERNAME.get(relation, "admin")
    mine = client_for(fake, me)
    web_map = mine.content.add_item(me, title="Map", type="Web Map").id
    mine.content.share(web_map, everyone=True)
    oscar.item_relationships.add("oscar", origin_item_id=item.id, destination_item_id=svc.id,
                                 relationship_type="Service2Service")
    app = oscar.content.add_item("oscar", title="App", type="Web Mapping Application").id
    registered = oscar.content.add_item("oscar", title="Registered", type="Web Mapping Application").id
    client_id = oscar.item_apps.register(item_id=registered, app_type="browser").client_id
    if access != "private":
        for shared in (item.id, app, registered):
            oscar.content.share(shared, everyone=access == "public", org=True)
    comment_id = _comment(fake, item.id, "mia" if relation == "member" else "oscar")
    ctx = {"id": item.id, "svc": svc.id, "map": web_map, "me": me, "app": app, "registered": registered,
           "client": client_id, "comment": comment_id}
    action, rule = MATRIX[op]
    expected = rule(relation, access)
    if expected == "ok":
        action(client, ctx)
        return
    before = _state(fake)
    with pytest.raises(ERRORS[expected]):
        action(client, ctx)
    assert _state(fake) == before


def _comment(fake: FakeArcGIS, item_id: str, author: str) -> str:
    """A comment on the item by `author` (the caller's own when the caller is a member: only authors edit)."""
    from arcgis_typed_fake.state.item_comments import CommentRecord

    portal = fake.portal
    record = CommentRecord(id=portal.ids.new(), item_id=item_id, owner=author, comment="first", created=portal.now())
    return portal.items.comments.add(record).id
