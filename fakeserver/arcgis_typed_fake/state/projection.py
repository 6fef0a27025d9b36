"""Spatial references of feature queries (`outSR`, `inSR`, `returnExtentOnly`): the two reference systems web
maps use, WGS84 (wkid 4326, longitude and latitude in degrees: what hosted layers of CSV and GeoJSON hold) and
Web Mercator (wkid 102100, latest 3857, with the older 102113 and 900913: the spherical formulas on a sphere of
the WGS84 semi-major axis). Any other pair answers a not-implemented error; a reference system projects onto
itself unchanged whatever it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from ..errors import Fault
from .where import invalid

WGS84 = 4326
MERCATOR_WKIDS = frozenset({102100, 3857, 102113, 900913})
RADIUS = 6378137.0
MAX_LATITUDE = 85.0511287798066  # where Web Mercator's square world ends
Point = Callable[[float, float], tuple[float, float]]
Box = tuple[float, float, float, float]


def _system(wkid: int) -> str:
    return "mercator" if wkid in MERCATOR_WKIDS else str(wkid)


def _wkid_of(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("latestWkid", value.get("wkid"))
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def wkid(value: Any, param: str, default: int) -> int:
    """The wkid a spatial reference parameter names: a number, or JSON {"wkid": N} (or {"latestWkid": N})."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid(f"'{param}' must be a wkid (4326) or JSON {{\"wkid\": 4326}}.") from None
        if isinstance(value, dict) and "wkt" in value and _wkid_of(value) is None:
            raise Fault(501, f"'{param}' as well-known text is not implemented in the fake.",
                        ["Only wkids 4326 and 3857/102100 are supported."])
    found = _wkid_of(value)
    if found is None:
        raise invalid(f"'{param}' must be a wkid (4326) or JSON {{\"wkid\": 4326}}.")
    return found


def layer_wkid(spatial_reference: dict[str, Any]) -> int:
    found = _wkid_of(spatial_reference)
    return WGS84 if found is None else found


def reference(wkid: int, layer_reference: dict[str, Any]) -> dict[str, Any]:
    """The spatialReference an answer in `wkid` carries (the layer's own when it is the same system)."""
    if _system(wkid) == _system(layer_wkid(layer_reference)):
        return dict(layer_reference)
    if _system(wkid) == "mercator":
        return {"wkid": 102100, "latestWkid": 3857}
    return {"wkid": wkid}


def _to_mercator(x: float, y: float) -> tuple[float, float]:
    latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, y))
    return RADIUS * math.radians(x), RADIUS * math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def _to_wgs84(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x / RADIUS), math.degrees(2 * math.atan(math.exp(y / RADIUS)) - math.pi / 2)


def transform(source: int, target: int, param: str) -> Point | None:
    """How to project a point from `source` to `target` (None: nothing to do)."""
    pair = (_system(source), _system(target))
    if pair[0] == pair[1]:
        return None
    if pair == (str(WGS84), "mercator"):
        return _to_mercator
    if pair == ("mercator", str(WGS84)):
        return _to_wgs84
    raise Fault(501, f"Projecting between wkid {source} and wkid {target} ('{param}') is not implemented in the fake.",
                ["Only wkids 4326 (WGS84) and 3857/102100 (Web Mercator) are supported."])


def _map(node: Any, point: Point) -> Any:
    if isinstance(node, list) and len(node) >= 2 and all(isinstance(v, (int, float)) for v in node[:2]):
        x, y = point(float(node[0]), float(node[1]))
        return [x, y, *node[2:]]
    if isinstance(node, list):
        return [_map(child, point) for child in node]
    return node


def project(geometry: dict[str, Any] | None, point: Point | None) -> dict[str, Any] | None:
    """A GeoJSON geometry with every position projected."""
    if geometry is None or point is None:
        return geometry
    return {**geometry, "coordinates": _map(geometry["coordinates"], point)}


def project_box(box: Box, point: Point | None) -> Box:
    """Both projections are monotonic along each axis, so a box's corners give the projected box."""
    if point is None:
        return box
    xmin, ymin = point(box[0], box[1])
    xmax, ymax = point(box[2], box[3])
    return xmin, ymin, xmax, ymax


def extent(boxes: list[Box], point: Point | None, spatial_reference: dict[str, Any]) -> dict[str, Any]:
    """The envelope of the boxes, projected; an empty one (NaN corners, as ArcGIS answers) when there are none."""
    if not boxes:
        return {"xmin": "NaN", "ymin": "NaN", "xmax": "NaN", "ymax": "NaN", "spatialReference": spatial_reference}
    xmin, ymin, xmax, ymax = project_box((min(b[0] for b in boxes), min(b[1] for b in boxes),
                                          max(b[2] for b in boxes), max(b[3] for b in boxes)), point)
    return {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax, "spatialReference": spatial_reference}
