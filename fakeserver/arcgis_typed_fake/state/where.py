"""Where clauses of feature queries: the SQL-92 subset the ArcGIS REST API documents for `where`, compiled
into a test of one row.

Grammar (keywords and field names case-insensitive):

    condition  := conjunct (OR conjunct)*
    conjunct   := negation (AND negation)*
    negation   := NOT negation | predicate
    predicate  := '(' condition ')'
                | value ( compare value | [NOT] IN '(' value (',' value)* ')' | [NOT] BETWEEN value AND value
                        | [NOT] LIKE value [ESCAPE 'c'] | IS [NOT] NULL )
    value      := term (('+' | '-') term)*
    term       := factor (('*' | '/') factor)*
    factor     := number | 'string' | NULL | field | "field" | '-' factor | '(' value ')' | UPPER|LOWER '(' value ')'

Comparisons follow SQL's three-valued logic: anything compared with NULL is unknown, NOT unknown is unknown,
and only rows whose condition is true are selected. Values are typed statically (number or text, from the
field definitions): comparing text with a number is an error, as on a relational data store. Strings compare
and LIKE matches case-sensitively. Errors are `Fault`s naming the problem; no input raises anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Fault

Row = Mapping[str, Any]
Value = Callable[[Row], Any]
Test = Callable[[Row], "bool | None"]

NUMERIC = {"esriFieldTypeOID", "esriFieldTypeInteger", "esriFieldTypeSmallInteger", "esriFieldTypeDouble",
           "esriFieldTypeSingle", "esriFieldTypeBigInteger"}
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<string>'(?:[^']|'')*')|(?P<quoted>\"[^\"]+\")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><>|!=|<=|>=|[=<>(),+\-*/]))"
)
MAX_DEPTH = 50
_KEYWORDS = {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "ESCAPE", "IS", "NULL"}
_FUNCTIONS: dict[str, Callable[[str], str]] = {"UPPER": str.upper, "LOWER": str.lower}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: bool(a == b), "<>": lambda a, b: bool(a != b), "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b), "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b), ">=": lambda a, b: bool(a >= b),
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: None if b == 0 else a / b,
}


def invalid(problem: str) -> Fault:
    """ArcGIS's answer to a query it cannot run, with the problem in the details."""
    return Fault(400, "Unable to complete operation.", [f"Invalid query parameters: {problem}"])


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            raise invalid(f"'where' has an unexpected character at position {pos + 1}: {text[pos:pos + 10].strip()!r}.")
        kind = found.lastgroup or ""
        value = found.group(kind)
        if kind == "name" and value.upper() in _KEYWORDS:
            kind, value = "keyword", value.upper()
        out.append((kind, value))
        pos = found.end()
    return out


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, str]) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.fields = {name.lower(): (name, kind) for name, kind in fields.items()}

    # --- tokens ---

    def peek(self, offset: int = 0) -> tuple[str, str]:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def accept(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        if token[0] == kind and (value is None or token[1] == value):
            self.pos += 1
            return True
        return False

    def expect(self, kind: str, value: str) -> None:
        if not self.accept(kind, value):
            found = self.peek()[1] or "the end of the clause"
            raise invalid(f"'where' expected {value} but found {found!r}.")

    # --- grammar ---

    def parse(self) -> Test:
        if not self.tokens:
            raise invalid("'where' is empty.")
        depth = deepest = 0
        for kind, value in self.tokens:
            depth += (value == "(") - (value == ")") if kind == "op" else 0
            deepest = max(deepest, depth)
        nots = sum(1 for token in self.tokens if token == ("keyword", "NOT"))
        if deepest > MAX_DEPTH or nots > MAX_DEPTH:
            raise invalid(f"'where' is nested more than {MAX_DEPTH} levels deep.")
        test = self.condition()
        if self.peek()[0] != "end":
            raise invalid(f"'where' has unexpected {self.peek()[1]!r} after a complete condition.")
        return test

    def condition(self) -> Test:
        parts = [self.conjunct()]
        while self.accept("keyword", "OR"):
            parts.append(self.conjunct())
        return parts[0] if len(parts) == 1 else _any(parts)

    def conjunct(self) -> Test:
        parts = [self.negation()]
        while self.accept("keyword", "AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else _all(parts)

    def negation(self) -> Test:
        if self.accept("keyword", "NOT"):
            inner = self.negation()
            return lambda row: None if (v := inner(row)) is None else not v
        return self.predicate()

    def predicate(self) -> Test:
        if self.peek() == ("op", "(") and self._parenthesised_condition():
            self.pos += 1
            inner = self.condition()
            self.expect("op", ")")
            return inner
        left, kind = self.value()
        token = self.peek()
        if token[0] == "op" and token[1] in _COMPARE:
            self.pos += 1
            right, right_kind = self.value()
            _same(kind, right_kind, token[1])
            compare = _COMPARE[token[1]]
            return lambda row: None if (a := left(row)) is None or (b := right(row)) is None else compare(a, b)
        if self.accept("keyword", "IS"):
            negate = self.accept("keyword", "NOT")
            self.expect("keyword", "NULL")
            return (lambda row: left(row) is not None) if negate else (lambda row: left(row) is None)
        negate = self.accept("keyword", "NOT")
        if self.accept("keyword", "IN"):
            test = self.in_list(left, kind)
        elif self.accept("keyword", "BETWEEN"):
            low, low_kind = self.value()
            self.expect("keyword", "AND")
            high, high_kind = self.value()
            _same(kind, low_kind, "BETWEEN")
            _same(kind, high_kind, "BETWEEN")
            test = _all([_compare(left, low, ">="), _compare(left, high, "<=")])
        elif self.accept("keyword", "LIKE"):
            test = self.like(left, kind)
        else:
            found = token[1] or "the end of the clause"
            raise invalid(f"'where' expected a comparison, IN, BETWEEN, LIKE or IS NULL but found {found!r}.")
        return (lambda row: None if (v := test(row)) is None else not v) if negate else test

    def _parenthesised_condition(self) -> bool:
        """Whether the '(' here opens a condition (not a value such as `(a + 1) > 2`)."""
        depth, at = 0, self.pos
        while at < len(self.tokens):
            kind, value = self.tokens[at]
            if value == "(":
                depth += 1
            elif value == ")":
                depth -= 1
                if depth == 0:
                    return False
            elif depth == 1 and (kind == "keyword" and value in ("AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS")
                                 or (kind == "op" and value in _COMPARE)):
                return True
            at += 1
        return True  # unbalanced: let the condition report it

    def in_list(self, left: Value, kind: str) -> Test:
        self.expect("op", "(")
        values = [self.value()]
        while self.accept("op", ","):
            values.append(self.value())
        self.expect("op", ")")
        for _, value_kind in values:
            _same(kind, value_kind, "IN")
        return _any([_compare(left, v, "=") for v, _ in values])

    def like(self, left: Value, kind: str) -> Test:
        token = self.peek()
        if token[0] != "string":
            raise invalid("'where': LIKE needs a 'pattern' string.")
        self.pos += 1
        pattern = _unquote(token[1])
        escape = None
        if self.accept("keyword", "ESCAPE"):
            escape_token = self.peek()
            if escape_token[0] != "string" or len(_unquote(escape_token[1])) != 1:
                raise invalid("'where': ESCAPE needs a one-character string.")
            self.pos += 1
            escape = _unquote(escape_token[1])
        if kind != "text":
            raise invalid("'where': LIKE applies to text fields only.")
        compiled = like_pattern(pattern, escape)
        return lambda row: None if (v := left(row)) is None else compiled.fullmatch(v) is not None

    def value(self) -> tuple[Value, str]:
        return self._chain(self.term, ("+", "-"))

    def term(self) -> tuple[Value, str]:
        return self._chain(self.factor, ("*", "/"))

    def _chain(self, operand: Callable[[], tuple[Value, str]], operators: tuple[str, ...]) -> tuple[Value, str]:
        left, kind = operand()
        while self.peek()[0] == "op" and self.peek()[1] in operators:
            symbol = self.peek()[1]
            self.pos += 1
            right, right_kind = operand()
            if "text" in (kind, right_kind):
                raise invalid(f"'where': {symbol} applies to numbers only.")
            left, kind = _arithmetic(left, right, symbol), "number"
        return left, kind

    def factor(self) -> tuple[Value, str]:
        kind, text = self.peek()
        self.pos += 1
        if kind == "number":
            # long integers as floats: a float times a huge int would overflow
            number = float(text) if any(c in text for c in ".eE") or len(text) > 15 else int(text)
            return (lambda row: number), "number"
        if kind == "string":
            string = _unquote(text)
            return (lambda row: string), "text"
        if kind == "keyword" and text == "NULL":
            return (lambda row: None), "null"
        if kind == "op" and text == "-":
            inner, inner_kind = self.factor()
            if inner_kind == "text":
                raise invalid("'where': - applies to numbers only.")
            return (lambda row: None if (v := inner(row)) is None else -v), "number"
        if kind == "op" and text == "(":
            inner, inner_kind = self.value()
            self.expect("op", ")")
            return inner, inner_kind
        if kind == "name" and self.peek() == ("op", "("):
            function = _FUNCTIONS.get(text.upper())
            if function is None:
                raise invalid(f"'where': the function {text.upper()} is not supported.")
            self.pos += 1
            argument, argument_kind = self.value()
            self.expect("op", ")")
            if argument_kind == "number":
                raise invalid(f"'where': {text.upper()} applies to text only.")
            return (lambda row: None if (v := argument(row)) is None else function(v)), "text"
        if kind in ("name", "quoted"):
            key = text.strip('"').lower()
            if key not in self.fields:
                raise invalid(f"'where' names the field '{text.strip(chr(34))}', which the layer does not have.")
            name, esri_type = self.fields[key]
            return (lambda row: row.get(name)), "number" if esri_type in NUMERIC else "text"
        found = text or "the end of the clause"
        raise invalid(f"'where' expected a value but found {found!r}.")


def _unquote(token: str) -> str:
    return token[1:-1].replace("''", "'")


def _same(left: str, right: str, operator: str) -> None:
    if "null" not in (left, right) and left != right:
        raise invalid(f"'where' compares {left} with {right} ({operator}); the types must match.")


def _compare(left: Value, right: Value, symbol: str) -> Test:
    compare = _COMPARE[symbol]
    return lambda row: None if (a := left(row)) is None or (b := right(row)) is None else compare(a, b)


def _arithmetic(left: Value, right: Value, symbol: str) -> Value:
    apply = _ARITHMETIC[symbol]
    return lambda row: None if (a := left(row)) is None or (b := right(row)) is None else apply(a, b)


def _junction(parts: list[Test], decisive: bool) -> Test:
    """AND (`decisive` False: one false part decides) or OR (True: one true part decides), three-valued."""
    def test(row: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(row)
            if value is decisive:
                return decisive
            unknown = unknown or value is None
        return None if unknown else not decisive

    return test


def _all(parts: list[Test]) -> Test:
    return _junction(parts, False)


def _any(parts: list[Test]) -> Test:
    return _junction(parts, True)


def like_pattern(pattern: str, escape: str | None = None) -> re.Pattern[str]:
    """A LIKE pattern (% any run, _ one character; `escape` makes the next one literal) as a regex."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            following = next(chars, None)
            if following is None:
                raise invalid("'where': a LIKE pattern ends with its escape character.")
            out.append(re.escape(following))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def compile_where(text: str | None, fields: Mapping[str, str]) -> Callable[[Row], bool]:
    """A test of a row (attributes by field name) for `text`; `fields` maps each field name to its Esri type.
    No clause (or a blank one) selects every row."""
    if text is None or not text.strip():
        return lambda row: True
    test = _Parser(text, fields).parse()
    return lambda row: test(row) is True


def compile_value(text: str, fields: Mapping[str, str]) -> tuple[Value, str]:
    """A value expression (a field, a literal, arithmetic, UPPER/LOWER: the `value` rule) and its static kind
    (number, text or null), as statistics compute them on."""
    parser = _Parser(text, fields)
    if not parser.tokens:
        raise invalid("'where' is empty.")
    value, kind = parser.value()
    if parser.peek()[0] != "end":
        raise invalid(f"'where' has unexpected {parser.peek()[1]!r} after a complete value.")
    return value, kind
