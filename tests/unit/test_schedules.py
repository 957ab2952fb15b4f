"""EventBridge schedule expressions as the local cloud reads them (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local.schedules import ScheduledRule, Scheduler, UnsupportedSchedule, parse_schedule

NOON = datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("expression", "delta"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(2 hours)", timedelta(hours=2)),
        ("rate(1 day)", timedelta(days=1)),
    ],
)
def test_rates(expression: str, delta: timedelta) -> None:
    assert parse_schedule(expression).next_after(NOON) == NOON + delta


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 3 * * ? *)", datetime(2026, 11, 21, 3, 0, tzinfo=UTC)),
        ("cron(*/15 * * * ? *)", datetime(2026, 11, 20, 12, 15, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
        ("cron(30 12 1 * ? *)", datetime(2026, 12, 1, 12, 30, tzinfo=UTC)),
        ("cron(0 0 1 JAN ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("cron(1,2 12 * * ? *)", datetime(2026, 11, 20, 12, 1, tzinfo=UTC)),
    ],
)
def test_cron(expression: str, expected: datetime) -> None:
    assert parse_schedule(expression).next_after(NOON) == expected


@pytest.mark.parametrize("expression", ["rate(0 minutes)", "every day", "cron(0 3 * * ?)", "cron(0 3 L * ? *)"])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(UnsupportedSchedule):
        parse_schedule(expression).next_after(NOON)


def test_tick_fires_due_rules_once_and_reschedules_them() -> None:
    now = [NOON]
    delivered: list[tuple[str, str]] = []
    rule = ScheduledRule("Sweep", "arn:rule", parse_schedule("rate(1 minute)"), [{"Arn": "arn:fn"}], NOON)
    scheduler = Scheduler(
        [rule], lambda target, event: delivered.append((target["Arn"], event["detail-type"])), lambda: now[0], "1", "r"
    )

    assert scheduler.tick() == ["Sweep"]
    assert scheduler.tick() == []  # not due again until a minute later
    now[0] = NOON + timedelta(minutes=1)
    assert scheduler.tick() == ["Sweep"]
    assert delivered == [("arn:fn", "Scheduled Event")] * 2
