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
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
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
    max_users: int | None = None  # set by the vendor's org entitlements
    num: int = 0  # how many "standard" entitlements the vendor provisioned
    users: set[str] = attrs.Factory(set)  # members holding "standard"

    def active(self, now: int) -> bool:
        return self.end == -1 or self.end > now

    def holds(self, now: int) -> bool:
        return (self.purchased or self.trial) and self.active(now)


class MarketplaceMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.m: Market = market(seed=9, members=True)
        self.listings = {
            self.m.paid: ModelListing(free=False, trial_days=30, public=True, listed=True),
            self.m.free: ModelListing(free=True, trial_days=0, public=True, listed=True),
            self.m.private: ModelListing(free=False, trial_days=0, public=False, listed=True),
            self.m.unlisted: ModelListing(free=True, trial_days=0, public=True, listed=False),
        }
        self.provisions: dict[str, ModelProvision] = {}
        self.clients = {name: self.m.client(name) for name in ("vera", "manny", "admin", "tess", "pam", "bart",
                                                               "lara")}

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

    MAX_USERS = st.sampled_from([0, 1, 2, 3, 5, 27])
    SPARE = st.integers(-2, 2)  # "standard" num = maxUsers + spare: either limit may be the one that binds
    COUNTS = st.one_of(st.integers(1, 6), st.just(26))

    def held(self) -> list[str]:
        return sorted(i for i, p in self.provisions.items() if p.holds(self.now()))

    def name_of(self, item: str) -> str:
        return next(n for n in ("paid", "free", "private", "unlisted") if self.id_of(n) == item)

    @precondition(lambda self: bool(self.held()))
    @rule(data=st.data(), max_users=MAX_USERS, spare=SPARE)
    def provision_held(self, data: st.DataObject, max_users: int, spare: int) -> None:
        """Org entitlements for a provision that holds (the generic rule mostly meets refusals)."""
        self.provision_org(self.name_of(data.draw(st.sampled_from(self.held()))), max_users, spare)

    @precondition(lambda self: bool(self.held()))
    @rule(data=st.data(), first=st.integers(0, 29), count=COUNTS, entitle=st.booleans())
    def entitle_held(self, data: st.DataObject, first: int, count: int, entitle: bool) -> None:
        self.entitle_members(self.name_of(data.draw(st.sampled_from(self.held()))), first, count, entitle)

    @rule(name=items, max_users=MAX_USERS, spare=SPARE)
    def provision_org(self, name: str, max_users: int, spare: int) -> None:
        item = self.id_of(name)
        num = max(0, max_users + spare)
        p = self.provisions.get(item)
        ok = p is not None and p.holds(self.now()) and len(p.users) <= min(max_users, num)
        with self.refused_unless(ok):
            got = self.clients["manny"].marketplace.provision_org_entitlements(
                item, purchaser_org_id=self.m.buyer.id,
                org_entitlements={"maxUsers": max_users, "entitlements": {"standard": {"num": num}}})
            assert got.org_entitlements is not None and got.org_entitlements.max_users == max_users
            self.provision(item).max_users, self.provision(item).num = max_users, num

    @rule(name=items, first=st.integers(0, 29), count=COUNTS, entitle=st.booleans())
    def entitle_members(self, name: str, first: int, count: int, entitle: bool) -> None:
        """The buyer's license manager gives (or takes back) "standard" to members m<first>.. (at most 25 a time)."""
        item = self.id_of(name)
        names = {f"m{i % 30:02d}" for i in range(first, first + count)}
        p = self.provisions.get(item)
        after = (p.users | names if entitle else p.users - names) if p is not None else set()
        ok = (p is not None and p.holds(self.now()) and p.max_users is not None and len(names) <= 25
              and len(after) <= p.max_users and len(after) <= p.num)
        with self.refused_unless(ok):
            self.clients["lara"].marketplace.provision_user_entitlements(
                item, user_entitlements={"users": sorted(names), "entitlements": ["standard"] if entitle else []})
            self.provision(item).users = after

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
                assert (seen.org_entitlements is not None) == (model.max_users is not None)

    @invariant()
    def user_entitlements_match(self) -> None:
        lara = self.clients["lara"].marketplace
        for item, p in self.provisions.items():
            if p.holds(self.now()) and p.max_users is not None:
                got = {e.username for e in lara.user_entitlements(item).user_entitlements}
                assert got == p.users, item
            else:
                try:
                    lara.user_entitlements(item)
                except BadRequest:
                    continue
                raise AssertionError(f"{item}: entitlements answered without a provision that holds")

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
