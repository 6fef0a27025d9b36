"""Languages and regions end to end: both lists (JSON arrays) and that a profile's culture and region must be
among them."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member


def test_languages_and_regions(anonymous: PortalClient) -> None:
    languages = anonymous.locales.languages()
    cultures = [lang.culture for lang in languages]
    assert {"en", "fr", "zh-CN", "pt-BR"} <= set(cultures) and len(cultures) == len(set(cultures))
    english = next(lang for lang in languages if lang.culture == "en")
    assert (english.language, english.localized_name) == ("English", "English")
    regions = {r.region for r in anonymous.locales.regions()}
    assert {"US", "FR", "WO"} <= regions


@pytest.mark.seed("User.update")
def test_profile_culture_and_region_come_from_the_lists(arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    assert ann.users.update("ann", culture="ZH-cn", region="us").success
    me = ann.users.me()
    assert (me.culture, me.region) == ("zh-CN", "US")  # as the portal spells them
    for kwargs, wire in (({"culture": "klingon"}, "culture"), ({"region": "XX"}, "region")):
        with pytest.raises(BadRequest) as caught:
            ann.users.update("ann", description="changed?", **kwargs)  # type: ignore[arg-type]
        assert f"'{wire}'" in caught.value.message
    me = ann.users.me()
    assert (me.culture, me.region, me.description) == ("zh-CN", "US", "")
