"""User types end to end: the catalogue and how many members hold each, a member's user type and bundles,
changing it (the role must fit, seats must be free, a Viewer owns nothing), provisions and the counts report."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member


@pytest.mark.seed("UserManager.license_types")
def test_license_types_are_listed_with_their_use(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    add_member(arcgis_fake, "vic", "viewer")
    add_member(arcgis_fake, "ann")
    types = {t.id: t for t in arcgis_portal.licenses.user_license_types_all()}
    assert {"viewerUT", "editorUT", "creatorUT"} <= set(types)
    assert (types["viewerUT"].level, types["viewerUT"].current_users) == (1, 1)
    assert (types["creatorUT"].level, types["creatorUT"].current_users) == (2, 2)  # admin and ann
    assert "portal:user:createItem" not in (types["viewerUT"].privileges or [])
    page = arcgis_portal.licenses.user_license_types(num=1)
    assert (page.total, page.next_start, len(page.user_license_types)) == (len(types), 2, 1)


@pytest.mark.seed("User.user_types")
@pytest.mark.seed("User.bundles")
def test_a_members_user_type_and_bundles(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    vic = add_member(arcgis_fake, "vic", "viewer")
    info = ann.licenses.user_license_type("ann")
    assert (info.username, info.user_license_type.id) == ("ann", "creatorUT")
    assert {b.id for b in info.app_bundles or []} == {"fieldAppsBundle", "officeAppsBundle"}
    bundles = ann.licenses.app_bundles("ann")
    assert {b.id for b in bundles.app_bundles} == {"fieldAppsBundle", "officeAppsBundle"}
    assert vic.licenses.app_bundles("vic").app_bundles == []
    assert arcgis_portal.licenses.user_license_type("vic").user_license_type.id == "viewerUT"
    with pytest.raises(PermissionDenied):
        vic.licenses.user_license_type("ann")
    with pytest.raises(PermissionDenied):
        vic.licenses.app_bundles("ann")


@pytest.mark.seed("User.update_license_type")
def test_update_license_type(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    add_member(arcgis_fake, "vic", "viewer")
    owner = add_member(arcgis_fake, "owner")
    owner.groups.create(title="Owned", tags=["x"])
    changes = arcgis_portal.licenses.update_user_license_type(users=["vic", "ann", "owner", "ghost"],
                                                              user_license_type="editorUT")
    assert [(c.username, c.status) for c in changes.results] == [
        ("vic", True), ("ann", False), ("owner", False), ("ghost", False)]  # User roles do not fit Contributor
    assert arcgis_fake.portal.users.require("vic").user_type_id == "editorUT"
    assert arcgis_fake.portal.users.require("ann").user_type_id == "creatorUT"
    refused = arcgis_portal.licenses.update_user_license_type(users=["owner"], user_license_type="viewer")
    assert refused.results[0].status is False  # a User role does not fit Viewer
    arcgis_fake.portal.users.licenses.max_users["GISProfessionalStdUT"] = 0
    full = arcgis_portal.licenses.update_user_license_type(users=["ann"], user_license_type="GISProfessionalStdUT")
    assert full.results[0].status is False and "licenses" in str(full.results[0].error)
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.licenses.update_user_license_type(users=["ann"], user_license_type="wizardUT")
    assert "'userLicenseType'" in caught.value.message
    with pytest.raises(PermissionDenied):
        ann.licenses.update_user_license_type(users=["vic"], user_license_type="creatorUT")
    assert ann.users.me().user_license_type_id == "creatorUT"


@pytest.mark.seed("User.provisions")
def test_provisions(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    assert ann.licenses.provisioned_listings("ann").provisioned_listings == []
    now = arcgis_fake.portal.now()
    licenses = arcgis_fake.portal.users.licenses
    licenses.provision("ann", "a" * 32, "Routing app", now)
    licenses.provision("ann", "b" * 32, "Expired app", now - 10, end_date=now - 1)
    assert [p.title for p in ann.licenses.provisioned_listings("ann").provisioned_listings] == ["Routing app"]
    every = arcgis_portal.licenses.provisioned_listings("ann", include_expired=True).provisioned_listings
    assert [p.item_id for p in every] == ["a" * 32, "b" * 32]
    assert every[0].end_date is None and every[1].end_date is not None


@pytest.mark.seed("UserManager.counts")
def test_counts(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    add_member(arcgis_fake, "vic", "viewer")
    ann = add_member(arcgis_fake, "ann")
    add_member(arcgis_fake, "pub", "org_publisher")

    def counted(kind: str) -> dict[str, int]:
        return {c.key: c.count for c in arcgis_portal.licenses.counts_all(count_type=kind)}  # type: ignore[arg-type]

    assert counted("role") == {"org_admin": 1, "org_user": 1, "org_publisher": 1, "iAAAAAAAAAAAAAAA": 1}
    assert counted("userLicenseType") == {"creatorUT": 3, "viewerUT": 1}
    assert counted("appBundle") == {"fieldAppsBundle": 3, "officeAppsBundle": 3}
    assert counted("app")["Survey123"] == 3
    with pytest.raises(PermissionDenied):
        ann.licenses.counts(count_type="role")
    with pytest.raises(BadRequest):
        arcgis_portal.licenses.counts(count_type="colour")  # type: ignore[arg-type]


@pytest.mark.seed("User.update_license_type")
def test_a_role_cannot_outgrow_its_members_user_types(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    role_id = arcgis_portal.roles.create(name="Readers").id
    assert role_id
    arcgis_portal.roles.set_privileges(role_id, privileges=["portal:user:viewOrgItems"])
    reader = add_member(arcgis_fake, "reader", role=role_id)
    arcgis_portal.licenses.update_user_license_type(users=["reader"], user_license_type="viewerUT")
    assert reader.users.me().level == "1"
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.roles.set_privileges(role_id, privileges=["portal:user:viewOrgItems", "portal:user:createItem"])
    assert "'privileges'" in caught.value.message and "viewerUT" in caught.value.message
    assert reader.users.me().privileges == ["portal:user:viewOrgItems"]


def test_the_organizations_app_bundles(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    add_member(arcgis_fake, "vic", "viewer")
    ann = add_member(arcgis_fake, "ann")
    bundles = {b.id: b for b in arcgis_portal.licenses.org_app_bundles_all()}
    assert set(bundles) == {"fieldAppsBundle", "officeAppsBundle", "proBundle"}
    field = bundles["fieldAppsBundle"]
    assert field.app_bundle_item_id and len(field.app_bundle_item_id) == 32
    assert "editorUT" in (field.user_license_types or []) and "viewerUT" not in (field.user_license_types or [])
    assert (field.current_users, field.assigned_users) == (2, 0)  # admin and ann, through Creator; not the Viewer
    assert (bundles["proBundle"].current_users, bundles["proBundle"].assigned_users) == (0, 0)
    page = arcgis_portal.licenses.org_app_bundles(num=2)
    assert (page.total, page.next_start, len(page.app_bundles)) == (3, 3, 2)
    with pytest.raises(PermissionDenied):
        ann.licenses.org_app_bundles()


def test_assigning_and_revoking_an_app_bundle(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    add_member(arcgis_fake, "vic", "viewer")
    licenses = arcgis_portal.licenses
    pro = next(b for b in licenses.org_app_bundles_all() if b.id == "proBundle")
    done = licenses.provision_user_app_bundle(pro.app_bundle_item_id, users=["ann", "VIC"])
    assert (done.success, done.users) == (True, ["ann", "vic"])
    assert [b.id for b in ann.licenses.app_bundles("ann").app_bundles] == [
        "fieldAppsBundle", "officeAppsBundle", "proBundle"]
    assert [b.id for b in licenses.app_bundles("vic").app_bundles] == ["proBundle"]
    assert "proBundle" in [b.id for b in licenses.user_license_type("vic").app_bundles or []]
    assert {c.key: c.count for c in licenses.counts_all(count_type="appBundle")}["proBundle"] == 2
    again = licenses.provision_user_app_bundle(pro.app_bundle_item_id, users=["ann"])  # idempotent
    assert again.success and arcgis_fake.portal.users.licenses.assigned_bundles("ann") == ["proBundle"]
    revoked = licenses.provision_user_app_bundle(pro.app_bundle_item_id, users=["ann"], revoke=True)
    assert revoked.success and [b.id for b in ann.licenses.app_bundles("ann").app_bundles] == [
        "fieldAppsBundle", "officeAppsBundle"]
    field = next(b for b in licenses.org_app_bundles_all() if b.id == "fieldAppsBundle")
    kept = licenses.provision_user_app_bundle(field.app_bundle_item_id, users=["ann"], revoke=True)
    assert kept.success  # not assigned one by one: a no-op; the user type still brings it
    assert "fieldAppsBundle" in [b.id for b in ann.licenses.app_bundles("ann").app_bundles]
    arcgis_portal.users.delete("vic")
    assert arcgis_fake.portal.users.licenses.assigned_bundles("vic") == []
    assert next(b for b in licenses.org_app_bundles_all() if b.id == "proBundle").current_users == 0


def test_app_bundle_provisioning_refuses_bad_input_and_changes_nothing(arcgis_portal: PortalClient,
                                                                       arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    other = arcgis_fake.portal.add_organization("Other Org")
    arcgis_fake.portal.add_user("olga", "olga-password-123", role="org_user", org_id=other.id)
    licenses = arcgis_portal.licenses
    pro = next(b for b in licenses.org_app_bundles_all() if b.id == "proBundle").app_bundle_item_id
    assigned = arcgis_fake.portal.users.licenses.assigned_bundles
    for users, wire in ((["ann", "ghost"], "'users'"), (["ann", "olga"], "'users'"), ([" "], "'users'")):
        with pytest.raises(BadRequest) as caught:
            licenses.provision_user_app_bundle(pro, users=users)
        assert wire in caught.value.message and "provision_user_app_bundle" in str(caught.value)
        assert assigned("ann") == []  # all or nothing
    with pytest.raises(BadRequest) as unknown:
        licenses.provision_user_app_bundle("f" * 32, users=["ann"])
    assert "'id'" in unknown.value.message
    with pytest.raises(PermissionDenied):
        ann.licenses.provision_user_app_bundle(pro, users=["ann"])
    assert assigned("ann") == [] and assigned("olga") == []
