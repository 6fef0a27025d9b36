"""New-member defaults end to end: reading, setting (checked), clearing, and that createUser and signUp apply
them; the Portal Administrator API's root and security configuration."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member, client_for

STRONG = "Strong-password-1"


@pytest.mark.seed("UserManager.user_settings")
def test_defaults_apply_to_new_members(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    settings = arcgis_portal.user_settings.get()
    assert (settings.role, settings.user_license_type, settings.groups) == (None, None, [])
    group_id = arcgis_portal.groups.create(title="Newcomers", tags=["welcome"]).group.id
    assert arcgis_portal.user_settings.set(role="org_publisher", user_license_type="creatorUT",
                                           groups=[group_id]).success
    settings = arcgis_portal.user_settings.get()
    assert (settings.role, settings.user_license_type, settings.groups) == ("org_publisher", "creatorUT", [group_id])
    arcgis_portal.users.create(username="newbie", password=STRONG, email="newbie@example.test")
    me = client_for(arcgis_fake, "newbie", STRONG).users.me()
    assert (me.role, me.user_license_type_id) == ("org_publisher", "creatorUT")
    assert [g.id for g in me.groups or []] == [group_id]
    # an explicit role wins; a default user type that does not fit it is skipped
    arcgis_portal.user_settings.set(user_license_type="viewerUT", role="viewer")
    arcgis_portal.users.create(username="pubby", password=STRONG, email="pubby@example.test", role="org_publisher")
    assert arcgis_fake.portal.users.require("pubby").user_type_id == "creatorUT"
    assert arcgis_portal.user_settings.delete().success
    assert arcgis_portal.user_settings.get().role is None


@pytest.mark.seed("UserManager.user_settings")
def test_set_refuses_bad_defaults(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    arcgis_portal.user_settings.set(role="org_user")
    before = arcgis_portal.user_settings.get()
    for kwargs, wire in (({"role": "overlord"}, "role"), ({"user_license_type": "wizardUT"}, "userLicenseType"),
                         ({"groups": ["nosuchgroup"]}, "groups"),
                         ({"role": "org_admin", "user_license_type": "viewerUT"}, "role"),
                         ({"apps": {"not": "a list"}}, "apps")):
        with pytest.raises(BadRequest) as caught:
            arcgis_portal.user_settings.set(**kwargs)  # type: ignore[arg-type]
        assert f"'{wire}'" in caught.value.message
    assert arcgis_portal.user_settings.get() == before
    ann = add_member(arcgis_fake, "ann")
    with pytest.raises(PermissionDenied):
        ann.user_settings.get()
    with pytest.raises(PermissionDenied):
        ann.user_settings.set(role="org_admin")
    with pytest.raises(PermissionDenied):
        ann.user_settings.delete()


def test_portal_admin_root_and_security_config(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    root = arcgis_portal.user_settings.admin_root()
    assert "security" in (root.resources or []) and root.current_version
    config = arcgis_portal.user_settings.security_config()
    assert (config.allow_signup, config.user_store_config) == (False, {"type": "BUILTIN", "properties": {}})
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.user_settings.update_security_config(security_config={"allowSignup": "yes"})
    assert "'securityConfig'" in caught.value.message
    with pytest.raises(BadRequest):
        arcgis_portal.user_settings.update_security_config(security_config=["allowSignup"])
    assert arcgis_portal.user_settings.security_config().allow_signup is False
    ann = add_member(arcgis_fake, "ann")
    with pytest.raises(PermissionDenied):
        ann.user_settings.security_config()
