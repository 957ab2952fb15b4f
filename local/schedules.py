"""EventBridge schedule rules, ticked by the local cloud (moto stores rules but never fires them).

``rate(...)`` and ``cron(...)`` expressions are read as EventBridge reads them (UTC); every target
of a due rule gets the rule's scheduled event, or the target's ``Input`` if it sets one.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}  # noqa: SIM905
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}  # noqa: SIM905 (1 = Sunday)


class UnsupportedSchedule(ValueError):
    pass


def _field_values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows, or ``None`` for any (``*`` and ``?``)."""
    if field in {"*", "?"}:
        return None
    values: set[int] = set()
    for item in field.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if part in {"*", ""}:
            first, last = low, high
        elif "-" in part:
            first_text, last_text = part.split("-")
            first, last = _number(first_text, names), _number(last_text, names)
        else:
            first = _number(part, names)
            last = high if step > 1 else first
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise UnsupportedSchedule(f"cron value {text!r} is not supported locally (L, W and # are not)")
    return int(text)


@dataclass(frozen=True)
class Schedule:
    expression: str
    every: timedelta | None = None
    cron: tuple[set[int] | None, ...] | None = None

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after ``moment`` (UTC)."""
        if self.every is not None:
            return moment + self.every
        assert self.cron is not None
        minutes, hours, days, months, weekdays, years = self.cron
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 24 * 60 * 5):
            day_ok = (days is None or candidate.day in days) and (
                weekdays is None or (candidate.isoweekday() % 7) + 1 in weekdays
            )
            if not (
                day_ok and (months is None or candidate.month in months) and (years is None or candidate.year in years)
            ):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if (hours is None or candidate.hour in hours) and (minutes is None or candidate.minute in minutes):
                return candidate
            candidate += timedelta(minutes=1)
        raise UnsupportedSchedule(f"{self.expression} never fires")


def parse_schedule(expression: str) -> Schedule:
    rate = _RATE.match(expression.strip())
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if amount < 1:
            raise UnsupportedSchedule(f"{expression}: the rate must be at least 1")
        return Schedule(expression, every=timedelta(seconds=amount * _UNIT_SECONDS[unit]))
    cron = _CRON.match(expression.strip())
    if cron:
        fields = cron.group(1).split()
        if len(fields) != 6:
            raise UnsupportedSchedule(f"{expression}: cron needs 6 fields (minutes hours day month weekday year)")
        bounds: list[tuple[int, int, dict[str, int] | None]] = [
            (0, 59, None),
            (0, 23, None),
            (1, 31, None),
            (1, 12, _MONTHS),
            (1, 7, _DAYS),
            (1970, 2199, None),
        ]
        return Schedule(
            expression,
            cron=tuple(
                _field_values(f, low, high, names) for f, (low, high, names) in zip(fields, bounds, strict=True)
            ),
        )
    raise UnsupportedSchedule(f"{expression!r} is neither rate(...) nor cron(...)")


def scheduled_event(rule_arn: str, account_id: str, region: str, moment: datetime) -> dict[str, Any]:
    """The event EventBridge sends to a scheduled rule's targets."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


@dataclass
class ScheduledRule:
    name: str
    arn: str
    schedule: Schedule
    targets: list[dict[str, Any]]
    next_run: datetime


class Scheduler:
    """Fires due rules on a background thread (:meth:`start`) and on demand (:meth:`fire`)."""

    def __init__(
        self,
        rules: list[ScheduledRule],
        deliver: Callable[[dict[str, Any], dict[str, Any]], None],
        clock: Callable[[], datetime],
        account_id: str,
        region: str,
    ):
        self.rules = {rule.name: rule for rule in rules}
        self.fired: dict[str, int] = {rule.name: 0 for rule in rules}
        self._deliver = deliver
        self._clock = clock
        self._account_id = account_id
        self._region = region
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def fire(self, name: str, at: datetime | None = None) -> None:
        """Send the rule's scheduled event to each of its targets now (as of ``at``, if given)."""
        rule = self.rules[name]
        event = scheduled_event(rule.arn, self._account_id, self._region, at or self._clock())
        self.fired[name] += 1
        for target in rule.targets:
            self._deliver(target, event)

    def tick(self) -> list[str]:
        """Fire every rule that is due now; returns their names."""
        now = self._clock()
        due = [rule for rule in self.rules.values() if rule.next_run <= now]
        for rule in due:
            rule.next_run = rule.schedule.next_after(now)
            self.fire(rule.name)
        return [rule.name for rule in due]

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.tick()


def utc_now() -> datetime:
    return datetime.now(UTC)
