"""Handlers of spec/portal/locales.yaml: portals/languages and portals/regions."""

from __future__ import annotations

from arcgis_typed.portal.models.locales import Language, Region
from arcgis_typed.portal.params.locales import LocalesLanguagesParams, LocalesRegionsParams

from ..call import Call
from ..registry import handles
from ..state.locales import LANGUAGES, REGIONS


@handles("portal:locales.languages")
def languages(call: Call, p: LocalesLanguagesParams) -> list[Language]:
    return [Language(language=name, culture=code, localized_name=local) for name, code, local in LANGUAGES]


@handles("portal:locales.regions")
def regions(call: Call, p: LocalesRegionsParams) -> list[Region]:
    return [Region(region=code, localized_name=name) for code, name in REGIONS]
