"""Real-world response bodies (Esri/arcgis-rest-js test fixtures, indexed in ../shared/fixtures/README.md)
parse into the generated models of the endpoints they belong to, and error bodies into the right exception.

Each success fixture must (1) structure into its model, (2) keep every value: unstructuring gives the same
JSON back (unknown fields land in `extra`), and (3) carry a few known real values (ids, usernames).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from arcgis_typed._runtime import errors, wire
from arcgis_typed._runtime.jobs import JobFailed, wait
from arcgis_typed.portal.models.categories import CategorySchema
from arcgis_typed.portal.models.content import (
    Item,
    ItemSearchPage,
    ShareItemResult,
    UnshareItemResult,
    UpdateItemResult,
)
from arcgis_typed.portal.models.groups import (
    AddUsersResult,
    Group,
    GroupContentPage,
    GroupResult,
    GroupSearchPage,
    GroupUsers,
    RemoveUsersResult,
    UpdateUsersResult,
)
from arcgis_typed.portal.models.org import PortalSelf, SharingInfo
from arcgis_typed.portal.models.publishing import ItemJobStatus, ServiceNameAvailability
from arcgis_typed.portal.models.org import OrgSettings, PortalSelf, SharingInfo
from arcgis_typed.portal.models.tokens import OAuthToken, TokenInfo
from arcgis_typed.portal.models.users import User, UserSearchPage

# the same folder tests/conftest.py names FIXTURES (not imported: several conftest modules share that name)
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "arcgis-rest-js"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not available at {FIXTURES}")

def _inline(endpoint: str) -> list[str]:
    folder = FIXTURES / "inline" / endpoint
    return sorted(f"inline/{endpoint}/{p.name}" for p in folder.glob("*.json")) if folder.is_dir() else []


def _load(rel: str) -> Any:
    return json.loads((FIXTURES / rel).read_text(encoding="utf-8"))


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and "error" in body


# ---- which file is which model ---------------------------------------------------------------------------

Check = Callable[[Any, Any], None]  # (parsed model, raw JSON) -> assertions


def _check_item(item: Item, raw: Any) -> None:
    assert item.id == raw["id"] == "4bc"
    assert item.owner == "jeffvader"
    assert item.num_views == 1337
    assert item.protected is False
    assert item.created is not None and wire.datetime_to_ms(item.created) == 123
    assert item.tags == raw["tags"]


def _check_search(page: ItemSearchPage, raw: Any) -> None:
    assert page.total == raw["total"]
    assert page.next_start == raw["nextStart"]
    assert [i.id for i in page.results] == [r["id"] for r in raw["results"]]
    if raw["results"]:
        assert page.results[0].id == "a5b"
        assert page.results[0].owner == raw["results"][0]["owner"]


def _check_user(user: User, raw: Any) -> None:
    assert user.username == raw["username"]
    assert user.username.strip() in ("jsmith", "casey", "otherguy", "c@sey")
    if "orgId" in raw:
        assert user.org_id == raw["orgId"]
    if "created" in raw:
        assert wire.datetime_to_ms(user.created) == raw["created"]  # type: ignore[arg-type]
    if raw.get("groups"):
        assert user.groups is not None
        assert [g.id for g in user.groups] == [g["id"] for g in raw["groups"]]
        member_type = raw["groups"][0].get("userMembership", {}).get("memberType")
        assert user.groups[0].user_membership is None or user.groups[0].user_membership.member_type == member_type


def _check_user_search(page: UserSearchPage, raw: Any) -> None:
    assert page.total == 12 and page.next_start == -1
    assert [u.username for u in page.results] == [u["username"] for u in raw["results"]]
    assert page.results[0].username == "mjordan_dcdev"


def _check_portal(portal: PortalSelf, raw: Any) -> None:
    assert portal.portal_name == raw.get("portalName")
    if raw.get("user") == {}:
        assert portal.user is None  # {} is ArcGIS's "no object"
    elif raw.get("user"):
        assert portal.user is not None and portal.user.username == raw["user"]["username"]
    if raw.get("id"):
        assert portal.id == "LjjARY1mkhxulWPq"
        assert portal.all_ssl is False
        assert portal.current_version == "5.4"


def _check_info(info: SharingInfo, raw: Any) -> None:
    assert info.owning_system_url == raw["owningSystemUrl"]
    assert info.auth_info is not None
    assert info.auth_info.token_services_url == raw["authInfo"]["tokenServicesUrl"]
    assert info.auth_info.is_token_based_security is True


def _check_token(token: TokenInfo, raw: Any) -> None:
    assert token.token == raw["token"]
    if "expires" in raw:
        assert token.expires is not None and token.expires.year == 2099 and token.expires.tzinfo is not None
    else:
        assert token.expires is None
    if "username" in raw:
        assert token.extra["username"] == raw["username"]


def _check_oauth(token: OAuthToken, raw: Any) -> None:
    assert token.access_token == raw["access_token"]
    assert token.expires_in == raw.get("expires_in")
    assert token.refresh_token == raw.get("refresh_token")
    assert token.username == raw.get("username")


def _check_update(result: UpdateItemResult, raw: Any) -> None:
    assert result.success is True
    assert result.id == raw.get("id")


def _check_share(result: ShareItemResult, raw: Any) -> None:
    assert result.item_id == raw["itemId"]
    assert result.item_id in ("n3v", "nv3", "abc123")
    assert result.not_shared_with == raw["notSharedWith"]


def _check_group(group: Group, raw: Any) -> None:
    assert group.id == raw["id"] and group.title == raw["title"]
    assert group.id in ("ef45564655144f15b5903d05a24493d9", "tb6")
    if "created" in raw:
        assert wire.datetime_to_ms(group.created) == raw["created"] == 1427987785000  # type: ignore[arg-type]
        assert group.access == "public" and group.tags == ["7320", "test", "alex"] and group.owner == "dcadmin"
    membership = raw.get("userMembership")
    if membership:
        assert group.user_membership is not None and group.user_membership.member_type == membership["memberType"]


def _check_group_search(page: GroupSearchPage, raw: Any) -> None:
    assert (page.total, page.next_start) == (358, 2)
    assert page.results[0].id == "ef45564655144f15b5903d05a24493d9" and page.results[0].description is None


def _check_group_users(users: GroupUsers, raw: Any) -> None:
    assert (users.owner, users.admins, users.users) == ("vader", ["vader", "tarkin"], ["luke", "leia"])


def _check_group_content(page: GroupContentPage, raw: Any) -> None:
    assert (page.total, page.next_start) == (36, 2)
    assert page.items[0].id == "59dd250ab1a54660b11f4f3434a3e481" and page.items[0].num_views == 1301


def _check_group_result(result: GroupResult, raw: Any) -> None:
    assert result.success is True and result.id == "3efakegroupid"


def _check_add_users(result: AddUsersResult, raw: Any) -> None:
    assert result.not_added == raw["notAdded"] == []


def _check_remove_users(result: RemoveUsersResult, raw: Any) -> None:
    assert result.not_removed == raw["notRemoved"] == []


def _check_update_users(result: UpdateUsersResult, raw: Any) -> None:
    assert [(r.username, r.success) for r in result.results] == [(r["username"], r["success"]) for r in raw["results"]]
    assert result.results[0].username in ("jsmith", "casey")


def _check_category_schema(schema: CategorySchema, raw: Any) -> None:
    tree = schema.category_schema[0]
    assert tree.title == "Categories" and tree.categories is not None
    assert [c.title for c in tree.categories] == [c["title"] for c in raw["categorySchema"][0]["categories"]]
    assert tree.categories[0].categories[1].categories[0].title == "Esri Raster Basemap"  # type: ignore[index]


def _check_unshare(result: UnshareItemResult, raw: Any) -> None:
    assert result.item_id == raw["itemId"] == "a5b"
    assert result.not_unshared_from == raw["notUnsharedFrom"]


def _check_name_availability(result: ServiceNameAvailability, raw: Any) -> None:
    assert result.available is raw["available"]


def _check_job_status(result: ItemJobStatus, raw: Any) -> None:
    # a failed job's status, as the job waiter reads it
    assert (result.status, result.status_message) == ("failed", raw["statusMessage"])
    with pytest.raises(JobFailed, match="failed") as failed:
        wait(lambda: result, sleep=lambda s: None)
    assert failed.value.status is result
def _check_settings(settings: OrgSettings, raw: Any) -> None:
    assert settings.informational_banner == raw["informationalBanner"] and settings.allowed_redirect_uris == []
    assert settings.helper_services["geocode"][0]["name"] == "ArcGIS World Geocoding Service"  # type: ignore[index]
    assert settings.extra["homePageFeaturedContentCount"] == 12  # undeclared fields are kept


# (files, model, check)
SUCCESS: list[tuple[list[str], type, Check]] = [
    (["portal/items/ItemResponse.json"], Item, _check_item),
    (
        ["portal/items/SearchResponse.json", "portal/items/BigSearchResponse.json", *_inline("search")],
        ItemSearchPage, _check_search
    ),
    (
        [
            "portal/users/AnonUserResponse.json",
            "portal/users/GroupAdminUserResponse.json",
            "portal/users/GroupMemberUserResponse.json",
            "portal/users/GroupNonMemberUserResponse.json",
            "portal/users/OrgAdminUserResponse.json",
            *_inline("community_users_username"),
            *_inline("community_self"),
        ],
        User, _check_user
    ),
    (["portal/users/UserSearchResponse.json"], UserSearchPage, _check_user_search),
    (
        ["portal/portal/PortalResponse.json", *_inline("portals_self")],
        PortalSelf, _check_portal
    ),
    (["request/SharingRestInfo.json", *_inline("info")], SharingInfo, _check_info),
    (["portal/portal/PortalSettingsResponse.json"], OrgSettings, _check_settings),
    (
        [*_inline("generateToken"), *_inline("POST_sharing_generateToken")],
        TokenInfo, _check_token
    ),
    (_inline("oauth2_token"), OAuthToken, _check_oauth),
    (
        ["portal/items/ItemSuccessResponse.json", *_inline("content_users_owner_items_id_update")],
        UpdateItemResult, _check_update
    ),
    (
        [*_inline("content_items_id_share"), *_inline("content_users_owner_items_id_share")],
        ShareItemResult, _check_share
    ),
    (["portal/groups/GroupResponse.json", *_inline("community_groups_id")], Group, _check_group),
    (["portal/groups/GroupSearchResponse.json"], GroupSearchPage, _check_group_search),
    (["portal/groups/GroupUsersResponse.json"], GroupUsers, _check_group_users),
    (["portal/groups/GroupContentResponse.json"], GroupContentPage, _check_group_content),
    (["portal/groups/GroupEditResponse.json"], GroupResult, _check_group_result),
    (["portal/groups/GroupCategorySchemaResponse.json"], CategorySchema, _check_category_schema),
    (_inline("community_groups_id_addUsers"), AddUsersResult, _check_add_users),
    (_inline("community_groups_id_removeUsers"), RemoveUsersResult, _check_remove_users),
    (_inline("community_groups_id_updateUsers"), UpdateUsersResult, _check_update_users),
    (
        [*_inline("content_items_id_unshare"), *_inline("content_users_owner_items_id_unshare")],
        UnshareItemResult, _check_unshare
    ),
    (_inline("portals_self_isServiceNameAvailable"), ServiceNameAvailability, _check_name_availability),
    (["request/TaskError.json", "request/TaskErrorWithJSON.json"], ItemJobStatus, _check_job_status),
]


def _success_cases() -> list[Any]:
    cases = []
    for files, model, check in SUCCESS:
        for rel in files:
            if (FIXTURES / rel).is_file() and _is_error(_load(rel)):
                continue  # error bodies recorded for the same endpoint: see test_error_fixtures
            cases.append(pytest.param(rel, model, check, id=rel))
    return cases


@pytest.mark.parametrize(("rel", "model", "check"), _success_cases())
def test_fixture_parses(rel: str, model: type, check: Check) -> None:
    raw = _load(rel)
    parsed: Any = wire.structure(raw, model)
    check(parsed, raw)
    # nothing lost: the model writes back the same JSON (unknown fields from `extra`)
    _assert_same_json(raw, wire.unstructure(parsed), rel)
    assert wire.structure(wire.unstructure(parsed), model) == parsed


def _assert_same_json(raw: Any, out: Any, where: str) -> None:
    """`out` is `raw` as the converter writes it: explicit nulls of declared fields are left out (and so are
    ArcGIS's "absent" spellings that parse to None: -1 in optional timestamps, {} for optional objects), ISO
    timestamps come back as epoch milliseconds, whole numbers in float fields as floats; nothing else changes."""
    if isinstance(raw, dict):
        assert isinstance(out, dict), where
        assert set(out) <= set(raw), f"{where}: keys appeared: {set(out) - set(raw)}"
        for key, value in raw.items():
            if value is None or (key not in out and (value == -1 or value == {})):
                assert out.get(key) is None, f"{where}.{key}"
            else:
                assert key in out, f"{where}.{key} was dropped"
                _assert_same_json(value, out[key], f"{where}.{key}")
    elif isinstance(raw, list):
        assert isinstance(out, list) and len(out) == len(raw), where
        for i, (a, b) in enumerate(zip(raw, out)):
            _assert_same_json(a, b, f"{where}[{i}]")
    elif isinstance(raw, str) and isinstance(out, int) and not isinstance(out, bool):
        assert wire.datetime_to_ms(wire.ms_to_datetime(raw)) == out, where  # an ISO timestamp
    elif isinstance(out, float) and isinstance(raw, int) and not isinstance(raw, bool):
        assert out == raw, where  # a float field given as a whole number: the same JSON number
    else:
        assert out == raw and type(out) is type(raw), f"{where}: {raw!r} became {out!r}"


def test_portal_response_reads_the_empty_user_as_none() -> None:
    """PortalResponse.json carries `"user": {}`, ArcGIS's spelling of "no object"; the rest is kept."""
    raw = _load("portal/portal/PortalResponse.json")
    assert raw["user"] == {}
    portal = wire.structure(raw, PortalSelf)
    assert portal.user is None
    assert portal.portal_name == "ArcGIS Online"
    assert portal.extra["databaseQuota"] == -1
    _assert_same_json(raw, wire.unstructure(portal), "PortalResponse")


def test_every_listed_file_exists() -> None:
    missing = [rel for files, *_ in SUCCESS for rel in files if not (FIXTURES / rel).is_file()]
    assert missing == []
    assert len(_success_cases()) >= 50


# ---- errors -----------------------------------------------------------------------------------------------

# file -> (exception class, code)
ERRORS: dict[str, tuple[type[errors.ArcGISError], int]] = {
    "request/ArcGISOnlineAuthError.json": (errors.InvalidToken, 498),
    "request/ArcGISOnlineError.json": (errors.BadRequest, 400),
    "request/ArcGISOnlineErrorNoCode.json": (errors.BadRequest, 400),  # no code: taken as a bad request
    "request/ArcGISOnlineErrorNoMessageCode.json": (errors.PermissionDenied, 403),
    "request/GenerateTokenError.json": (errors.BadRequest, 400),
    "request/RefreshTokenError.json": (errors.InvalidToken, 498),
    "request/ArcGISServerTokenRequired.json": (errors.TokenRequired, 499),
    "request/BillingError.json": (errors.ServerError, 500),
    "request/BillingErrorWithCode200.json": (errors.ArcGISError, 200),
    "inline/error_envelope/request_L290.json": (errors.BadRequest, 400),
    "inline/error_envelope/request_L314.json": (errors.BadRequest, 400),
    "inline/community_users_username_update/update_L99.json": (errors.PermissionDenied, 403),
    "inline/portals_self/request_L611.json": (errors.InvalidToken, 498),
    "inline/generateToken/ArcGISIdentityManager_L810.json": (errors.BadRequest, 400),
    "inline/oauth2_token/ApplicationCredentialsManager_L131.json": (errors.BadRequest, 400),
    "inline/oauth2_token/ArcGISIdentityManager_L2169.json": (errors.InvalidToken, 498),
    "inline/oauth2_token/ArcGISIdentityManager_L784.json": (errors.BadRequest, 400),
    "inline/oauth2_token/request_L713.json": (errors.InvalidToken, 498),
}


@pytest.mark.parametrize(("rel", "expected"), sorted(ERRORS.items()), ids=sorted(ERRORS))
def test_error_fixtures(rel: str, expected: tuple[type[errors.ArcGISError], int]) -> None:
    cls, code = expected
    raw = _load(rel)
    exc = errors.envelope_error(raw, operation="fixture.op", url="https://h/portal/sharing/rest/x?token=SECRET")
    assert exc is not None
    assert type(exc) is cls
    assert exc.code == code
    assert exc.operation == "fixture.op"
    assert "SECRET" not in str(exc) and "SECRET" not in exc.url
    message = (raw.get("error") or raw).get("message")
    if message:
        assert exc.message == message
        assert message in str(exc)
    details = (raw.get("error") or raw).get("details") or []
    assert list(exc.details) == details
    message_code = (raw.get("error") or {}).get("messageCode")
    assert exc.message_code == message_code


def test_every_error_fixture_is_covered() -> None:
    """Every error body met among this slice's fixtures is in ERRORS."""
    seen = set()
    for files, *_ in SUCCESS:
        seen |= {rel for rel in files if _is_error(_load(rel))}
    seen |= {f"inline/error_envelope/{p.name}" for p in (FIXTURES / "inline/error_envelope").glob("*.json")}
    assert seen <= set(ERRORS)


@pytest.mark.parametrize("rel", ["request/TaskError.json", "request/TaskErrorWithJSON.json"])
def test_job_status_failures_are_not_envelopes(rel: str) -> None:
    # `status: failed` is an asynchronous job's state (read by job polling), not the Server error envelope.
    assert errors.envelope_error(_load(rel)) is None


def test_success_bodies_are_not_errors() -> None:
    for rel in ["portal/items/ItemResponse.json", "portal/portal/PortalResponse.json", "request/SharingRestInfo.json"]:
        assert errors.envelope_error(_load(rel)) is None, rel


def test_fixture_folder_is_the_one_indexed() -> None:
    readme = (FIXTURES.parent / "README.md").read_text(encoding="utf-8")
    for rel in ["portal/items/ItemResponse.json", "request/ArcGISServerTokenRequired.json"]:
        assert f"arcgis-rest-js/{rel}" in readme
    assert isinstance(FIXTURES, Path)
