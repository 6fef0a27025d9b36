"""Handlers of spec/portal/roles.yaml: portals/self/roles, createRole, and a role's update, privileges, delete."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.roles import Role, RolePrivileges, RoleResult, RolesPage
from arcgis_typed.portal.params.roles import (
    RolesCreateParams,
    RolesDeleteParams,
    RolesGetParams,
    RolesListParams,
    RolesPrivilegesParams,
    RolesSetPrivilegesParams,
    RolesUpdateParams,
)

from ..call import Call
from ..registry import handles
from ..state.roles import RoleRecord
from ._paging import window


def role_view(role: RoleRecord, *, privileges: bool) -> Role:
    return Role(
        id=role.id,
        name=role.name,
        description=role.description,
        created=ms_to_datetime(role.created),
        modified=ms_to_datetime(role.modified),
        privileges=list(role.privileges) if privileges else None,
    )


@handles("portal:roles.list")
def list_roles(call: Call, p: RolesListParams) -> RolesPage:
    roles = call.state.roles.listed()
    w = window(p.start, p.num, len(roles))
    page = roles[w.start - 1 : w.start - 1 + w.num]
    return RolesPage(
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        roles=[role_view(r, privileges=bool(p.return_privileges)) for r in page],
    )


@handles("portal:roles.get")
def get(call: Call, p: RolesGetParams) -> Role:
    return role_view(call.state.roles.require(p.role_id), privileges=True)


@handles("portal:roles.create")
def create(call: Call, p: RolesCreateParams) -> RoleResult:
    state = call.state
    role = state.users.create_role(
        call.user, role_id=state.ids.new()[:16], name=p.name, description=p.description, now=state.now()
    )
    return RoleResult(success=True, id=role.id)


@handles("portal:roles.update")
def update(call: Call, p: RolesUpdateParams) -> RoleResult:
    state = call.state
    role = state.users.update_role(
        call.user, p.role_id, name=p.name, description=p.description, now=state.now()
    )
    return RoleResult(success=True, id=role.id)


@handles("portal:roles.set_privileges")
def set_privileges(call: Call, p: RolesSetPrivilegesParams) -> RoleResult:
    state = call.state
    role = state.users.set_role_privileges(call.user, p.role_id, p.privileges, state.now())
    return RoleResult(success=True, id=role.id)


@handles("portal:roles.privileges")
def privileges(call: Call, p: RolesPrivilegesParams) -> RolePrivileges:
    return RolePrivileges(privileges=list(call.state.roles.require(p.role_id).privileges))


@handles("portal:roles.delete")
def delete(call: Call, p: RolesDeleteParams) -> RoleResult:
    role = call.state.users.delete_role(call.user, p.role_id)
    return RoleResult(success=True, id=role.id)
