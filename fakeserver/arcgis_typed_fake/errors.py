"""Faults: what the state layer raises when a request cannot be honoured. The app turns each into the
ArcGIS error envelope of the API it was called on (HTTP 200, as real servers answer)."""

from __future__ import annotations

from collections.abc import Sequence


class Fault(Exception):
    """An ArcGIS error: `code` (400, 403, 498, ...), a message, optional details and message code."""

    def __init__(self, code: int, message: str, details: Sequence[str] = (), *, message_code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = list(details)
        self.message_code = message_code

    def portal_envelope(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message, "details": self.details}
        if self.message_code:
            error["messageCode"] = self.message_code
        return {"error": error}

    def server_envelope(self) -> dict[str, object]:
        return {"status": "error", "messages": [self.message, *self.details], "code": self.code}


def bad_request(message: str, *details: str) -> Fault:
    return Fault(400, message, details)


def forbidden(message: str = "You do not have permissions to access this resource or perform this operation.") -> Fault:
    return Fault(403, message)


def not_found(what: str, *details: str) -> Fault:
    """Portal's wording exactly ("User does not exist or is inaccessible."): the official client matches on it
    (`gis.users.get` answers None only for that message), so the name of the missing object goes in details."""
    return Fault(400, f"{what} does not exist or is inaccessible.", details)


INVALID_TOKEN = "Invalid token."
TOKEN_REQUIRED = "Token Required"
