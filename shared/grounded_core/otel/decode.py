"""OTLP/HTTP bodies: protobuf or JSON, optionally gzip-compressed, decoded by the maintained
``opentelemetry-proto`` package (imported on first use: it pulls in protobuf, which the rest of
the API never needs).

OTLP/JSON differs from protobuf's canonical JSON in one way that matters: trace and span ids are
hex strings, not base64. They are turned into bytes before protobuf's parser sees them.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import TYPE_CHECKING, Any, Literal

from grounded_core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
        ExportTraceServiceResponse,
    )

Encoding = Literal["protobuf", "json"]
MEDIA_TYPES: dict[str, Encoding] = {"application/x-protobuf": "protobuf", "application/json": "json"}
_ID_FIELDS = {"traceId": 16, "spanId": 8, "parentSpanId": 8}


def encoding_of(content_type: str | None) -> Encoding:
    """``protobuf`` or ``json`` from the Content-Type (parameters ignored); else 415."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"OTLP/HTTP bodies are application/x-protobuf or application/json, not {media or 'none'}."
        )
    return MEDIA_TYPES[media]


def inflate(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """The body, gunzipped when ``Content-Encoding: gzip``; never more than ``limit`` bytes."""
    coding = (content_encoding or "identity").strip().lower()
    if coding == "identity":
        return body
    if coding != "gzip":
        raise UnsupportedMediaType(f"Content-Encoding {coding} is not supported; send gzip or none.")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise BadRequest("The body is not valid gzip.", code="malformed_body") from None
    if len(plain) > limit:
        raise PayloadTooLarge(f"The decompressed body is over the limit of {limit} bytes.")
    if not inflater.eof:
        raise BadRequest("The gzip body is truncated.", code="malformed_body")
    return plain


def decode_request(body: bytes, encoding: Encoding) -> ExportTraceServiceRequest:
    """An ``ExportTraceServiceRequest``; 400 for a body that is not one."""
    from google.protobuf import json_format
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = ExportTraceServiceRequest()
    if encoding == "protobuf":
        try:
            request.ParseFromString(body)
        except DecodeError:
            raise BadRequest(
                "The body is not an OTLP ExportTraceServiceRequest (protobuf).", code="malformed_body"
            ) from None
        return request
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("The request body is not valid JSON.", code="malformed_json") from None
    if not isinstance(document, dict):
        raise BadRequest("An OTLP/JSON body is an object with resourceSpans.", code="malformed_body")
    try:
        json_format.ParseDict(_ids_as_base64(document), request, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError) as error:
        raise BadRequest(f"The body is not an OTLP ExportTraceServiceRequest: {error}", code="malformed_body") from None
    return request


def _ids_as_base64(document: dict[str, Any]) -> dict[str, Any]:
    """OTLP/JSON's hex ids, base64 as protobuf's JSON parser expects (in place)."""
    for resource_spans in _objects(document.get("resourceSpans")):
        for scope_spans in _objects(resource_spans.get("scopeSpans")):
            for span in _objects(scope_spans.get("spans")):
                _convert_ids(span)
                for link in _objects(span.get("links")):
                    _convert_ids(link)
    return document


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _convert_ids(holder: dict[str, Any]) -> None:
    for field, size in _ID_FIELDS.items():
        value = holder.get(field)
        if isinstance(value, str) and value:
            try:
                raw = bytes.fromhex(value)
            except ValueError:
                raise BadRequest(f"{field} {value[:40]!r} is not hex.", code="malformed_body") from None
            if len(raw) != size:
                raise BadRequest(f"{field} must be {size * 2} hex characters.", code="malformed_body")
            holder[field] = base64.b64encode(raw).decode()


def encode_response(rejected: int, message: str, encoding: Encoding) -> tuple[bytes, str]:
    """An ``ExportTraceServiceResponse`` in the request's encoding: ``(body, content type)``.
    ``partialSuccess`` is set only when spans were rejected, as the spec asks."""
    if encoding == "json":
        answer: dict[str, Any] = {}
        if rejected:
            answer["partialSuccess"] = {"rejectedSpans": rejected, "errorMessage": message}
        return json.dumps(answer).encode(), "application/json"
    response = _response()
    if rejected:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = message
    return response.SerializeToString(), "application/x-protobuf"


def _response() -> ExportTraceServiceResponse:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

    return ExportTraceServiceResponse()
