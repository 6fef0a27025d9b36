"""The organization's settings (portals/self/settings) and the properties portals/self/update changes, with
their rules: access notices and the informational banner are validated JSON objects; an empty value leaves a
setting as it is unless `clearEmptyFields` is true, which clears it."""

from __future__ import annotations

import re
from typing import Any

import attrs

from ..errors import bad_request

NOTICE_BUTTONS = ("okOnly", "acceptAndDecline")
_COLOR = re.compile(r"^(#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?|[A-Za-z]{3,20})$")


@attrs.define(eq=False)
class OrgSettings:
    anonymous_access_notice: dict[str, Any] | None = None
    authenticated_access_notice: dict[str, Any] | None = None
    informational_banner: dict[str, Any] | None = None
    allowed_redirect_uris: list[str] = attrs.Factory(list)
    helper_services: dict[str, Any] = attrs.Factory(dict)
    portal_properties: dict[str, Any] = attrs.Factory(dict)
    default_extent: dict[str, Any] | None = None
    authorized_cross_origin_domains: list[str] = attrs.Factory(list)
    access: str = "private"
    comments_enabled: bool = True
    culture: str = "en"
    region: str = "US"
    units: str = "metric"


def check_notice(value: Any, wire: str) -> dict[str, Any]:
    """An access notice: {title, text, buttons: okOnly | acceptAndDecline, enabled}; an enabled one needs a title
    and a text."""
    _object(value, wire, ("title", "text", "buttons"))
    if value.get("buttons") is not None and value["buttons"] not in NOTICE_BUTTONS:
        raise bad_request(f"Invalid parameter '{wire}': buttons must be one of {', '.join(NOTICE_BUTTONS)}.")
    enabled = _enabled(value, wire)
    if enabled and not (str(value.get("title") or "").strip() and str(value.get("text") or "").strip()):
        raise bad_request(f"Invalid parameter '{wire}': an enabled notice needs a title and a text.")
    return {"title": value.get("title", ""), "text": value.get("text", ""),
            "buttons": value.get("buttons") or "okOnly", "enabled": enabled}


def check_banner(value: Any, wire: str) -> dict[str, Any]:
    """The informational banner: {text, bgColor, fontColor, enabled}; an enabled one needs a text."""
    _object(value, wire, ("text", "bgColor", "fontColor"))
    for key in ("bgColor", "fontColor"):
        if value.get(key) and not _COLOR.match(value[key]):
            raise bad_request(f"Invalid parameter '{wire}': {key} '{value[key]}' is not a colour.")
    enabled = _enabled(value, wire)
    if enabled and not str(value.get("text") or "").strip():
        raise bad_request(f"Invalid parameter '{wire}': an enabled banner needs a text.")
    return {"text": value.get("text", ""), "bgColor": value.get("bgColor") or "grey",
            "fontColor": value.get("fontColor") or "black", "enabled": enabled}


def _object(value: Any, wire: str, keys: tuple[str, ...]) -> None:
    """A JSON object with string properties `keys` and a boolean `enabled`, nothing else."""
    if not isinstance(value, dict):
        raise bad_request(f"Invalid parameter '{wire}': expected a JSON object.")
    unknown = sorted(set(value) - {*keys, "enabled"})
    if unknown:
        raise bad_request(f"Invalid parameter '{wire}': unknown properties {unknown}.")
    for key in keys:
        if value.get(key) is not None and not isinstance(value[key], str):
            raise bad_request(f"Invalid parameter '{wire}': {key} must be a string.")


def _enabled(value: dict[str, Any], wire: str) -> bool:
    enabled = value.get("enabled", False)
    if not isinstance(enabled, bool):
        raise bad_request(f"Invalid parameter '{wire}': enabled must be true or false.")
    return enabled


def empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def update_settings(settings: OrgSettings, *, clear_empty_fields: bool, anonymous_access_notice: Any,
                    authenticated_access_notice: Any, informational_banner: Any) -> None:
    """Check every value first, then apply them (a refused request changes nothing)."""
    changes: dict[str, dict[str, Any] | None] = {}
    for name, wire, value, check in (
        ("anonymous_access_notice", "anonymousAccessNotice", anonymous_access_notice, check_notice),
        ("authenticated_access_notice", "authenticatedAccessNotice", authenticated_access_notice, check_notice),
        ("informational_banner", "informationalBanner", informational_banner, check_banner),
    ):
        if value is None:
            continue  # not given: unchanged
        if empty(value):
            if clear_empty_fields:
                changes[name] = None
            continue
        changes[name] = check(value, wire)
    for name, checked in changes.items():
        setattr(settings, name, checked)


# portals/self/update parameters kept in OrgSettings (the others are attributes of the Organization)
_SETTINGS = ("access", "units", "comments_enabled", "culture", "region", "portal_properties", "default_extent",
             "authorized_cross_origin_domains")


def update_properties(org: Any, *, clear_empty_fields: bool, now: int, **values: Any) -> None:
    """portals/self/update on `org` (an `Organization`): plain values replace, empty ones are ignored unless
    `clear_empty_fields`; everything is checked before anything changes."""
    settings: OrgSettings = org.settings
    if values.get("name") is not None and not str(values["name"]).strip() and clear_empty_fields:
        raise bad_request("Invalid parameter 'name': the organization's name cannot be cleared.")
    for wire, key, kind in (("portalProperties", "portal_properties", dict), ("defaultExtent", "default_extent", dict),
                            ("authorizedCrossOriginDomains", "authorized_cross_origin_domains", list),
                            ("geocodeService", "geocode_service", list)):
        value = values.get(key)
        if value is not None and not empty(value) and not isinstance(value, kind):
            raise bad_request(f"Invalid parameter '{wire}': expected a JSON {'object' if kind is dict else 'array'}.")
    domains = values.get("authorized_cross_origin_domains")
    if isinstance(domains, list) and not all(isinstance(d, str) and d.strip() for d in domains):
        raise bad_request("Invalid parameter 'authorizedCrossOriginDomains': expected origins as strings.")
    geocoders = values.get("geocode_service")
    if isinstance(geocoders, list) and not all(isinstance(g, dict) and isinstance(g.get("url"), str) for g in geocoders):
        raise bad_request("Invalid parameter 'geocodeService': each geocoder needs a url.")

    defaults = OrgSettings()
    for key in ("name", "description", "can_share_public", "can_search_public", *_SETTINGS):
        value = values.get(key)
        if value is None or (empty(value) and not clear_empty_fields):
            continue  # not given, or empty without clearEmptyFields: unchanged
        target = settings if key in _SETTINGS else org
        cleared = getattr(defaults, key) if key in _SETTINGS else True if key.startswith("can_") else ""
        setattr(target, key, cleared if empty(value) else value.strip() if isinstance(value, str) else value)
    if geocoders is not None:
        if not empty(geocoders):
            settings.helper_services = {**settings.helper_services, "geocode": geocoders}
        elif clear_empty_fields:
            settings.helper_services = {k: v for k, v in settings.helper_services.items() if k != "geocode"}
    org.modified = now
