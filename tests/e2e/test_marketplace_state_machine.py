"""A hypothesis state machine over the marketplace lifecycle across a vendor and a buyer organization - list,
unlist, trial, interest, purchase (free by the buyer, paid by the vendor), provision entitlements, delete
provision and the clock moving on (trials and purchases expire) - driven through the typed clients and compared
with a plain model. Each rule predicts success or the exact refusal from the model, and refused operations leave
the fake's state untouched. The invariants compare the buyer's purchases (active, expired), the vendor's
customers and the public listings with the model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import hypothesis.strategies as st
from arcgis_typed import ArcGISError, BadRequest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from orgadmin_helpers import Market, market

DAY_MS = 86_400_000


@attrs.define
class ModelListing:
    free: bool
    trial_days: int  # 0: no trials
    public: bool
    listed: bool


@attrs.define
class ModelProvision:
    purchased: bool = False
    trial: bool = False
    interested: bool = False
    tried: bool = False
    end: int = -1
    entitled: bool = False

    def active(self, now: int) -> bool:
        return self.end == -1 or self.end > now


class MarketplaceMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.m: Market = market(seed=9)
        self.listings = {
            self.m.paid: ModelListing(free=False, trial_days=30, public=True, listed=True),
            self.m.free: ModelListing(free=True, trial_days=0, public=True, listed=True),
            self.m.private: ModelListing(free=False, trial_days=0, public=False, listed=True),
            self.m.unlisted: ModelListing(free=True, trial_days=0, public=True, listed=False),
        }
        self.provisions: dict[str, ModelProvision] = {}
        self.clients = {name: self.m.client(name) for name in ("vera", "manny", "admin", "tess", "pam", "bart")}

    # --- helpers -------------------------------------------------------------------------------------------

    def now(self) -> int:
        return self.m.clock.now_ms()

    def state(self) -> object:
        return self.m.fake.portal.marketplace.snapshot()

    @contextmanager
    def refused_unless(self, ok: bool, error: type[ArcGISError] = BadRequest) -> Iterator[None]:
        """Run the call; when the model says it must fail, it must raise `error` and change nothing."""
        before = self.state()
        if ok:
            yield
            return
        try:
            yield
        except error:
            assert self.state() == before
        else:
            raise AssertionError("the fake accepted what the model refuses")

    def visible(self, item: str) -> bool:
        listing = self.listings[item]
        return listing.listed and listing.public

    def purchased(self, item: str) -> bool:
        p = self.provisions.get(item)
        return p is not None and p.purchased and p.active(self.now())

    def provision(self, item: str) -> ModelProvision:
        return self.provisions.setdefault(item, ModelProvision())

    items = st.sampled_from(["paid", "free", "private", "unlisted"])

    def id_of(self, name: str) -> str:
        return str(getattr(self.m, name))

    # --- rules ---------------------------------------------------------------------------------------------

    @rule(name=items, listed=st.booleans())
    def list_or_unlist(self, name: str, listed: bool) -> None:
        item = self.id_of(name)
        call: Callable[..., Any] = (self.clients["vera"].marketplace.list_item if listed
                                    else self.clients["vera"].marketplace.unlist_item)
        with self.refused_unless(self.listings[item].listed != listed):
            call("vera", item)
            self.listings[item].listed = listed

    @rule(name=items)
    def trial(self, name: str) -> None:
        item = self.id_of(name)
        existing = self.provisions.get(item)
        ok = (self.visible(item) and self.listings[item].trial_days > 0 and not self.purchased(item)
              and not (existing is not None and existing.tried))
        with self.refused_unless(ok):
            got = self.clients["tess"].marketplace.trial(item)
            p = self.provision(item)
            p.trial = p.tried = True
            p.purchased = False
            p.end = self.now() + self.listings[item].trial_days * DAY_MS
            assert got.end_date == p.end and got.trial

    @rule(name=items)
    def interest(self, name: str) -> None:
        item = self.id_of(name)
        existing = self.provisions.get(item)
        ok = (self.visible(item) and not self.listings[item].free and not self.purchased(item)
              and not (existing is not None and existing.interested))
        with self.refused_unless(ok):
            assert self.clients["pam"].marketplace.interest(item).interested
            self.provision(item).interested = True

    @rule(name=items)
    def buy_free(self, name: str) -> None:
        item = self.id_of(name)
        ok = self.visible(item) and self.listings[item].free and not self.purchased(item)
        with self.refused_unless(ok):
            assert self.clients["pam"].marketplace.purchase(item).purchased
            p = self.provision(item)
            p.purchased, p.trial, p.end = True, False, -1

    @rule(name=items, days=st.one_of(st.none(), st.integers(1, 60)))
    def vendor_sells(self, name: str, days: int | None) -> None:
        item = self.id_of(name)
        end = None if days is None else self.now() + days * DAY_MS
        with self.refused_unless(not self.purchased(item)):
            got = self.clients["manny"].marketplace.purchase(item, purchaser_org_id=self.m.buyer.id, end_date=end)
            p = self.provision(item)
            p.purchased, p.trial, p.end = True, False, -1 if end is None else end
            assert got.end_date == p.end

    @rule(name=items, max_users=st.integers(0, 5))
    def provision_org(self, name: str, max_users: int) -> None:
        item = self.id_of(name)
        p = self.provisions.get(item)
        ok = p is not None and (p.purchased or p.trial) and p.active(self.now())
        with self.refused_unless(ok):
            got = self.clients["manny"].marketplace.provision_org_entitlements(
                item, purchaser_org_id=self.m.buyer.id,
                org_entitlements={"maxUsers": max_users, "entitlements": {"standard": {"num": max_users}}})
            assert got.org_entitlements is not None and got.org_entitlements.max_users == max_users
            self.provision(item).entitled = True

    @rule(name=items)
    def delete_provision(self, name: str) -> None:
        item = self.id_of(name)
        with self.refused_unless(item in self.provisions):
            self.clients["admin"].marketplace.delete_provision(item, purchaser_org_id=self.m.buyer.id)
            del self.provisions[item]

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        self.m.clock.advance(days=days)

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def purchases_match(self) -> None:
        bart = self.clients["bart"].marketplace
        now = self.now()
        for status, keep in (("all", lambda p: True), ("active", lambda p: p.active(now)),
                             ("expired", lambda p: not p.active(now))):
            answer = bart.purchases(status=status)
            got = {e.provision.item_id: e.provision for e in (*answer.purchases, *answer.trials, *answer.interests)}
            assert set(got) == {i for i, p in self.provisions.items() if keep(p)}, status
            assert {e.provision.item_id for e in answer.trials} == {i for i in got if got[i].trial}
            for item, seen in got.items():
                model = self.provisions[item]
                assert (seen.purchased, seen.trial, seen.interested, seen.end_date) == (
                    model.purchased, model.trial, model.interested, model.end), item
                assert (seen.org_entitlements is not None) == model.entitled

    @invariant()
    def customers_match(self) -> None:
        manny = self.clients["manny"].marketplace
        for kind, wanted in (("PURCHASE", {"purchase"}), ("REQUESTANDTRIAL", {"interest", "trial"})):
            got = {e.provision.item_id for e in manny.customers_list_all(provision_type=kind)}  # type: ignore[arg-type]
            model = {i for i, p in self.provisions.items()
                     if ("purchase" if p.purchased else "trial" if p.trial else "interest") in wanted}
            assert got == model, kind

    @invariant()
    def public_listings_match(self) -> None:
        got = {x.item_id for x in self.m.client().marketplace.listings_all()}
        assert got == {i for i in self.listings if self.visible(i)}


MarketplaceMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestMarketplace = MarketplaceMachine.TestCase
