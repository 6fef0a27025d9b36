"""One exception hierarchy for everything the client raises, and one reader for both ArcGIS error envelopes.

Portal answers errors as HTTP 200 with ``{"error": {"code", "message", "details"}}``; ArcGIS Server and
Mission Server admin answer ``{"status": "error", "messages": [...], "code": N}``. `raise_for_envelope` reads
both, and raises the class registered for the code (`InvalidToken` for 498, ...), naming the operation and
the URL (tokens redacted).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

_REDACT = re.compile(
    r"(?i)((?:token|password|client_secret|refresh_token|code|access_token|api_?key|newPassword)=)[^&#\s]*"
)


def redact(url: str) -> str:
    """Hide token-like values in a URL (query and fragment)."""
    return _REDACT.sub(r"\1***", url)


class ArcGISClientError(Exception):
    """Base of every exception `arcgis_typed` raises."""


class TransportError(ArcGISClientError):
    """The request did not complete: connection refused, TLS failure, timeout, protocol error."""

    def __init__(self, message: str, *, operation: str = "", url: str = "") -> None:
        self.operation = operation
        self.url = redact(url)
        message = redact(message)  # urllib3's messages may name the whole URL
        super().__init__(f"{operation}: {message} ({self.url})" if operation else message)


class ConnectionFailed(TransportError):
    """Could not connect, or the connection broke."""


class TLSError(TransportError):
    """The TLS handshake failed (often: the server certificate is not trusted; pass `ca_certs`)."""


class Timeout(TransportError):
    """The server did not answer in time."""


class ResponseDecodeError(ArcGISClientError):
    """The server answered something that is not the JSON the operation promises."""

    def __init__(self, message: str, *, operation: str = "", url: str = "") -> None:
        self.operation = operation
        self.url = redact(url)
        message = redact(message)  # urllib3's messages may name the whole URL
        super().__init__(f"{operation}: {message} ({self.url})" if operation else message)


_BY_CODE: dict[int, type[ArcGISError]] = {}


class ArcGISError(ArcGISClientError):
    """The server answered with an ArcGIS error envelope."""

    code_class: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.code_class is not None:
            _BY_CODE.setdefault(cls.code_class, cls)

    def __init__(
        self,
        code: int,
        message: str,
        details: Sequence[str] = (),
        *,
        operation: str = "",
        url: str = "",
        message_code: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.details = tuple(details)
        self.operation = operation
        self.url = redact(url)
        self.message_code = message_code
        text = f"{operation}: {message} (code {code})" if operation else f"{message} (code {code})"
        if self.details:
            text += " - " + "; ".join(self.details)
        super().__init__(text)


class BadRequest(ArcGISError):
    """400: invalid parameters, or (Portal's habit) an object that does not exist or is not visible."""

    code_class = 400


class Unauthorized(ArcGISError):
    """401."""

    code_class = 401


class PermissionDenied(ArcGISError):
    """403: the caller lacks the privilege or does not own the object."""

    code_class = 403


class NotFound(ArcGISError):
    """404."""

    code_class = 404


class Conflict(ArcGISError):
    """409."""

    code_class = 409


class ServerError(ArcGISError):
    """500 and other server-side failures."""

    code_class = 500


class InvalidToken(ArcGISError):
    """498: the token expired or was revoked."""

    code_class = 498


class TokenRequired(ArcGISError):
    """499: the operation needs a token and none was sent."""

    code_class = 499


class SignInError(ArcGISError):
    """Signing in failed: wrong username or password, disabled account, or a refused OAuth2 flow."""


def error_for(
    code: int, message: str, details: Sequence[str] = (), *, operation: str = "", url: str = "", message_code: str | None = None
) -> ArcGISError:
    cls = _BY_CODE.get(code, ArcGISError)
    return cls(code, message, details, operation=operation, url=url, message_code=message_code)


def _details(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def envelope_error(payload: Any, *, status: int = 200, operation: str = "", url: str = "") -> ArcGISError | None:
    """The error a decoded JSON body carries (either envelope), or None when it is not an error."""
    if not isinstance(payload, dict):
        return None
    err = payload.get("error")
    if isinstance(err, dict):
        code = _int(err.get("code"), max(status, 400))
        message = str(err.get("message") or err.get("description") or "Unknown error")
        return error_for(
            code, message, _details(err.get("details")), operation=operation, url=url,
            message_code=err.get("messageCode"),
        )
    if payload.get("status") in ("error", "failure") and ("messages" in payload or "code" in payload):
        # Server/Mission admin send `messages: [...]`; some Portal endpoints (billing) send `message` + `details`.
        messages = _details(payload.get("messages")) or _details(payload.get("message"))
        details = messages[1:] + _details(payload.get("details"))
        code = _int(payload.get("code"), status if status >= 400 else 500)
        return error_for(
            code, messages[0] if messages else "Unknown error", details, operation=operation, url=url,
            message_code=payload.get("messageCode"),
        )
    return None
