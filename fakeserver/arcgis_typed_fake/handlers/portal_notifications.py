"""Handlers of spec/portal/notifications.yaml: a member's notifications and portals/self/createNotification."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.notifications import (
    Notification,
    NotificationDeleted,
    Notifications,
    NotificationSent,
)
from arcgis_typed.portal.params.notifications import (
    NotificationsDeleteParams,
    NotificationsGetParams,
    NotificationsSendParams,
    NotificationsUserNotificationsParams,
)

from ..call import Call
from ..registry import handles
from ..state import notifications
from ..state.notifications import NotificationRecord


def notification_view(record: NotificationRecord) -> Notification:
    return Notification(id=record.id, type=record.type, target=record.target, target_type="user",
                        received=ms_to_datetime(record.received), data=dict(record.data))


@handles("portal:notifications.user_notifications")
def list_notifications(call: Call, p: NotificationsUserNotificationsParams) -> Notifications:
    user = call.state.require_user_visible(call.caller, p.username)
    records = call.state.users.notifications.list_for(call.user.username, user.username)
    return Notifications(notifications=[notification_view(r) for r in records])


@handles("portal:notifications.get")
def get(call: Call, p: NotificationsGetParams) -> Notification:
    user = call.state.require_user_visible(call.caller, p.username)
    return notification_view(call.state.users.notifications.require(call.user.username, user.username,
                                                                     p.notification_id))


@handles("portal:notifications.delete")
def delete(call: Call, p: NotificationsDeleteParams) -> NotificationDeleted:
    user = call.state.require_user_visible(call.caller, p.username)
    record = call.state.users.notifications.delete(call.user.username, user.username, p.notification_id)
    return NotificationDeleted(success=True, notification_id=record.id)


@handles("portal:notifications.send")
def send(call: Call, p: NotificationsSendParams) -> NotificationSent:
    notifications.send_message(call.state, call.user, list(p.users), p.subject, p.message, p.notification_channel_type)
    return NotificationSent(success=True)
