"""In-memory search engine for the fake portal: the ArcGIS portal query language.

What the real portal does (researched; summarised in our own words)
-------------------------------------------------------------------

Sources consulted:

* ArcGIS REST API "Search reference"
  (developers.arcgis.com/rest/users-groups-and-items/search-reference, and the
  older copies of the same page shipped with Portal for ArcGIS 10.x help).
* ArcGIS Enterprise portal help "Use advanced search"
  (enterprise.arcgis.com/en/portal/latest/use/advanced-search.htm, 10.9.1 and
  11.2 editions).
* Esri's own "Advanced Search Cheat Sheet" (github.com/Esri/ago-tools,
  search-cheat-sheet.md), which condenses the old REST search reference.
* ArcGIS Pro SDK ``PortalQueryParameters`` (SortField, SortOrder, Limit,
  StartIndex) and the REST "User Search (Organization)" page (sortField values).
* The ArcGIS API for Python ``search`` implementations and Esri web tools,
  which append ``" accountid:<org id>"`` to the user's query.

Facts, and what this module does with them:

* A query is made of terms and operators. A term is either a single word or a
  phrase in double quotes; single quotes do not form phrases. Terms may be
  combined with ``AND``, ``OR``, ``NOT``, the ``+`` (required) and ``-``
  (prohibited) prefixes, and grouped with parentheses. Operator words only
  count when written in capitals (``and`` is an ordinary word).
* Operator between juxtaposed terms: the current portal help says that
  ``map services`` returns items having *both* words, i.e. AND; an older
  edition of the same page said "either". The Python API and Esri's tools scope
  searches to an organisation by appending `` accountid:<id>`` to whatever the
  user typed, which only works as a filter under AND. **We use AND** for
  implicit operators (luqum's ``UnknownOperation``). ``+x`` is therefore the
  same as ``x``; ``-x`` and ``NOT x`` subtract from the other clauses (or from
  every document when they stand alone).
* ``field:term`` searches one field; the field prefix binds only to the term
  (or parenthesised group / phrase / range) directly after it, so
  ``title:web map`` is ``title:web AND map``. Unqualified terms search the
  default fields. For items the current documentation lists title, tags,
  snippet, description, type and typekeywords (older releases also listed
  accessinformation and spatialreference); we use the current list.
* Item fields documented as searchable: id, owner, title, type, typekeywords,
  description, tags, snippet, accessinformation, spatialreference, access
  (public / private / org / shared), group (items shared to a group id),
  itemtype (url / text / file), culture, numratings, numcomments, avgrating,
  created, modified and uploaded (dates as epoch milliseconds, written
  zero-padded in the examples, e.g. ``created:[0000001259692864000 TO
  0000001260384065000]``), and orgid / accountid (the owning organisation).
  We treat ``orgid`` as an alias of ``accountid`` and ``uploaded`` as an alias
  of ``created``.
* Ranges: ``[a TO b]`` is inclusive, ``{a TO b}`` exclusive, brackets may be
  mixed and ``*`` leaves an end open. The documentation also shows ranges on
  text fields (``owner:{arcgis_explorer TO esri}``), so ranges work on every
  field kind: numerically on number fields, lexicographically (case-folded)
  on the vocabulary of keyword/text fields. ``field:>x`` / ``>=`` / ``<`` /
  ``<=`` (which luqum parses) are accepted as open ranges.
* Wildcards: ``?`` (one character) and ``*`` (any run) inside single terms,
  not inside phrases. ``field:*`` means "has any value in field"; a query that
  is empty, blank or just ``*`` matches everything.
* Phrases match the words adjacent and in order within one value of one
  field (a phrase never spans two tags). ``"a b"~N`` (proximity) matches when
  all the words fall inside a window of ``len(words) + N`` tokens.
* Boosting (``term^2``) only affects ranking in the portal; here it is
  accepted and ignored. Fuzzy terms (``word~`` / ``word~1``) match vocabulary
  words within 1 or 2 edits (default 2), regex terms (``/re/``) are matched in
  full against the vocabulary with Python's ``re``.
* Case: the portal matches words case-insensitively. Some portal help pages say
  ``owner`` values are case sensitive; we deliberately make every field name
  and every value case-insensitive (usernames are unique case-insensitively in
  a portal anyway).
* The portal stems English words ("fires" finds "fire"); we do not stem:
  tokenisation is ``\\w+`` runs of the case-folded text.
* Sorting: item search accepts ``sortField`` among title, created, type,
  owner, modified, avgRating, numRatings, numComments and numViews, several of
  them comma separated, and ``sortOrder`` asc / desc, which only matters when
  a sort field is given. Organisation user search sorts on username,
  fullname, created and modified. ``ITEM_SORT_FIELDS`` / ``USER_SORT_FIELDS``
  add a few fields newer portals also sort on (scorecompleteness; firstname,
  lastname, lastlogin, role, level, user types) - our additions, not taken
  from the sources above. ``start`` is 1-based; ``num`` defaults to 10 and is
  capped at 100 by the portal (the cap is the caller's business, not this
  module's).

Engine design
-------------

* The luqum parse tree is compiled straight into set algebra over inverted
  indexes: AND / implicit = intersection (smallest first), OR = union,
  NOT / ``-`` = difference (from the other clauses, or from all documents).
* keyword fields index the whole case-folded value; text fields index
  ``\\w+`` tokens and keep each value's token tuple for phrase checks; every
  field keeps ``doc -> sort key``. A per-field ``SortedList`` of
  ``(sort key, doc_id)`` (documents that have a value) serves number ranges
  (bisect + slice) and sorting; a ``SortedList`` of terms serves wildcards and
  ranges on keyword / text fields.
* Those sorted structures are built the first time they are needed (or by
  :meth:`SearchIndex.warm`) and then kept up to date: ``put`` / ``remove``
  record their changes in two small sets, which are applied when the
  structure is next read (one by one, or by a rebuild when there are many),
  so bulk loads cost one sort and interleaved writes/reads O(log n) each.
  Replacing a document only touches the terms and keys that changed.
* :meth:`SearchIndex.page` walks the primary sort field's order in chunks,
  keeping the ids that are in the result set, when the expected walk is
  short compared with the result set; it gives up after a few times the
  expected effort (matches bunched at the far end) and then does a one-pass
  top-k selection over the result set, which is also used for small results.
  The last group of equal keys is completed (via bisect) and re-sorted when
  secondary fields or the descending tie rule need it.
* Ordering contract of :meth:`SearchIndex.page`: documents with a value for the
  sort field come first, ordered by value (case-insensitive for strings),
  ascending or descending; documents without a value come after them in both
  directions; remaining ties are broken by ascending document id in both
  directions. Several sort fields refine each other left to right. Without
  sort fields the order is ascending document id (``descending`` is ignored,
  as in the portal).
* Query results are :class:`IdSet` objects: ``set`` subclasses that refuse
  mutation (copy them with ``set(result)`` to modify). This lets ``query``
  hand out an index's own posting set (e.g. every document of an
  organisation) in O(1); the index copies such a set before it next changes
  it, so a result never changes after it was returned.

The index is not thread-safe; callers serialise access.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType
from typing import Any, ClassVar, Literal, NoReturn, cast

import attrs
from luqum import tree as lt
from luqum.exceptions import ParseError
from luqum.thread import parse as _luqum_parse
from sortedcontainers import SortedList

__all__ = [
    "GROUP_ALIASES",
    "GROUP_DEFAULT_FIELDS",
    "GROUP_FIELDS",
    "ITEM_ALIASES",
    "ITEM_DEFAULT_FIELDS",
    "ITEM_FIELDS",
    "ITEM_SORT_FIELDS",
    "USER_ALIASES",
    "USER_DEFAULT_FIELDS",
    "USER_FIELDS",
    "USER_SORT_FIELDS",
    "FieldSpec",
    "FieldValue",
    "IdSet",
    "QuerySyntaxError",
    "SearchIndex",
    "tokenize",
]

Number = int | float
FieldValue = str | int | float | Sequence[str] | None
FieldKind = Literal["keyword", "text", "number"]


class QuerySyntaxError(ValueError):
    """The query cannot be parsed or refers to something the index lacks.

    The message describes the problem in the query; the HTTP layer can report
    it as ``Invalid query: <message>``.
    """


@attrs.frozen
class FieldSpec:
    """How one field is indexed.

    * ``keyword``: the whole value, case-folded, is one term (ids, usernames,
      access, org ids). Multi-valued fields (a sequence) index every value.
    * ``text``: values are split into case-folded ``\\w+`` tokens (titles, tags,
      descriptions, type names).
    * ``number``: an int / float (epoch-millisecond dates, counters); supports
      ranges.
    """

    kind: FieldKind = attrs.field(validator=attrs.validators.in_(("keyword", "text", "number")))


class IdSet(set[str]):
    """A read-only set of document ids, as returned by :meth:`SearchIndex.query`.

    Every non-mutating ``set`` operation works (and returns plain sets); the
    mutating ones raise ``TypeError``. Use ``set(ids)`` for a mutable copy.
    """

    __slots__ = ()

    def _readonly(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("search results are read-only; copy them with set(...) first")

    def add(self, element: str) -> None:
        self._readonly()

    def discard(self, element: object) -> None:
        self._readonly()

    def remove(self, element: str) -> None:
        self._readonly()

    def pop(self) -> str:
        self._readonly()

    def clear(self) -> None:
        self._readonly()

    def update(self, *s: Iterable[str]) -> None:
        self._readonly()

    def intersection_update(self, *s: Iterable[Any]) -> None:
        self._readonly()

    def difference_update(self, *s: Iterable[Any]) -> None:
        self._readonly()

    def symmetric_difference_update(self, s: Iterable[str]) -> None:
        self._readonly()

    def __ior__(self, value: AbstractSet[str]) -> NoReturn:  # type: ignore[override,misc]
        self._readonly()

    def __iand__(self, value: AbstractSet[object]) -> NoReturn:
        self._readonly()

    def __isub__(self, value: AbstractSet[object]) -> NoReturn:
        self._readonly()

    def __ixor__(self, value: AbstractSet[str]) -> NoReturn:  # type: ignore[override,misc]
        self._readonly()


class _PostingSet(IdSet):
    """An IdSet owned by an index (a posting list, or the set of all ids).

    Only these are ever handed out by reference; see :class:`_Lender`.
    """

    __slots__ = ()


# Internal mutation of IdSets goes through the base-class methods.
_set_add = set.add
_set_discard = set.discard
_set_update = set.update
_set_intersection_update = set.intersection_update
_set_difference_update = set.difference_update

_EMPTY = IdSet()
_second = itemgetter(1)

_TOKEN_RE = re.compile(r"\w+")


@lru_cache(maxsize=1 << 14)  # indexing meets the same tags, types and empty texts again and again
def tokenize(text: str) -> tuple[str, ...]:
    """Split *text* into case-folded word tokens (runs of ``\\w``)."""
    return tuple(_TOKEN_RE.findall(text.casefold()))


@lru_cache(maxsize=1 << 14)  # shared by the documents with the same text (they are immutable)
def _text_value(value: str) -> tuple[tuple[tuple[str, ...], ...], str]:
    """A text field's prepared string value: its tokens, and its sort key."""
    return (tokenize(value),), value.strip().casefold()


