"""OpenTelemetry ingestion: OTLP/HTTP trace exports (protobuf or JSON, optionally gzip).

Point any OTLP/HTTP exporter at ``{base}/api/otel`` (it appends ``/v1/traces``) with
``Authorization: Bearer <key>``. The answer follows the OTLP spec: an ExportTraceServiceResponse in
the request's encoding, with ``partialSuccess`` when spans were rejected, saying why.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request, Response

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.routes import Routes
from grounded_core.otel.decode import decode_request, encode_response, encoding_of, inflate
from grounded_core.otel.service import accept_export
from grounded_core.settings import get_settings

router = Routes(prefix="/api")
OTLP_SCHEMA = {
    "type": "object",
    "description": "An OTLP ExportTraceServiceRequest (see opentelemetry-proto).",
    "additionalProperties": True,
}
OTLP_ANSWER = {
    "type": "object",
    "properties": {
        "partialSuccess": {
            "type": "object",
            "properties": {"rejectedSpans": {"type": "integer"}, "errorMessage": {"type": "string"}},
        }
    },
}
OTLP_DOCS = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": OTLP_SCHEMA},
        },
    },
    "responses": {
        "200": {
            "description": "An ExportTraceServiceResponse, in the request's encoding",
            "content": {
                "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": OTLP_ANSWER},
            },
        },
        "415": {
            "description": "Not application/x-protobuf or application/json, or an encoding other than gzip",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    },
}


@router.post("/otel/v1/traces", openapi_extra=OTLP_DOCS, response_class=Response)
async def export_traces(
    request: Request,
    principal: Caller,
    x_grounded_agent_id: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    encoding = encoding_of(request.headers.get("content-type"))
    limit = get_settings().max_body_bytes
    body = inflate(await request.body(), request.headers.get("content-encoding"), limit)
    export = decode_request(body, encoding)
    outcome = accept_export(principal, export, x_grounded_agent_id)
    content, media_type = encode_response(outcome.rejected, outcome.message, encoding)
    return Response(content=content, media_type=media_type)


app = make_app(router, title="Grounded OpenTelemetry")
handler = make_handler(app)
