"""Item usage: views recorded by the fake (each download of the item's data and each opening of its page)
and the usage report over them, per hour or per day.

Real portals count views from their web site and apps; the fake has only the REST API, so it counts what
stands for opening an item there. The counts are kept per hour (epoch ms of the hour's start); a report sums
them into the requested periods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Fault, bad_request, forbidden

if TYPE_CHECKING:
    from .items import ItemRecord
    from .portal import PortalState
    from .users import UserRecord

HOUR_MS = 3_600_000
PERIOD_MS = {"1h": HOUR_MS, "1d": 24 * HOUR_MS}
MAX_PERIODS = 24 * 400  # more periods than that in one report is refused


class UsageStore:
    def __init__(self) -> None:
        self._hours: dict[str, dict[int, int]] = {}  # item id -> hour start -> views

    def record(self, item_id: str, now_ms: int) -> None:
        hours = self._hours.setdefault(item_id, {})
        hour = now_ms - now_ms % HOUR_MS
        hours[hour] = hours.get(hour, 0) + 1

    def views(self, item_id: str) -> dict[int, int]:
        return dict(self._hours.get(item_id, {}))

    def drop_item(self, item_id: str) -> None:
        self._hours.pop(item_id, None)


def record_view(state: PortalState, item: ItemRecord) -> None:
    """The item was viewed or opened: numViews and the usage report count it."""
    state.items.usage.record(item.id, state.now())
    item.num_views += 1
    state.items.reindex(item)


def usage_report(
    state: PortalState, caller: UserRecord, portal_id: str, *, start: int, end: int, period: str, etype: str,
    item_id: str,
) -> tuple[ItemRecord, list[tuple[int, int]]]:
    """(the item, [(period start, views)]) for the periods from `start` (rounded down) to `end`."""
    if portal_id != "self" and portal_id != state.org.id:
        raise bad_request(f"Invalid parameter 'portalId': no portal '{portal_id}'.")
    if etype.lower() != "svcusg":
        raise Fault(400, f"The fake implements item usage (etype=svcusg) only, not etype '{etype}'.")
    if end <= start:
        raise bad_request("Invalid parameter 'endTime': must be after startTime.")
    step = PERIOD_MS[period]
    first = start - start % step
    if (end - first) // step > MAX_PERIODS:
        raise bad_request(f"Invalid time range: at most {MAX_PERIODS} periods per request.")
    item = state.items.visible(caller, item_id)
    if not state.items.may_administer(caller, item, "portal:admin:viewItems"):
        raise forbidden("Only the item's owner or an administrator may read its usage.")
    buckets = dict.fromkeys(range(first, end + 1, step), 0)
    for hour, count in state.items.usage.views(item.id).items():
        if start - start % HOUR_MS <= hour <= end:
            bucket = hour - hour % step
            if bucket in buckets:
                buckets[bucket] += count
    return item, sorted(buckets.items())
