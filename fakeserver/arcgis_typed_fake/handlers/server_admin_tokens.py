"""Handlers of spec/server_admin/tokens.yaml: the Administrator API's generateToken (machine-bound tokens) and
the server's token service (tokens every machine of the site accepts)."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.server_admin.models.tokens import TokenInfo
from arcgis_typed.server_admin.params.tokens import TokensGenerateServerTokenParams, TokensGenerateTokenParams

from ..call import ServerCall
from ..registry import handles
from ..state.tokens import binding


def _issue(
    call: ServerCall, p: TokensGenerateTokenParams | TokensGenerateServerTokenParams, *, bound: bool
) -> TokenInfo:
    referer, ip = binding(p.client, referer=p.referer, ip=p.ip, request_ip=call.client_ip)
    token, record = call.server.issue_token(
        call.machine, p.username, p.password, p.expiration, referer=referer, ip=ip, machine_bound=bound
    )
    return TokenInfo(token=token, expires=ms_to_datetime(record.expires), ssl=call.request.scheme == "https")


@handles("server_admin:tokens.generate_token")
def generate_token(call: ServerCall, p: TokensGenerateTokenParams) -> TokenInfo:
    return _issue(call, p, bound=True)


@handles("server_admin:tokens.generate_server_token")
def generate_server_token(call: ServerCall, p: TokensGenerateServerTokenParams) -> TokenInfo:
    return _issue(call, p, bound=False)
