"""Tests of the fake portal's search engine (arcgis_typed_fake.state.search)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from arcgis_typed_fake.state.search import (
    ITEM_ALIASES,
    ITEM_DEFAULT_FIELDS,
    ITEM_FIELDS,
    ITEM_SORT_FIELDS,
    USER_ALIASES,
    USER_DEFAULT_FIELDS,
    USER_FIELDS,
    FieldSpec,
    FieldValue,
    IdSet,
    QuerySyntaxError,
    SearchIndex,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------

ITEMS: dict[str, dict[str, FieldValue]] = {
    "a1": {
        "title": "San Francisco Fires",
        "owner": "Bob",
        "accountid": "org1",
        "type": "Web Map",
        "typekeywords": ["ArcGIS Online", "Explorer Web Map", "Map"],
        "tags": ["San Francisco", "bay"],
        "snippet": "Recent fires near the bay",
        "access": "public",
        "created": 1_000,
        "modified": 5_000,
        "numviews": 10,
        "group": ["g1", "g2"],
    },
    "b2": {
        "title": "fire maps of California",
        "owner": "alice",
        "accountid": "org1",
        "type": "Web Mapping Application",
        "tags": ["fire", "Francisco"],
        "description": "bay area fire stations",
        "access": "org",
        "created": 2_000,
        "modified": 4_000,
        "numviews": 30,
        "group": ["g2"],
    },
    "c3": {
        "title": "Bay Area parcels",
        "owner": "carol",
        "accountid": "org2",
        "type": "Feature Service",
        "tags": ["parcels"],
        "access": "private",
        "created": 3_000,
        "modified": 3_000,
        "numviews": 20,
    },
    "d4": {
        "title": "apple orchards",
        "owner": "Bob",
        "accountid": "org1",
        "type": "CSV",
        "tags": [],
        "access": "shared",
        "created": 4_000,
        "numviews": 20,
    },
}


def make_item_index(items: Mapping[str, Mapping[str, FieldValue]] = ITEMS) -> SearchIndex:
    index = SearchIndex(ITEM_FIELDS, default_fields=ITEM_DEFAULT_FIELDS, aliases=ITEM_ALIASES)
    for doc_id, values in items.items():
        index.put(doc_id, values)
    return index


@pytest.fixture
def items() -> SearchIndex:
    return make_item_index()


def q(index: SearchIndex, query: str) -> list[str]:
    return sorted(index.query(query))


# ---------------------------------------------------------------------------
# query semantics
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "*", " * "])
def test_empty_and_star_match_everything(items: SearchIndex, query: str) -> None:
    assert q(items, query) == ["a1", "b2", "c3", "d4"]


def test_unqualified_terms_search_default_fields_only(items: SearchIndex) -> None:
    assert q(items, "fire") == ["b2"]  # title of b2, tags of b2; no stemming
    assert q(items, "fires") == ["a1"]
    assert q(items, "stations") == ["b2"]  # description is a default field
    assert q(items, "csv") == ["d4"]  # type is a default field
    assert q(items, "explorer") == ["a1"]  # typekeywords is a default field
    assert q(items, "bob") == []  # owner is not a default field
    assert q(items, "org1") == []  # accountid is not a default field


def test_implicit_operator_is_and(items: SearchIndex) -> None:
    assert q(items, "bay fire") == ["b2"]
    assert q(items, "bay area") == ["b2", "c3"]
    # the official client scopes searches by appending " accountid:<org>"
    assert q(items, "bay accountid:org1") == ["a1", "b2"]
    assert q(items, "title:fire accountid:org1") == ["b2"]
    assert q(items, "title:bay accountid:org1") == []


def test_boolean_operators(items: SearchIndex) -> None:
    assert q(items, "fires OR apple") == ["a1", "d4"]
    assert q(items, "bay AND fire") == ["b2"]
    assert q(items, "bay NOT fire") == ["a1", "c3"]
    assert q(items, "bay AND NOT fire") == ["a1", "c3"]
    assert q(items, "bay -fire") == ["a1", "c3"]
    assert q(items, "+bay +fire") == ["b2"]
    assert q(items, "recent +fires") == ["a1"]
    assert q(items, "NOT bay") == ["d4"]
    assert q(items, "-bay") == ["d4"]
    assert q(items, "(fires OR apple) AND owner:bob") == ["a1", "d4"]
    assert q(items, "owner:bob AND NOT (apple OR parcels)") == ["a1"]
    assert q(items, "fires OR -bay") == ["a1", "d4"]


def test_operators_are_case_sensitive_words(items: SearchIndex) -> None:
    # lowercase "or" is an ordinary (absent) word ANDed with the rest
    assert q(items, "fires or apple") == []
    assert q(items, "fires OR apple") == ["a1", "d4"]


def test_fields_and_field_scope(items: SearchIndex) -> None:
    assert q(items, "owner:bob") == ["a1", "d4"]
    assert q(items, "title:bay") == ["c3"]
    assert q(items, "tags:bay") == ["a1"]
    # the field prefix binds to the next term only
    assert q(items, "title:apple orchards") == ["d4"]
    assert q(items, "title:bay fire") == []
    assert q(items, "title:(fire OR apple)") == ["b2", "d4"]
    assert q(items, "title:(fire maps)") == ["b2"]
    assert q(items, "group:g2") == ["a1", "b2"]
    assert q(items, "access:public OR access:org") == ["a1", "b2"]


def test_keyword_fields_match_whole_values(items: SearchIndex) -> None:
    assert q(items, "accountid:org") == []
    assert q(items, 'owner:"bob"') == ["a1", "d4"]
    index = SearchIndex(USER_FIELDS, default_fields=USER_DEFAULT_FIELDS, aliases=USER_ALIASES)
    index.put("u1", {"username": "jane.doe@Example", "fullname": "Jane Doe", "email": "jane@example.com"})
    index.put("u2", {"username": "jane", "fullname": "Jane Roe", "email": "roe@example.com"})
    assert q(index, "username:jane") == ["u2"]
    assert q(index, "jane") == ["u1", "u2"]  # fullname (text) of u1, username of u2
    assert q(index, 'username:"jane.doe@example"') == ["u1"]
    assert q(index, "jane.doe@example") == ["u1"]
    assert q(index, "email:jane@example.com") == ["u1"]
    assert q(index, "doe") == ["u1"]


def test_case_insensitive_fields_and_values(items: SearchIndex) -> None:
    assert q(items, "OWNER:BOB") == ["a1", "d4"]
    assert q(items, "Title:SAN") == ["a1"]
    assert q(items, "AccountId:ORG2") == ["c3"]
    assert q(items, 'TYPE:"WEB MAP"') == ["a1"]


def test_aliases(items: SearchIndex) -> None:
    assert q(items, "orgid:org1") == q(items, "accountid:org1") == ["a1", "b2", "d4"]
    assert q(items, "uploaded:[2000 TO 3000]") == ["b2", "c3"]
    assert items.page(items.query(""), sort_fields=["OrgId"], descending=False, start=1, num=2) == [
        "a1",
        "b2",
    ]


def test_phrases(items: SearchIndex) -> None:
    assert q(items, '"san francisco"') == ["a1"]
    assert q(items, '"francisco san"') == []
    assert q(items, 'type:"web map"') == ["a1"]  # not "Web Mapping Application"
    assert q(items, 'typekeywords:"web map"') == ["a1"]
    assert q(items, "type:web") == ["a1", "b2"]
    # a phrase never spans two values of a multi-valued field
    assert q(items, 'tags:"francisco bay"') == []
    assert q(items, 'tags:"fire francisco"') == []
    assert q(items, '"fire maps"') == ["b2"]
    assert q(items, 'title:"bay area" OR snippet:"recent fires"') == ["a1", "c3"]
    # a word made of several tokens behaves like a phrase
    assert q(items, "title:san-francisco") == ["a1"]
    assert q(items, "title:francisco-san") == []


def test_proximity(items: SearchIndex) -> None:
    assert q(items, 'title:"fire california"') == []
    assert q(items, 'title:"fire california"~1') == []
    assert q(items, 'title:"fire california"~2') == ["b2"]
    assert q(items, 'title:"california fire"~2') == ["b2"]


def test_wildcards(items: SearchIndex) -> None:
    assert q(items, "fir*") == ["a1", "b2"]
    assert q(items, "title:fi?e") == ["b2"]
    assert q(items, "title:fi?es") == ["a1"]
    assert q(items, "title:*ples") == []
    assert q(items, "title:*ple") == ["d4"]
    assert q(items, "title:f*s") == ["a1"]
    assert q(items, "owner:b*") == ["a1", "d4"]
    assert q(items, "owner:?ob") == ["a1", "d4"]
    assert q(items, "accountid:org*") == ["a1", "b2", "c3", "d4"]
    assert q(items, "OWNER:C*") == ["c3"]
    assert q(items, "description:*") == ["b2"]  # field has any value
    assert q(items, "modified:*") == ["a1", "b2", "c3"]
    assert q(items, "tags:*") == ["a1", "b2", "c3"]  # d4 has an empty tag list


def test_escaped_wildcards_and_colons() -> None:
    index = SearchIndex({"name": FieldSpec("keyword")}, default_fields=["name"])
    index.put("1", {"name": "a*b"})
    index.put("2", {"name": "axxb"})
    index.put("3", {"name": "a:b"})
    assert q(index, r"name:a\*b") == ["1"]
    assert q(index, "name:a*b") == ["1", "2", "3"]
    assert q(index, r"name:a\:b") == ["3"]
    assert q(index, r"a\:b") == ["3"]


def test_number_ranges(items: SearchIndex) -> None:
    assert q(items, "created:[2000 TO 3000]") == ["b2", "c3"]
    assert q(items, "created:{2000 TO 3000]") == ["c3"]
    assert q(items, "created:[2000 TO 3000}") == ["b2"]
    assert q(items, "created:{2000 TO 3000}") == []
    assert q(items, "created:[* TO 2000]") == ["a1", "b2"]
    assert q(items, "created:{3000 TO *]") == ["d4"]
    assert q(items, "created:[0000000000002000 TO 0000000000003000]") == ["b2", "c3"]
    assert q(items, "created:>3000") == ["d4"]
    assert q(items, "created:>=3000") == ["c3", "d4"]
    assert q(items, "created:<2000") == ["a1"]
    assert q(items, "created:<=2000") == ["a1", "b2"]
    assert q(items, "created:2000") == ["b2"]
    assert q(items, 'created:"2000"') == ["b2"]
    assert q(items, "numviews:20") == ["c3", "d4"]
    assert q(items, "numviews:[15.5 TO 25]") == ["c3", "d4"]
    assert q(items, "created:[3000 TO 2000]") == []
    assert q(items, "modified:[* TO *]") == ["a1", "b2", "c3"]  # d4 has no value
    assert q(items, "created:[1000 TO 2000] accountid:org1 -owner:bob") == ["b2"]


def test_negative_number_bounds() -> None:
    index = SearchIndex({"n": FieldSpec("number"), "t": FieldSpec("text")}, default_fields=["t"])
    for i, value in enumerate([-10, -1, 0, 5]):
        index.put(str(i), {"n": value})
    assert q(index, "n:[-5 TO 5]") == ["1", "2", "3"]
    assert q(index, "n:[-10 TO -1}") == ["0"]


def test_text_and_keyword_ranges(items: SearchIndex) -> None:
    assert q(items, "owner:[alice TO bob]") == ["a1", "b2", "d4"]
    assert q(items, "owner:{alice TO carol}") == ["a1", "d4"]
    assert q(items, "owner:[b TO *]") == ["a1", "c3", "d4"]
    assert q(items, "title:[orchards TO parcels]") == ["c3", "d4"]


def test_boost_fuzzy_regex(items: SearchIndex) -> None:
    assert q(items, "fires^5") == ["a1"]
    assert q(items, "title:(fire OR apple)^2") == ["b2", "d4"]
    assert q(items, "title:fiers~1") == []
    assert q(items, "title:fiers~2") == ["a1", "b2"]
    assert q(items, "title:aple~") == ["d4"]
    assert q(items, "title:/fi.e/") == ["b2"]
    assert q(items, "owner:/[ab].*/") == ["a1", "b2", "d4"]


def test_terms_without_words_are_ignored(items: SearchIndex) -> None:
    assert q(items, "fire &&") == ["b2"]
    assert q(items, "&&") == []
    assert q(items, 'fire ""') == ["b2"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("nosuchfield:x", "nosuchfield"),
        ("title:x AND Bogus:y", "Bogus"),
        ("title:(", "Syntax error"),
        ("title:x AND", "Syntax error"),
        ("(a OR b", "Syntax error"),
        ('"unterminated', "Illegal character"),
        ("created:abc", "created"),
        ("created:[a TO 5]", "created"),
        ("created:12*", "created"),
        ("title:/[/", "regular expression"),
        ("a]", "Syntax error"),
    ],
)
def test_malformed_queries(items: SearchIndex, query: str, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError, match=re.escape(fragment)):
        items.query(query)


def test_query_syntax_error_is_value_error() -> None:
    assert issubclass(QuerySyntaxError, ValueError)


def test_results_are_read_only_snapshots(items: SearchIndex) -> None:
    everything = items.query("")
    org1 = items.query("accountid:org1")
    assert isinstance(org1, set) and isinstance(org1, IdSet)
    mutations: list[Callable[[set[str]], object]] = [
        lambda s: s.add("x"),
        lambda s: s.discard("a1"),
        lambda s: s.remove("a1"),
        lambda s: s.pop(),
        lambda s: s.clear(),
        lambda s: s.update({"x"}),
        lambda s: s.difference_update({"a1"}),
        lambda s: s.intersection_update({"a1"}),
        lambda s: s.symmetric_difference_update({"a1"}),
    ]
    for mutate in mutations:
        with pytest.raises(TypeError):
            mutate(org1)
    with pytest.raises(TypeError):
        org1 |= {"x"}
    with pytest.raises(TypeError):
        org1 -= {"a1"}
    assert org1 & {"a1", "zz"} == {"a1"}
    assert set(org1) | {"x"} == {"a1", "b2", "d4", "x"}
    # later writes do not show through results handed out earlier
    items.put("e5", {"title": "new", "accountid": "org1"})
    items.remove("a1")
    items.put("b2", {"title": "moved", "accountid": "org2"})
    assert org1 == {"a1", "b2", "d4"}
    assert everything == {"a1", "b2", "c3", "d4"}
    assert q(items, "accountid:org1") == ["d4", "e5"]
    assert q(items, "") == ["b2", "c3", "d4", "e5"]


# ---------------------------------------------------------------------------
# writes
# ---------------------------------------------------------------------------


def test_replace_updates_every_index(items: SearchIndex) -> None:
    items.page(items.query(""), sort_fields=["title", "created"], descending=False, start=1, num=10)
    q(items, "title:f*")  # builds the vocabulary of title
    items.put(
        "a1",
        {"title": "Zebra crossings", "owner": "dave", "accountid": "org2", "created": 9_000, "tags": ["zoo"]},
    )
    assert len(items) == 4
    assert q(items, "fires") == []
    assert q(items, "title:f*") == ["b2"]
    assert q(items, "zebra") == ["a1"]
    assert q(items, "title:z*") == ["a1"]
    assert q(items, "owner:bob") == ["d4"]
    assert q(items, "owner:dave accountid:org2") == ["a1"]
    assert q(items, "modified:*") == ["b2", "c3"]  # a1 no longer has a modified value
    assert q(items, "group:g1") == []
    assert q(items, "created:[5000 TO *]") == ["a1"]
    assert q(items, 'tags:"san francisco"') == []
    page = items.page(items.query(""), sort_fields=["title"], descending=False, start=1, num=10)
    assert page == ["d4", "c3", "b2", "a1"]
    page = items.page(items.query(""), sort_fields=["created"], descending=True, start=1, num=10)
    assert page == ["a1", "d4", "c3", "b2"]


def test_remove_updates_every_index(items: SearchIndex) -> None:
    items.page(items.query(""), sort_fields=["owner"], descending=False, start=1, num=10)
    items.page(items.query(""), sort_fields=[], descending=False, start=1, num=10)
    q(items, "owner:*o*")
    items.remove("a1")
    assert len(items) == 3
    assert "a1" not in items and "b2" in items
    assert q(items, "") == ["b2", "c3", "d4"]
    assert q(items, "san") == []
    assert q(items, "owner:b*") == ["d4"]
    assert q(items, "created:[* TO *]") == ["b2", "c3", "d4"]
    assert q(items, "NOT owner:bob") == ["b2", "c3"]
    assert items.page(items.query(""), sort_fields=["owner"], descending=False, start=1, num=10) == [
        "b2",
        "d4",
        "c3",
    ]
    assert items.page(items.query(""), sort_fields=[], descending=False, start=1, num=10) == [
        "b2",
        "c3",
        "d4",
    ]
    with pytest.raises(KeyError):
        items.remove("a1")
    items.put("a1", ITEMS["a1"])
    assert q(items, "san") == ["a1"]


def test_put_validation_changes_nothing(items: SearchIndex) -> None:
    with pytest.raises(ValueError, match="nosuch"):
        items.put("a1", {"title": "x", "nosuch": "y"})
    with pytest.raises(TypeError, match="created"):
        items.put("a1", {"title": "x", "created": "yesterday"})
    with pytest.raises(TypeError, match="title"):
        items.put("a1", {"title": 3.5j})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="given twice"):
        items.put("a1", {"accountid": "x", "orgid": "y"})
    assert q(items, "san") == ["a1"]
    assert len(items) == 4


def test_put_normalises_values() -> None:
    index = SearchIndex(USER_FIELDS, default_fields=USER_DEFAULT_FIELDS, aliases=USER_ALIASES)
    index.put("u1", {"username": "Ann", "level": 2, "created": "1500", "tags": ("a b", "c"), "ORGID": "O"})
    assert q(index, "level:2") == ["u1"]
    assert q(index, "created:1500") == ["u1"]
    assert q(index, 'tags:"a b" tags:c') == ["u1"]
    assert q(index, "accountid:o") == ["u1"]
    index.put("u2", {"username": "bob", "tags": [], "fullname": None})
    assert q(index, "tags:*") == ["u1"]
    assert q(index, "fullname:*") == []


def test_constructor_validation() -> None:
    with pytest.raises(ValueError, match="nosuch"):
        SearchIndex(ITEM_FIELDS, default_fields=["title", "nosuch"])
    with pytest.raises(ValueError, match="unknown field"):
        SearchIndex(ITEM_FIELDS, default_fields=["title"], aliases={"x": "nosuch"})
    with pytest.raises(ValueError, match="shadows"):
        SearchIndex(ITEM_FIELDS, default_fields=["title"], aliases={"owner": "title"})
    with pytest.raises(ValueError, match="default fields"):
        SearchIndex(ITEM_FIELDS, default_fields=["title", "created"])
    with pytest.raises(ValueError):
        FieldSpec("date")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# paging and sorting
# ---------------------------------------------------------------------------


def test_page_sorting(items: SearchIndex) -> None:
    everything = items.query("")

    def page(fields: Sequence[str], descending: bool = False, start: int = 1, num: int = 10) -> list[str]:
        return items.page(everything, sort_fields=fields, descending=descending, start=start, num=num)

    assert page(["title"]) == ["d4", "c3", "b2", "a1"]  # case-insensitive
    assert page(["title"], descending=True) == ["a1", "b2", "c3", "d4"]
    assert page(["created"], start=2, num=2) == ["b2", "c3"]
    assert page(["created"], start=4, num=2) == ["d4"]
    assert page(["created"], start=5) == []
    assert page(["created"], num=0) == []
    # missing values come last in both directions
    assert page(["modified"]) == ["c3", "b2", "a1", "d4"]
    assert page(["modified"], descending=True) == ["a1", "b2", "c3", "d4"]
    # ties go by ascending id in both directions, secondary fields refine
    assert page(["numviews"]) == ["a1", "c3", "d4", "b2"]
    assert page(["numviews"], descending=True) == ["b2", "c3", "d4", "a1"]
    assert page(["numviews", "created"], descending=True) == ["b2", "d4", "c3", "a1"]
    assert page(["owner", "title"]) == ["b2", "d4", "a1", "c3"]
    assert page(["accountid", "numviews", "title"], descending=True) == ["c3", "b2", "d4", "a1"]
    # names are case-insensitive and aliases work
    assert page(["numViews"]) == page(["numviews"])
    assert page(["uploaded"]) == page(["created"])
    # without sort fields: ascending id, sortOrder ignored
    assert page([]) == ["a1", "b2", "c3", "d4"]
    assert page([], descending=True) == ["a1", "b2", "c3", "d4"]


def test_page_subset_and_unknown_ids(items: SearchIndex) -> None:
    ids = items.query("accountid:org1")
    assert items.page(ids, sort_fields=["title"], descending=False, start=1, num=10) == ["d4", "b2", "a1"]
    assert items.page({"b2", "zz"}, sort_fields=["title"], descending=False, start=1, num=10) == ["b2"]


def test_page_errors(items: SearchIndex) -> None:
    ids = items.query("")
    with pytest.raises(ValueError, match="nosuch"):
        items.page(ids, sort_fields=["title", "nosuch"], descending=False, start=1, num=10)
    with pytest.raises(ValueError, match="start"):
        items.page(ids, sort_fields=["title"], descending=False, start=0, num=10)
    with pytest.raises(ValueError, match="num"):
        items.page(ids, sort_fields=["title"], descending=False, start=1, num=-1)
    restricted = SearchIndex(ITEM_FIELDS, default_fields=ITEM_DEFAULT_FIELDS, sortable=ITEM_SORT_FIELDS)
    restricted.put("x", {"title": "t"})
    with pytest.raises(ValueError, match="description"):
        restricted.page(restricted.query(""), sort_fields=["description"], descending=False, start=1, num=1)
    assert restricted.page(
        restricted.query(""), sort_fields=["numComments"], descending=False, start=1, num=1
    )


def test_large_page_paths_agree_with_reference() -> None:
    """Exercise the walking paths (big result sets) as well as direct sorting."""
    docs: dict[str, dict[str, FieldValue]] = {}
    for i in range(3000):
        docs[f"d{(i * 7919) % 3000:05d}"] = {
            "title": f"T{(i * 31) % 97:03d} word{i % 5}",
            "owner": f"user{i % 13}",
            "accountid": "org1" if i % 10 else "org2",
            "type": ["Web Map", "CSV", "Feature Service"][i % 3],
            "created": (i * 104729) % 5000,
            "modified": None if i % 4 == 0 else (i * 7) % 300,
            "access": "private" if i % 6 == 0 else "public",
        }
    index = make_item_index(docs)
    index.warm(["title", "created"])
    queries = ["", "accountid:org1", "word1 OR word2", "accountid:org1 -access:private", "owner:user3"]
    sorts: list[list[str]] = [
        [],
        ["title"],
        ["modified"],
        ["type", "modified"],
        ["owner", "created", "title"],
    ]
    for query in queries:
        ids = index.query(query)
        expected_ids = {d for d, v in docs.items() if ref_matches(parse_ref(query), v)}
        assert ids == expected_ids, query
        for fields in sorts:
            for descending in (False, True):
                full = ref_sort(docs, expected_ids, fields, descending)
                for start, num in ((1, 10), (1, 100), (95, 20), (len(full) - 5, 10), (2990, 100)):
                    got = index.page(ids, sort_fields=fields, descending=descending, start=start, num=num)
                    assert got == full[start - 1 : start - 1 + num], (query, fields, descending, start)
        # replace a few docs between pages: buffered order updates must apply
        for doc_id in list(docs)[:50]:
            docs[doc_id] = dict(docs[doc_id], title="Z" + str(docs[doc_id]["title"]), modified=1)
            index.put(doc_id, docs[doc_id])


# ---------------------------------------------------------------------------
# brute-force reference and property tests
# ---------------------------------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "Alpha", "BETA", "eps"]
OWNERS = ["ann", "Bob", "carl", "dora"]
SMALL_FIELDS = {
    "title": FieldSpec("text"),
    "tags": FieldSpec("text"),
    "owner": FieldSpec("keyword"),
    "org": FieldSpec("keyword"),
    "n": FieldSpec("number"),
}


def ref_tokens(value: str) -> list[str]:
    return re.findall(r"\w+", value.lower())


def ref_values(doc: Mapping[str, Any], field: str) -> list[str]:
    value = doc.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


# A tiny query AST, rendered to query text and evaluated by brute force.
Node = tuple[Any, ...]


def ref_matches(node: Node | None, doc: Mapping[str, Any]) -> bool:
    if node is None:
        return True
    kind = node[0]
    if kind == "and":
        return ref_matches(node[1], doc) and ref_matches(node[2], doc)
    if kind == "or":
        return ref_matches(node[1], doc) or ref_matches(node[2], doc)
    if kind == "not":
        return not ref_matches(node[1], doc)
    if kind == "term":
        _, field, word = node
        fields = [field] if field else ["title", "tags"]
        for f in fields:
            for value in ref_values(doc, f):
                if f in ("owner", "org", "accountid"):
                    if value.lower() == word.lower():
                        return True
                elif word.lower() in ref_tokens(value):
                    return True
        return False
    if kind == "prefix":
        _, field, prefix = node
        return any(
            (value.lower().startswith(prefix) if field in ("owner", "org", "accountid") else False)
            or any(t.startswith(prefix) for t in ref_tokens(value))
            for value in ref_values(doc, field)
        )
    if kind == "phrase":
        _, field, words = node
        wanted = [w.lower() for w in words]
        for value in ref_values(doc, field):
            toks = ref_tokens(value)
            if any(toks[i : i + len(wanted)] == wanted for i in range(len(toks))):
                return True
        return False
    if kind == "range":
        _, field, low, high, inc_low, inc_high = node
        number = doc.get(str(field))
        if number is None:
            return False
        if low is not None and (number < low or (number == low and not inc_low)):
            return False
        return not (high is not None and (number > high or (number == high and not inc_high)))
    raise AssertionError(node)


def render(node: Node) -> str:
    kind = node[0]
    if kind in ("and", "or"):
        op = " AND " if kind == "and" else " OR "
        return "(" + render(node[1]) + op + render(node[2]) + ")"
    if kind == "not":
        return "(NOT " + render(node[1]) + ")"
    if kind == "term":
        return (f"{node[1]}:" if node[1] else "") + str(node[2])
    if kind == "prefix":
        return f"{node[1]}:{node[2]}*"
    if kind == "phrase":
        return f'{node[1]}:"{" ".join(node[2])}"'
    if kind == "range":
        _, field, low, high, inc_low, inc_high = node
        opening = "[" if inc_low else "{"
        closing = "]" if inc_high else "}"
        low_text = "*" if low is None else low
        high_text = "*" if high is None else high
        return f"{field}:{opening}{low_text} TO {high_text}{closing}"
    raise AssertionError(node)


def parse_ref(query: str) -> Node | None:
    """Reference parse of the handful of item queries used in the big test."""
    if not query:
        return None
    if query == "word1 OR word2":
        return ("or", ("term", "title", "word1"), ("term", "title", "word2"))
    parts = query.split()
    node: Node | None = None
    for part in parts:
        negate = part.startswith("-")
        field, _, word = part.lstrip("-").partition(":")
        clause: Node = ("term", field, word)
        if negate:
            clause = ("not", clause)
        node = clause if node is None else ("and", node, clause)
    return node


def ref_sort(
    docs: Mapping[str, Mapping[str, Any]], ids: set[str], fields: Sequence[str], descending: bool
) -> list[str]:
    def key_of(doc_id: str, field: str) -> Any:
        value = docs[doc_id].get(field)
        if value is None or value == []:
            return None
        if isinstance(value, str):
            return value.strip().lower()
        if isinstance(value, (int, float)):
            return value
        return " ".join(v.strip() for v in value).lower()

    def compare(a: str, b: str) -> int:
        for field in fields:
            ka, kb = key_of(a, field), key_of(b, field)
            if ka == kb:
                continue
            if ka is None:
                return 1
            if kb is None:
                return -1
            result = -1 if ka < kb else 1
            return -result if descending else result
        return -1 if a < b else (1 if a > b else 0)

    return sorted(ids, key=functools.cmp_to_key(compare))


words = st.sampled_from(WORDS)
docs_strategy = st.dictionaries(
    keys=st.text(alphabet="abcdef", min_size=1, max_size=3),
    values=st.fixed_dictionaries(
        {
            "title": st.one_of(st.none(), st.lists(words, min_size=1, max_size=4).map(" ".join)),
            "tags": st.lists(st.lists(words, min_size=1, max_size=2).map(" ".join), max_size=3),
            "owner": st.one_of(st.none(), st.sampled_from(OWNERS)),
            "org": st.sampled_from(["o1", "o2"]),
            "n": st.one_of(st.none(), st.integers(-3, 3)),
        }
    ),
    max_size=12,
)


def leaves() -> st.SearchStrategy[Node]:
    return st.one_of(
        st.tuples(st.just("term"), st.sampled_from([None, "title", "tags"]), words),
        st.tuples(st.just("term"), st.just("owner"), st.sampled_from(OWNERS + ["BOB", "zed"])),
        st.tuples(st.just("term"), st.just("org"), st.sampled_from(["o1", "O2"])),
        st.tuples(
            st.just("prefix"), st.sampled_from(["title", "owner"]), st.sampled_from(["a", "b", "de", "c"])
        ),
        st.tuples(
            st.just("phrase"), st.sampled_from(["title", "tags"]), st.lists(words, min_size=2, max_size=2)
        ),
        st.tuples(
            st.just("range"),
            st.just("n"),
            st.one_of(st.none(), st.integers(-3, 3)),
            st.one_of(st.none(), st.integers(-3, 3)),
            st.booleans(),
            st.booleans(),
        ),
    )


queries = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.tuples(st.just("and"), inner, inner),
        st.tuples(st.just("or"), inner, inner),
        st.tuples(st.just("not"), inner),
    ),
    max_leaves=6,
)
sort_choices = st.lists(st.sampled_from(["title", "tags", "owner", "org", "n"]), max_size=3, unique=True)


def small_index(docs: Mapping[str, Mapping[str, Any]]) -> SearchIndex:
    index = SearchIndex(SMALL_FIELDS, default_fields=["title", "tags"], aliases={"orgid": "org"})
    for doc_id, values in docs.items():
        index.put(doc_id, values)
    return index


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=docs_strategy,
    query=queries,
    sort_fields=sort_choices,
    descending=st.booleans(),
    start=st.integers(1, 14),
    num=st.integers(0, 14),
)
def test_query_and_page_match_brute_force(
    docs: dict[str, dict[str, Any]],
    query: Node,
    sort_fields: list[str],
    descending: bool,
    start: int,
    num: int,
) -> None:
    index = small_index(docs)
    text = render(query)
    expected = {d for d, values in docs.items() if ref_matches(query, values)}
    got = index.query(text)
    assert got == expected, text
    full = ref_sort(docs, expected, sort_fields, descending)
    page = index.page(got, sort_fields=sort_fields, descending=descending, start=start, num=num)
    assert page == full[start - 1 : start - 1 + num]


@settings(max_examples=150, deadline=None)
@given(
    first=docs_strategy,
    second=docs_strategy,
    removals=st.lists(st.text(alphabet="abcdef", min_size=1, max_size=3), max_size=6),
    query=queries,
    sort_fields=sort_choices,
    descending=st.booleans(),
)
def test_replace_and_remove_keep_indexes_consistent(
    first: dict[str, dict[str, Any]],
    second: dict[str, dict[str, Any]],
    removals: list[str],
    query: Node,
    sort_fields: list[str],
    descending: bool,
) -> None:
    index = small_index(first)
    # build every lazily-maintained structure before the writes
    index.query("title:a* owner:[a TO z] n:[* TO *]")
    for field in ["title", "tags", "owner", "org", "n"]:
        index.page(index.query(""), sort_fields=[field], descending=False, start=1, num=1)
    index.page(index.query(""), sort_fields=[], descending=False, start=1, num=1)
    held = index.query(render(query))
    held_copy = set(held)

    current = dict(first)
    for doc_id, values in second.items():
        index.put(doc_id, values)
        current[doc_id] = values
    for doc_id in removals:
        if doc_id in current:
            index.remove(doc_id)
            del current[doc_id]
        else:
            with pytest.raises(KeyError):
                index.remove(doc_id)

    assert held == held_copy  # results handed out earlier never change
    fresh = small_index(current)
    text = render(query)
    expected = {d for d, values in current.items() if ref_matches(query, values)}
    assert index.query(text) == expected == fresh.query(text)
    assert len(index) == len(current)
    full = ref_sort(current, expected, sort_fields, descending)
    for start, num in ((1, 3), (2, 5), (1, 100)):
        got = index.page(
            index.query(text), sort_fields=sort_fields, descending=descending, start=start, num=num
        )
        assert got == full[start - 1 : start - 1 + num]
    assert index.page(index.query(""), sort_fields=[], descending=False, start=1, num=100) == sorted(current)


def test_item_and_user_schemas_build() -> None:
    items = SearchIndex(
        ITEM_FIELDS, default_fields=ITEM_DEFAULT_FIELDS, aliases=ITEM_ALIASES, sortable=ITEM_SORT_FIELDS
    )
    users = SearchIndex(USER_FIELDS, default_fields=USER_DEFAULT_FIELDS, aliases=USER_ALIASES)
    assert "accountid" in items.field_names and "username" in users.field_names
    users.put("u", {"username": "Admin", "fullname": "Portal Admin", "lastlogin": 5, "role": "org_admin"})
    assert q(users, "admin") == ["u"]
    assert q(users, "portal") == ["u"]
    assert q(users, "role:org_admin orgid:*") == []
    assert users.page(users.query(""), sort_fields=["lastlogin"], descending=True, start=1, num=1) == ["u"]


@settings(max_examples=300, deadline=None)
@given(
    docs=docs_strategy,
    field=st.sampled_from(["title", "tags", "owner", "org", "n"]),
    descending=st.booleans(),
    start=st.integers(1, 14),
    num=st.integers(0, 14),
)
def test_page_of_every_document_by_position_matches_brute_force(
    docs: dict[str, dict[str, Any]], field: str, descending: bool, start: int, num: int
) -> None:
    """A page over all documents (e.g. `accountid:<org>` in a one-organization fake) is cut from the sorted
    order by position; ties (many here: few distinct values) must still go by ascending id."""
    index = small_index(docs)
    everything = index.query("")
    assert everything == set(docs)
    full = ref_sort(docs, set(docs), [field], descending)
    page = index.page(everything, sort_fields=[field], descending=descending, start=start, num=num)
    assert page == full[start - 1 : start - 1 + num]


def test_having_looks_up_whole_keyword_values() -> None:
    from arcgis_typed_fake.state.categories import category_keys, matches_filters, matches_terms

    index = make_item_index({
        "r": {"title": "River", "categorykeys": sorted(category_keys(["/Categories/Water/Rivers", "/Region/US"]))},
        "w": {"title": "Water", "categorykeys": sorted(category_keys(["/Categories/Water"]))},
        "p": {"title": "Plain"},
    })
    assert index.having("categorykeys", ["/categories/water"]) == {"r", "w"}
    assert index.having("categorykeys", ["/CATEGORIES/WATER/RIVERS", "/nothing"]) == {"r"}
    assert index.having("categorykeys", ["rivers", "us"]) == {"r"}  # level titles
    assert index.having("categorykeys", ["/categories/wat", "/water"]) == set()  # whole values only
    assert index.having("categorykeys", []) == set()
    held = index.having("categorykeys", ["/region"])
    index.remove("r")
    assert held == {"r"}  # a result never changes after it was returned
    assert index.having("categorykeys", ["/region"]) == set()
    with pytest.raises(ValueError):
        index.having("title", ["river"])  # not a keyword field
    with pytest.raises(ValueError):
        index.having("nosuch", ["x"])
    # the scan-based matchers of group search agree with the keys
    assert matches_filters(["/Categories/Water/Rivers"], [["/categories/water"], ["/categories"]])
    assert not matches_filters(["/Categories/Water"], [["/categories/water/rivers"]])
    assert matches_terms(["/Categories/Fresh Water"], ["fresh water"])
    assert not matches_terms(["/Categories/Water"], ["/categories/wat", "wat"])
