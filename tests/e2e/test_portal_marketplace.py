"""The marketplace end to end through the typed client, across a vendor and a buyer organization: listing and
unlisting, searching listings, trials that expire on the fake's clock, interest, purchases by the buyer (free)
and by the vendor (paid), org and user entitlements with their limits, purchases, and customers with paging."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied, TokenRequired
from orgadmin_helpers import Market, market

DAY_MS = 86_400_000


@pytest.fixture
def m() -> Market:
    return market()


def _own_item(m: Market, title: str = "New app", **props: object) -> str:
    portal = m.fake.portal
    vera = portal.users.require("vera")
    item = portal.add_item(vera, "vera", title=title, type="Web Mapping Application")
    portal.share_item(vera, item, everyone=None, org=True, groups=[])
    if props:
        portal.marketplace.set_listing_properties(item.id, **props)  # type: ignore[arg-type]
    return item.id


@pytest.mark.seed("MarketPlaceManager.list")
@pytest.mark.seed("MarketPlaceManager.(constructor)")
@pytest.mark.seed("MarketPlaceManager.unlist")
def test_list_needs_listing_properties_and_unlist_hides_the_listing(m: Market) -> None:
    vera, bart = m.client("vera"), m.client("bart")
    bare = _own_item(m, "Bare app")
    with pytest.raises(BadRequest, match="listing properties"):
        vera.marketplace.list_item("vera", bare)
    item_id = _own_item(m, "Listed app", license_type="free")
    with pytest.raises(BadRequest):
        bart.marketplace.listing(item_id)  # not listed yet
    assert vera.marketplace.list_item("vera", item_id).success
    with pytest.raises(BadRequest, match="already listed"):
        vera.marketplace.list_item("vera", item_id)
    listing = bart.marketplace.listing(item_id)
    assert listing.item_id == item_id and listing.license_type == "free" and listing.vendor is not None
    assert listing.vendor.id == m.fake.portal.org.id
    assert listing.listing_published_date is not None
    with pytest.raises(PermissionDenied):
        m.client("vic").marketplace.unlist_item("vera", item_id)  # neither the owner nor an administrator
    assert m.client("admin").marketplace.unlist_item("vera", item_id).item_id == item_id  # the vendor's admin may
    with pytest.raises(BadRequest):
        bart.marketplace.listing(item_id)
    with pytest.raises(BadRequest, match="not listed"):
        vera.marketplace.unlist_item("vera", item_id)
    with pytest.raises(BadRequest):
        bart.marketplace.list_item("vera", item_id)  # another organization's item is not even visible


@pytest.mark.seed("MarketPlaceManager.listings")
@pytest.mark.seed("MarketPlaceManager.listing")
def test_listings_search_public_and_my_listings(m: Market) -> None:
    public = m.client().marketplace.listings(q="*")
    assert {x.item_id for x in public.listings} == {m.paid, m.free}  # not the private nor the unlisted one
    assert public.total == 2 and public.next_start == -1
    mine = m.client("manny").marketplace.listings(mylistings=True)
    assert {x.item_id for x in mine.listings} == {m.paid, m.free, m.private}
    with pytest.raises(PermissionDenied):
        m.client("vic").marketplace.listings(mylistings=True)
    with pytest.raises(TokenRequired):
        m.client().marketplace.listings(mylistings=True)
    first = m.client("manny").marketplace.listings(mylistings=True, num=2, sort_field="title", sort_order="desc")
    assert [x.title for x in first.listings] == ["Private app", "Paid app"] and first.next_start == 3
    assert [x.title for x in m.client("manny").marketplace.listings_all(mylistings=True, page_size=1)] == [
        "Free app", "Paid app", "Private app"]
    assert [x.item_id for x in m.client().marketplace.listings(q="free").listings] == [m.free]
    with pytest.raises(BadRequest, match="sortField"):
        m.client().marketplace.listings(sort_field="price")
    with pytest.raises(BadRequest):
        m.client("bart").marketplace.listing(m.private)  # private listings: the vendor's members only
    assert m.client("vic").marketplace.listing(m.private).listing_access == "private"


@pytest.mark.seed("MarketPlaceManager.comments")
def test_comments_of_a_listing(m: Market) -> None:
    m.fake.portal.marketplace.add_comment(m.paid, "bea", "Works well.")
    found = m.client().marketplace.comments(m.paid).comments
    assert [(c.owner, c.comment) for c in found] == [("bea", "Works well.")]
    assert m.client().marketplace.listing(m.paid).num_comments == 1
    with pytest.raises(BadRequest):
        m.client().marketplace.comments(m.private)


@pytest.mark.seed("MarketPlaceManager.trial")
@pytest.mark.seed("MarketPlaceManager.purchases")
def test_a_trial_expires_on_the_fake_clock(m: Market) -> None:
    tess = m.client("tess")
    with pytest.raises(PermissionDenied):
        m.client("bea").marketplace.trial(m.paid)
    with pytest.raises(BadRequest, match="does not support trials"):
        tess.marketplace.trial(m.free)
    with pytest.raises(BadRequest, match="vendor"):
        m.client("admin").marketplace.trial(m.paid)
    trial = tess.marketplace.trial(m.paid)
    assert trial.trial and not trial.purchased and trial.purchaser_org_id == m.buyer.id
    assert trial.end_date == m.clock.now_ms() + 30 * DAY_MS
    assert trial.purchaser_username == "tess" and trial.org_id == m.fake.portal.org.id
    with pytest.raises(BadRequest, match="already started a trial"):
        tess.marketplace.trial(m.paid)
    bart = m.client("bart")
    mine = bart.marketplace.purchases()
    assert [e.provision.item_id for e in mine.trials] == [m.paid] and mine.purchases == mine.interests == []
    assert mine.trials[0].listing is not None and mine.trials[0].listing.trial_duration == 30
    m.clock.advance(days=31)
    assert bart.marketplace.purchases().trials == []
    expired = bart.marketplace.purchases(status="expired").trials
    assert [e.provision.item_id for e in expired] == [m.paid] and expired[0].provision.trial
    with pytest.raises(BadRequest, match="already started a trial"):
        tess.marketplace.trial(m.paid)  # not twice, even after it expired
    with pytest.raises(PermissionDenied):
        m.client("bea").marketplace.purchases()


@pytest.mark.seed("MarketPlaceManager.express_interest")
def test_interest_not_for_free_listings_nor_twice(m: Market) -> None:
    pam = m.client("pam")
    with pytest.raises(BadRequest, match="free listing"):
        pam.marketplace.interest(m.free)
    with pytest.raises(PermissionDenied):
        m.client("tess").marketplace.interest(m.paid)
    provision = pam.marketplace.interest(m.paid)
    assert provision.interested and not provision.purchased
    with pytest.raises(BadRequest, match="already expressed interest"):
        m.client("bart").marketplace.interest(m.paid)


@pytest.mark.seed("MarketPlaceManager.purchase")
@pytest.mark.seed("MarketPlaceManager.customer_list")
def test_purchases_by_the_buyer_and_by_the_vendor(m: Market) -> None:
    pam, manny = m.client("pam"), m.client("manny")
    bought = pam.marketplace.purchase(m.free)
    assert bought.purchased and bought.end_date == -1
    with pytest.raises(BadRequest, match="already been purchased"):
        pam.marketplace.purchase(m.free)
    with pytest.raises(BadRequest, match="through its vendor"):
        pam.marketplace.purchase(m.paid)
    pam.marketplace.interest(m.paid)
    with pytest.raises(BadRequest, match="purchaserOrgId"):
        manny.marketplace.purchase(m.paid)
    with pytest.raises(BadRequest, match="endDate"):
        manny.marketplace.purchase(m.paid, purchaser_org_id=m.buyer.id, end_date=m.clock.now_ms() - 1)
    with pytest.raises(PermissionDenied):
        m.client("vic").marketplace.purchase(m.paid, purchaser_org_id=m.buyer.id)
    end = m.clock.now_ms() + 10 * DAY_MS
    sold = manny.marketplace.purchase(m.paid, purchaser_org_id=m.buyer.id, end_date=end)
    assert sold.purchased and sold.interested and sold.end_date == end and sold.purchaser_username == "pam"
    with pytest.raises(BadRequest, match="already been purchased"):
        pam.marketplace.interest(m.paid)
    customers = manny.marketplace.customers_list(provision_type="PURCHASE", sort_fields="created")
    assert {e.provision.item_id for e in customers.provisions} == {m.free, m.paid}  # status: all by default
    assert all(e.customer is not None and e.customer.name == "Buyer Org" for e in customers.provisions)
    assert all(e.listing is not None for e in customers.provisions)
    assert manny.marketplace.customers(provision_type="PURCHASE") == customers  # the official client's path
    assert manny.marketplace.customers_list(item_id=m.free, include_listing=False).provisions[0].listing is None
    assert manny.marketplace.customers_list(orgname="nobody").total == 0
    assert manny.marketplace.customers_list(orgname="buyer").total == 2
    assert manny.marketplace.customers_list(provision_type="REQUEST").total == 0  # the interest became a purchase
    m.clock.advance(days=11)
    expired = manny.marketplace.customers_list(status="expired").provisions
    assert [e.provision.item_id for e in expired] == [m.paid]
    assert m.client("bart").marketplace.customers_list().total == 0  # the buyer's admin: no customers
    with pytest.raises(PermissionDenied):
        m.client("bea").marketplace.customers_list()
    with pytest.raises(BadRequest, match="sortFields"):
        manny.marketplace.customers_list(sort_fields="price")


@pytest.mark.seed("MarketPlaceManager.provision_org_entitlements")
@pytest.mark.seed("MarketPlaceManager.provision_user_entitlements")
@pytest.mark.seed("MarketPlaceManager.user_entitlements")
@pytest.mark.seed("MarketPlaceManager.user_entitlement")
def test_entitlements_with_their_limits() -> None:
    m = market(members=True)
    manny, lara = m.client("manny"), m.client("lara")
    entitlements = {"maxUsers": 27, "entitlements": {"standard": {"num": 26}, "advanced": {"num": 1}}}
    with pytest.raises(BadRequest, match="not been provisioned"):
        manny.marketplace.provision_org_entitlements(m.paid, purchaser_org_id=m.buyer.id, org_entitlements=entitlements)
    m.client("tess").marketplace.trial(m.paid)
    with pytest.raises(BadRequest, match="item not provisioned"):
        lara.marketplace.provision_user_entitlements(m.paid, user_entitlements={"users": ["bea"], "entitlements": []})
    with pytest.raises(BadRequest, match="orgEntitlements"):
        manny.marketplace.provision_org_entitlements(m.paid, purchaser_org_id=m.buyer.id,
                                                     org_entitlements={"maxUsers": -1})
    with pytest.raises(PermissionDenied):
        m.client("vic").marketplace.provision_org_entitlements(m.paid, purchaser_org_id=m.buyer.id,
                                                               org_entitlements=entitlements)
    provision = manny.marketplace.provision_org_entitlements(m.paid, purchaser_org_id=m.buyer.id,
                                                             org_entitlements=entitlements)
    assert provision.org_entitlements is not None and provision.org_entitlements.max_users == 27
    members = [f"m{i:02d}" for i in range(26)]
    with pytest.raises(BadRequest, match="at most 25 users"):
        lara.marketplace.provision_user_entitlements(m.paid, user_entitlements={"users": members,
                                                                                 "entitlements": ["standard"]})
    with pytest.raises(PermissionDenied):
        m.client("bea").marketplace.provision_user_entitlements(
            m.paid, user_entitlements={"users": ["bea"], "entitlements": ["standard"]})
    with pytest.raises(BadRequest, match="not a member"):
        lara.marketplace.provision_user_entitlements(m.paid, user_entitlements={"users": ["vic"],
                                                                                 "entitlements": ["standard"]})
    with pytest.raises(BadRequest, match="not provisioned"):
        lara.marketplace.provision_user_entitlements(m.paid, user_entitlements={"users": ["bea"],
                                                                                 "entitlements": ["gold"]})
    assert lara.marketplace.provision_user_entitlements(
        m.paid, user_entitlements={"users": members[:25], "entitlements": ["standard"]}).success
    with pytest.raises(BadRequest, match="advanced"):
        lara.marketplace.provision_user_entitlements(m.paid, user_entitlements={"users": ["bea", "bart"],
                                                                                 "entitlements": ["advanced"]})
    assert lara.marketplace.provision_user_entitlements(
        m.paid, user_entitlements={"users": ["bea"], "entitlements": ["standard", "advanced"]}).success
    with pytest.raises(BadRequest, match="at most 27 users"):  # 26 hold entitlements; 2 more would make 28
        lara.marketplace.provision_user_entitlements(m.paid, user_entitlements={"users": ["m25", "m26"],
                                                                                 "entitlements": []} | {
            "entitlements": ["standard"]})
    everyone = lara.marketplace.user_entitlements(m.paid).user_entitlements
    assert len(everyone) == 26 and {e.username for e in everyone} == {"bea", *members[:25]}
    assert all(e.last_login == -1 and e.disconnected is False for e in everyone)
    mine = m.client("bea").marketplace.user_entitlement(m.paid, "BEA").user_entitlements
    assert (mine.username, mine.entitlements) == ("bea", ["standard", "advanced"])
    listed = m.client("bea").licenses.provisioned_listings("bea").provisioned_listings  # User.provisions sees it
    assert [p.item_id for p in listed] == [m.paid]
    with pytest.raises(PermissionDenied):
        m.client("bea").marketplace.user_entitlement(m.paid, "m00")
    with pytest.raises(PermissionDenied):
        m.client("bea").marketplace.user_entitlements(m.paid)
    assert lara.marketplace.provision_user_entitlements(  # no entitlements: revoke
        m.paid, user_entitlements={"users": ["bea"], "entitlements": []}).success
    with pytest.raises(BadRequest, match="no entitlements"):
        lara.marketplace.user_entitlement(m.paid, "bea")
    assert m.client("bea").licenses.provisioned_listings("bea").provisioned_listings == []
    m.clock.advance(days=31)  # the trial ended: nothing is provisioned any more
    with pytest.raises(BadRequest, match="item not provisioned"):
        lara.marketplace.user_entitlements(m.paid)


@pytest.mark.seed("MarketPlaceManager.delete_provision")
def test_delete_provision(m: Market) -> None:
    m.client("pam").marketplace.purchase(m.free)
    with pytest.raises(PermissionDenied):
        m.client("vic").marketplace.delete_provision(m.free, purchaser_org_id=m.buyer.id)
    with pytest.raises(BadRequest):
        m.client("bart").marketplace.delete_provision(m.free, purchaser_org_id=m.buyer.id)  # not the vendor
    done = m.client("admin").marketplace.delete_provision(m.free, purchaser_org_id=m.buyer.id)
    assert done.success and done.purchaser_org_id == m.buyer.id
    assert m.client("bart").marketplace.purchases(status="all").purchases == []
    with pytest.raises(BadRequest, match="not been provisioned"):
        m.client("admin").marketplace.delete_provision(m.free, purchaser_org_id=m.buyer.id)
    assert m.client("pam").marketplace.purchase(m.free).purchased  # it may be purchased again


def test_customers_page_with_one_based_start(m: Market) -> None:
    portal = m.fake.portal
    vera = portal.users.require("vera")
    for i in range(12):
        item = portal.add_item(vera, "vera", title=f"Free {i:02d}", type="Web Mapping Application")
        portal.marketplace.set_listing_properties(item.id, license_type="free")
        portal.marketplace.set_listed(vera, "vera", item.id, True)
        m.client("pam").marketplace.purchase(item.id)
    manny = m.client("manny")
    first = manny.marketplace.customers_list(num=5)
    assert (first.total, first.start, first.num, first.next_start, len(first.provisions)) == (12, 1, 5, 6, 5)
    last = manny.marketplace.customers_list(start=11, num=5)
    assert last.next_start == -1 and len(last.provisions) == 2
    every = [e.provision.item_id for e in manny.marketplace.customers_list_all(page_size=5)]
    assert len(every) == len(set(every)) == 12
    newest_first = manny.marketplace.customers_list(sort_fields="created", sort_order="desc", num=1).provisions
    assert newest_first[0].provision.item_id == every[-1]
    with pytest.raises(BadRequest, match="num"):
        manny.marketplace.customers_list(num=101)
    with pytest.raises(BadRequest, match="start"):
        manny.marketplace.customers_list(start=0)
    assert len(m.client("bart").marketplace.purchases().purchases) == 12


def test_deleting_an_item_drops_its_listing(m: Market) -> None:
    m.client("vera").content.delete("vera", m.free)
    with pytest.raises(BadRequest):
        m.client().marketplace.listing(m.free)
    assert {x.item_id for x in m.client().marketplace.listings().listings} == {m.paid}


def test_members_of_another_organization_see_their_own_org(m: Market) -> None:
    me = m.client("bart").org.properties()
    assert me.id == m.buyer.id and me.name == "Buyer Org"
    assert m.client("vera").org.properties().id == m.fake.portal.org.id
