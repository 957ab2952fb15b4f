"""A webhook receiver, as a customer would run one: it checks each delivery's signature with the
alert's signing secret (HMAC-SHA256 over ``"<t>.<body>"``, recent ``t``) and answers 401 to a bad
one, 204 to a good one; :meth:`fail` makes it answer 500 first (to see the retries). It keeps
every request, and the deliveries it accepted."""

from __future__ import annotations

import time
from typing import Any

from grounded_core.alerts.signing import HEADER, verify
from tests.fakes.server import FakeServer, Reply, Request


class WebhookReceiver(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.accepted: list[dict[str, Any]] = []

    def answer(self, request: Request) -> Reply:
        header = request.headers.get(HEADER, "")
        if not any(verify(secret, header, request.body, int(time.time())) for secret in self.secrets):
            return Reply.json(401, {"error": "bad signature"})
        self.accepted.append({"delivery": request.headers.get("grounded-delivery"), **request.json()})
        return Reply(204)
