"""Typed settings, read from the environment once per container and validated at cold start.

Logic never reads ``os.environ``: it asks :func:`get_settings`.
"""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from grounded_core import __version__

#: API Gateway HTTP APIs accept 10 MB, but a synchronous Lambda invocation carries at most 6 MB;
#: bodies are refused a little below that so the JSON envelope around them still fits.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    region: str = Field("us-east-1", alias="AWS_REGION")
    table_name: str = Field("", alias="TABLE_NAME")
    bucket_name: str = Field("", alias="BUCKET_NAME")
    normalize_queue_url: str = Field("", alias="NORMALIZE_QUEUE_URL")
    judge_queue_url: str = Field("", alias="JUDGE_QUEUE_URL")
    alerts_queue_url: str = Field("", alias="ALERTS_QUEUE_URL")
    #: the stack's secret that alerts' webhook signing secrets are derived from
    webhook_secret_arn: str = Field("", alias="WEBHOOK_SECRET_ARN")
    #: a failed alert delivery is tried again after this, doubling each time (5 attempts)
    alert_retry_seconds: int = Field(30, alias="ALERT_RETRY_SECONDS")
    sync_queue_url: str = Field("", alias="SYNC_QUEUE_URL")
    lifecycle_queue_url: str = Field("", alias="LIFECYCLE_QUEUE_URL")
    stage: str = Field("dev", alias="STAGE")
    version: str = Field(__version__, alias="GROUNDED_VERSION")
    max_body_bytes: int = Field(DEFAULT_MAX_BODY_BYTES, alias="MAX_BODY_BYTES", gt=0)
    jwt_secret_arn: str = Field("", alias="JWT_SECRET_ARN")
    cursor_secret_arn: str = Field("", alias="CURSOR_SECRET_ARN")
    #: bcrypt's cost factor (2^rounds iterations). 12 is about 0.25 s per hash on Lambda's arm64.
    password_hash_rounds: int = Field(12, alias="PASSWORD_HASH_ROUNDS", ge=4, le=16)
    public_url: str = Field("http://localhost:3001", alias="PUBLIC_URL")
    eval_state_machine_arn: str = Field("", alias="EVAL_STATE_MACHINE_ARN")
    #: Secrets Manager names of connector credentials start with this (the stack's own prefix).
    connector_secret_prefix: str = Field("grounded/connectors/", alias="CONNECTOR_SECRET_PREFIX")
    #: ... and those of model providers' keys (LLM judges)
    provider_secret_prefix: str = Field("grounded/providers/", alias="PROVIDER_SECRET_PREFIX")
    #: the address password-reset emails come from (an SES identity; template parameter SenderEmail)
    mail_from: str = Field("", alias="MAIL_FROM")
    #: an OTLP trace is assembled once its root has arrived and no span came for this long
    otel_quiet_seconds: int = Field(5, alias="OTEL_QUIET_SECONDS", ge=1, le=900)
    #: ... and without its root once its first span is this old
    otel_rootless_seconds: int = Field(600, alias="OTEL_ROOTLESS_SECONDS", ge=1, le=86_400)


def settings_from(environ: dict[str, str]) -> Settings:
    """Build settings from a mapping (the environment, or a test's own dict)."""
    known = {field.alias for field in Settings.model_fields.values() if field.alias}
    return Settings.model_validate({key: value for key, value in environ.items() if key in known})


@cache
def get_settings() -> Settings:
    """The container's settings, read once."""
    return settings_from(dict(os.environ))
