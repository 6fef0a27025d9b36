"""Handlers of spec/portal/item_usage.yaml: an item's usage report."""

from __future__ import annotations

from arcgis_typed.portal.models.item_usage import UsageReport, UsageSeries
from arcgis_typed.portal.params.item_usage import ItemUsageUsageParams

from ..call import Call
from ..registry import handles
from ..state.item_usage import usage_report


@handles("portal:item_usage.usage")
def usage(call: Call, p: ItemUsageUsageParams) -> UsageReport:
    item, counts = usage_report(
        call.state, call.user, p.portal_id, start=p.start_time, end=p.end_time, period=p.period, etype=p.etype,
        item_id=p.name,
    )
    series = UsageSeries(etype="svcusg", stype=p.stype or "", name=item.id, num=[[str(t), str(n)] for t, n in counts])
    return UsageReport(start_time=p.start_time, end_time=p.end_time, period=p.period, data=[series])
