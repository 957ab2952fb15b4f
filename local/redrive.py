"""Replay dead letters after a fix: move the messages of a dead-letter queue back to its source
queue, where the worker takes them again.

    python -m local.redrive NormalizeQueue                      # the local cloud on :3001
    python -m local.redrive SyncQueue --url http://localhost:3001
    python -m local.redrive NormalizeQueue --stack grounded-prod # a deployed stack (AWS credentials)

``make redrive QUEUE=NormalizeQueue [STACK=…]`` runs it. Messages move in batches of 10 (receive,
send, then delete), so a message is never lost: at worst it is delivered twice, which the workers
are built to survive.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from typing import Any

DEAD_LETTER_OF = {"NormalizeQueue": "NormalizeDeadLetterQueue", "SyncQueue": "SyncDeadLetterQueue"}


def move_messages(sqs: Any, dead_letter_url: str, source_url: str, most: int = 100_000) -> int:
    """Move up to ``most`` messages from ``dead_letter_url`` to ``source_url``; how many moved."""
    moved = 0
    while moved < most:
        messages = sqs.receive_message(
            QueueUrl=dead_letter_url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return moved
        entries = [{"Id": str(n), "MessageBody": m["Body"]} for n, m in enumerate(messages)]
        sent = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
        done = {int(entry["Id"]) for entry in sent.get("Successful", [])}
        receipts = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages) if n in done]
        if receipts:
            sqs.delete_message_batch(QueueUrl=dead_letter_url, Entries=receipts)
        moved += len(receipts)
        if len(receipts) < len(messages):
            raise RuntimeError(f"{len(messages) - len(receipts)} messages could not be sent back: {sent.get('Failed')}")
    return moved


def _stack_queues(stack: str, queue: str) -> tuple[str, str]:
    import boto3

    resources = boto3.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    return physical[DEAD_LETTER_OF[queue]], physical[queue]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("queue", choices=sorted(DEAD_LETTER_OF))
    parser.add_argument("--stack", help="a deployed stack's name (uses your AWS credentials)")
    parser.add_argument("--url", default="http://localhost:3001", help="the local cloud (when no --stack)")
    args = parser.parse_args()
    if args.stack:
        import boto3

        dead_letter_url, source_url = _stack_queues(args.stack, args.queue)
        moved = move_messages(boto3.client("sqs"), dead_letter_url, source_url)
    else:
        request = urllib.request.Request(f"{args.url.rstrip('/')}/_local/redrive/{args.queue}", method="POST")
        with urllib.request.urlopen(request, timeout=300) as answer:  # a local URL the user gave
            moved = int(json.loads(answer.read())["moved"])
    print(f"moved {moved} messages from {DEAD_LETTER_OF[args.queue]} back to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
