"""What the fuzz tests of every operations table share: the text a form can carry, values that are not
integers / booleans / JSON, and the fixture that fails a test when the fake answered a 500."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fuzzworld import watch_errors
from hypothesis import strategies as st

CHARS = st.characters(codec="utf-8")  # no lone surrogates: what a form can carry
TEXT = st.text(CHARS, max_size=30)


def not_int(text: str) -> bool:
    try:
        int(text.strip())
    except ValueError:
        return True
    return False


def not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


NON_INTEGERS = st.sampled_from(["abc", "1.5", "1e3", "0x10", "--1", "one", " ", "NaN", "[1]"]) | TEXT.filter(
    lambda s: s != "" and not_int(s))
NON_BOOLEANS = st.sampled_from(["maybe", "yes", "1", "0", "T", "on", "null"]) | TEXT.filter(
    lambda s: s != "" and s.strip().lower() not in ("true", "false"))
NON_JSON = st.sampled_from(["{", "{'a': 1}", "[1,", "undefined", "{\"a\":}", " "]) | TEXT.filter(
    lambda s: s != "" and not_json(s))


@pytest.fixture(autouse=True)
def no_internal_errors() -> Iterator[list[logging.LogRecord]]:
    """The fake logs every 500 it answers; none may happen."""
    with watch_errors() as log:
        yield log.records
    assert not log.records, [r.getMessage() for r in log.records]
