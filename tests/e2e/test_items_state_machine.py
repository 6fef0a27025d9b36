"""A hypothesis state machine over items: users of every role create, read, update, share, search and delete
items, make folders and move items between them, protect items, relate items and comment on them, through their
typed clients, and a plain Python model says what each of them should see and be allowed.

After every step the fake's items must equal the model (owner, title, access), every caller's `get` of the
latest items must succeed or fail as the model says, and every caller's search for everything must return
exactly the ids the model says they may see, also for random queries of the grammar (fields, AND / OR / NOT,
groups) read page by page; folders, resources, protection, relationships and comment counts must match
the model (deleting an item takes its relationships and comments along). Deleted items stay in play: acting on them must be refused. Refused operations must raise the
documented error (403 for a visible item, the same 400 as a missing item for a hidden one) and leave the
fake's state untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs
import hypothesis.strategies as st
from arcgis_typed import ArcGISError, BadRequest, Conflict, NotFound, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import client_for, password_of
from hypothesis import event, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

ROLES = {"admin": "org_admin", "alice": "org_user", "bob": "org_user", "pat": "org_publisher", "vic": "viewer"}
USERS = sorted(ROLES)
CALLERS = [*USERS, None]  # None: anonymous
WORDS = ["river", "flood", "trail", "parcel", "census", "zoning"]
ACCESS = ["private", "org", "public"]
FOLDERS = ["Projects", "Archive"]
RESOURCE_NAMES = ["a.json", "img/b.png", "deep/er/c.txt"]
REL = "Map2Area"  # a documented type without item-type or ownership rules: any two visible items


@attrs.define
class ModelItem:
    owner: str
    title: str
    data: bytes
    access: str = "private"
    folder: str | None = None  # folder title
    protected: bool = False
    comments: int = 0
    resources: dict[str, bytes] = attrs.Factory(dict)


def title_terms(title: str) -> set[str]:
    return set(title.lower().split())


# Random queries of the search grammar, each with a plain-Python predicate over a model item: (query, predicate)
Query = tuple[str, "Callable[[ModelItem], bool]"]
_TITLE = st.sampled_from(WORDS).map(lambda w: (f"title:{w}", lambda m, w=w: w in title_terms(m.title)))
_OWNER = st.sampled_from(USERS).map(lambda u: (f"owner:{u}", lambda m, u=u: m.owner == u))
_ACCESS = st.sampled_from(ACCESS).map(lambda a: (f"access:{a}", lambda m, a=a: m.access == a))
_ATOM = st.one_of(_TITLE, _OWNER, _ACCESS)


def _combine(children: st.SearchStrategy[Query]) -> st.SearchStrategy[Query]:
    both = st.tuples(children, children)
    return st.one_of(
        both.map(lambda ab: (f"({ab[0][0]} AND {ab[1][0]})", lambda m, ab=ab: ab[0][1](m) and ab[1][1](m))),
        both.map(lambda ab: (f"({ab[0][0]} OR {ab[1][0]})", lambda m, ab=ab: ab[0][1](m) or ab[1][1](m))),
        both.map(lambda ab: (f"({ab[0][0]} NOT {ab[1][0]})", lambda m, ab=ab: ab[0][1](m) and not ab[1][1](m))),
    )


QUERIES = st.recursive(_ATOM, _combine, max_leaves=4)


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
        self.folders: dict[str, dict[str, str]] = {name: {} for name in USERS}  # user -> title -> folder id
        self.relations: set[tuple[str, str, str]] = set()  # (origin, destination, creator)

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

    def fake_state(self) -> dict[str, tuple[object, ...]]:
        items = self.fake.portal.items
        state: dict[str, tuple[object, ...]] = {
            i.id: (i.owner, i.title, i.access, i.modified, i.folder_id, i.protected, items.comments.count(i.id))
            for i in items
        }
        state["~relationships"] = (len(items.relationships), tuple(sorted(
            (r.origin, r.destination, r.creator) for i in items for r in items.relationships.forward(i.id))))
        state["~folders"] = tuple(sorted((u, f.title) for u in USERS for f in items.folders(u)))
        state["~resources"] = tuple(sorted((i.id, r.name, r.data) for i in items for r in items.resources.of(i.id)))
        return state

    def folder_title(self, owner: str, folder_id: str | None) -> str | None:
        return next((t for t, f in self.folders[owner].items() if f == folder_id), None) if folder_id else None

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

    @rule(item_id=created, who=st.sampled_from(["owner", *USERS]))
    def delete(self, item_id: str, who: str) -> None:
        who = self.owners[item_id] if who == "owner" else who
        item = self.model.get(item_id)
        client = self.clients[who]
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                client.content.delete(self.owners[item_id], item_id)
            return
        if item.protected:
            with self.refused(BadRequest):
                client.content.delete(item.owner, item_id)
            return
        result = client.content.delete(item.owner, item_id)
        assert (result.success, result.item_id) == (True, item_id)
        self.forget(item_id)

    def forget(self, item_id: str) -> None:
        del self.model[item_id]
        self.deleted.append(item_id)
        self.relations = {r for r in self.relations if item_id not in r[:2]}

    @initialize(target=created, others=st.lists(st.sampled_from(["alice", "bob", "admin"]), max_size=2))
    def seed_items(self, others: list[str]) -> object:
        """A few items from the start, so that rules over two items (relationships) get going."""
        ids = []
        for n, owner in enumerate(["alice", "alice", "alice", *others]):
            result = self.clients[owner].content.add_item(owner, title=f"Seed {WORDS[n]}", type="Web Map", text="{}")
            self.model[result.id] = ModelItem(owner=owner, title=f"Seed {WORDS[n]}", data=b"{}")
            self.owners[result.id] = owner
            ids.append(result.id)
        return multiple(*ids)

    @rule(who=st.sampled_from(CALLERS), query=QUERIES, page=st.integers(1, 4))
    def search_query(self, who: str | None, query: Query, page: int) -> None:
        """Any query of the grammar, read page by page: the pages hold exactly the model's matches, once each."""
        q, matches = query
        expected = {i for i in self.visible_ids(who) if matches(self.model[i])}
        found: list[str] = []
        start = 1
        while start != -1:
            result = self.clients[who].content.search(q=q, num=page, start=start, sort_field="title")
            assert result.total == len(expected), q
            found += [i.id for i in result.results]
            start = result.next_start
        assert len(found) == len(set(found)) and set(found) == expected, q

    @rule(item_id=created, who=st.sampled_from(["owner", *USERS]), name=st.sampled_from(RESOURCE_NAMES),
          data=st.binary(max_size=20))
    def put_resource(self, item_id: str, who: str, name: str, data: bytes) -> None:
        who = self.owners[item_id] if who == "owner" else who
        item = self.model.get(item_id)
        client = self.clients[who]
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                client.item_resources.add(self.owners[item_id], item_id, text=data.hex(), file_name=name)
            return
        if name in item.resources:
            client.item_resources.update(item.owner, item_id, text=data.hex(), file_name=name)
        else:
            client.item_resources.add(item.owner, item_id, text=data.hex(), file_name=name)
        item.resources[name] = data.hex().encode()
        assert client.item_resources.get(item_id, name) == item.resources[name]

    @rule(item_id=created, name=st.sampled_from(RESOURCE_NAMES))
    def remove_resource(self, item_id: str, name: str) -> None:
        item = self.model.get(item_id)
        if item is None:
            return
        client = self.clients[item.owner]
        if name not in item.resources:
            with self.refused(NotFound):
                client.item_resources.remove(item.owner, item_id, resource=name)
            return
        client.item_resources.remove(item.owner, item_id, resource=name)
        del item.resources[name]

    @rule(who=st.sampled_from(USERS), title=st.sampled_from(FOLDERS))
    def create_folder(self, who: str, title: str) -> None:
        client = self.clients[who]
        if title in self.folders[who]:
            with self.refused(Conflict):
                client.content.create_folder(who, title=title)
            return
        folder = client.content.create_folder(who, title=title).folder
        assert folder is not None and folder.title == title
        self.folders[who][title] = folder.id

    @rule(item_id=created, who=st.sampled_from(USERS), title=st.sampled_from([*FOLDERS, "/"]))
    def move(self, item_id: str, who: str, title: str) -> None:
        item = self.model.get(item_id)
        client = self.clients[who]
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                client.content.move(self.owners[item_id], item_id, folder=title)
            return
        if title != "/" and title not in self.folders[item.owner]:
            with self.refused(BadRequest):  # no such folder of the owner's
                client.content.move(item.owner, item_id, folder=title)
            return
        result = client.content.move(item.owner, item_id, folder=title)
        assert result.folder == ("/" if title == "/" else self.folders[item.owner][title])
        item.folder = None if title == "/" else title

    @rule(who=st.sampled_from(USERS), title=st.sampled_from(FOLDERS))
    def delete_folder(self, who: str, title: str) -> None:
        client = self.clients[who]
        folder_id = self.folders[who].get(title)
        if folder_id is None:
            with self.refused(BadRequest):
                client.content.delete_folder(who, title)
            return
        inside = [i for i, m in self.model.items() if m.owner == who and m.folder == title]
        if any(self.model[i].protected for i in inside):
            with self.refused(BadRequest):
                client.content.delete_folder(who, folder_id)
            return
        assert client.content.delete_folder(who, folder_id).success is True
        for item_id in inside:
            self.forget(item_id)
        del self.folders[who][title]

    @rule(item_id=created, who=st.sampled_from(USERS), enable=st.booleans())
    def protect(self, item_id: str, who: str, enable: bool) -> None:
        item = self.model.get(item_id)
        client = self.clients[who]
        act = client.content.protect if enable else client.content.unprotect
        if item is None or not self.may_change(who, item):
            with self.refused(self.expected_refusal(who, item)):
                act(self.owners[item_id], item_id)
            return
        assert act(item.owner, item_id).success is True
        item.protected = enable

    @rule(origin=created, destination=created, who=st.sampled_from(["owner", "owner", *USERS]))
    def relate(self, origin: str, destination: str, who: str) -> None:
        who = self.owners[origin] if who == "owner" else who  # mostly the origin's owner, who sees it
        client = self.clients[who]
        a, b = self.model.get(origin), self.model.get(destination)
        if a is None or b is None or origin == destination or not self.can_see(who, a) or not self.can_see(who, b):
            with self.refused(BadRequest):
                client.item_relationships.add(who, origin_item_id=origin, destination_item_id=destination,
                                              relationship_type=REL)
            return
        client.item_relationships.add(who, origin_item_id=origin, destination_item_id=destination,
                                      relationship_type=REL)
        if not any(r[:2] == (origin, destination) for r in self.relations):
            self.relations.add((origin, destination, who))
        event("related")

    @rule(item_id=created, who=st.sampled_from(CALLERS))
    def comment(self, item_id: str, who: str | None) -> None:
        item = self.model.get(item_id)
        if who is None:
            return  # anonymous callers cannot comment (a token is required before anything else)
        client = self.clients[who]
        if item is None or not self.can_see(who, item):
            with self.refused(BadRequest):
                client.item_comments.add(item_id, comment="hello")
            return
        assert client.item_comments.add(item_id, comment="hello").success is True
        item.comments += 1

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def fake_matches_model(self) -> None:
        items = self.fake.portal.items
        actual = {
            i.id: (i.owner, i.title, i.access, self.folder_title(i.owner, i.folder_id), i.protected,
                   items.comments.count(i.id))
            for i in items
        }
        assert actual == {
            i: (m.owner, m.title, m.access, m.folder, m.protected, m.comments) for i, m in self.model.items()
        }
        relations = {(r.origin, r.destination, r.creator) for i in items for r in items.relationships.forward(i.id)}
        assert relations == self.relations
        assert len(items.relationships) == len(self.relations)  # none left dangling from deleted items
        assert {u: {f.title: f.id for f in items.folders(u)} for u in USERS} == self.folders
        for item_id, m in self.model.items():
            assert {r.name: r.data for r in items.resources.of(item_id)} == m.resources
        assert all(items.resources.of(i) == [] for i in self.deleted)  # resources go with their item

    @invariant()
    def related_items_agree_with_the_model(self) -> None:
        for origin in list(self.model)[-4:]:
            for who in ("alice", "admin"):
                if not self.can_see(who, self.model[origin]):
                    continue
                page = self.clients[who].item_relationships.related_items(origin, relationship_types=[REL])
                expected = {d for o, d, _ in self.relations if o == origin and self.can_see(who, self.model[d])}
                assert {i.id for i in page.related_items} == expected

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
