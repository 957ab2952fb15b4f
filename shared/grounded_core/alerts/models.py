"""Alert rules, what they watch, and their deliveries."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, field_validator, model_validator

from grounded_core.checks import check_base_url, normalize_email
from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys

EmailAddress = Annotated[str, AfterValidator(normalize_email)]

Metric = Literal["error_rate", "cost_usd", "eval_pass_rate", "drift_reports", "insights"]
Severity = Literal["low", "medium", "high", "critical"]
State = Literal["ok", "firing"]
Event = Literal["alert.fired", "alert.resolved", "alert.test"]
Channel = Literal["webhook", "email"]
WINDOW = re.compile(r"^([1-9]|[12][0-9]|30)d$")


class Condition(ApiModel):
    """``metric`` over the last ``window`` (``1d`` … ``30d``, UTC days with today), compared with
    ``above`` or ``below``. ``error_rate`` and ``eval_pass_rate`` are 0..1, ``cost_usd`` is per day
    on average, ``drift_reports`` counts reports of at least ``severity``, ``insights`` counts
    insights (of ``insightRule`` when given)."""

    metric: Metric
    above: float | None = None
    below: float | None = None
    window: str = Field("1d", pattern=WINDOW.pattern)
    severity: Severity = "high"
    insight_rule: Literal["errors", "cost_outlier", "slow_turn", "frustration"] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above and below")
        return self

    @property
    def days(self) -> int:
        return int(self.window.removesuffix("d"))


def check_webhook_url(value: str) -> str:
    """An http(s) URL without credentials (a query is fine); never a link-local or metadata host."""
    return str(check_base_url(value, query=True))


class AlertCreate(ApiModel):
    agent_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    condition: Condition
    webhook_url: str | None = Field(None, max_length=2_000)
    emails: list[EmailAddress] = Field(default_factory=list, max_length=10)
    enabled: bool = True

    @field_validator("webhook_url")
    @classmethod
    def _safe(cls, value: str | None) -> str | None:
        return None if value is None else check_webhook_url(value)

    @model_validator(mode="after")
    def _somewhere(self) -> Self:
        if self.webhook_url is None and not self.emails:
            raise ValueError("give a webhookUrl, emails, or both: where the alert goes")
        return self


class AlertPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    condition: Condition | None = None
    webhook_url: str | None = Field(None, max_length=2_000)
    emails: list[EmailAddress] | None = Field(None, max_length=10)
    enabled: bool | None = None

    @field_validator("webhook_url")
    @classmethod
    def _safe(cls, value: str | None) -> str | None:
        return None if value is None else check_webhook_url(value)


class Alert(StoredModel):
    id: str
    org_id: str
    agent_id: str
    name: str
    condition: Condition
    webhook_url: str | None = None
    emails: list[str] = Field(default_factory=list)
    enabled: bool = True
    state: State = "ok"
    #: the metric's value when it was last evaluated (``None``: no data in the window)
    last_value: float | None = None
    last_evaluated_at: str | None = None
    last_fired_at: str | None = None
    created_at: str
    updated_at: str
    version: int = 0

    def keys(self) -> dict[str, str]:
        own = {
            "PK": keys.agent_partition(self.org_id, self.agent_id),
            "SK": keys.alert(self.id),
            "GSI2PK": keys.org_alerts(self.org_id),
            "GSI2SK": f"{self.created_at}#{self.id}",
        }
        if self.enabled:  # the sweep's sparse listing
            own |= {"GSI1PK": keys.ALERTS, "GSI1SK": f"{self.org_id}#{self.agent_id}#{self.id}"}
        return own


class Attempt(ApiModel):
    at: str
    status: int | None = None
    error: str | None = None


class Delivery(StoredModel):
    id: str
    org_id: str
    agent_id: str
    alert_id: str
    event: Event
    channel: Channel
    #: the webhook's URL or the email address, as it was when the delivery was made
    to: str
    #: pending (to be tried, or tried again), delivered, failed (every attempt failed)
    status: Literal["pending", "delivered", "failed"] = "pending"
    attempts: list[Attempt] = Field(default_factory=list)
    #: what was sent (the webhook's JSON body; the email's text)
    payload: dict[str, object]
    created_at: str
    updated_at: str
    #: when the next attempt is due (a failed one waits, doubling each time)
    next_attempt_at: str | None = None

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.agent_partition(self.org_id, self.agent_id),
            "SK": keys.alert_delivery(self.alert_id, self.created_at, self.id),
        }
