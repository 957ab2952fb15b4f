"""The local cloud: deploys ``template.yaml`` into the in-process emulator and runs it.

    cloud = LocalCloud(Path("template.yaml"), port=3001).start()
    ...            # HTTP on cloud.url, boto3 in this process talks to the emulator
    cloud.stop()

What comes from the template: tables, queues and their DLQs, buckets, functions and their
environment, state machines, schedule rules (deployed through the emulator's CloudFormation after
an offline SAM transform); HTTP routes and the authorizer (served by the front door); SQS event
source mappings (run by local pollers). Emulator gaps are bridged in local/workarounds.py only.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from local import workarounds
from local.apigw import HttpRequest, HttpResponse
from local.collector import Collector, collections_paused
from local.emulator import ACCOUNT_ID, start_emulator
from local.event_sources import Queue, SqsPoller
from local.expiry import sweep as sweep_table
from local.frontdoor import ApiIdentity, FrontDoor, HttpApi, json_response
from local.persistence import Persistence, Restored
from local.reloader import CodeWatcher
from local.runtime import DeployedFunction, FunctionFailed, LambdaRuntime
from local.schedules import ScheduledRule, Scheduler, parse_schedule, utc_now
from local.static_site import StaticSite
from local.template import dashboard_headers, load_template, package, translate

log = logging.getLogger("grounded.local")

ARTIFACT_BUCKET = "grounded-local-artifacts"
STATE_MACHINE = "AWS::StepFunctions::StateMachine"
LOCAL_API_ID = "local"
#: where the local cloud's emails come from (they land in its outbox, GET /_local/outbox)
LOCAL_SENDER = "no-reply@grounded.local"
#: how often `make dev` applies DynamoDB TTL (AWS takes up to a few days; tests sweep on demand)
TTL_SWEEP_SECONDS = 300.0
#: how long nothing must have been answered or handled for the cloud to count as quiet
#: (when the garbage collector collects properly: local/collector.py)
QUIET_SECONDS = 5.0
_SKIPPED_IN_ZIPS = {"__pycache__", ".mypy_cache", ".pytest_cache"}


class DeployFailed(RuntimeError):
    pass


@dataclass
class CloudOptions:
    host: str = "127.0.0.1"
    port: int = 3001  # 0 picks a free port
    region: str = "us-east-1"
    stack_name: str = "grounded-local"
    parameters: dict[str, str] = field(default_factory=dict)
    tick_schedules: bool = True
    #: How long a failed SQS record stays invisible before it is retried (AWS: the queue's
    #: visibility timeout, minutes). Short, so retries and DLQ redrive are seen in seconds.
    retry_delay_seconds: int = 1
    #: Concurrent batches per SQS event source mapping (Lambda scales pollers out; so does this).
    pollers_per_queue: int = 2
    #: The dashboard's built files (default: web/dist beside the template), served at / when the
    #: template declares the dashboard's CloudFront response-headers policy.
    web_root: Path | None = None
    #: Where the emulated data is kept across restarts (local/persistence.py); ``None``: in memory
    #: only, gone at stop (tests).
    state_dir: Path | None = None
    #: Load the functions' code again when a file of it changes (``--reload``; local/reloader.py).
    reload_code: bool = False


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not _SKIPPED_IN_ZIPS.intersection(path.relative_to(folder).parts):
                archive.write(path, path.relative_to(folder))
    return buffer.getvalue()


def _moment_asked(request: HttpRequest) -> datetime | None:
    """The moment a local route is asked to act as of (``?at=<ISO time>``, default now); ``None``
    when ``at`` is not a timestamp."""
    at = parse_qs(request.query).get("at", [None])[0]
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else utc_now()
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _before_serving() -> None:
    """What the handlers share in this one process, made once before any request (and again after
    a code reload): the core's AWS clients, and every model built."""
    workarounds.make_shared_clients_first()
    workarounds.build_models_first()


