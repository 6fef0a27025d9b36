"""The where-clause compiler of feature queries (state/where.py) on its own: any text either compiles or
answers the ArcGIS 400 naming the problem (never another exception), and the operators' SQL semantics."""

from __future__ import annotations

import pytest
from arcgis_typed_fake.errors import Fault
from arcgis_typed_fake.state.where import compile_where, like_pattern
from hypothesis import given, settings
from hypothesis import strategies as st

FIELDS = {"ObjectId": "esriFieldTypeOID", "name": "esriFieldTypeString", "n": "esriFieldTypeDouble"}
PIECES = st.sampled_from(["name", "n", "NAME", "'a'", "'it''s'", "1", "2.5", "-", "+", "*", "/", "(", ")", ",", "=",
                          "<>", "<", ">=", "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "ESCAPE", "IS", "NULL",
                          "UPPER", "'%a_'", "#", "\"n\"", "1=1", "x", "1e308", "9" * 400])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=12).map(" ".join) | st.text(max_size=40))
def test_any_text_compiles_or_is_a_400(text: str) -> None:
    try:
        test = compile_where(text, FIELDS)
    except Fault as fault:
        assert fault.code == 400 and fault.message == "Unable to complete operation." and fault.details
        return
    for row in ({"ObjectId": 1, "name": "a", "n": 0.0}, {"ObjectId": 2, "name": None, "n": None}):
        assert test(row) in (True, False)


@pytest.mark.parametrize("clause, rows", [
    ("1=1", [1, 2, 3]), ("n > 1", [2]), ("NOT n > 1", [1]), ("n > 1 OR name IS NULL", [2, 3]),
    ("NOT (n > 1 AND name = 'b')", [1]), ("name IN ('a', NULL)", [1]), ("name NOT IN ('a')", [2]),
    ("n BETWEEN 0 AND 1", [1]), ("n NOT BETWEEN 0 AND 1", [2]), ("name LIKE 'A%'", []),
    ("LOWER(name) LIKE 'a%' OR -n < -1", [1, 2]), ("(n + 1) * 2 = 2", [1]), ("n / 0 = 1", []),
])
def test_three_valued_semantics(clause: str, rows: list[int]) -> None:
    table = [{"ObjectId": 1, "name": "a", "n": 0.0}, {"ObjectId": 2, "name": "b", "n": 2.0},
             {"ObjectId": 3, "name": None, "n": None}]
    test = compile_where(clause, FIELDS)
    assert [r["ObjectId"] for r in table if test(r)] == rows


def test_like_patterns() -> None:
    assert like_pattern("a%b_").fullmatch("axxbc") and not like_pattern("a%b_").fullmatch("axxb")
    assert like_pattern("50!%", "!").fullmatch("50%") and not like_pattern("50!%", "!").fullmatch("500")
    assert like_pattern("a.c").fullmatch("a.c") and not like_pattern("a.c").fullmatch("abc")
    with pytest.raises(Fault, match="Unable"):
        like_pattern("ab!", "!")
