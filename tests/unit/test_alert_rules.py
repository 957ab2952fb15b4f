"""Alert conditions and webhook signatures (pure)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from grounded_core.alerts.metrics import holds
from grounded_core.alerts.models import Condition
from grounded_core.alerts.signing import alert_secret, signature, verify


def test_a_condition_holds_strictly_above_or_below_and_never_without_data() -> None:
    above = Condition(metric="error_rate", above=0.1)
    assert holds(above, 0.2)
    assert not holds(above, 0.1)
    assert not holds(above, None)
    below = Condition(metric="eval_pass_rate", below=0.8, window="7d")
    assert holds(below, 0.5)
    assert not holds(below, 0.8)
    assert below.days == 7


@pytest.mark.parametrize("window", ["0d", "31d", "1w", "d", "7"])
def test_a_window_is_1_to_30_days(window: str) -> None:
    with pytest.raises(ValidationError):
        Condition(metric="cost_usd", above=1, window=window)


def test_signatures_verify_only_with_the_alerts_secret_and_in_time() -> None:
    secret = alert_secret("master", "org_1", "alr_1")
    assert secret.startswith("whsec_")
    assert secret != alert_secret("master", "org_1", "alr_2")
    assert secret != alert_secret("other", "org_1", "alr_1")
    body = b'{"event":"alert.fired"}'
    header = signature(secret, 1_000, body)
    assert verify(secret, header, body, now=1_100)
    assert not verify(secret, header, body + b" ", now=1_100)
    assert not verify(alert_secret("master", "org_1", "alr_2"), header, body, now=1_100)
    assert not verify(secret, header, body, now=2_000)  # too old: a replay
    assert not verify(secret, "garbage", body, now=1_000)