class LocalCloud:
    def __init__(self, template_path: Path, options: CloudOptions | None = None):
        self.template_path = template_path
        self.options = options or CloudOptions()
        self.options.parameters = {"SenderEmail": LOCAL_SENDER, **self.options.parameters}
        self.resources: dict[str, str] = {}  # logical id -> physical id
        self.queue_ids: list[str] = []
        self.runtime: LambdaRuntime
        self.pollers: list[SqsPoller] = []
        self.stream_sources: list[workarounds.StreamEventSource] = []
        self.ttl_attributes: dict[str, str] = {}  # table logical id -> its TTL attribute
        self._sweeper: threading.Thread | None = None
        self._stopping = threading.Event()
        self.scheduler: Scheduler
        self.front_door: FrontDoor
        self._mock: Any = None
        self._boto: dict[str, Any] = {}
        self.persistence: Persistence | None = None
        self._code_watcher: CodeWatcher | None = None
        self._collector: Collector | None = None
        self.restored = Restored()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalCloud:
        with collections_paused():  # the collector it starts last collects once, all made
            return self._start()

    def _start(self) -> LocalCloud:
        started = time.monotonic()
        self._mock = start_emulator(self.options.region)
        workarounds.serialize_emulator_calls()
        workarounds.name_every_execution()
        workarounds.keep_no_stream_records()
        workarounds.emulator_shortcuts()
        template = load_template(self.template_path)
        self.client("s3").create_bucket(Bucket=ARTIFACT_BUCKET)  # where `sam package` would upload code
        translated = translate(package(template, self._upload), self.options.region, ACCOUNT_ID)
        cfn, sqs_sources, self.stream_sources = workarounds.adapt_for_emulator(translated)
        cfn = workarounds.create_secrets(translated, cfn, self.client("secretsmanager"), self.options.stack_name)
        self.queue_ids = [lid for lid, res in cfn["Resources"].items() if res["Type"] == "AWS::SQS::Queue"]
        self._deploy(cfn)
        self._finish_deployment(cfn)
        self._verify_sender()
        self._restore_state()
        self.runtime = LambdaRuntime(self._deployed_functions(template.functions()))
        self._apply_function_environment()
        workarounds.run_real_handlers(self.runtime)
        self.runtime.load_all()
        _before_serving()
        self._start_pollers([source for source in sqs_sources if source.enabled])
        rule_ids = [lid for lid, res in cfn["Resources"].items() if res["Type"] == "AWS::Events::Rule"]
        self.scheduler = Scheduler(
            self._scheduled_rules(rule_ids), self._deliver_scheduled_event, utc_now, ACCOUNT_ID, self.options.region
        )
        self._follow_runs([lid for lid, res in cfn["Resources"].items() if res["Type"] == STATE_MACHINE])
        if self.options.tick_schedules:
            self.scheduler.start()
            self._sweeper = threading.Thread(target=self._sweep_now_and_then, name="ttl-sweep", daemon=True)
            self._sweeper.start()
        api = HttpApi(
            template.http_routes(),
            template.authorizers(),
            template.cors(),
            self.runtime,
            ApiIdentity(LOCAL_API_ID, ACCOUNT_ID, self.options.region),
        )
        headers = dashboard_headers(template)
        web_root = self.options.web_root or self.template_path.parent / "web" / "dist"
        site = StaticSite(web_root, headers) if headers is not None else None
        self.front_door = FrontDoor(api, self._local_routes(), self.options.host, self.options.port, site)
        self.front_door.start()
        self._restart_executions()
        if self.options.reload_code:
            self._watch_code()
        self._collector = Collector(self._quiet).start()
        log.info("local cloud up in %.2fs", time.monotonic() - started)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._collector is not None:
            self._collector.stop()
        if self._code_watcher is not None:
            self._code_watcher.stop()
        self.front_door.stop()
        self.scheduler.stop()
        self._stop_pollers()
        if self.persistence is not None:
            workarounds.REQUEST_OBSERVERS.remove(self.persistence.observe)
            self.persistence.stop()
        self._mock.stop()

    def _watch_code(self) -> None:
        folders = sorted({folder for function in self.runtime.functions() for folder in function.source.folders})
        self._code_watcher = CodeWatcher(
            folders,
            lambda: self.runtime.reload(after=_before_serving),
            self.template_path.parent,
        )
        self._code_watcher.start()

    def _follow_runs(self, machines: list[str]) -> None:
        """Kept schedules' next runs apply; from now on they and running executions are kept."""
        if self.persistence is None:
            return
        for name, at in self.restored.next_runs.items():
            if name in self.scheduler.rules:
                self.scheduler.rules[name].next_run = datetime.fromisoformat(at)
        self.persistence.follow(self.scheduler.rules, machines, self.client("stepfunctions"))

    def _restart_executions(self) -> None:
        """Executions that were running at the stop start again (same name and input)."""
        for record in self.restored.executions:
            machine = self.resources[record["machine"]]
            try:
                self.client("stepfunctions").start_execution(
                    stateMachineArn=machine, name=record["execution"], input=record["input"]
                )
            except Exception:
                log.exception("the execution %s could not be started again", record["execution"])

    def _restore_state(self) -> None:
        """Bring back what the state folder kept (before anything runs), then keep what changes."""
        if self.options.state_dir is None:
            return
        self.persistence = Persistence(self.options.state_dir, self.options.region, self.resources)
        with workarounds.EMULATOR_LOCK:
            restored = self.persistence.restore()
        log.info("state restored from %s: %s", self.options.state_dir, restored.summary())
        self.restored = restored
        workarounds.REQUEST_OBSERVERS.append(self.persistence.observe)
        self.persistence.start()

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.front_door.port}"

    # ------------------------------------------------------------------ deployment
    def client(self, service: str) -> Any:
        if service not in self._boto:
            import boto3

            self._boto[service] = boto3.client(service, region_name=self.options.region)
        return self._boto[service]

    def _upload(self, folder: Path) -> str:
        s3 = self.client("s3")
        key = f"{folder.name}-{abs(hash(folder))}.zip"
        s3.put_object(Bucket=ARTIFACT_BUCKET, Key=key, Body=_zip_folder(folder))
        return f"s3://{ARTIFACT_BUCKET}/{key}"

    def _deploy(self, cfn: dict[str, Any]) -> None:
        cloudformation = self.client("cloudformation")
        cloudformation.create_stack(
            StackName=self.options.stack_name,
            TemplateBody=json.dumps(cfn),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in self.options.parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        stack = cloudformation.describe_stacks(StackName=self.options.stack_name)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise DeployFailed(
                f"the template did not deploy: {stack['StackStatus']} {stack.get('StackStatusReason', '')}"
            )
        paginator = cloudformation.get_paginator("list_stack_resources")
        for page in paginator.paginate(StackName=self.options.stack_name):
            for resource in page["StackResourceSummaries"]:
                if resource.get("PhysicalResourceId"):
                    self.resources[resource["LogicalResourceId"]] = resource["PhysicalResourceId"]

    def _finish_deployment(self, cfn: dict[str, Any]) -> None:
        machines = []
        for logical_id, resource in cfn["Resources"].items():
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::DynamoDB::Table" and "TimeToLiveSpecification" in properties:
                specification = properties["TimeToLiveSpecification"]
                workarounds.apply_time_to_live(self.client("dynamodb"), self.resources[logical_id], specification)
                if specification.get("Enabled"):
                    self.ttl_attributes[logical_id] = specification["AttributeName"]
            elif resource["Type"] == STATE_MACHINE:
                machines.append(self.resources[logical_id].split(":")[-1])
        if machines:
            workarounds.make_state_machines_executable(
                self.client("stepfunctions"), ACCOUNT_ID, self.options.region, machines
            )

    def _deployed_functions(self, sources: dict[str, Any]) -> list[DeployedFunction]:
        functions = []
        for logical_id, source in sources.items():
            config = self.client("lambda").get_function_configuration(FunctionName=self.resources[logical_id])
            functions.append(
                DeployedFunction(
                    source=source,
                    name=config["FunctionName"],
                    arn=config["FunctionArn"],
                    timeout_seconds=int(config.get("Timeout", 3)),
                    memory_mb=int(config.get("MemorySize", 128)),
                    environment={k: str(v) for k, v in config.get("Environment", {}).get("Variables", {}).items()},
                )
            )
        return functions

    def _apply_function_environment(self) -> None:
        """All functions share this process, so they share one environment: the union of what the
        template gives each. A variable set to different values for different functions cannot be
        honoured locally; the start fails rather than run a function with another's setting.
        """
        merged: dict[str, str] = {}
        for function in self.runtime.functions():
            for key, value in function.environment.items():
                if merged.get(key, value) != value:
                    raise DeployFailed(f"{key} differs between functions; the local cloud needs one value per variable")
                merged[key] = value
        os.environ.update(merged)

    # ------------------------------------------------------------------ event sources and schedules
    def queue(self, logical_id: str) -> Queue:
        url = self.resources[logical_id]
        arn = self.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return Queue(url=url, arn=arn)

    def invoke(self, function: str, event: Any) -> Any:
        """Invoke a function by logical id, name or ARN, as the event sources do."""
        return self.runtime.invoke(function, event)

    @contextlib.contextmanager
    def pollers_paused(self) -> Iterator[None]:
        """No queue is read during the block (messages wait in their queues); the pollers start
        afresh after it. For measuring the HTTP path alone (``bench/load.py --pollers-paused``)."""
        sources = [poller.source for poller in self.pollers]
        self._stop_pollers()
        try:
            yield
        finally:
            self._start_pollers(sources)

    def _start_pollers(self, sources: list[workarounds.SqsEventSource]) -> None:
        self.pollers = [self._poller(source) for source in sources]
        for poller in self.pollers:
            poller.start()

    def _stop_pollers(self) -> None:
        """All told to stop first, then each waited for: they wind down together."""
        for poller in self.pollers:
            poller.stopping()
        for poller in self.pollers:
            poller.stop()

    def _poller(self, source: workarounds.SqsEventSource) -> SqsPoller:
        import boto3

        queue = self.queue(source.queue_id)
        return SqsPoller(
            source,
            queue,
            boto3.client("sqs", region_name=self.options.region),
            self.invoke,
            self.options.region,
            self.options.retry_delay_seconds,
            self.options.pollers_per_queue,
            functools.partial(workarounds.wait_for_messages, self.options.region, queue.name),
        )

    def _scheduled_rules(self, rule_ids: list[str]) -> list[ScheduledRule]:
        events = self.client("events")
        rules = []
        now = utc_now()
        for logical_id in rule_ids:
            physical = self.resources[logical_id]
            rule = events.describe_rule(Name=physical)
            if not rule.get("ScheduleExpression") or rule.get("State") != "ENABLED":
                continue
            schedule = parse_schedule(rule["ScheduleExpression"])
            targets = events.list_targets_by_rule(Rule=physical)["Targets"]
            rules.append(ScheduledRule(logical_id, rule["Arn"], schedule, targets, schedule.next_after(now)))
        return rules

    def _deliver_scheduled_event(self, target: dict[str, Any], event: dict[str, Any]) -> None:
        payload = json.loads(target["Input"]) if target.get("Input") else event
        arn = target["Arn"]
        try:
            if ":lambda:" in arn:
                self.runtime.invoke(arn, payload)
            elif ":states:" in arn:
                self.client("stepfunctions").start_execution(stateMachineArn=arn, input=json.dumps(payload))
            elif ":sqs:" in arn:
                url = self.client("sqs").get_queue_url(QueueName=arn.split(":")[-1])["QueueUrl"]
                self.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(payload))
            else:
                log.warning("schedule target %s is not supported locally", arn)
        except FunctionFailed as failure:
            log.error("scheduled invocation failed: %s", failure, exc_info=failure.error)

    def fire_schedule(self, rule_logical_id: str, at: datetime | None = None) -> None:
        """Fire a schedule rule (by its logical id in the template) now, synchronously. ``at`` sets
        the scheduled event's ``time``, to run a schedule as of another moment."""
        self.scheduler.fire(rule_logical_id, at)

    def sweep_expired(self, at: datetime | None = None) -> int:
        """Apply TTL as DynamoDB does, as of ``at`` (default now): delete every expired item and
        deliver the removals to the table's stream consumers. How many items were removed."""
        removed = 0
        for logical_id, attribute in self.ttl_attributes.items():
            consumers = [source for source in self.stream_sources if source.table_id == logical_id]
            removed += sweep_table(
                self.client("dynamodb"),
                self.resources[logical_id],
                attribute,
                at or utc_now(),
                consumers,
                self.invoke,
                self.options.region,
            )
        return removed

    def _sweep_now_and_then(self) -> None:
        while not self._stopping.wait(TTL_SWEEP_SECONDS):
            try:
                self.sweep_expired()
            except Exception:  # the next sweep tries again
                log.exception("TTL sweep failed")

    def _quiet(self) -> bool:
        """No request answered and no queue batch handled for ``QUIET_SECONDS``."""
        return self.front_door.quiet_for(QUIET_SECONDS) and not any(poller.busy for poller in self.pollers)

    # ------------------------------------------------------------------ waiting and inspecting
    def queue_depth(self, logical_id: str) -> int:
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=self.resources[logical_id],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def drain(self, timeout_seconds: float = 30.0) -> None:
        """Wait until every polled queue is empty and no batch is being handled."""
        deadline = time.monotonic() + timeout_seconds
        done = threading.Event()
        while time.monotonic() < deadline:
            if not any(p.busy for p in self.pollers) and all(
                self.queue_depth(logical_id) == 0 for logical_id in {p.source.queue_id for p in self.pollers}
            ):
                return
            done.wait(0.05)
        raise TimeoutError(f"queues still busy after {timeout_seconds}s")

    def status(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "region": self.options.region,
            "functions": dict(self.runtime.invocations),
            "queues": {logical_id: self.queue_depth(logical_id) for logical_id in self.queue_ids},
            "schedules": {
                name: {
                    "expression": rule.schedule.expression,
                    "nextRun": rule.next_run.isoformat(),
                    "fired": self.scheduler.fired[name],
                }
                for name, rule in self.scheduler.rules.items()
            },
        }

    def _verify_sender(self) -> None:
        """SES sends only from verified identities; on AWS its verification email is clicked."""
        sender = self.options.parameters.get("SenderEmail")
        if sender:
            self.client("ses").verify_email_identity(EmailAddress=sender)

    def outbox(self) -> list[dict[str, Any]]:
        """Every email the stack sent through (the emulator's) SES, newest last."""
        from moto.ses.models import ses_backends

        sent = ses_backends[ACCOUNT_ID][self.options.region].sent_messages
        return [
            {
                "id": message.id,
                "from": message.source,
                "to": [address for addresses in message.destinations.values() for address in addresses],
                "subject": message.subject,
                "text": message.body,
            }
            for message in sent
            if hasattr(message, "subject")
        ]

    def _local_routes(self) -> dict[tuple[str, str], Any]:
        def status(request: HttpRequest) -> HttpResponse:
            return json_response(200, self.status())

        def outbox(request: HttpRequest) -> HttpResponse:
            return json_response(200, {"items": self.outbox()})

        def fire(request: HttpRequest) -> HttpResponse:
            name = request.path.removeprefix("/_local/schedules/").removesuffix("/fire")
            if name not in self.scheduler.rules:
                return json_response(404, {"error": f"no schedule {name!r}", "code": "not_found"})
            moment = _moment_asked(request)
            if moment is None:
                return json_response(400, {"error": "at is not an ISO-8601 timestamp", "code": "bad_request"})
            self.fire_schedule(name, moment)
            return json_response(202, {"fired": name, "at": moment.isoformat()})

        def ttl_sweep(request: HttpRequest) -> HttpResponse:
            moment = _moment_asked(request)
            if moment is None:
                return json_response(400, {"error": "at is not an ISO-8601 timestamp", "code": "bad_request"})
            return json_response(200, {"removed": self.sweep_expired(moment), "at": moment.isoformat()})

        def redrive(request: HttpRequest) -> HttpResponse:
            from local.redrive import DEAD_LETTER_OF, move_messages

            queue = request.path.removeprefix("/_local/redrive/").strip("/")
            if queue not in DEAD_LETTER_OF:
                return json_response(
                    404, {"error": f"no queue {queue!r} with a dead-letter queue", "code": "not_found"}
                )
            sqs = self.client("sqs")
            moved = move_messages(sqs, self.resources[DEAD_LETTER_OF[queue]], self.resources[queue])
            return json_response(200, {"queue": queue, "moved": moved})

        return {
            ("GET", "/_local/status"): status,
            ("GET", "/_local/outbox"): outbox,
            ("POST", "/_local/schedules/"): fire,
            ("POST", "/_local/redrive/"): redrive,
            ("POST", "/_local/ttl-sweep"): ttl_sweep,
        }
