"""Real response bodies of the identity endpoints (a member's group invitations, their answers, notifications;
Esri/arcgis-rest-js fixtures) parse into the generated models without losing a value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from arcgis_typed._runtime import wire
from arcgis_typed.portal.models.invitations import InvitationAnswer, UserInvitation, UserInvitations
from arcgis_typed.portal.models.notifications import Notifications
from test_fixtures import _assert_same_json

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "arcgis-rest-js"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not available at {FIXTURES}")


def _parse(rel: str, model: type) -> tuple[Any, Any]:
    raw = json.loads((FIXTURES / rel).read_text(encoding="utf-8"))
    parsed: Any = wire.structure(raw, model)
    _assert_same_json(raw, wire.unstructure(parsed), rel)
    assert wire.structure(wire.unstructure(parsed), model) == parsed
    return parsed, raw


def test_user_invitation() -> None:
    inv, raw = _parse("portal/users/UserInvitationResponse.json", UserInvitation)
    assert (inv.id, inv.target_type, inv.role, inv.username) == (raw["id"], "group", "group_member", "mjuniper_dcqa")
    assert inv.from_username.username == "dcadminqa" and inv.group.title == "Jupe test group 2"
    assert inv.date_accepted is None and wire.datetime_to_ms(inv.expiration) == raw["expiration"]


def test_user_invitations() -> None:
    page, raw = _parse("portal/users/UserInvitationsResponse.json", UserInvitations)
    assert [i.id for i in page.user_invitations] == [r["id"] for r in raw["userInvitations"]]
    assert page.user_invitations[0].extra["groupId"] == raw["userInvitations"][0]["groupId"]


@pytest.mark.parametrize("endpoint", ["community_users_username_invitations_id_accept",
                                      "community_users_username_invitations_id_decline"])
def test_invitation_answers(endpoint: str) -> None:
    files = sorted((FIXTURES / "inline" / endpoint).glob("*.json"))
    assert files
    for path in files:
        answer, _ = _parse(str(path.relative_to(FIXTURES)), InvitationAnswer)
        assert answer.success is True


def test_notifications() -> None:
    page, raw = _parse("portal/users/UserNotificationsResponse.json", Notifications)
    assert [(n.id, n.type, n.target) for n in page.notifications] == [
        (r["id"], r["type"], r["target"]) for r in raw["notifications"]]
    assert page.notifications[0].data["subject"] == "this is the subject"
