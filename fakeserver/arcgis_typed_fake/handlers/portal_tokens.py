"""Handlers of spec/portal/tokens.yaml: generateToken and the OAuth2 authorize / signin / token flow."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode, urlsplit

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.tokens import OAuthToken, TokenInfo
from arcgis_typed.portal.params.tokens import (
    TokensGenerateTokenParams,
    TokensOauth2AuthorizeParams,
    TokensOauth2SigninParams,
    TokensOauth2TokenParams,
)
from werkzeug.wrappers import Response

from ..call import Call
from ..errors import Fault, bad_request
from ..registry import handles
from ..state.tokens import (
    CODE_MS,
    MAX_MINUTES,
    OAUTH_STATE_MS,
    AuthorizationCode,
    PendingAuthorization,
    binding,
)

# Client ids every portal knows without registration (the official Python API and the web apps).
BUILT_IN_CLIENTS = frozenset({"pythonapi", "arcgisonline", "arcgisprodesktop", "arcgis-typed"})
OOB = "urn:ietf:wg:oauth:2.0:oob"


@handles("portal:tokens.generate_token")
def generate_token(call: Call, p: TokensGenerateTokenParams) -> TokenInfo:
    user = call.state.sign_in(p.username, p.password)
    referer, ip = binding(p.client, referer=p.referer, ip=p.ip, request_ip=call.client_ip)
    token, record = call.state.tokens.issue(user.username, p.expiration, referer=referer, ip=ip)
    return TokenInfo(token=token, expires=ms_to_datetime(record.expires), ssl=call.request.scheme == "https")


def _check_redirect(client_id: str, redirect_uri: str) -> None:
    if client_id not in BUILT_IN_CLIENTS:
        raise Fault(400, "Invalid client_id", [f"'{client_id}' is not a registered application."])
    parts = urlsplit(redirect_uri)
    if redirect_uri != OOB and parts.scheme not in ("https", "http"):
        raise Fault(400, "Invalid redirect_uri", [f"'{redirect_uri}' is not a redirect URI of {client_id}."])


@handles("portal:tokens.oauth2_authorize")
def oauth2_authorize(call: Call, p: TokensOauth2AuthorizeParams) -> Response:
    _check_redirect(p.client_id, p.redirect_uri)
    minutes = min(p.expiration or 120, MAX_MINUTES)
    oauth_state = call.state.tokens.begin_authorization(
        PendingAuthorization(
            client_id=p.client_id,
            redirect_uri=p.redirect_uri,
            response_type=p.response_type,
            state=p.state,
            expiration_minutes=minutes,
            expires=call.state.now() + OAUTH_STATE_MS,
        )
    )
    info = json.dumps({"oauth_state": oauth_state, "client_id": p.client_id, "locale": p.locale or "en"})
    page = (
        "<!DOCTYPE html>\n<html><head><title>Sign in - "
        f"{escape(call.state.org.name)}</title></head>\n<body>\n"
        f"<script>var oAuthInfo = {info};</script>\n"
        f'<form method="post" action="{escape(call.api_url)}/sharing/oauth2/signin">'
        f'<input type="hidden" name="oauth_state" value="{escape(oauth_state)}">'
        '<input name="username"><input name="password" type="password"><button>Sign in</button></form>\n'
        "</body></html>\n"
    )
    return Response(page, content_type="text/html; charset=utf-8")


@handles("portal:tokens.oauth2_signin")
def oauth2_signin(call: Call, p: TokensOauth2SigninParams) -> Response:
    tokens = call.state.tokens
    pending = tokens.take_authorization(p.oauth_state)
    if pending is None:
        raise Fault(400, "Invalid or expired oauth_state.", message_code="OAUTH_0007")
    user = call.state.users.authenticate(p.username, p.password)
    if user is None:
        tokens.begin_authorization(pending)  # the page may be submitted again, under a new state
        body = {
            "error": {
                "code": 400,
                "messageCode": "OAUTH_0015",
                "message": "Invalid username or password.",
                "details": [],
            },
            "messages": ["Invalid username or password."],
        }
        return Response(json.dumps(body), content_type="application/json; charset=utf-8")
    user.last_login = call.state.now()
    minutes = min(p.expiration or pending.expiration_minutes, MAX_MINUTES)
    if pending.response_type == "token":
        token, _ = tokens.issue(user.username, minutes, kind="oauth")
        fragment = {
            "access_token": token,
            "expires_in": str(minutes * 60),
            "username": user.username,
            "ssl": "true",
        }
        if pending.state is not None:
            fragment["state"] = pending.state
        location = f"{pending.redirect_uri}#{urlencode(fragment)}"
    else:
        code = tokens.issue_code(
            AuthorizationCode(
                user.username, pending.client_id, pending.redirect_uri, minutes, call.state.now() + CODE_MS
            )
        )
        query = {"code": code, **({"state": pending.state} if pending.state is not None else {})}
        location = f"{pending.redirect_uri}?{urlencode(query)}"
    return Response("", status=302, headers={"Location": location})


@handles("portal:tokens.oauth2_token")
def oauth2_token(call: Call, p: TokensOauth2TokenParams) -> OAuthToken:
    tokens = call.state.tokens
    if p.grant_type == "authorization_code":
        if not p.code:
            raise bad_request("Invalid parameter 'code': required for grant_type=authorization_code.")
        code = tokens.take_code(p.code)
        if (
            code is None
            or code.client_id != p.client_id
            or (p.redirect_uri and p.redirect_uri != code.redirect_uri)
        ):
            raise Fault(400, "Invalid authorization code.", message_code="OAUTH_0001")
        username, minutes = code.username, code.expiration_minutes
        refresh, _ = tokens.issue(username, MAX_MINUTES, kind="refresh")
    elif p.grant_type == "refresh_token":
        record = tokens.lookup(p.refresh_token or "")
        if record is None or record.kind != "refresh":
            raise Fault(400, "Invalid refresh_token", message_code="OAUTH_0003")
        username, minutes, refresh = record.username, p.expiration or 120, None
    else:
        raise Fault(
            400,
            "grant_type=client_credentials needs a registered application; the fake does not register "
            "applications yet.",
        )
    user = call.state.users.get(username)
    if user is None or user.disabled:
        raise Fault(400, "The user of this grant no longer exists or is disabled.")
    token, _ = tokens.issue(user.username, min(minutes, MAX_MINUTES), kind="oauth")
    return OAuthToken(
        access_token=token,
        expires_in=min(minutes, MAX_MINUTES) * 60,
        username=user.username,
        refresh_token=refresh,
        refresh_token_expires_in=MAX_MINUTES * 60 if refresh else None,
        ssl=call.request.scheme == "https",
    )