@lru_cache(maxsize=1 << 14)
def _keyword_value(value: str) -> tuple[str]:
    """A keyword field's prepared string value (shared, like text values)."""
    return (value.casefold(),)


class _Top:
    """Compares greater than everything but itself (a bound for tuple keys)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return other is self

    def __gt__(self, other: object) -> bool:
        return other is not self

    def __ge__(self, other: object) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return 0x70F

    def __repr__(self) -> str:
        return "<TOP>"


_TOP = _Top()
_MAX_CHAR = "\U0010ffff"

SortKey = str | Number
# Entries of a field's sorted order: (sort key, doc id), documents with a value only.
_Entry = tuple[SortKey, str]


class _Lender:
    """Remembers which internal IdSets were handed out by ``query``.

    Holding a reference keeps ``id()`` values unique. Before an index mutates
    a lent set it swaps in a private copy (copy-on-write).
    """

    __slots__ = ("lent",)

    def __init__(self) -> None:
        self.lent: dict[int, IdSet] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return _Lender, ()  # a copy of an index (fork) has lent nothing yet

    def lend(self, ids: IdSet) -> None:
        if isinstance(ids, _PostingSet):
            self.lent[id(ids)] = ids

    def writable(self, ids: _PostingSet) -> _PostingSet:
        """Return *ids*, or a private copy of it if it has been lent."""
        if self.lent and self.lent.pop(id(ids), None) is not None:
            return _PostingSet(ids)
        return ids

    def forget(self, ids: _PostingSet) -> None:
        if self.lent:
            self.lent.pop(id(ids), None)


class _LazySorted:
    """A ``SortedList`` whose updates are buffered until it is next read.

    ``add`` / ``discard`` only touch two small sets; :meth:`get` applies them
    (one by one, or by rebuilding from *source* when there are many), so a
    bulk load costs one sort instead of many insertions, while interleaved
    writes and reads still cost O(log n) each. Entries are unique.
    """

    __slots__ = ("_adds", "_dels", "_list", "_source")

    def __init__(self, source: Callable[[], Iterable[Any]]) -> None:
        self._source = source
        self._list: Any = SortedList(source())
        self._adds: set[Any] = set()
        self._dels: set[Any] = set()

    def __reduce__(self) -> tuple[Any, ...]:
        return _no_cache, ()  # a lazily built cache: a copy of the index (fork) rebuilds it on first use

    def add(self, entry: object) -> None:
        if entry in self._dels:
            self._dels.remove(entry)
        else:
            self._adds.add(entry)

    def discard(self, entry: object) -> None:
        if entry in self._adds:
            self._adds.remove(entry)
        else:
            self._dels.add(entry)

    def get(self) -> Any:
        """The up-to-date ``SortedList`` (do not modify it)."""
        adds, dels = self._adds, self._dels
        if adds or dels:
            current = self._list
            if 3 * (len(adds) + len(dels)) > len(current) + 3000:
                self._list = SortedList(self._source())
            else:
                for entry in dels:
                    current.remove(entry)
                for entry in adds:
                    current.add(entry)
            adds.clear()
            dels.clear()
        return self._list


def _no_cache() -> None:
    return None


def _parse_number(text: str, field: str) -> Number:
    cleaned = text.strip()
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        value = float(cleaned)
    except ValueError:
        raise QuerySyntaxError(f"field {field!r} is numeric; {text!r} is not a number") from None
    if not math.isfinite(value):
        raise QuerySyntaxError(f"field {field!r} is numeric; {text!r} is not a finite number")
    return value


def _unescape(raw: str) -> str:
    return cast(str, lt.Term.WORD_ESCAPED_CHARS.sub(r"\1", raw))


def _wildcard_pattern(raw: str) -> tuple[str, re.Pattern[str] | None]:
    """Translate a (luqum-escaped) wildcard term into (literal prefix, regex).

    The regex is ``None`` when the term is a pure prefix (``abc*``).
    """
    parts: list[str] = []
    prefix: list[str] = []
    wild = False
    pure_prefix = True
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            literal = raw[i + 1].casefold()
            parts.append(re.escape(literal))
            if wild:
                pure_prefix = False
            else:
                prefix.append(literal)
            i += 2
            continue
        if char == "*":
            parts.append(".*")
            if wild or i != len(raw) - 1:
                pure_prefix = False
            wild = True
        elif char == "?":
            parts.append(".")
            wild = True
            pure_prefix = False
        else:
            literal = char.casefold()
            parts.append(re.escape(literal))
            if wild:
                pure_prefix = False
            else:
                prefix.append(literal)
        i += 1
    if pure_prefix:
        return "".join(prefix), None
    return "".join(prefix), re.compile("".join(parts), re.DOTALL)


def _within_edits(a: str, b: str, max_edits: int) -> bool:
    """Levenshtein distance between *a* and *b* is at most *max_edits*."""
    if abs(len(a) - len(b)) > max_edits:
        return False
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        best = i
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            current.append(cost)
            best = min(best, cost)
        if best > max_edits:
            return False
        previous = current
    return previous[-1] <= max_edits


def _contains_run(tokens: tuple[str, ...], run: tuple[str, ...]) -> bool:
    size = len(run)
    first = run[0]
    for i in range(len(tokens) - size + 1):
        if tokens[i] == first and tokens[i : i + size] == run:
            return True
    return False


def _contains_near(tokens: tuple[str, ...], words: tuple[str, ...], slop: int) -> bool:
    wanted = Counter(words)
    width = len(words) + slop
    for i in range(len(tokens)):
        if tokens[i] not in wanted:
            continue
        window = Counter(tokens[i : i + width])
        if all(window[w] >= n for w, n in wanted.items()):
            return True
    return False


# Prepared (validated, normalised) field values, computed before any mutation.
_Prepared = (
    tuple[str, ...]  # keyword: case-folded values
    | tuple[tuple[tuple[str, ...], ...], str]  # text: per-value tokens, sort key
    | Number  # number
    | None  # no value
)


class _Field:
    """The indexes of one field."""

    __slots__ = (
        "_lender",
        "_order",
        "_vocab",
        "kind",
        "name",
        "postings",
        "sort_keys",
        "tokens",
        "values",
    )

    def __init__(self, name: str, kind: FieldKind, lender: _Lender) -> None:
        self.name = name
        self.kind = kind
        self._lender = lender
        # keyword / text: term -> ids
        self.postings: dict[str, _PostingSet] = {}
        # keyword: doc -> case-folded values
        self.values: dict[str, tuple[str, ...]] = {}
        # text: doc -> tokens of each value
        self.tokens: dict[str, tuple[tuple[str, ...], ...]] = {}
        # every kind: doc -> sort key, for documents that have a value
        self.sort_keys: dict[str, SortKey] = {}
        self._order: _LazySorted | None = None  # of _Entry, built on first use
        self._vocab: _LazySorted | None = None  # of terms, built on first use

    # -- writing ---------------------------------------------------------

    def prepare(self, value: object) -> _Prepared:
        """Validate and normalise a value; ``None`` means "no value"."""
        if value is None:
            return None
        kind = self.kind
        if type(value) is str and kind != "number":
            if kind == "keyword":
                return _keyword_value(value)
            return _text_value(value)
        # the common shapes first (ints, lists of strings); anything else takes the general checks below
        if type(value) is int and kind == "number":
            return value
        if type(value) is list and kind != "number" and all(type(v) is str for v in value):
            if not value:
                return None
            if kind == "keyword":
                return tuple(v.casefold() for v in value)
            return tuple(tokenize(v) for v in value), " ".join(v.strip() for v in value).casefold()
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                if isinstance(value, str):
                    try:
                        return _parse_number(value, self.name)
                    except QuerySyntaxError:
                        pass
                raise TypeError(f"field {self.name!r} takes a number, got {value!r}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"field {self.name!r} takes a finite number, got {value!r}")
            return value
        if isinstance(value, str):
            raw: tuple[str, ...] = (value,)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            raw = (str(value),)
        elif isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
            items = list(value)
            if not all(isinstance(v, str) for v in items):
                raise TypeError(f"field {self.name!r} takes strings, got {value!r}")
            raw = tuple(items)
        else:
            raise TypeError(f"field {self.name!r} takes a string or strings, got {value!r}")
        if not raw:
            return None
        if self.kind == "keyword":
            return tuple(v.casefold() for v in raw)
        return (
            tuple(tokenize(v) for v in raw),
            " ".join(v.strip() for v in raw).casefold(),
        )

    def _posting_for_write(self, term: str) -> _PostingSet:
        ids = self.postings.get(term)
        if ids is None:
            ids = self.postings[term] = _PostingSet()
            if self._vocab is not None:
                self._vocab.add(term)
        else:
            lent = self._lender.lent
            if lent and lent.pop(id(ids), None) is not None:
                ids = self.postings[term] = _PostingSet(ids)
        return ids

    def _drop(self, term: str, doc: str) -> None:
        ids = self.postings[term]
        if len(ids) == 1:
            del self.postings[term]
            self._lender.forget(ids)
            if self._vocab is not None:
                self._vocab.discard(term)
        else:
            _set_discard(self._posting_for_write(term), doc)

    def insert(self, doc: str, prepared: _Prepared) -> None:
        """Index a value (never ``None``) for a document that has none yet."""
        # (the hot path of every bulk load: no sets here; adding an id twice to a posting is harmless)
        key: SortKey
        kind = self.kind
        # (no cast() calls either: they cost a tenth of a bulk load; the kind says what `prepared` is)
        if kind == "number":
            key = prepared  # type: ignore[assignment]
        else:
            groups: tuple[tuple[str, ...], ...]
            if kind == "keyword":
                values: tuple[str, ...] = prepared  # type: ignore[assignment]
                self.values[doc] = values
                groups = (values,)
                key = values[0] if len(values) == 1 else " ".join(values)
            else:
                groups, key = prepared  # type: ignore[misc, assignment]
                self.tokens[doc] = groups
            postings = self.postings
            lent = self._lender.lent
            for terms in groups:
                for term in terms:
                    ids = postings.get(term)
                    if ids is None or lent:  # a new term, or maybe a lent set: the careful way
                        ids = self._posting_for_write(term)
                    _set_add(ids, doc)
        self.sort_keys[doc] = key
        if self._order is not None:
            self._order.add((key, doc))

    def update(self, doc: str, prepared: _Prepared) -> None:
        """Give *doc* a new value (never ``None``), touching only what changes.

        Unchanged terms keep their posting sets untouched, so replacing a
        document does not force copies of big lent sets (e.g. the org's).
        """
        old_key = self.sort_keys.get(doc)
        if old_key is None:
            self.insert(doc, prepared)
            return
        new_key: SortKey
        old_terms: set[str]
        new_terms: set[str]
        if self.kind == "number":
            new_key = cast(Number, prepared)
            old_terms = new_terms = set()
        elif self.kind == "keyword":
            values = cast(tuple[str, ...], prepared)
            old_values = self.values[doc]
            if old_values == values:
                return
            old_terms, new_terms = set(old_values), set(values)
            self.values[doc] = values
            new_key = " ".join(values)
        else:
            per_value, new_key = cast(tuple[tuple[tuple[str, ...], ...], str], prepared)
            old_tokens = self.tokens[doc]
            if old_tokens == per_value and old_key == new_key:
                return
            old_terms = {t for toks in old_tokens for t in toks}
            new_terms = {t for toks in per_value for t in toks}
            self.tokens[doc] = per_value
        for term in old_terms - new_terms:
            self._drop(term, doc)
        for term in new_terms - old_terms:
            _set_add(self._posting_for_write(term), doc)
        if new_key != old_key or type(new_key) is not type(old_key):
            self.sort_keys[doc] = new_key
            if self._order is not None:
                self._order.discard((old_key, doc))
                self._order.add((new_key, doc))

    def delete(self, doc: str) -> None:
        """Unindex the value of a document that has one."""
        key = self.sort_keys.pop(doc)
        if self._order is not None:
            self._order.discard((key, doc))
        terms: Iterable[str]
        if self.kind == "keyword":
            terms = set(self.values.pop(doc))
        elif self.kind == "text":
            terms = {t for toks in self.tokens.pop(doc) for t in toks}
        else:
            return
        for term in terms:
            self._drop(term, doc)

    def prepared(self, doc: str) -> _Prepared:
        """The prepared value the field holds for *doc* (which has one): what ``insert`` was given."""
        if self.kind == "number":
            return cast(Number, self.sort_keys[doc])
        if self.kind == "keyword":
            return self.values[doc]
        return (self.tokens[doc], cast(str, self.sort_keys[doc]))

    # -- lazily built sorted structures -----------------------------------

    def _entries(self) -> Iterable[_Entry]:
        return [(k, d) for d, k in self.sort_keys.items()]

    def order(self) -> Any:
        """``SortedList`` of ``(sort key, doc id)`` for the documents with a value."""
        if self._order is None:
            self._order = _LazySorted(self._entries)
        return self._order.get()

    def vocab(self) -> Any:
        """``SortedList`` of the field's terms."""
        if self._vocab is None:
            self._vocab = _LazySorted(lambda: list(self.postings))
        return self._vocab.get()

    # -- reading ----------------------------------------------------------

    def present(self) -> IdSet:
        return IdSet(self.sort_keys)

    def _union_terms(self, terms: Iterable[str]) -> IdSet:
        postings = self.postings
        found = [postings[t] for t in terms]
        if not found:
            return _EMPTY
        if len(found) == 1:
            return found[0]
        found.sort(key=len, reverse=True)
        result = IdSet(found[0])
        _set_update(result, *found[1:])
        return result

    def _number_range(
        self,
        low: Number | None,
        high: Number | None,
        include_low: bool,
        include_high: bool,
    ) -> IdSet:
        if low is not None and high is not None and low > high:
            return _EMPTY
        minimum: tuple[Any, ...] | None = None
        maximum: tuple[Any, ...] | None = None
        if low is not None:
            minimum = (low,) if include_low else (low, _TOP)
        if high is not None:
            maximum = (high, _TOP) if include_high else (high,)
        order = self.order()
        first = 0 if minimum is None else order.bisect_left(minimum)
        last = len(order) if maximum is None else order.bisect_right(maximum)
        if first >= last:
            return _EMPTY
        return IdSet(map(_second, order[first:last]))

    def term(self, text: str) -> IdSet | None:
        """A single (unquoted, wildcard-free, unescaped) word."""
        if self.kind == "number":
            value = _parse_number(text, self.name)
            return self._number_range(value, value, True, True)
        if self.kind == "keyword":
            return self.postings.get(text.casefold(), _EMPTY)
        words = tokenize(text)
        if not words:
            return None
        if len(words) == 1:
            return self.postings.get(words[0], _EMPTY)
        return self._phrase_tokens(words, slop=None)

    def phrase(self, text: str, slop: int | None) -> IdSet | None:
        if self.kind != "text":
            return self.term(text)
        words = tokenize(text)
        if not words:
            return None
        if len(words) == 1:
            return self.postings.get(words[0], _EMPTY)
        return self._phrase_tokens(words, slop)

    def _phrase_tokens(self, words: tuple[str, ...], slop: int | None) -> IdSet:
        postings = []
        for word in set(words):
            ids = self.postings.get(word)
            if ids is None:
                return _EMPTY
            postings.append(ids)
        postings.sort(key=len)
        candidates: AbstractSet[str] = postings[0]
        for ids in postings[1:]:
            candidates = candidates & ids
            if not candidates:
                return _EMPTY
        tokens = self.tokens
        if slop is None:
            return IdSet(d for d in candidates if any(_contains_run(t, words) for t in tokens[d]))
        return IdSet(d for d in candidates if any(_contains_near(t, words, slop) for t in tokens[d]))

    def wildcard(self, raw: str) -> IdSet:
        if self.kind == "number":
            raise QuerySyntaxError(f"wildcards are not supported on numeric field {self.name!r}")
        prefix, pattern = _wildcard_pattern(raw)
        vocab = self.vocab()
        if prefix:
            candidates = vocab.irange(prefix, prefix + _MAX_CHAR)
        else:
            candidates = iter(vocab)
        if pattern is None:
            return self._union_terms(candidates)
        return self._union_terms(t for t in candidates if pattern.fullmatch(t))

    def regex(self, pattern_text: str) -> IdSet:
        if self.kind == "number":
            raise QuerySyntaxError(f"regular expressions are not supported on numeric field {self.name!r}")
        try:
            pattern = re.compile(pattern_text, re.DOTALL | re.IGNORECASE)
        except re.error as exc:
            raise QuerySyntaxError(f"invalid regular expression /{pattern_text}/: {exc}") from None
        return self._union_terms(t for t in self.postings if pattern.fullmatch(t))

    def fuzzy(self, text: str, max_edits: int) -> IdSet | None:
        if self.kind == "number":
            raise QuerySyntaxError(f"fuzzy search is not supported on numeric field {self.name!r}")
        if self.kind == "keyword":
            word = text.casefold()
        else:
            words = tokenize(text)
            if len(words) != 1:
                return self.term(text)
            word = words[0]
        return self._union_terms(t for t in self.postings if _within_edits(word, t, max_edits))

    def range(
        self,
        low: str | None,
        high: str | None,
        include_low: bool,
        include_high: bool,
    ) -> IdSet:
        if self.kind == "number":
            return self._number_range(
                None if low is None else _parse_number(low, self.name),
                None if high is None else _parse_number(high, self.name),
                include_low,
                include_high,
            )
        low_f = None if low is None else low.casefold()
        high_f = None if high is None else high.casefold()
        if low_f is not None and high_f is not None and low_f > high_f:
            return _EMPTY
        terms = self.vocab().irange(low_f, high_f, inclusive=(include_low, include_high))
        return self._union_terms(terms)


_EMPTY_MAPPING: Mapping[str, str] = MappingProxyType({})


def _put_back(index: SearchIndex, doc_id: str, state: tuple[tuple[_Field, _Prepared], ...] | None) -> None:
    """Undo of a change to one document of a fork's index: index it as it was (``state``), or not at all."""
    if state is not None:
        index._apply(doc_id, state)
    elif doc_id in index:
        index.remove(doc_id)


class SearchIndex:
    """Inverted indexes over documents (items or users) plus sorted orders.

    ``fields`` maps field names to :class:`FieldSpec`; ``default_fields`` are
    searched by unqualified terms; ``aliases`` maps extra names onto fields
    (e.g. ``{"orgid": "accountid"}``). ``sortable`` optionally restricts the
    fields :meth:`page` accepts (default: every field). All names are
    case-insensitive.
    """

    # In a fork (see undo.py) the index logs, per document, how to put it back as it was: its internals are
    # copied as they are, not tracked change by change.
    __undo__ = "self"
    __undo_log__: ClassVar[Any] = None

    def __init__(
        self,
        fields: Mapping[str, FieldSpec],
        *,
        default_fields: Sequence[str],
        aliases: Mapping[str, str] = _EMPTY_MAPPING,
        sortable: Collection[str] | None = None,
    ) -> None:
        self._config = (dict(fields), tuple(default_fields), dict(aliases), None if sortable is None else tuple(sortable))
        self._lender = _Lender()
        self._fields: dict[str, _Field] = {}
        for name, spec in fields.items():
            key = name.casefold()
            if key in self._fields:
                raise ValueError(f"field {name!r} is declared twice (names are case-insensitive)")
            self._fields[key] = _Field(key, spec.kind, self._lender)
        self._field_list = tuple(self._fields.values())
        self._names: dict[str, _Field] = dict(self._fields)
        self._layouts: dict[tuple[str, ...], tuple[_Field, ...]] = {}  # value names -> their fields (see put)
        for alias, target in aliases.items():
            alias_key = alias.casefold()
            if alias_key in self._fields:
                raise ValueError(f"alias {alias!r} shadows a field of the same name")
            try:
                self._names[alias_key] = self._fields[target.casefold()]
            except KeyError:
                raise ValueError(f"alias {alias!r} refers to unknown field {target!r}") from None
        self._default: tuple[_Field, ...] = tuple(self._known(n, ValueError) for n in default_fields)
        if not self._default:
            raise ValueError("at least one default field is required")
        if any(f.kind == "number" for f in self._default):
            raise ValueError("default fields must be keyword or text fields")
        self._sortable: frozenset[str] | None = (
            None if sortable is None else frozenset(self._known(n, ValueError).name for n in sortable)
        )
        self._all = _PostingSet()
        # doc id -> the fields in which the document has a value
        self._doc_fields: dict[str, tuple[_Field, ...]] = {}
        self._id_order: _LazySorted | None = None  # of every doc id, built on first use

    # -- names ---------------------------------------------------------------

    def _known(self, name: str, error: type[ValueError]) -> _Field:
        field = self._names.get(name.casefold())
        if field is None:
            raise error(f"unknown field {name!r}")
        return field

    @property
    def field_names(self) -> tuple[str, ...]:
        """The (case-folded) field names of this index."""
        return tuple(self._fields)

    # -- writing ---------------------------------------------------------------

    def __snapshot_encode__(self) -> object:
        """Snapshots hold the index's configuration only: its store re-indexes its records after a restore."""
        return self._config

    @classmethod
    def __snapshot_decode__(cls, config: tuple[Any, ...]) -> SearchIndex:
        fields, default_fields, aliases, sortable = config
        return cls(fields, default_fields=default_fields, aliases=aliases, sortable=sortable)

    def __len__(self) -> int:
        return len(self._all)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._all

    def put(self, doc_id: str, values: Mapping[str, FieldValue]) -> None:
        """Add the document, or replace it (every index is updated).

        Fields missing from *values* (or given as ``None`` / empty) have no
        value. Unknown field names raise ``ValueError``, values of the wrong
        type ``TypeError``; nothing is changed when a value is rejected.
        """
        if not isinstance(doc_id, str):
            raise TypeError(f"document ids are strings, got {doc_id!r}")
        names = tuple(values)
        fields = self._layouts.get(names)
        if fields is None:
            fields = self._layout(names)
        prepared: list[tuple[_Field, _Prepared]] = []
        for field, value in zip(fields, values.values(), strict=True):
            if value is None:
                continue
            ready = field.prepare(value)
            if ready is not None:
                prepared.append((field, ready))
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(_put_back, self, doc_id, self._doc_state(doc_id))
        self._apply(doc_id, prepared)

    def _apply(self, doc_id: str, prepared: Sequence[tuple[_Field, _Prepared]]) -> None:
        old_fields = self._doc_fields.get(doc_id)
        if old_fields is None:
            _set_add(self._writable_all(), doc_id)
            if self._id_order is not None:
                self._id_order.add(doc_id)
            for field, ready in prepared:
                field.insert(doc_id, ready)
        else:
            keep = {field for field, _ in prepared}
            for field in old_fields:
                if field not in keep:
                    field.delete(doc_id)
            for field, ready in prepared:
                field.update(doc_id, ready)
        self._doc_fields[doc_id] = tuple(field for field, _ in prepared)

    def _layout(self, names: tuple[str, ...]) -> tuple[_Field, ...]:
        """The fields of the value names of a document, checked (known, none twice); stores keep giving the
        same names, so the answer is remembered for the next documents."""
        fields = tuple(self._names.get(name) or self._known(name, ValueError) for name in names)
        seen: set[_Field] = set()
        for name, field in zip(names, fields, strict=True):
            if field in seen:
                raise ValueError(f"field {field.name!r} given twice (via {name!r})")
            seen.add(field)
        if len(self._layouts) < 64:
            self._layouts[names] = fields
        return fields

    def remove(self, doc_id: str) -> None:
        """Remove the document; ``KeyError`` if it is not indexed."""
        log = self.__undo_log__
        if log is not None and log.armed and doc_id in self._doc_fields:
            log.add(_put_back, self, doc_id, self._doc_state(doc_id))
        self._unindex(doc_id)
        _set_discard(self._writable_all(), doc_id)
        if self._id_order is not None:
            self._id_order.discard(doc_id)

    def _doc_state(self, doc_id: str) -> tuple[tuple[_Field, _Prepared], ...] | None:
        """What the index holds for a document (its prepared values), or None when it holds nothing."""
        fields = self._doc_fields.get(doc_id)
        return None if fields is None else tuple((field, field.prepared(doc_id)) for field in fields)

    def _unindex(self, doc_id: str) -> None:
        for field in self._doc_fields.pop(doc_id):
            field.delete(doc_id)

    def _writable_all(self) -> _PostingSet:
        fresh = self._lender.writable(self._all)
        self._all = fresh
        return fresh

    # -- querying ----------------------------------------------------------------

    def query(self, q: str) -> set[str]:
        """Ids of the documents matching the portal query *q*.

        An empty / blank query or ``*`` matches every document. The result is
        a read-only :class:`IdSet` snapshot. Raises :class:`QuerySyntaxError`.
        """
        text = q.strip()
        if not text or text == "*":
            result: IdSet | None = self._all
        else:
            try:
                parsed = _luqum_parse(text)
            except ParseError as exc:
                raise QuerySyntaxError(str(exc)) from None
            except RecursionError:
                raise QuerySyntaxError("query is nested too deeply") from None
            try:
                result = self._eval(parsed, None)
            except RecursionError:
                raise QuerySyntaxError("query is nested too deeply") from None
        if result is None:
            return _EMPTY
        self._lender.lend(result)
        return result

    def _eval(self, node: Any, field: _Field | None) -> IdSet | None:
        """Evaluate a luqum node; ``None`` means "no clause" (e.g. only punctuation)."""
        if isinstance(node, lt.SearchField):
            return self._eval(node.expr, self._known(node.name, QuerySyntaxError))
        if isinstance(node, lt.BaseGroup):
            return self._eval(node.expr, field)
        if isinstance(node, (lt.AndOperation, lt.UnknownOperation, lt.BoolOperation)):
            return self._conjunction(node.operands, field)
        if isinstance(node, lt.OrOperation):
            return self._disjunction(node.operands, field)
        if isinstance(node, (lt.Not, lt.Prohibit)):
            inner = self._eval(node.a, field)
            return None if inner is None else self._complement(inner)
        if isinstance(node, lt.Plus):
            return self._eval(node.a, field)
        if isinstance(node, lt.Boost):
            return self._eval(node.expr, field)
        if isinstance(node, (lt.Term, lt.BaseApprox, lt.Range, lt.OpenRange)):
            if field is not None:
                return self._leaf(node, field)
            found = [r for f in self._default if (r := self._leaf(node, f)) is not None]
            return self._union(found) if found else None
        raise QuerySyntaxError(f"unsupported query element {str(node)!r}")

    def _conjunction(self, operands: Sequence[Any], field: _Field | None) -> IdSet | None:
        positive: list[IdSet] = []
        negative: list[IdSet] = []
        for operand in operands:
            if isinstance(operand, (lt.Not, lt.Prohibit)):
                found = self._eval(operand.a, field)
                if found is not None:
                    negative.append(found)
            else:
                found = self._eval(operand, field)
                if found is not None:
                    positive.append(found)
        if not positive and not negative:
            return None
        if positive:
            positive.sort(key=len)
            if len(positive) == 1 and not negative:
                return positive[0]
            result = IdSet(positive[0])
            for other in positive[1:]:
                if not result:
                    break
                _set_intersection_update(result, other)
        else:
            result = IdSet(self._all)
        for other in negative:
            if not result:
                break
            if len(other) > len(result):
                result = IdSet(d for d in result if d not in other)
            else:
                _set_difference_update(result, other)
        return result

    def _disjunction(self, operands: Sequence[Any], field: _Field | None) -> IdSet | None:
        found = [r for operand in operands if (r := self._eval(operand, field)) is not None]
        return self._union(found) if found else None

    def _union(self, sets: list[IdSet]) -> IdSet:
        non_empty = [s for s in sets if s]
        if not non_empty:
            return _EMPTY
        if len(non_empty) == 1:
            return non_empty[0]
        non_empty.sort(key=len, reverse=True)
        result = IdSet(non_empty[0])
        _set_update(result, *non_empty[1:])
        return result

    def _complement(self, ids: IdSet) -> IdSet:
        result = IdSet(self._all)
        _set_difference_update(result, ids)
        return result

    def _bound(self, node: Any) -> str | None:
        if isinstance(node, lt.Prohibit):  # luqum's reading of a negative bound
            inner = self._bound(node.a)
            return None if inner is None else "-" + inner
        if isinstance(node, lt.Phrase):
            return _unescape(node.value[1:-1])
        if isinstance(node, lt.Word):
            return None if node.value == "*" else _unescape(node.value)
        raise QuerySyntaxError(f"invalid range bound {str(node)!r}")

    def _leaf(self, node: Any, field: _Field) -> IdSet | None:
        if isinstance(node, lt.Word):
            if node.value == "*":
                return field.present()
            if node.has_wildcard():
                return field.wildcard(node.value)
            return field.term(_unescape(node.value))
        if isinstance(node, lt.Phrase):
            return field.phrase(_unescape(node.value[1:-1]), None)
        if isinstance(node, lt.Regex):
            return field.regex(node.value[1:-1])
        if isinstance(node, lt.Proximity):
            return field.phrase(_unescape(node.term.value[1:-1]), int(node.degree))
        if isinstance(node, lt.Fuzzy):
            degree = node.degree
            max_edits = 2 if degree < 1 else min(int(degree), 2)
            return field.fuzzy(_unescape(node.term.value), max_edits)
        if isinstance(node, lt.Range):
            return field.range(
                self._bound(node.low),
                self._bound(node.high),
                bool(node.include_low),
                bool(node.include_high),
            )
        if isinstance(node, lt.From):
            return field.range(self._bound(node.a), None, bool(node.include), True)
        if isinstance(node, lt.To):
            return field.range(None, self._bound(node.a), True, bool(node.include))
        raise QuerySyntaxError(f"unsupported query element {str(node)!r}")

    # -- sorting and paging --------------------------------------------------------

    def having(self, field: str, values: Iterable[str]) -> set[str]:
        """Ids of the documents whose keyword field *field* holds one of *values* (whole values, case-insensitive):
        a union of posting sets, no scan. A read-only :class:`IdSet` like :meth:`query`'s results."""
        found = self._known(field, ValueError)
        if found.kind != "keyword":
            raise ValueError(f"field {field!r} is not a keyword field")
        postings = found.postings
        result = found._union_terms({v.casefold() for v in values} & postings.keys())
        self._lender.lend(result)
        return result

    def warm(self, fields: Iterable[str] | None = None) -> None:
        """Build the sorted orders of *fields* now rather than on first use.

        By default: every number field, plus the ``sortable`` fields when the
        index was given that restriction. Once built, an order is maintained by
        :meth:`put` / :meth:`remove` (which makes them a little slower).
        """
        if fields is None:
            sortable = self._sortable or frozenset()
            chosen = [f for f in self._field_list if f.kind == "number" or f.name in sortable]
        else:
            chosen = [self._known(name, ValueError) for name in fields]
        for field in chosen:
            field.order()

    def _sort_field(self, name: str) -> _Field:
        field = self._names.get(name.strip().casefold())
        if field is None:
            raise ValueError(f"unknown sort field {name!r}")
        if self._sortable is not None and field.name not in self._sortable:
            raise ValueError(f"cannot sort on field {name!r}")
        return field

    def page(
        self,
        ids: AbstractSet[str],
        *,
        sort_fields: Sequence[str],
        descending: bool,
        start: int,
        num: int,
    ) -> list[str]:
        """One page of *ids* in sort order; *start* is 1-based, as in ArcGIS.

        See the module docstring for the ordering contract. Ids that are not
        in the index are ignored. Unknown (or non-sortable) sort fields raise
        ``ValueError`` naming the field.
        """
        fields = [self._sort_field(name) for name in sort_fields]
        if start < 1:
            raise ValueError(f"start is 1-based, got {start}")
        if num < 0:
            raise ValueError(f"num must not be negative, got {num}")
        total = len(ids)
        offset = start - 1
        if num == 0 or offset >= total:
            return []
        need = min(offset + num, total)
        if not fields:
            descending = False
        # Walking a sorted order (in chunks) visits about ``expected`` entries
        # if the matches are spread evenly; selecting from the result set
        # touches each of its ids a few times. Walk when that looks cheaper,
        # but give up after a few times the expected effort (matches bunched
        # at the far end of the order) and select instead.
        if len(fields) == 1 and total == len(self._all) and self._all <= ids:
            everything = self._slice_everything(fields[0], descending, offset, need)
            if everything is not None:
                return everything
        expected = need * len(self._all) / total
        if total >= 128 and expected <= 4 * total:
            walked = self._walk(ids, fields, descending, need, budget=int(4 * expected) + 2048)
            if walked is not None:
                return walked[offset:need]
        return self._select(ids, fields, descending, need)[offset:need]

    @staticmethod
    def _slice_everything(field: _Field, descending: bool, offset: int, need: int) -> list[str] | None:
        """A page of *every* document by one field, by position in its sorted order (no walking); None when
        the page reaches the documents without a value (the general path places those)."""
        order = field.order()
        size = len(order)
        if need > size:
            return None
        if not descending:
            return [e[1] for e in order[offset:need]]
        # Descending by value, ties still by ascending id: widen the window to whole groups of equal keys,
        # then a stable sort by key alone (reversed) puts each group back in ascending id order.
        lo = order.bisect_left((order[size - need][0],))
        hi = order.bisect_right((order[size - offset - 1][0], _TOP))
        window = order[lo:hi]
        window.sort(key=lambda e: e[0], reverse=True)
        first = size - hi  # rank (0-based, descending) of window[0]
        return [e[1] for e in window[offset - first : need - first]]

    def _walk(
        self,
        ids: AbstractSet[str],
        fields: list[_Field],
        descending: bool,
        need: int,
        budget: int,
    ) -> list[str] | None:
        """The first *need* ids in order, walking a sorted order; ``None`` if
        finding them takes more than *budget* steps."""
        if not fields:
            if self._id_order is None:
                self._id_order = _LazySorted(lambda: list(self._all))
            id_order = self._id_order.get()
            size = len(id_order)
            out: list[str] = []
            pos = 0
            chunk = 256
            while pos < size and len(out) < need:
                if pos >= budget:
                    return None
                block = id_order[pos : pos + chunk]
                pos += chunk
                chunk = min(chunk * 2, 16384)
                out.extend([d for d in block if d in ids])
            return out[:need]
        order = fields[0].order()
        size = len(order)
        hits: list[_Entry] = []
        pos = 0  # entries consumed from the walking end
        chunk = 256
        while len(hits) < need and pos < size:
            if pos >= budget:
                return None
            take = min(chunk, size - pos)
            if descending:
                block = order[size - pos - take : size - pos]
                block.reverse()
            else:
                block = order[pos : pos + take]
            pos += take
            chunk = min(chunk * 2, 16384)
            hits.extend([e for e in block if e[1] in ids])
        # With secondary fields, or descending (ties still go by ascending
        # id), the group of entries equal to the last needed one is completed
        # and re-sorted.
        regroup = descending or len(fields) > 1
        if len(hits) >= need:
            if not regroup:
                return [e[1] for e in hits[:need]]
            boundary: Any = hits[need - 1][0]
            if descending:
                group_start = order.bisect_left((boundary,))
                rest = order[group_start : size - pos] if group_start < size - pos else []
                docs = [e[1] for e in hits if e[0] >= boundary]
            else:
                group_end = order.bisect_right((boundary, _TOP))
                rest = order[pos:group_end] if group_end > pos else []
                docs = [e[1] for e in hits if e[0] <= boundary]
            docs.extend([e[1] for e in rest if e[1] in ids])
        else:
            # every document with a value was visited: the ones without follow
            keys = fields[0].sort_keys
            known = self._all
            docs = [e[1] for e in hits]
            docs.extend([d for d in ids if d not in keys and d in known])
        return self._sort_docs(docs, fields, descending)[:need]

    def _select(self, ids: AbstractSet[str], fields: list[_Field], descending: bool, need: int) -> list[str]:
        """The first *need* ids in order, from the id set itself (one pass)."""
        if not fields:
            known = self._all
            return heapq.nsmallest(need, [d for d in ids if d in known])
        keys = fields[0].sort_keys
        get = keys.get
        pairs: list[tuple[Any, str]] = [(v, d) for d in ids if (v := get(d)) is not None]
        if len(pairs) < need:
            # documents without a value (which sort last) are needed too
            known = self._all
            docs = [d for _, d in pairs]
            docs.extend([d for d in ids if d not in keys and d in known])
            return self._sort_docs(docs, fields, descending)[:need]
        if not descending and len(fields) == 1:
            return [d for _, d in heapq.nsmallest(need, pairs)]
        if len(pairs) > 4 * need:
            values = [v for v, _ in pairs]
            if descending:
                cut = heapq.nlargest(need, values)[-1]
                docs = [d for v, d in pairs if v >= cut]
            else:
                cut = heapq.nsmallest(need, values)[-1]
                docs = [d for v, d in pairs if v <= cut]
        else:
            docs = [d for _, d in pairs]
        return self._sort_docs(docs, fields, descending)[:need]

    @staticmethod
    def _sort_docs(docs: Iterable[str], fields: Sequence[_Field], descending: bool) -> list[str]:
        """Sort ids fully: by each field (missing values last), then by id."""
        items = sorted(docs)
        for field in reversed(fields):
            keys = field.sort_keys
            present = [d for d in items if d in keys]
            if len(present) != len(items):
                missing = [d for d in items if d not in keys]
            else:
                missing = []
            present.sort(key=keys.__getitem__, reverse=descending)
            items = present + missing if missing else present
        return items


# ---------------------------------------------------------------------------
# Portal document schemas
# ---------------------------------------------------------------------------

_K = FieldSpec("keyword")
_T = FieldSpec("text")
_N = FieldSpec("number")

#: Searchable item fields (names as in the portal's search reference).
ITEM_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "id": _K,
        "owner": _K,
        "accountid": _K,
        "access": _K,
        "group": _K,  # ids of the groups the item is shared with
        "itemtype": _K,  # url / text / file
        "spatialreference": _K,
        "name": _K,
        "title": _T,
        "type": _T,
        "typekeywords": _T,
        "tags": _T,
        "snippet": _T,
        "description": _T,
        "accessinformation": _T,
        "licenseinfo": _T,
        "culture": _T,
        "categories": _T,
        # the fake's own field (not in the search reference): category_keys() of the item's categories, what the
        # categories / categoryFilters parameters of item search look up
        "categorykeys": _K,
        "created": _N,
        "modified": _N,
        "numviews": _N,
        "numratings": _N,
        "numcomments": _N,
        "avgrating": _N,
        "size": _N,
        "scorecompleteness": _N,
    }
)
ITEM_DEFAULT_FIELDS: tuple[str, ...] = ("title", "tags", "snippet", "description", "type", "typekeywords")
ITEM_ALIASES: Mapping[str, str] = MappingProxyType({"orgid": "accountid", "uploaded": "created"})
#: Sort fields the portal documents for item search (``sortField``).
ITEM_SORT_FIELDS: tuple[str, ...] = (
    "title",
    "created",
    "type",
    "owner",
    "modified",
    "avgrating",
    "numratings",
    "numcomments",
    "numviews",
    "scorecompleteness",
)

