"""Handlers of spec/portal/marketplace.yaml: listings, trials, interest, purchases, entitlements, customers."""

from __future__ import annotations

from datetime import datetime

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.marketplace import (
    Customer,
    CustomerEntry,
    CustomerPage,
    DeleteProvisionResult,
    EntitlementResult,
    Listing,
    ListingComment,
    ListingComments,
    ListingResult,
    ListingSearchPage,
    OrgEntitlements,
    Provision,
    PurchaseEntry,
    Purchases,
    UserEntitlement,
    UserEntitlementResult,
    UserEntitlements,
    Vendor,
)
from arcgis_typed.portal.params.marketplace import (
    MarketplaceCommentsParams,
    MarketplaceCustomersListParams,
    MarketplaceCustomersParams,
    MarketplaceDeleteProvisionParams,
    MarketplaceInterestParams,
    MarketplaceListingParams,
    MarketplaceListingsParams,
    MarketplaceListItemParams,
    MarketplaceProvisionOrgEntitlementsParams,
    MarketplaceProvisionUserEntitlementsParams,
    MarketplacePurchaseParams,
    MarketplacePurchasesParams,
    MarketplaceTrialParams,
    MarketplaceUnlistItemParams,
    MarketplaceUserEntitlementParams,
    MarketplaceUserEntitlementsParams,
)

from ..call import Call
from ..registry import handles
from ..state import marketplace as market
from ..state.items import ItemRecord
from ._paging import window


def _ms(value: int) -> datetime | None:
    return ms_to_datetime(value) if value > 0 else None


def listing_view(call: Call, item: ItemRecord, props: market.ListingProperties) -> Listing:
    vendor = call.state.marketplace.vendor_of(item)
    return Listing(
        item_id=item.id, type=item.type, type_keywords=list(item.type_keywords), title=item.title,
        description=item.description, tags=list(item.tags), snippet=item.snippet, thumbnail=None, owner=item.owner,
        created=ms_to_datetime(item.created), listing_published_date=_ms(props.published),
        avg_rating=0.0, num_comments=len(call.state.marketplace.comments.get(item.id, [])), num_ratings=0,
        num_views=item.num_views, license_type=props.license_type, listing_access=props.listing_access,
        price_desc=props.price_desc, credits_per_transaction=props.credits_per_transaction,
        trial_supported=props.trial_supported, trial_duration=props.trial_duration, license_by=props.license_by,
        vendor=Vendor(id=vendor.id, name=vendor.name, description=vendor.description),
    )


def provision_view(call: Call, p: market.Provision) -> Provision:
    store = call.state.marketplace
    user = call.state.users.get(p.purchaser_username) if p.purchaser_username else None
    entitlements = None
    if p.max_users is not None:
        entitlements = OrgEntitlements(max_users=p.max_users, entitlements_modified=_ms(p.entitlements_modified),
                                       entitlements={k: {"num": v} for k, v in sorted(p.entitlements.items())})
    return Provision(
        item_id=p.item_id, provisioned_item_id=p.provisioned_item_id or p.item_id, org_id=p.vendor_org_id,
        account_id=p.vendor_org_id,
        purchaser_org_id=p.purchaser_org_id, purchaser_org_name=store.org_name(p.purchaser_org_id),
        purchaser_username=p.purchaser_username or None, purchaser_full_name=user.full_name if user else None,
        purchaser_email=user.email if user else None, start_date=_ms(p.start_date), end_date=p.end_date,
        purchased=p.purchased, trial=p.trial, interested=p.interested, created=ms_to_datetime(p.created),
        modified=ms_to_datetime(p.modified), org_entitlements=entitlements,
    )


def _listing_of(call: Call, p: market.Provision) -> Listing | None:
    """The listing a provision is for (None once its item is gone)."""
    item = call.state.items.get(p.item_id)
    props = call.state.marketplace.listings.get(p.item_id)
    return listing_view(call, item, props) if item is not None and props is not None else None


@handles("portal:marketplace.list_item")
def list_item(call: Call, p: MarketplaceListItemParams) -> ListingResult:
    item = call.state.marketplace.set_listed(call.user, p.username, p.id, True)
    return ListingResult(success=True, item_id=item.id)


@handles("portal:marketplace.unlist_item")
def unlist_item(call: Call, p: MarketplaceUnlistItemParams) -> ListingResult:
    item = call.state.marketplace.set_listed(call.user, p.username, p.id, False)
    return ListingResult(success=True, item_id=item.id)


@handles("portal:marketplace.listings")
def listings(call: Call, p: MarketplaceListingsParams) -> ListingSearchPage:
    found = call.state.marketplace.search(call.caller, p.q, bool(p.mylistings), p.sort_field, p.sort_order)
    w = window(p.start, p.num, len(found))
    page = found[w.start - 1:w.start - 1 + w.num]
    return ListingSearchPage(query=p.q or "", **w.counts,
                             listings=[listing_view(call, item, props) for item, props in page])


