"""The one cattrs converter: round trips for every generated model, unknown fields kept, epoch milliseconds
<-> aware datetimes, strict booleans."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import cattrs
import pytest
from arcgis_typed._runtime import wire
from arcgis_typed.portal.models.content import Folder, Item, ItemSearchPage
from arcgis_typed.portal.models.tokens import TokenInfo
from arcgis_typed.portal.models.users import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EXTRA, extra_values, for_class, json_values, model_classes, ms_datetimes, wire_name

MODELS = model_classes()


def test_every_models_module_is_covered() -> None:
    names = {cls.__name__ for cls in MODELS}
    assert {"Item", "ItemSearchPage", "User", "UserSearchPage", "PortalSelf", "TokenInfo", "Group"} <= names
    assert {"ContentSearchParams", "TokensGenerateTokenParams"} <= names


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip(cls: type, data: st.DataObject) -> None:
    obj = data.draw(for_class(cls))
    raw = wire.unstructure(obj)
    assert isinstance(raw, dict)
    assert wire.structure(raw, cls) == obj
    # the wire keys are the declared wire names (plus unknown fields), never Python names
    declared = {wire_name(f) for f in attrs.fields(cls) if f.name != EXTRA}
    extra = getattr(obj, EXTRA, {})
    assert set(raw) <= declared | set(extra)


@pytest.mark.parametrize("cls", [c for c in MODELS if any(f.name == EXTRA for f in attrs.fields(c))], ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_round_trip_through_json_text(cls: type, data: st.DataObject) -> None:
    obj = data.draw(for_class(cls))
    assert wire.loads(wire.dumps(obj), cls) == obj


def test_parameter_classes_have_no_extra() -> None:
    params = [c for c in MODELS if c.__name__.endswith("Params")]
    assert params
    for cls in params:
        assert EXTRA not in {f.name for f in attrs.fields(cls)}, cls.__name__


@settings(max_examples=50, deadline=None)
@given(extra=extra_values(Item), ident=st.text(min_size=1))
def test_unknown_fields_are_kept(extra: dict[str, Any], ident: str) -> None:
    raw = {"id": ident, "numViews": 3, **extra}
    item = wire.structure(raw, Item)
    assert item.extra == extra
    assert item.num_views == 3
    assert wire.unstructure(item) == raw


def test_unknown_fields_are_kept_in_nested_models() -> None:
    raw = {
        "total": 1, "start": 1, "num": 10, "nextStart": -1, "serverHint": "x",
        "results": [{"id": "a1", "newField2030": {"nested": [1, 2]}, "owner": "jsmith"}],
    }
    page = wire.structure(raw, ItemSearchPage)
    assert page.extra == {"serverHint": "x"}
    assert page.results[0].extra == {"newField2030": {"nested": [1, 2]}}
    assert page.results[0].owner == "jsmith"
    assert wire.unstructure(page) == raw


def test_declared_fields_win_over_extra_on_output() -> None:
    item = Item(id="real", extra={"id": "shadow", "other": 1})
    assert wire.unstructure(item) == {"id": "real", "other": 1}


def test_none_fields_are_left_out() -> None:
    assert wire.unstructure(Item(id="x")) == {"id": "x"}


def test_missing_required_field_is_an_error_naming_it() -> None:
    with pytest.raises(Exception) as info:
        wire.structure({"owner": "jsmith"}, Item)
    assert "id" in wire.describe(info.value)


def test_not_an_object_is_an_error() -> None:
    with pytest.raises(TypeError, match="JSON object"):
        wire.structure(["id"], Item)


# --- datetimes --------------------------------------------------------------------------------------------


@settings(max_examples=200)
@given(ms=st.integers(min_value=-62_135_596_800_000 + 86_400_000, max_value=253_402_300_799_000 - 86_400_000)
       .filter(lambda ms: ms != -1))  # -1 on the wire means "never": a model reads it as None (tested below)
def test_epoch_ms_round_trip_including_negative(ms: int) -> None:
    value = wire.ms_to_datetime(ms)
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert wire.datetime_to_ms(value) == ms
    # and through a model
    folder = wire.structure({"id": "f", "title": "t", "created": ms}, Folder)
    assert folder.created == value
    assert wire.unstructure(folder)["created"] == ms


@given(value=ms_datetimes())
def test_datetime_round_trip(value: datetime) -> None:
    assert wire.ms_to_datetime(wire.datetime_to_ms(value)) == value


def test_minus_one_means_never_in_optional_timestamps() -> None:
    assert wire.structure({"token": "t", "expires": -1}, TokenInfo).expires is None
    assert wire.structure({"token": "t", "expires": "-1"}, TokenInfo).expires is not None  # only the number
    assert wire.ms_to_datetime(-1) == datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)  # required fields


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (-2, datetime(1969, 12, 31, 23, 59, 59, 998000, tzinfo=UTC)),
        (-86_400_000, datetime(1969, 12, 31, tzinfo=UTC)),
        (1_700_000_000_123, datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
        (4070995200000, datetime(2099, 1, 2, tzinfo=UTC)),
        ("1700000000123", datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
        ("-1000", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2023-11-14T22:13:20.123Z", datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
        ("2023-11-14T23:13:20+01:00", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2023-11-14T22:13:20", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1.5e12, datetime(2017, 7, 14, 2, 40, tzinfo=UTC)),
    ],
)
def test_epoch_ms_and_iso_inputs(raw: Any, expected: datetime) -> None:
    value = wire.structure({"token": "t", "expires": raw}, TokenInfo).expires
    assert value == expected
    assert value.tzinfo is not None


def test_naive_datetimes_are_taken_as_utc_on_output() -> None:
    assert wire.datetime_to_ms(datetime(1970, 1, 1, 0, 0, 1)) == 1000
    other_zone = datetime(1970, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))
    assert wire.datetime_to_ms(other_zone) == 0


@pytest.mark.parametrize("raw", [True, False, "yesterday", [1], {"ms": 1}])
def test_bad_datetimes_are_errors(raw: Any) -> None:
    with pytest.raises(Exception) as info:
        wire.structure({"token": "t", "expires": raw}, TokenInfo)
    assert "expires" in wire.describe(info.value)


# --- booleans and strings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("true", True), ("false", False), ("False", False), ("TRUE", True), (1, True), (0, False)],
)
def test_bool_accepts_arcgis_spellings(raw: Any, expected: bool) -> None:
    assert wire.structure({"id": "x", "protected": raw}, Item).protected is expected


@pytest.mark.parametrize("raw", ["maybe", "", "yes", "0", 2, -1, 0.5, [], {}])
def test_bool_is_strict(raw: Any) -> None:
    with pytest.raises(Exception) as info:
        wire.structure({"id": "x", "protected": raw}, Item)
    assert "protected" in wire.describe(info.value)


def test_string_false_is_false_not_truthy() -> None:
    user = wire.structure({"username": "u", "disabled": "false", "mfaEnabled": "true"}, User)
    assert user.disabled is False
    assert user.mfa_enabled is True


@pytest.mark.parametrize("raw", [{"a": 1}, ["a"]])
def test_str_refuses_containers(raw: Any) -> None:
    with pytest.raises(cattrs.ClassValidationError):
        wire.structure({"id": "x", "title": raw}, Item)


def test_numbers_in_str_fields_become_text() -> None:
    assert wire.structure({"id": 12345, "title": 1.5}, Item) == Item(id="12345", title="1.5")


@given(value=json_values())
def test_json_fields_carry_any_json(value: Any) -> None:
    item = wire.structure({"id": "x", "properties": value}, Item)
    assert item.properties == value
    assert json.loads(wire.dumps(item)).get("properties") == value
