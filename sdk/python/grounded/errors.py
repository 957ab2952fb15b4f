"""Typed errors. Every API error is a :class:`GroundedAPIError` with the HTTP status, Grounded's
error ``code`` and its ``message``; subclasses name the common statuses."""

from __future__ import annotations

from typing import Any


class GroundedError(Exception):
    """Base of every error this SDK raises."""


class GroundedAPIError(GroundedError):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        body: Any = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        self.retry_after = retry_after
        #: the request's id (API Gateway's, also on the server's log lines): quote it in a report
        self.request_id = request_id

    @property
    def details(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("details") or []) if isinstance(self.body, dict) else []


class BadRequestError(GroundedAPIError): ...


class AuthenticationError(GroundedAPIError): ...


class PermissionDeniedError(GroundedAPIError): ...


class NotFoundError(GroundedAPIError): ...


class ConflictError(GroundedAPIError): ...


class GoneError(GroundedAPIError): ...


class PayloadTooLargeError(GroundedAPIError): ...


class UnprocessableEntityError(GroundedAPIError):
    """The request was understood but is not valid; ``details`` names each field."""


class RateLimitError(GroundedAPIError):
    """429; ``retry_after`` holds the seconds the server asked to wait."""


class InternalServerError(GroundedAPIError): ...


class APIConnectionError(GroundedError):
    """No answer: the connection failed or timed out."""


class APITimeoutError(APIConnectionError): ...


class GroundedTimeoutError(GroundedError):
    """A wait (``jobs.wait``, ``evals.wait_for_completion``) ran out of time."""


class GroundedJobError(GroundedError):
    """A job ended ``failed`` or ``cancelled``; ``job`` is its last state."""

    def __init__(self, job: Any):
        super().__init__(f"job {job.id} {job.status}: {job.error or 'no reason given'}")
        self.job = job


class TracingError(GroundedError):
    """A trace cannot be started as asked (no agent, no stitch key)."""


_BY_STATUS: dict[int, type[GroundedAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for(
    status: int, body: Any, retry_after: float | None = None, request_id: str | None = None
) -> GroundedAPIError:
    if isinstance(body, dict):
        request_id = request_id or (str(body["requestId"]) if body.get("requestId") else None)
        code = str(body.get("code") or "error")
        message = str(body.get("error") or body.get("message") or "The request failed.")
    else:
        code, message = "error", str(body or "The request failed.")
    kind = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else GroundedAPIError)
    return kind(status, code, message, body, retry_after, request_id)
