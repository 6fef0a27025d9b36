"""`python -m arcgis_typed_fake serve` is `arcgis-fake serve` (for when scripts are not on PATH)."""

import sys

from .cli import main

sys.exit(main())
