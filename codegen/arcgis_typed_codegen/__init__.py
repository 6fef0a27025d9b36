"""arcgis_typed_codegen: loads the ArcGIS spec (YAML) into an IR and renders the `arcgis_typed` client,
the operations tables, the OpenAPI export and the seed-coverage report."""

from .generate import build, differences, write
from .load import SpecError, load_spec

__all__ = ["SpecError", "build", "differences", "load_spec", "write"]
