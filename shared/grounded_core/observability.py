"""The one place that creates Powertools' Logger, Tracer and Metrics. Nobody makes new ones.

Configuration comes from the Powertools environment variables set in template.yaml's Globals
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL, ...).

The Tracer is created on first use: building it imports the X-Ray SDK (about 0.25 s of cold start,
measured by bench/cold_start.py), which a function that records no subsegments should not pay.
Lambda's own X-Ray segments (``Tracing: Active`` in the template) need no SDK.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics, Tracer

logger = Logger()


@cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer()


@cache
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics()