@handles("portal:marketplace.listing")
def listing(call: Call, p: MarketplaceListingParams) -> Listing:
    return listing_view(call, *call.state.marketplace.listing(call.caller, p.id))


@handles("portal:marketplace.comments")
def comments(call: Call, p: MarketplaceCommentsParams) -> ListingComments:
    found = call.state.marketplace.listing_comments(call.caller, p.id)
    return ListingComments(comments=[ListingComment(id=c.id, owner=c.owner, comment=c.comment,
                                                    created=ms_to_datetime(c.created)) for c in found])


@handles("portal:marketplace.trial")
def trial(call: Call, p: MarketplaceTrialParams) -> Provision:
    return provision_view(call, call.state.marketplace.start_trial(call.user, p.id))


@handles("portal:marketplace.interest")
def interest(call: Call, p: MarketplaceInterestParams) -> Provision:
    return provision_view(call, call.state.marketplace.express_interest(call.user, p.id))


@handles("portal:marketplace.purchase")
def purchase(call: Call, p: MarketplacePurchaseParams) -> Provision:
    found = call.state.marketplace.purchase(call.user, p.id, purchaser_org_id=p.purchaser_org_id,
                                            provisioned_item_id=p.provisioned_item_id, end_date=p.end_date)
    return provision_view(call, found)


@handles("portal:marketplace.provision_org_entitlements")
def provision_org_entitlements(call: Call, p: MarketplaceProvisionOrgEntitlementsParams) -> Provision:
    found = call.state.marketplace.provision_org_entitlements(
        call.user, p.id, p.purchaser_org_id, p.purchaser_subscription_id, p.org_entitlements)
    return provision_view(call, found)


@handles("portal:marketplace.provision_user_entitlements")
def provision_user_entitlements(call: Call, p: MarketplaceProvisionUserEntitlementsParams) -> EntitlementResult:
    call.state.marketplace.provision_user_entitlements(call.user, p.id, p.user_entitlements)
    return EntitlementResult(success=True)


def _entitlement(call: Call, p: market.Provision, username: str) -> UserEntitlement:
    user = call.state.users.get(username)
    return UserEntitlement(username=user.username if user else username, last_login=-1, disconnected=False,
                           entitlements=list(p.users.get(username, [])))


@handles("portal:marketplace.user_entitlements")
def user_entitlements(call: Call, p: MarketplaceUserEntitlementsParams) -> UserEntitlements:
    provision, names = call.state.marketplace.user_entitlements(call.user, p.id)
    return UserEntitlements(user_entitlements=[_entitlement(call, provision, n) for n in names])


@handles("portal:marketplace.user_entitlement")
def user_entitlement(call: Call, p: MarketplaceUserEntitlementParams) -> UserEntitlementResult:
    found = _entitlement(call, *call.state.marketplace.user_entitlement(call.user, p.id, p.username))
    return UserEntitlementResult(user_entitlements=found)


@handles("portal:marketplace.delete_provision")
def delete_provision(call: Call, p: MarketplaceDeleteProvisionParams) -> DeleteProvisionResult:
    found = call.state.marketplace.delete_provision(call.user, p.id, p.purchaser_org_id)
    return DeleteProvisionResult(success=True, item_id=found.item_id, purchaser_org_id=found.purchaser_org_id)


@handles("portal:marketplace.purchases")
def purchases(call: Call, p: MarketplacePurchasesParams) -> Purchases:
    found = call.state.marketplace.purchases(call.user, p.status)

    def entries(kind: str) -> list[PurchaseEntry]:
        return [PurchaseEntry(provision=provision_view(call, x), listing=_listing_of(call, x))
                for x in found if x.kind == kind]

    return Purchases(purchases=entries("purchase"), trials=entries("trial"), interests=entries("interest"))


@handles("portal:marketplace.customers_list", "portal:marketplace.customers")
def customers(call: Call, p: MarketplaceCustomersListParams | MarketplaceCustomersParams) -> CustomerPage:
    store = call.state.marketplace
    found = store.customers(
        call.user, item_id=p.item_id, orgname=p.orgname, status=p.status, kind=p.provision_type, modified=p.modified,
        sort_fields=p.sort_fields, sort_order=p.sort_order)
    w = window(p.start, p.num, len(found))
    page = found[w.start - 1:w.start - 1 + w.num]
    include = p.include_listing is not False
    return CustomerPage(**w.counts, provisions=[
        CustomerEntry(provision=provision_view(call, x),
                      customer=Customer(id=x.purchaser_org_id, name=store.org_name(x.purchaser_org_id)),
                      listing=_listing_of(call, x) if include else None)
        for x in page])
