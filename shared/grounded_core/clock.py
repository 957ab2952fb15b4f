"""Time as the API speaks it: ISO-8601 UTC with a ``Z`` and millisecond precision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Clocks drift; a timestamp further ahead than this is refused as "far future".
MAX_CLOCK_SKEW = timedelta(minutes=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """An ISO-8601 timestamp; one without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
