"""Comments and ratings end to end: visibility, authorship, one rating per user, figures on the item."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, TokenRequired
from arcgis_typed_fake import FakeArcGIS

Member = Callable[..., PortalClient]


@pytest.mark.seed("Item.add_comment")
@pytest.mark.seed("Item.comments")
def test_comment_lifecycle(alice: PortalClient, bob: PortalClient, member: Member, arcgis_portal: PortalClient,
                           anonymous: PortalClient) -> None:
    carol = member("carol")
    item_id = alice.content.add_item("alice", title="Talked about", type="Web Map").id
    with pytest.raises(BadRequest):
        bob.item_comments.add(item_id, comment="I cannot see it")  # private: same answer as a missing item
    alice.content.share(item_id, org=True)
    first = bob.item_comments.add(item_id, comment="  Nice map  ")
    assert first.success is True
    second = carol.item_comments.add(item_id, comment="Agreed")
    page = alice.item_comments.list(item_id)
    assert [(c.id, c.owner, c.comment) for c in page.comments] == [
        (first.comment_id, "bob", "Nice map"), (second.comment_id, "carol", "Agreed")]
    assert (page.total, page.next_start) == (2, -1)
    assert alice.content.get(item_id).num_comments == 2
    assert arcgis_portal.content.search(q="numcomments:[2 TO 2]").total == 1
    one = alice.item_comments.get(item_id, first.comment_id)
    assert one.comment == "Nice map" and one.created is not None
    with pytest.raises(BadRequest):
        anonymous.item_comments.list(item_id)  # org item: anonymous callers see nothing

    # Only the author edits; the author, the item's owner or an administrator deletes.
    with pytest.raises(PermissionDenied):
        alice.item_comments.update(item_id, first.comment_id, comment="edited by alice")
    assert bob.item_comments.update(item_id, first.comment_id, comment="Very nice").success is True
    assert alice.item_comments.get(item_id, first.comment_id).comment == "Very nice"
    with pytest.raises(PermissionDenied):
        carol.item_comments.delete(item_id, first.comment_id)
    assert alice.item_comments.delete(item_id, first.comment_id).comment_id == first.comment_id
    assert arcgis_portal.item_comments.delete(item_id, second.comment_id).success is True
    assert alice.item_comments.list(item_id).total == 0
    assert alice.content.get(item_id).num_comments == 0
    with pytest.raises(BadRequest):
        alice.item_comments.get(item_id, first.comment_id)


@pytest.mark.seed("Item.add_comment")
def test_bad_comments_are_refused(alice: PortalClient, anonymous: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="X", type="Web Map").id
    alice.content.share(item_id, everyone=True)
    for text in ("   ", "x" * 2001):
        with pytest.raises(BadRequest) as caught:
            alice.item_comments.add(item_id, comment=text)
        assert "comment" in caught.value.message
    with pytest.raises(TokenRequired):
        anonymous.item_comments.add(item_id, comment="hello")
    assert alice.item_comments.list(item_id).total == 0


@pytest.mark.seed("Item.comments")
def test_comments_page(alice: PortalClient, bob: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="Busy", type="Web Map").id
    alice.content.share(item_id, org=True)
    ids = [bob.item_comments.add(item_id, comment=f"c{i}").comment_id for i in range(7)]
    page = alice.item_comments.list(item_id, start=3, num=3)
    assert [c.id for c in page.comments] == ids[2:5] and page.next_start == 6
    assert [c.id for c in alice.item_comments.list_all(item_id, page_size=2)] == ids


@pytest.mark.seed("Item.rating")
@pytest.mark.seed("Item.delete_rating")
def test_ratings(alice: PortalClient, bob: PortalClient, member: Member, arcgis_portal: PortalClient) -> None:
    carol = member("carol")
    item_id = alice.content.add_item("alice", title="Rated", type="Web Map").id
    with pytest.raises(BadRequest):
        bob.item_comments.add_rating(item_id, rating=5)  # cannot see it
    alice.content.share(item_id, org=True)
    with pytest.raises(BadRequest) as caught:
        alice.item_comments.add_rating(item_id, rating=5)
    assert "own item" in caught.value.message
    for bad in (0.5, 5.5):
        with pytest.raises(BadRequest):
            bob.item_comments.add_rating(item_id, rating=bad)
    assert bob.item_comments.rating(item_id).rating is None
    assert bob.item_comments.add_rating(item_id, rating=2).id == item_id
    bob.item_comments.add_rating(item_id, rating=4)  # one rating per user: the new one replaces the old
    carol.item_comments.add_rating(item_id, rating=5)
    assert bob.item_comments.rating(item_id).rating == 4.0
    item = alice.content.get(item_id)
    assert (item.num_ratings, item.avg_rating) == (2, 4.5)
    assert arcgis_portal.content.search(q="avgrating:[4 TO 5]").total == 1
    assert bob.item_comments.delete_rating(item_id).success is True
    assert bob.item_comments.rating(item_id).rating is None
    with pytest.raises(BadRequest):
        bob.item_comments.delete_rating(item_id)
    item = alice.content.get(item_id)
    assert (item.num_ratings, item.avg_rating) == (1, 5.0)


def test_comments_and_ratings_follow_visibility(alice: PortalClient, bob: PortalClient,
                                                arcgis_fake: FakeArcGIS) -> None:
    item_id = alice.content.add_item("alice", title="Was shared", type="Web Map").id
    alice.content.share(item_id, org=True)
    comment = bob.item_comments.add(item_id, comment="seen").comment_id
    alice.content.share(item_id, org=False)  # private again
    with pytest.raises(BadRequest):
        bob.item_comments.list(item_id)
    with pytest.raises(BadRequest):
        bob.item_comments.update(item_id, comment, comment="still?")
    with pytest.raises(BadRequest):
        bob.item_comments.add_rating(item_id, rating=3)
    assert arcgis_fake.portal.items.comments.comment(item_id, comment).comment == "seen"
