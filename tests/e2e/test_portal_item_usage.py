"""Item usage end to end: views counted by the fake per hour and day, who may read them, what is refused."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, client_for

DAY = 24 * 3_600_000


@pytest.mark.seed("Item.usage")
def test_usage_counts_downloads_and_page_views() -> None:
    clock = ManualClock(start_ms=1_700_000_000_000 - 1_700_000_000_000 % DAY)  # midnight UTC
    fake = FakeArcGIS(admin_password="admin-password-1", clock=clock, password_iterations=1)
    alice, bob, admin = add_member(fake, "alice"), add_member(fake, "bob"), client_for(fake, "admin")
    item_id = alice.content.add_item("alice", title="Popular", type="CSV", text="a,b").id
    alice.content.share(item_id, org=True)
    day0 = clock.now_ms()
    bob.content.get_data(item_id)
    bob.content.item_page(id=item_id)
    clock.advance(days=2, hours=5)
    alice.content.get_data(item_id)
    end = clock.now_ms()

    report = alice.item_usage.usage("self", start_time=day0, end_time=end, period="1d", etype="svcusg", name=item_id)
    assert report.period == "1d" and len(report.data) == 1
    series = report.data[0]
    assert series.name == item_id
    assert [(int(t), int(n)) for t, n in series.num] == [(day0, 2), (day0 + DAY, 0), (day0 + 2 * DAY, 1)]
    assert alice.content.get(item_id).num_views == 3
    assert admin.content.search(q="numviews:[3 TO 3]").total == 1

    hourly = admin.item_usage.usage(fake.portal.org.id, start_time=end - 3_600_000, end_time=end, period="1h",
                                    etype="svcusg", name=item_id)
    assert sum(int(n) for _, n in hourly.data[0].num) == 1

    with pytest.raises(PermissionDenied):
        bob.item_usage.usage("self", start_time=day0, end_time=end, period="1d", etype="svcusg", name=item_id)
    with pytest.raises(BadRequest):
        alice.item_usage.usage("self", start_time=end, end_time=day0, period="1d", etype="svcusg", name=item_id)
    with pytest.raises(BadRequest) as caught:
        alice.item_usage.usage("self", start_time=day0, end_time=end, period="1d", etype="geocodecnt", name=item_id)
    assert "implements" in caught.value.message
    with pytest.raises(BadRequest):
        alice.item_usage.usage("nope", start_time=day0, end_time=end, period="1d", etype="svcusg", name=item_id)
