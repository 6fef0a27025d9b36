"""Handlers of spec/mission_admin/tokens.yaml: the primary site administrator's generateToken."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.mission_admin.models.tokens import TokenInfo
from arcgis_typed.mission_admin.params.tokens import TokensGenerateTokenParams

from ..call import MissionCall
from ..registry import handles
from ..state.tokens import binding
from ._mission import logged


@handles("mission_admin:tokens.generate_token")
@logged
def generate_token(call: MissionCall, p: TokensGenerateTokenParams) -> TokenInfo:
    referer, ip = binding(p.client, referer=p.referer, ip=p.ip, request_ip=call.client_ip)
    token, record = call.mission.issue_token(p.username, p.password, p.expiration, referer=referer, ip=ip)
    return TokenInfo(token=token, expires=ms_to_datetime(record.expires), ssl=call.request.scheme == "https")
