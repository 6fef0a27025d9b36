"""Handlers of spec/portal/item_comments.yaml: comments and ratings on items."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.item_comments import (
    Comment,
    CommentResult,
    CommentsPage,
    ItemRating,
    RatingResult,
)
from arcgis_typed.portal.params.item_comments import (
    ItemCommentsAddParams,
    ItemCommentsAddRatingParams,
    ItemCommentsDeleteParams,
    ItemCommentsDeleteRatingParams,
    ItemCommentsGetParams,
    ItemCommentsListParams,
    ItemCommentsRatingParams,
    ItemCommentsUpdateParams,
)

from ..call import Call
from ..registry import handles
from ..state import item_comments as rules
from ..state.item_comments import CommentRecord
from ._paging import window


def _comment_view(record: CommentRecord) -> Comment:
    return Comment(id=record.id, owner=record.owner, comment=record.comment, created=ms_to_datetime(record.created))


@handles("portal:item_comments.list")
def list_(call: Call, p: ItemCommentsListParams) -> CommentsPage:
    item = call.state.require_visible_item(call.caller, p.id)
    comments = call.state.items.comments.comments(item.id)
    w = window(p.start, p.num, len(comments))
    return CommentsPage(
        **w.counts,
        comments=[_comment_view(c) for c in comments[w.start - 1 : w.start - 1 + w.num]],
    )


@handles("portal:item_comments.get")
def get(call: Call, p: ItemCommentsGetParams) -> Comment:
    item = call.state.require_visible_item(call.caller, p.id)
    return _comment_view(call.state.items.comments.comment(item.id, p.comment_id))


@handles("portal:item_comments.add")
def add(call: Call, p: ItemCommentsAddParams) -> CommentResult:
    return CommentResult(success=True, comment_id=rules.add_comment(call.state, call.user, p.id, p.comment).id)


@handles("portal:item_comments.update")
def update(call: Call, p: ItemCommentsUpdateParams) -> CommentResult:
    record = rules.update_comment(call.state, call.user, p.id, p.comment_id, p.comment)
    return CommentResult(success=True, comment_id=record.id)


@handles("portal:item_comments.delete")
def delete(call: Call, p: ItemCommentsDeleteParams) -> CommentResult:
    return CommentResult(success=True, comment_id=rules.delete_comment(call.state, call.user, p.id, p.comment_id).id)


@handles("portal:item_comments.rating")
def rating(call: Call, p: ItemCommentsRatingParams) -> ItemRating:
    item = call.state.require_visible_item(call.caller, p.id)
    return ItemRating(rating=call.state.items.comments.rating_of(item.id, call.user.username))


@handles("portal:item_comments.add_rating")
def add_rating(call: Call, p: ItemCommentsAddRatingParams) -> RatingResult:
    return RatingResult(success=True, id=rules.add_rating(call.state, call.user, p.id, p.rating).id)


@handles("portal:item_comments.delete_rating")
def delete_rating(call: Call, p: ItemCommentsDeleteRatingParams) -> RatingResult:
    return RatingResult(success=True, id=rules.delete_rating(call.state, call.user, p.id).id)