#: Searchable user fields.
USER_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "username": _K,
        "email": _K,
        "accountid": _K,
        "access": _K,
        "role": _K,
        "roleid": _K,
        "level": _K,
        "usertype": _K,
        "userlicensetype": _K,
        "provider": _K,
        "idpusername": _K,
        "groups": _K,  # ids of the groups the user belongs to
        "fullname": _T,
        "firstname": _T,
        "lastname": _T,
        "description": _T,
        "tags": _T,
        "culture": _T,
        "region": _T,
        "created": _N,
        "modified": _N,
        "lastlogin": _N,
    }
)
USER_DEFAULT_FIELDS: tuple[str, ...] = ("username", "fullname", "firstname", "lastname", "email")
USER_ALIASES: Mapping[str, str] = MappingProxyType({"orgid": "accountid"})
#: Sort fields accepted for user searches (``sortField``).
USER_SORT_FIELDS: tuple[str, ...] = (
    "username",
    "fullname",
    "firstname",
    "lastname",
    "created",
    "modified",
    "lastlogin",
    "role",
    "level",
    "usertype",
    "userlicensetype",
)

#: Searchable group fields.
GROUP_FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "id": _K,
        "owner": _K,
        "accountid": _K,
        "access": _K,
        "isinvitationonly": _K,
        "isviewonly": _K,
        "capabilities": _K,
        "title": _T,
        "tags": _T,
        "snippet": _T,
        "description": _T,
        "created": _N,
        "modified": _N,
    }
)
GROUP_DEFAULT_FIELDS: tuple[str, ...] = ("title", "tags", "snippet", "description", "owner")
GROUP_ALIASES: Mapping[str, str] = MappingProxyType({"orgid": "accountid"})
