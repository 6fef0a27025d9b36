"""ArcGIS form encodings both ways: every operation's parameter class survives encode -> form -> decode, and
decoding errors name the wire parameter."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from arcgis_typed._runtime.operation import Operation, Upload
from arcgis_typed._runtime.params import ParamError, decode, encode
from arcgis_typed.portal import _operations as ops
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import for_params, resolve

OPERATIONS = ops.OPERATIONS


def _decode(op: Operation, form: dict[str, str], path: dict[str, str] | None = None, files: dict[str, Upload] | None = None) -> Any:
    return decode(op, form, files or {}, path or {}, resolve(op.params_class))


def test_every_operation_has_a_params_class() -> None:
    assert len(OPERATIONS) >= 20
    for op in OPERATIONS:
        cls = resolve(op.params_class)
        assert cls.__name__.endswith("Params")


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_round_trip(op: Operation, data: st.DataObject) -> None:
    cls = resolve(op.params_class)
    params = data.draw(for_params(op, cls))
    encoded = encode(op, params)
    # through a real form body and back, as the fake receives it
    form = dict(parse_qsl(urlencode(encoded.form), keep_blank_values=True))
    assert form == encoded.form
    assert all(isinstance(v, str) for v in form.values())
    # path parameters of an optional [/...] part are sent only when given
    assert set(encoded.path) == {
        p.wire for p in op.params if p.location == "path" and getattr(params, p.name) is not None
    }
    assert set(encoded.files) <= {p.wire for p in op.params if p.location == "file"}
    decoded = decode(op, form, encoded.files, encoded.path, cls)
    assert decoded == params


def test_encodings() -> None:
    op = ops.CONTENT_SHARE_ITEMS
    params = resolve(op.params_class)(username="ann", items=["a1", "b2"], everyone=False, org=True, groups=None)
    encoded = encode(op, params)
    assert encoded.path == {"username": "ann"}
    assert encoded.form == {"items": "a1,b2", "everyone": "false", "org": "true"}
    add = ops.CONTENT_ADD_ITEM
    upload = Upload("data.json", b"{}", "application/json")
    params = resolve(add.params_class)(
        username="ann", title="T", type="Web Map", tags=["x", "y"], properties={"a": [1, True, None]}, file=upload
    )
    encoded = encode(add, params)
    assert encoded.form["properties"] == '{"a":[1,true,null]}'
    assert encoded.form["tags"] == "x,y"
    assert encoded.files == {"file": upload}
    assert "file" not in encoded.form


# --- errors name the wire parameter ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "form", "path", "wire_name", "words"),
    [
        (ops.CONTENT_SEARCH, {"q": "x", "num": "ten"}, {}, "num", "integer"),
        (ops.CONTENT_SEARCH, {"q": "x", "start": "1.5"}, {}, "start", "integer"),
        (ops.CONTENT_SEARCH, {"q": "x", "num": "101"}, {}, "num", "at most 100"),
        (ops.CONTENT_SEARCH, {"q": "x", "num": "-1"}, {}, "num", "at least 0"),
        (ops.CONTENT_SEARCH, {"q": "x", "start": "0"}, {}, "start", "at least 1"),
        (ops.CONTENT_SEARCH, {"q": "x", "sortOrder": "up"}, {}, "sortOrder", "not one of asc, desc"),
        (ops.CONTENT_SEARCH, {"num": "10"}, {}, "q", "is required"),
        (ops.CONTENT_SEARCH, {"q": ""}, {}, "q", "is required"),
        (ops.CONTENT_SHARE, {"everyone": "maybe"}, {"id": "abc"}, "everyone", "true or false"),
        (ops.CONTENT_SHARE, {"org": "1"}, {"id": "abc"}, "org", "true or false"),
        (ops.CONTENT_SHARE, {"everyone": "true"}, {}, "id", "is required"),
        (ops.CONTENT_SHARE_ITEMS, {"items": "[a"}, {"username": "ann"}, "items", "JSON array"),
        (ops.CONTENT_SHARE_ITEMS, {"items": "[\"a\""}, {"username": "ann"}, "items", "JSON array"),
        (ops.CONTENT_SHARE_ITEMS, {}, {"username": "ann"}, "items", "is required"),
        (ops.CONTENT_UPDATE, {"properties": "{not json"}, {"username": "ann", "id": "i"}, "properties", "JSON"),
        (ops.CONTENT_UPDATE, {"file": "just text"}, {"username": "ann", "id": "i"}, "file", "file part"),
        (ops.TOKENS_GENERATE_TOKEN, {"username": "ann", "password": "p", "client": "browser"}, {}, "client", "not one of"),
        (ops.TOKENS_GENERATE_TOKEN, {"username": "ann", "password": "p", "expiration": "0"}, {}, "expiration", "at least 1"),
        (ops.TOKENS_GENERATE_TOKEN, {"username": "ann"}, {}, "password", "is required"),
        (ops.TOKENS_OAUTH2_TOKEN, {"client_id": "c", "grant_type": "password"}, {}, "grant_type", "not one of"),
    ],
    ids=lambda v: v.name if isinstance(v, Operation) else None,
)
def test_decode_errors_name_the_wire_parameter(
    op: Operation, form: dict[str, str], path: dict[str, str], wire_name: str, words: str
) -> None:
    with pytest.raises(ParamError) as info:
        _decode(op, form, path)
    assert info.value.param == wire_name
    assert str(info.value).startswith(f"Invalid parameter '{wire_name}': ")
    assert words in str(info.value)


def test_secret_values_are_not_echoed_in_errors() -> None:
    with pytest.raises(ParamError) as info:
        _decode(ops.TOKENS_GENERATE_TOKEN, {"username": "ann", "password": "hunter2", "expiration": "soon"})
    assert "hunter2" not in str(info.value)


@given(raw=st.text().filter(lambda s: s.strip().lower() not in ("true", "false") and s != ""))
def test_any_non_boolean_text_is_refused(raw: str) -> None:
    with pytest.raises(ParamError) as info:
        _decode(ops.CONTENT_SHARE, {"everyone": raw}, {"id": "abc"})
    assert info.value.param == "everyone"


@given(num=st.integers().filter(lambda n: not 0 <= n <= 100))
def test_out_of_range_num_is_refused(num: int) -> None:
    with pytest.raises(ParamError, match="'num'"):
        _decode(ops.CONTENT_SEARCH, {"q": "x", "num": str(num)})


# --- what ArcGIS tolerates ---------------------------------------------------------------------------------


def test_parameter_names_are_case_insensitive() -> None:
    params = _decode(ops.CONTENT_SEARCH, {"Q": "owner:ann", "SORTFIELD": "title", "sortorder": "DESC", "Num": "5", "START": "11"})
    assert params.q == "owner:ann"
    assert params.sort_field == "title"
    assert params.sort_order == "desc"  # the declared spelling
    assert (params.num, params.start) == (5, 11)


def test_bool_spellings() -> None:
    for raw, expected in [("true", True), ("TRUE", True), (" false ", False), ("False", False)]:
        assert _decode(ops.CONTENT_SHARE, {"everyone": raw}, {"id": "a"}).everyone is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a1,b2,c3", ["a1", "b2", "c3"]),
        (" a1 , b2 ,,c3 ", ["a1", "b2", "c3"]),
        ("a1", ["a1"]),
        ('["a1", "b2"]', ["a1", "b2"]),
        ('  ["a,1", "b2"]', ["a,1", "b2"]),
        ("[1, 2]", ["1", "2"]),
        ("[]", []),
    ],
)
def test_comma_lists_and_json_arrays(raw: str, expected: list[str]) -> None:
    params = _decode(ops.CONTENT_SHARE_ITEMS, {"items": raw, "groups": raw}, {"username": "ann"})
    assert params.items == expected
    assert params.groups == expected


def test_json_array_that_is_not_a_list_is_refused() -> None:
    with pytest.raises(ParamError, match="'items'"):
        _decode(ops.CONTENT_SHARE_ITEMS, {"items": '["a"'}, {"username": "ann"})


def test_unknown_and_empty_parameters() -> None:
    params = _decode(ops.CONTENT_SEARCH, {"q": "x", "f": "json", "token": "t", "whatever": "1", "num": "", "sortOrder": ""})
    assert params.q == "x"
    assert params.num is None and params.sort_order is None


def test_json_parameters_carry_any_json() -> None:
    value = {"nested": [1, 2.5, "x", None, {"b": False}]}
    params = _decode(ops.CONTENT_UPDATE, {"properties": json.dumps(value)}, {"username": "ann", "id": "i"})
    assert params.properties == value
    assert params.username == "ann" and params.id == "i"


def test_file_parts() -> None:
    upload = Upload("a.txt", b"hello", "text/plain")
    params = _decode(ops.CONTENT_ADD_ITEM, {"title": "T", "type": "Text"}, {"username": "ann"}, {"FILE": upload})
    assert params.file == upload
    params = _decode(ops.CONTENT_ADD_ITEM, {"title": "T", "type": "Text", "file": ""}, {"username": "ann"})
    assert params.file is None
