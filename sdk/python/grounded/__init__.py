"""Grounded's Python SDK: the API client (sync and async), tracing, and an OpenAI wrapper.
It talks HTTP only and imports nothing from the server side."""

from grounded.client import AsyncGrounded, Grounded
from grounded.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GroundedAPIError,
    GroundedError,
    GroundedJobError,
    GroundedTimeoutError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TracingError,
    UnprocessableEntityError,
)
from grounded.openai import wrap_openai
from grounded.resources import NOT_GIVEN
from grounded.tracing import Span, Trace, Tracing, current_trace, observe

__version__ = "0.1.0"

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncGrounded",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "Grounded",
    "GroundedAPIError",
    "GroundedError",
    "GroundedJobError",
    "GroundedTimeoutError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Span",
    "Trace",
    "Tracing",
    "TracingError",
    "UnprocessableEntityError",
    "current_trace",
    "observe",
    "wrap_openai",
]
