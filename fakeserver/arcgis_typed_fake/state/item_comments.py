"""Comments and ratings on items: who may read, write and delete them, one rating per user and item.

Comments and ratings follow the item's visibility: whoever may see the item may read its comments; a signed-in
user who may see it may comment on it and rate it (not their own item). Deleting an item drops both
(`ItemStore.remove` calls `CommentStore.drop_item`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ..errors import bad_request, forbidden, not_found

if TYPE_CHECKING:
    from .items import ItemRecord
    from .portal import PortalState
    from .users import UserRecord

MAX_COMMENT_CHARS = 2000
MIN_RATING, MAX_RATING = 1.0, 5.0


@attrs.define(eq=False)
class CommentRecord:
    id: str
    item_id: str
    owner: str
    comment: str
    created: int


class CommentStore:
    """Comments by item (in the order they were made) and ratings by item and user."""

    def __init__(self) -> None:
        self._comments: dict[str, dict[str, CommentRecord]] = {}  # item id -> comment id -> comment
        self._ratings: dict[str, dict[str, float]] = {}  # item id -> username (lower) -> rating

    def comments(self, item_id: str) -> list[CommentRecord]:
        return list(self._comments.get(item_id, {}).values())

    def count(self, item_id: str) -> int:
        return len(self._comments.get(item_id, {}))

    def comment(self, item_id: str, comment_id: str) -> CommentRecord:
        found = self._comments.get(item_id, {}).get(comment_id)
        if found is None:
            raise not_found("Comment")
        return found

    def add(self, record: CommentRecord) -> CommentRecord:
        self._comments.setdefault(record.item_id, {})[record.id] = record
        return record

    def remove(self, record: CommentRecord) -> None:
        self._comments.get(record.item_id, {}).pop(record.id, None)

    def rating_of(self, item_id: str, username: str) -> float | None:
        return self._ratings.get(item_id, {}).get(username.lower())

    def set_rating(self, item_id: str, username: str, rating: float | None) -> None:
        ratings = self._ratings.setdefault(item_id, {})
        if rating is None:
            ratings.pop(username.lower(), None)
        else:
            ratings[username.lower()] = rating

    def rating_stats(self, item_id: str) -> tuple[int, float]:
        """(number of ratings, average rating; 0 without ratings)."""
        ratings = self._ratings.get(item_id, {})
        if not ratings:
            return 0, 0.0
        return len(ratings), round(sum(ratings.values()) / len(ratings), 4)

    def drop_item(self, item_id: str) -> None:
        self._comments.pop(item_id, None)
        self._ratings.pop(item_id, None)


def _recount(state: PortalState, item: ItemRecord) -> None:
    """Bring the item's comment and rating figures (shown on the item, searchable) in line with the store."""
    store = state.items.comments
    item.num_comments = store.count(item.id)
    item.num_ratings, item.avg_rating = store.rating_stats(item.id)
    state.items.reindex(item)


def _text(comment: str) -> str:
    text = comment.strip()
    if not text:
        raise bad_request("Invalid parameter 'comment': must not be empty.")
    if len(text) > MAX_COMMENT_CHARS:
        raise bad_request(f"Invalid parameter 'comment': at most {MAX_COMMENT_CHARS} characters.")
    return text


def add_comment(state: PortalState, caller: UserRecord, item_id: str, comment: str) -> CommentRecord:
    item = state.items.visible(caller, item_id)
    record = state.items.comments.add(
        CommentRecord(id=state.ids.new(), item_id=item.id, owner=caller.username, comment=_text(comment), created=state.now())
    )
    _recount(state, item)
    return record


def update_comment(state: PortalState, caller: UserRecord, item_id: str, comment_id: str, comment: str) -> CommentRecord:
    item = state.items.visible(caller, item_id)
    record = state.items.comments.comment(item.id, comment_id)
    if record.owner.lower() != caller.username.lower():
        raise forbidden("Only the author of a comment may change it.")
    record.comment = _text(comment)
    return record


def delete_comment(state: PortalState, caller: UserRecord, item_id: str, comment_id: str) -> CommentRecord:
    item = state.items.visible(caller, item_id)
    record = state.items.comments.comment(item.id, comment_id)
    if not (
        record.owner.lower() == caller.username.lower()
        or item.owner.lower() == caller.username.lower()
        or (caller.org_id == item.org_id and caller.has("portal:admin:updateItems"))
    ):
        raise forbidden("Only the comment's author, the item's owner or an administrator may delete it.")
    state.items.comments.remove(record)
    _recount(state, item)
    return record


def add_rating(state: PortalState, caller: UserRecord, item_id: str, rating: float) -> ItemRecord:
    item = state.items.visible(caller, item_id)
    if item.owner.lower() == caller.username.lower():
        raise bad_request("You cannot rate your own item.")
    if not MIN_RATING <= rating <= MAX_RATING:
        raise bad_request(f"Invalid parameter 'rating': must be from {MIN_RATING} to {MAX_RATING}.")
    state.items.comments.set_rating(item.id, caller.username, float(rating))
    _recount(state, item)
    return item


def delete_rating(state: PortalState, caller: UserRecord, item_id: str) -> ItemRecord:
    item = state.items.visible(caller, item_id)
    if state.items.comments.rating_of(item.id, caller.username) is None:
        raise bad_request("You have not rated this item.")
    state.items.comments.set_rating(item.id, caller.username, None)
    _recount(state, item)
    return item
