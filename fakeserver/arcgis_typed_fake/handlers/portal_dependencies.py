"""Handlers of spec/portal/dependencies.yaml: an item's dependencies and dependents, dependencies added by
hand, and the dependency graph rebuild. Rules live in `state/dependencies.py`."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.dependencies import Dependency, DependencyPage, DependencyResult, RebuildStatus
from arcgis_typed.portal.params.dependencies import (
    DependenciesAddParams,
    DependenciesDependentsToParams,
    DependenciesListParams,
    DependenciesRebuildParams,
    DependenciesRebuildStatusParams,
    DependenciesRemoveAllParams,
    DependenciesRemoveParams,
    DependenciesStopRebuildParams,
)

from ..call import Call
from ..registry import handles
from ..state.dependencies import Dependency as DependencyTuple
from ..state.dependencies import Rebuild
from ._paging import window

DONE = DependencyResult(success=True)


def _page(found: list[DependencyTuple], start: int | None, num: int | None) -> DependencyPage:
    w = window(start, num, len(found))
    chosen = found[w.start - 1 : w.start - 1 + w.num]
    return DependencyPage(
        total=w.total, start=w.start, num=len(chosen), next_start=w.next_start,
        dependencies=[
            Dependency(dependency_type=kind, url=value) if kind == "url" else Dependency(dependency_type=kind, id=value)
            for kind, value in chosen
        ],
    )


@handles("portal:dependencies.list")
def list_dependencies(call: Call, p: DependenciesListParams) -> DependencyPage:
    item = call.state.items.visible(call.caller, p.id)
    return _page(call.state.dependencies.of(item), p.start, p.num)


@handles("portal:dependencies.dependents_to")
def dependents_to(call: Call, p: DependenciesDependentsToParams) -> DependencyPage:
    item = call.state.items.visible(call.caller, p.id)
    return _page(call.state.dependencies.dependents(call.caller, item), p.start, p.num)


@handles("portal:dependencies.add")
def add(call: Call, p: DependenciesAddParams) -> DependencyResult:
    call.state.dependencies.add(call.user, p.item_id, p.dependency_type, p.dependency)
    return DONE


@handles("portal:dependencies.remove")
def remove(call: Call, p: DependenciesRemoveParams) -> DependencyResult:
    call.state.dependencies.remove(call.user, p.item_id, p.dependency_type, p.dependency)
    return DONE


@handles("portal:dependencies.remove_all")
def remove_all(call: Call, p: DependenciesRemoveAllParams) -> DependencyResult:
    call.state.dependencies.remove_all(call.user, p.id)
    return DONE


def _status(call: Call, rebuild: Rebuild | None) -> RebuildStatus:
    if rebuild is None:
        return RebuildStatus(status="idle")
    now = call.state.now()
    state = rebuild.state(now)
    return RebuildStatus(
        status=state, job_id=rebuild.id, items_processed=rebuild.processed(now), total_items=rebuild.total,
        started=ms_to_datetime(rebuild.started),
        completed=ms_to_datetime(rebuild.ends) if state == "completed" else None,
    )


@handles("portal:dependencies.rebuild")
def rebuild(call: Call, p: DependenciesRebuildParams) -> RebuildStatus:
    return _status(call, call.state.dependencies.start_rebuild())


@handles("portal:dependencies.rebuild_status")
def rebuild_status(call: Call, p: DependenciesRebuildStatusParams) -> RebuildStatus:
    return _status(call, call.state.dependencies.rebuild)


@handles("portal:dependencies.stop_rebuild")
def stop_rebuild(call: Call, p: DependenciesStopRebuildParams) -> RebuildStatus:
    return _status(call, call.state.dependencies.stop_rebuild())
