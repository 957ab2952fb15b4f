"""Domain errors. Services raise these; the HTTP layer maps each to one status and JSON body.

Nothing above the store sees an AWS client error: the store translates it into these.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GroundedError(Exception):
    """Base of every error a caller may see. ``message`` is a human sentence, ``code`` snake_case."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"
    #: seconds to wait before the same request may succeed (sent as ``Retry-After``), if it may
    retry_after_seconds: int | None = None

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(GroundedError):
    status = 400
    default_code = "bad_request"


class Unauthorized(GroundedError):
    status = 401
    default_code = "unauthorized"


class Forbidden(GroundedError):
    status = 403
    default_code = "forbidden"


class NotFound(GroundedError):
    status = 404
    default_code = "not_found"


class Conflict(GroundedError):
    status = 409
    default_code = "conflict"


class Gone(GroundedError):
    status = 410
    default_code = "gone"


class PayloadTooLarge(GroundedError):
    status = 413
    default_code = "payload_too_large"


class Invalid(GroundedError):
    """The body parsed but is not valid; ``details`` lists ``{field, message}``."""

    status = 422
    default_code = "validation_error"


class RateLimited(GroundedError):
    status = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after_seconds = max(1, retry_after_seconds)


class Busy(GroundedError):
    """AWS kept throttling a request past the client's own retries: more traffic than the table's
    capacity (provisioned) or a partition's at that moment. Nothing is wrong with the request; the
    same request a moment later succeeds (``Retry-After``)."""

    status = 503
    default_code = "busy"
    retry_after_seconds = 1


class UnsupportedMediaType(GroundedError):
    status = 415
    default_code = "unsupported_media_type"
