"""What ``GET /api/health`` reports."""

from __future__ import annotations

from typing import Literal

from grounded_core.model import ApiModel
from grounded_core.settings import get_settings


class Health(ApiModel):
    status: Literal["ok"] = "ok"
    version: str
    region: str


def health() -> Health:
    settings = get_settings()
    return Health(version=settings.version, region=settings.region)
