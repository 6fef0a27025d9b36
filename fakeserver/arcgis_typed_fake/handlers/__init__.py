"""Handlers, one module per spec family (`portal_<family>.py`). Importing this package registers them all."""

from . import portal_content, portal_org, portal_tokens, portal_users

__all__ = ["portal_content", "portal_org", "portal_tokens", "portal_users"]
