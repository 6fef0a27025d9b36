"""The organization's content category schema and the rules for assigning categories to items.

Limits as the ArcGIS REST documentation states them: at most five category trees, four levels, 200 categories
in all; titles of at most 100 characters, descriptions of at most 300; at most 20 categories on an item and
100 items in one updateItems request.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request

MAX_TREES = 5
MAX_LEVELS = 4
MAX_CATEGORIES = 200
MAX_TITLE = 100
MAX_DESCRIPTION = 300
MAX_ITEM_CATEGORIES = 20
MAX_ITEMS = 100
MAX_FILTERS = 8


class CategoryStore:
    def __init__(self) -> None:
        self.schema: list[dict[str, Any]] = []
        self._paths: set[str] = set()

    def assign(self, schema: object) -> None:
        if isinstance(schema, dict):
            schema = schema.get("categorySchema")
        if not isinstance(schema, list):
            raise bad_request("Invalid parameter 'categorySchema': expected {\"categorySchema\": [...]}.")
        if len(schema) > MAX_TREES:
            raise bad_request(f"A category schema has at most {MAX_TREES} category trees.")
        paths: set[str] = set()
        cleaned = [self._clean(node, "", 1, paths) for node in schema]
        if len(paths) > MAX_CATEGORIES:
            raise bad_request(f"A category schema has at most {MAX_CATEGORIES} categories.")
        self.schema = cleaned
        self._paths = paths

    def _clean(self, node: object, parent: str, level: int, paths: set[str]) -> dict[str, Any]:
        if level > MAX_LEVELS:
            raise bad_request(f"Categories nest at most {MAX_LEVELS} levels deep.")
        if not isinstance(node, dict) or not isinstance(node.get("title"), str) or not node["title"].strip():
            raise bad_request("Every category needs a title.")
        title = node["title"].strip()
        if len(title) > MAX_TITLE or "/" in title:
            raise bad_request(f"Invalid category title '{title[:MAX_TITLE]}'.")
        description = node.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION):
            raise bad_request(f"Invalid description of category '{title}'.")
        path = f"{parent}/{title}"
        if path.lower() in paths:
            raise bad_request(f"Category '{path}' appears twice.")
        paths.add(path.lower())
        children = node.get("categories") or []
        if not isinstance(children, list):
            raise bad_request(f"The sub-categories of '{title}' must be a list.")
        out: dict[str, Any] = {"title": title}
        if description:
            out["description"] = description
        if children:
            out["categories"] = [self._clean(c, path, level + 1, paths) for c in children]
        return out

    def delete(self) -> None:
        self.schema = []
        self._paths = set()

    def check_item_categories(self, categories: object) -> list[str]:
        """The categories, if each is a path of the schema (case-insensitive), as given."""
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise bad_request("'categories' must be a list of category paths.")
        if len(categories) > MAX_ITEM_CATEGORIES:
            raise bad_request(f"An item has at most {MAX_ITEM_CATEGORIES} categories.")
        unknown = [c for c in categories if c.rstrip("/").lower() not in self._paths]
        if unknown:
            raise bad_request(f"Unknown categories: {', '.join(unknown)}.")
        return [c.rstrip("/") for c in categories]


def category_filters(filters: list[str], wire: str = "categories") -> list[list[str]]:
    """`categories` of a search: up to eight strings (ANDed), each a comma-separated OR of up to eight category
    paths (lower-cased); 400 naming `wire` otherwise."""
    if len(filters) > MAX_FILTERS:
        raise bad_request(f"Invalid parameter '{wire}': at most {MAX_FILTERS} category filters are allowed.")
    parsed = []
    for text in filters:
        paths = [p.strip().rstrip("/").lower() for p in text.split(",") if p.strip()]
        if not paths or not all(p.startswith("/") for p in paths):
            raise bad_request(f"Invalid parameter '{wire}': '{text}' is not a list of category paths.")
        if len(paths) > MAX_FILTERS:
            raise bad_request(f"Invalid parameter '{wire}': at most {MAX_FILTERS} categories in one filter.")
        parsed.append(paths)
    return parsed


def category_keys(categories: list[str]) -> set[str]:
    """What filters can name of an item's (or group's) categories, lower-cased: each category's path and the
    paths of its parents (a path filter matches the category and its sub-categories), and the title of each
    level (a title term of categoryFilters). Paths start with '/', titles never do (a title holds no '/')."""
    keys: set[str] = set()
    for category in categories:
        levels = [level for level in category.lower().split("/") if level]
        keys.update(levels)
        keys.update("/" + "/".join(levels[: i + 1]) for i in range(len(levels)))
    return keys


def matches_filters(categories: list[str], filters: list[list[str]]) -> bool:
    """Whether categories meet every filter: one of a filter's paths, or a sub-category of one, for each filter."""
    keys = category_keys(categories)
    return all(not keys.isdisjoint(paths) for paths in filters)


def category_terms(text: str, wire: str = "categoryFilters", limit: int = MAX_FILTERS) -> list[str]:
    """`categoryFilters` of a search: a comma-separated OR of up to `limit` category titles (terms) or category
    paths, lower-cased; 400 naming `wire` when empty or longer."""
    terms = [t.strip().rstrip("/").lower() for t in text.split(",") if t.strip().rstrip("/")]
    if not terms:
        raise bad_request(f"Invalid parameter '{wire}': give one or more categories.")
    if len(terms) > limit:
        raise bad_request(f"Invalid parameter '{wire}': at most {limit} categories are allowed.")
    return terms


def matches_terms(categories: list[str], terms: list[str]) -> bool:
    """Whether one of the categories meets one of the terms: a path term by being that category or a sub-category
    of it (as `matches_filters`), a title term by being the title of one of the category's levels."""
    return not category_keys(categories).isdisjoint(terms)
