"""Handlers, one module per spec family (`<api>_<family>.py`). Importing this package registers them all."""

from . import (
    portal_categories,
    portal_content,
    portal_groups,
    portal_invitations,
    portal_licenses,
    portal_notifications,
    portal_org,
    portal_roles,
    portal_tokens,
    portal_user_settings,
    portal_users,
    server_admin_info,
    server_admin_machines,
    server_admin_services,
    server_admin_site,
    server_admin_tokens,
)

__all__ = [
    "portal_categories",
    "portal_content",
    "portal_groups",
    "portal_invitations",
    "portal_licenses",
    "portal_notifications",
    "portal_org",
    "portal_roles",
    "portal_tokens",
    "portal_user_settings",
    "portal_users",
    "server_admin_info",
    "server_admin_machines",
    "server_admin_services",
    "server_admin_site",
    "server_admin_tokens",
]
