"""The privilege matrix of the marketplace, certificates and organization operations of the spec: every such
operation of the generated operations table is called by every kind of caller of a vendor and a buyer
organization (and anonymously), and must succeed, be refused with 403, look missing or be refused as a bad
request (400), or require a token (499), as the documented rules say. Refusals change nothing. A test fails
when the table has an operation of these families that the matrix does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import trustme
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient, TokenRequired
from arcgis_typed.portal._operations import OPERATIONS
from orgadmin_helpers import Market, market

FAMILIES = ("marketplace.", "certificates.", "org.")
VENDOR = ["admin", "vera", "manny", "vic"]
BUYER = ["bart", "tess", "pam", "lara", "bea"]
CALLERS = [*VENDOR, *BUYER, "anonymous"]
PEM = trustme.CA().issue_cert("matrix.example.test").cert_chain_pems[0].bytes().decode()

Setup = Callable[[Market], dict[str, str]]
Action = Callable[[PortalClient, Market, dict[str, str]], Any]


def nothing(m: Market) -> dict[str, str]:
    return {}


def trial_with_entitlements(m: Market) -> dict[str, str]:
    m.client("tess").marketplace.trial(m.paid)
    m.client("manny").marketplace.provision_org_entitlements(
        m.paid, purchaser_org_id=m.buyer.id, org_entitlements={"maxUsers": 5, "entitlements": {"standard": {"num": 5}}})
    m.client("lara").marketplace.provision_user_entitlements(
        m.paid, user_entitlements={"users": ["bea"], "entitlements": ["standard"]})
    return {}


def free_purchase(m: Market) -> dict[str, str]:
    m.client("pam").marketplace.purchase(m.free)
    return {}


def certificate(m: Market) -> dict[str, str]:
    made = m.client("admin").certificates.register(name="vendor cert", domain="vendor.example.test", certificate=PEM)
    return {"cert": made.certificate_id or ""}


def outcome(ok: set[str], *, hidden: frozenset[str] | set[str] = frozenset(),
            bad: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """caller -> expected outcome; callers not named are denied (403); anonymous callers need a token unless
    named in `ok`."""
    table = {c: "denied" for c in CALLERS} | {"anonymous": "token"}
    return table | {c: "hidden" for c in hidden} | {c: "bad" for c in bad} | {c: "ok" for c in ok}


EVERYONE = outcome(set(CALLERS))
ADMINS = outcome({"admin", "bart"})
VENDOR_MANAGERS_ONLY = outcome({"admin", "manny"}, hidden=set(BUYER))
LICENSE_MANAGERS = outcome({"bart", "lara"}, bad={"admin"})

MATRIX: dict[str, tuple[Setup, Action, dict[str, str]]] = {
    "marketplace.list_item": (nothing, lambda c, m, x: c.marketplace.list_item("vera", m.unlisted),
                              outcome({"admin", "vera"}, hidden=set(BUYER))),
    "marketplace.unlist_item": (nothing, lambda c, m, x: c.marketplace.unlist_item("vera", m.paid),
                                outcome({"admin", "vera"}, hidden=set(BUYER))),
    "marketplace.listings": (nothing, lambda c, m, x: c.marketplace.listings(q="app"), EVERYONE),
    "marketplace.listing": (nothing, lambda c, m, x: c.marketplace.listing(m.paid), EVERYONE),
    "marketplace.comments": (nothing, lambda c, m, x: c.marketplace.comments(m.paid), EVERYONE),
    "marketplace.trial": (nothing, lambda c, m, x: c.marketplace.trial(m.paid),
                          outcome({"bart", "tess"}, bad={"admin"})),
    "marketplace.interest": (nothing, lambda c, m, x: c.marketplace.interest(m.paid),
                             outcome({"bart", "pam"}, bad={"admin"})),
    "marketplace.purchase": (nothing, lambda c, m, x: c.marketplace.purchase(m.free),
                             outcome({"bart", "pam"}, bad={"admin", "manny"})),
    "marketplace.provision_org_entitlements": (
        lambda m: (m.client("tess").marketplace.trial(m.paid), {})[1],
        lambda c, m, x: c.marketplace.provision_org_entitlements(
            m.paid, purchaser_org_id=m.buyer.id, org_entitlements={"maxUsers": 2, "entitlements": {"std": {"num": 2}}}),
        VENDOR_MANAGERS_ONLY),
    "marketplace.provision_user_entitlements": (
        trial_with_entitlements,
        lambda c, m, x: c.marketplace.provision_user_entitlements(
            m.paid, user_entitlements={"users": ["tess"], "entitlements": ["standard"]}),
        LICENSE_MANAGERS),
    "marketplace.user_entitlements": (trial_with_entitlements,
                                      lambda c, m, x: c.marketplace.user_entitlements(m.paid), LICENSE_MANAGERS),
    "marketplace.user_entitlement": (trial_with_entitlements,
                                     lambda c, m, x: c.marketplace.user_entitlement(m.paid, "bea"),
                                     outcome({"bart", "lara", "bea"}, hidden=set(VENDOR))),
    "marketplace.delete_provision": (free_purchase, lambda c, m, x: c.marketplace.delete_provision(
        m.free, purchaser_org_id=m.buyer.id), VENDOR_MANAGERS_ONLY),
    "marketplace.purchases": (free_purchase, lambda c, m, x: c.marketplace.purchases(),
                              outcome({"admin", "bart", "tess", "pam", "lara"})),
    "marketplace.customers_list": (free_purchase, lambda c, m, x: c.marketplace.customers_list(),
                                   outcome({"admin", "manny", "bart"})),
    "marketplace.customers": (free_purchase, lambda c, m, x: c.marketplace.customers(),
                              outcome({"admin", "manny", "bart"})),
    "certificates.list": (certificate, lambda c, m, x: c.certificates.list(), ADMINS),
    "certificates.get": (certificate, lambda c, m, x: c.certificates.get(x["cert"]),
                         outcome({"admin"}, hidden={"bart"})),
    "certificates.register": (certificate, lambda c, m, x: c.certificates.register(
        name="another", domain="another.example.test", certificate=PEM), ADMINS),
    "certificates.update": (certificate, lambda c, m, x: c.certificates.update(x["cert"], name="renamed"),
                            outcome({"admin"}, hidden={"bart"})),
    "certificates.unregister": (certificate, lambda c, m, x: c.certificates.unregister(x["cert"]),
                                outcome({"admin"}, hidden={"bart"})),
    "org.root": (nothing, lambda c, m, x: c.org.root(), EVERYONE),
    "org.info": (nothing, lambda c, m, x: c.org.info(), EVERYONE),
    "org.properties": (nothing, lambda c, m, x: c.org.properties(), EVERYONE),
    "org.settings": (nothing, lambda c, m, x: c.org.settings(), EVERYONE),
    "org.update_settings": (nothing, lambda c, m, x: c.org.update_settings(
        informational_banner={"text": "Hello", "enabled": True}), ADMINS),
    "org.update": (nothing, lambda c, m, x: c.org.update(description="Changed"), ADMINS),
}

ERRORS: dict[str, type[ArcGISError]] = {
    "hidden": BadRequest, "bad": BadRequest, "denied": PermissionDenied, "token": TokenRequired,
}


def test_the_matrix_covers_every_operation_of_these_families() -> None:
    table = {op.name for op in OPERATIONS if op.name.startswith(FAMILIES)}
    assert table == set(MATRIX)


def _state(m: Market) -> object:
    portal = m.fake.portal
    return (portal.marketplace.snapshot(), sorted((c.id, c.name, c.domain) for c in portal.certificates),
            [(o.id, o.name, o.description, repr(o.settings)) for o in portal.organizations.values()])


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("op", sorted(MATRIX))
def test_matrix(op: str, caller: str) -> None:
    m = market(seed=3)
    setup, action, rules = MATRIX[op]
    ctx = setup(m)
    client = m.client(None if caller == "anonymous" else caller)
    expected = rules[caller]
    if expected == "ok":
        action(client, m, ctx)
        return
    before = _state(m)
    with pytest.raises(ERRORS[expected]) as raised:
        action(client, m, ctx)
    if expected == "hidden":
        assert "does not exist or is inaccessible" in str(raised.value)
    assert _state(m) == before
