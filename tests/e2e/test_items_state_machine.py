"""A hypothesis state machine over items: users of every role create, read, update, share, search and delete
items through their typed clients, and a plain Python model says what each of them should see and be allowed.

After every step the fake's items must equal the model (owner, title, access), every caller's `get` of the
latest items must succeed or fail as the model says, and every caller's search for everything must return
exactly the ids the model says they may see. Deleted items stay in play: acting on them must be refused. Refused operations must raise the
documented error (403 for a visible item, the same 400 as a missing item for a hidden one) and leave the
fake's state untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import attrs
import hypothesis.strategies as st
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import client_for, password_of
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

ROLES = {"admin": "org_admin", "alice": "org_user", "bob": "org_user", "pat": "org_publisher", "vic": "viewer"}
USERS = sorted(ROLES)
CALLERS = [*USERS, None]  # None: anonymous
WORDS = ["river", "flood", "trail", "parcel", "census", "zoning"]
ACCESS = ["private", "org", "public"]


@attrs.define
class ModelItem:
    owner: str
    title: str
    data: bytes
    access: str = "private"


def title_terms(title: str) -> set[str]:
    return set(title.lower().split())


class ItemsMachine(RuleBasedStateMachine):
    created = Bundle("created")  # ids of every item ever created; deleted ones stay, to be refused

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=7)
        for name, role in ROLES.items():
            if name != "admin":
                self.fake.portal.add_user(name, password_of(name), role=role)
        self.clients: dict[str | None, PortalClient] = {name: client_for(self.fake, name) for name in USERS}
        self.clients[None] = client_for(self.fake)
        self.model: dict[str, ModelItem] = {}
        self.deleted: list[str] = []
        self.owners: dict[str, str] = {}  # item id -> owner, kept after deletion (for the path of a request)

    # --- the rules of the model ----------------------------------------------------------------------------

    def can_see(self, caller: str | None, item: ModelItem) -> bool:
        if item.access == "public":
            return True
        if caller is None:
            return False
        return caller == item.owner or item.access == "org" or ROLES[caller] == "org_admin"

    def may_change(self, caller: str, item: ModelItem) -> bool:
        return caller == item.owner or ROLES[caller] == "org_admin"

    def visible_ids(self, caller: str | None) -> set[str]:
        return {i for i, item in self.model.items() if self.can_see(caller, item)}

    def fake_state(self) -> dict[str, tuple[str, str, str, int]]:
        return {i.id: (i.owner, i.title, i.access, i.modified) for i in self.fake.portal.items}

    @contextmanager
    def refused(self, error: type[ArcGISError]) -> Iterator[None]:
        before = self.fake_state()
        try:
            yield
        except error:
            pass
        else:
            raise AssertionError(f"expected {error.__name__}")
        assert self.fake_state() == before, "a refused operation changed the state"

    def expected_refusal(self, caller: str | None, item: ModelItem | None) -> type[ArcGISError]:
        if item is None or not self.can_see(caller, item):
            return BadRequest  # missing and hidden items look alike
        return PermissionDenied

    # --- rules ---------------------------------------------------------------------------------------------

    @rule(target=created, who=st.sampled_from(USERS), words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    def create(self, who: str, words: list[str]) -> object:
        title = " ".join(w.title() for w in words)
        client = self.clients[who]
        if ROLES[who] == "viewer":
            with self.refused(PermissionDenied):
                client.content.add_item(who, title=title, type="Web Map")
            return multiple()
        data = '{"t":"' + title + '"}'
        result = client.content.add_item(who, title=title, type="Web Map", text=data)
        assert result.success
        assert result.id not in self.model
        self.model[result.id] = ModelItem(owner=who, title=title, data=data.encode())
        self.owners[result.id] = who
        return result.id

    @rule(item_id=created, who=st.sampled_from(CALLERS))
    def get(self, item_id: str, who: str | None) -> None:
        item = self.model.get(item_id)
        client = self.clients[who]
        if item is None or not self.can_see(who, item):
            with self.refused(BadRequest):
                client.content.get(item_id)
            return
        got = client.content.get(item_id)
        assert (got.id, got.owner, got.title, got.access) == (item_id, item.owner, item.title, item.access)
        assert client.content.get_data(item_id) == item.data

    @rule(item_id=created, who=st.sampled_from(USERS), words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2))
    def update(self, item_id: str, who: str, words: list[str]) -> None:
        item = self.model.get(item_id)
        title = " ".join(words)
        client = self.clients[who]
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                client.content.update(self.owners[item_id], item_id, title=title)
            return
        result = client.content.update(item.owner, item_id, title=title)
        assert (result.success, result.id) == (True, item_id)
        item.title = title

    @rule(item_id=created, who=st.sampled_from(USERS), level=st.sampled_from(ACCESS))
    def share(self, item_id: str, who: str, level: str) -> None:
        item = self.model.get(item_id)
        client = self.clients[who]
        everyone, org = level == "public", level != "private"
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                client.content.share(item_id, everyone=everyone, org=org)
            return
        result = client.content.share(item_id, everyone=everyone, org=org)
        assert result.item_id == item_id and result.not_shared_with == []
        item.access = level

    @rule(who=st.sampled_from(CALLERS), word=st.sampled_from(WORDS))
    def search_title(self, who: str | None, word: str) -> None:
        found = [i.id for i in self.clients[who].content.search_all(q=f"title:{word}")]
        assert len(found) == len(set(found))
        expected = {i for i in self.visible_ids(who) if word in title_terms(self.model[i].title)}
        assert set(found) == expected

    @rule(who=st.sampled_from(CALLERS), owner=st.sampled_from(USERS))
    def search_owner(self, who: str | None, owner: str) -> None:
        page = self.clients[who].content.search(q=f"owner:{owner}", num=100)
        expected = {i for i in self.visible_ids(who) if self.model[i].owner == owner}
        assert {i.id for i in page.results} == expected
        assert page.total == len(expected)
        assert all(i.owner == owner for i in page.results)

    @rule(item_id=created, who=st.sampled_from(USERS))
    def delete(self, item_id: str, who: str) -> None:
        item = self.model.get(item_id)
        client = self.clients[who]
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                client.content.delete(self.owners[item_id], item_id)
            return
        result = client.content.delete(item.owner, item_id)
        assert (result.success, result.item_id) == (True, item_id)
        del self.model[item_id]
        self.deleted.append(item_id)

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def fake_matches_model(self) -> None:
        actual = {i: (owner, title, access) for i, (owner, title, access, _) in self.fake_state().items()}
        assert actual == {i: (m.owner, m.title, m.access) for i, m in self.model.items()}

    @invariant()
    def gets_agree_with_the_model(self) -> None:
        for item_id in [*list(self.model)[-6:], *self.deleted[-2:]]:  # the most recent: keeps a step cheap
            item = self.model.get(item_id)
            for who in CALLERS:
                if item is not None and self.can_see(who, item):
                    got = self.clients[who].content.get(item_id)
                    assert (got.owner, got.title, got.access) == (item.owner, item.title, item.access)
                else:
                    try:
                        self.clients[who].content.get(item_id)
                    except BadRequest as exc:
                        assert exc.message == "Item does not exist or is inaccessible."
                    else:
                        raise AssertionError(f"{who} can see {item_id}")

    @invariant()
    def everyone_sees_what_the_model_says(self) -> None:
        for who in CALLERS:
            found = [i.id for i in self.clients[who].content.search_all(q="*")]
            assert len(found) == len(set(found))
            assert set(found) == self.visible_ids(who), who


ItemsMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=20, deadline=None)
TestItemsStateMachine = ItemsMachine.TestCase
