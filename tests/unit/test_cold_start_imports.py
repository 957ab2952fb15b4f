"""What the functions' cold starts leave out stays out (bench/cold_start.py measures the time; these
check the choices in fresh interpreters): FastAPI's probe for pydantic v1 models does not import
``pydantic.v1``, FastAPI's own models are built on first use (its explicit rebuilds included),
nothing imports boto3, the identity function and the lifecycle worker import the org erasure only
when an org is deleted, the workers that check an email address or a URL or mask a secret do not
import accounts or connectors, the SQS workers load only the Powertools event classes they use, the
normalize worker imports the ingest door and the jobs only to queue traces again, the alerts worker
imports the deliveries only to deliver, the judge worker reads traces without the trace models,
the functions that count by day import neither the trace models nor the sessions' store, the
traces function imports the trace search only to search, the alerts function sends a test
delivery without the rules' evaluation, no module builds a model as it is imported, and pydantic
looks for no plugins."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))


def printed_by(code: str, variables: dict[str, str | None] | None = None) -> list[str]:
    """The lines ``code`` prints in a fresh interpreter with the functions and the core on its path
    (``variables``: more environment variables; ``None`` leaves one out)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "shared")]),
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "cold-start",
    }
    for name, value in (variables or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.split()


def modules_after_importing(*modules: str) -> set[str]:
    """The modules loaded by a fresh interpreter that imported ``modules`` (functions' ``app``s)."""
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    return set(printed_by(code + "print('\\n'.join(sys.modules))"))


def test_no_function_imports_pydantic_v1() -> None:
    loaded = modules_after_importing(*(f"{name}.app" for name in FUNCTIONS))
    assert {f"{name}.app" for name in FUNCTIONS} <= loaded
    assert "pydantic.v1" not in loaded


def test_no_function_imports_boto3_even_once_it_has_made_its_clients() -> None:
    """The clients come from botocore alone; ``import boto3`` (s3transfer with it) is ~100 ms."""
    code = "from grounded_core import aws\nfor service in ('dynamodb', 'sqs', 's3'):\n    aws.client(service)\n"
    code += "".join(f"import {name}.app\n" for name in FUNCTIONS)
    loaded = printed_by(code + "import sys\nprint(*sys.modules)")
    assert "botocore" in loaded
    assert not {"boto3", "s3transfer"} & set(loaded)


def test_the_identity_function_and_the_lifecycle_worker_import_the_org_erasure_only_when_used() -> None:
    loaded = modules_after_importing("identity.app", "lifecycle.app")
    assert "grounded_core.lifecycle.worker" in loaded
    assert "grounded_core.lifecycle.org_erasure" not in loaded


def test_workers_check_addresses_and_mask_secrets_without_importing_accounts_or_connectors() -> None:
    """The checks live in ``grounded_core.checks`` and the secrets' mask in ``grounded_core.masking``
    (the eval steps mask a target's headers); the modules they came from import far more."""
    loaded = modules_after_importing("alerts_worker.app", "judge_worker.app", "eval_steps.app")
    assert {"grounded_core.checks", "grounded_core.masking"} <= loaded
    assert not {"grounded_core.identity.accounts", "grounded_core.connectors.models"} & loaded


def test_the_normalize_worker_imports_the_door_and_jobs_only_to_queue_traces_again() -> None:
    """A ``renormalize`` message (traces that waited for a snapshot, queued again as a job) and a
    new snapshot's job are rare: the ingest door's service (its rate limits with it) and the jobs
    are imported when one comes, not by every cold start of the worker."""
    loaded = modules_after_importing("normalize.app")
    assert "grounded_core.ingest.normalize" in loaded
    assert not {"grounded_core.ingest.service", "grounded_core.jobs.service", "grounded_core.policies.limiter"} & loaded


def test_the_alerts_worker_imports_the_deliveries_only_to_deliver() -> None:
    """Rules are evaluated every 5 minutes; a delivery (an HTTP client and request signing) is
    tried only when an alert fires."""
    loaded = modules_after_importing("alerts_worker.app")
    assert "grounded_core.alerts.evaluate" in loaded
    assert not {"grounded_core.alerts.deliver", "urllib.request"} & loaded


def test_the_judge_worker_reads_a_trace_without_the_trace_models() -> None:
    """It reads the stored trace as data (its large fields joined back from S3,
    ``ingest.payloads``), never as the API's trace models."""
    loaded = modules_after_importing("judge_worker.app")
    assert "grounded_core.ingest.payloads" in loaded
    assert not {"grounded_core.ingest.traces", "grounded_core.ingest.models"} & loaded


def test_the_functions_that_count_by_day_import_neither_the_trace_models_nor_the_sessions_store() -> None:
    """Evals, drift and scores add to the daily rollups (``store.counters``) and analytics reads
    them with the insights: none needs the trace models (~15 ms of a cold start) or the sessions'
    store. The evals function imports them to make a case of a trace, and the sessions function
    the trace search, when such a request comes."""
    for name in ("analytics", "evals", "drift", "scores", "sessions"):
        loaded = modules_after_importing(f"{name}.app")
        assert f"{name}.app" in loaded
        assert not {"grounded_core.ingest.models", "grounded_core.search.traces"} & loaded, name
        if name != "sessions":
            assert "grounded_core.sessions.store" not in loaded, name


def test_the_ingest_door_imports_the_trace_search_only_to_search() -> None:
    """The traces function takes every trace in; a search (and the sessions' models it brings,
    ~9 ms) is imported when a search comes."""
    loaded = modules_after_importing("traces.app")
    assert "grounded_core.ingest.service" in loaded
    assert not {"grounded_core.search.traces", "grounded_core.sessions.models"} & loaded


def test_the_alerts_function_sends_a_test_delivery_without_the_rules_evaluation() -> None:
    """Deliveries are made and queued by ``alerts/outbox.py``; the evaluation (the metrics over
    the analytics) is the alerts worker's."""
    loaded = modules_after_importing("alerts.app")
    assert "grounded_core.alerts.outbox" in loaded
    assert not {"grounded_core.alerts.evaluate", "grounded_core.alerts.metrics"} & loaded


def test_list_routes_pages_are_built_on_first_use() -> None:
    """``Page[X]`` is deferred like an ``ApiModel``: a function's list routes build neither their
    page model nor FastAPI's response adapter for it as the function is imported."""
    deferred, served = printed_by(
        "from grounded_core.pagination import Page\n"
        "import evals.app\n"
        "from grounded_core.evals.models import Suite\n"
        "pages = Page.__subclasses__()\n"
        "print(len(pages) >= 3 and not any(page.__pydantic_complete__ for page in pages))\n"
        "page = Page[Suite](items=[], next_cursor=None)\n"
        "print(page.model_dump(by_alias=True) == {'items': [], 'nextCursor': None})\n"
    )
    assert (deferred, served) == ("True", "True")


def test_no_function_builds_a_model_of_the_core_as_it_is_imported() -> None:
    """Every model a function imports is built when a request first uses it: no module builds one
    as it is imported (a price table of model instances, an explicit rebuild) — one function's
    imports would otherwise cost every function that imports that module. The settings and the
    principal are built at once; every request but a health check uses them."""
    (built,) = printed_by(
        "import importlib, pydantic\n"
        f"for name in {FUNCTIONS!r}:\n"
        "    importlib.import_module(name + '.app')\n"
        "pending, built = [pydantic.BaseModel], []\n"
        "while pending:\n"
        "    model = pending.pop()\n"
        "    pending.extend(model.__subclasses__())\n"
        "    if model.__pydantic_complete__ and model.__module__.startswith('grounded_core.'):\n"
        "        built.append(model.__module__ + '.' + model.__qualname__)\n"
        "print(','.join(sorted(set(built))))\n"
    )
    assert set(built.split(",")) == {
        "grounded_core.settings.Settings",
        "grounded_core.identity.principal.Principal",
        "grounded_core.identity.principal.Credential",
        "grounded_core.pagination.Page",  # the generic base, which no response uses
    }


def test_sqs_workers_import_only_the_event_classes_they_use() -> None:
    """Powertools' batch utility loads the four record classes it names, not all ~40 event classes
    of their package (``grounded_core.batch_deferred``)."""
    data_classes = "aws_lambda_powertools.utilities.data_classes"
    for name in ("normalize", "sync", "judge_worker", "alerts_worker", "lifecycle"):
        assert "import grounded_core.batch_deferred" in (ROOT / "functions" / name / "__init__.py").read_text(), name
        loaded = modules_after_importing(f"{name}.app")
        assert f"{data_classes}.sqs_event" in loaded, name
        assert not {f"{data_classes}.alb_event", f"{data_classes}.api_gateway_proxy_event"} & loaded, name


def test_the_deferred_event_classes_are_the_package_when_asked_for() -> None:
    """A name the package's ``__init__`` imports comes from its module on first use; anything else
    (here ``__all__``) runs the real ``__init__``, and the package is then whole and the same."""
    lazy, imported, whole, same = printed_by(
        "import sys, grounded_core.batch_deferred\n"
        "from aws_lambda_powertools.utilities.data_classes import S3Event\n"
        "print('aws_lambda_powertools.utilities.data_classes.alb_event' not in sys.modules)\n"
        "print(S3Event.__module__ == 'aws_lambda_powertools.utilities.data_classes.s3_event')\n"
        "import aws_lambda_powertools.utilities.data_classes as package\n"
        "print(len(package.__all__) > 30 and 'ALBEvent' in vars(package))\n"
        "from aws_lambda_powertools.utilities.data_classes.alb_event import ALBEvent\n"
        "print(package.ALBEvent is ALBEvent and package.S3Event is S3Event)\n"
    )
    assert (lazy, imported, whole, same) == ("True", "True", "True", "True")


def test_the_deferred_event_classes_are_completed_once_for_threads_asking_at_once() -> None:
    """The local cloud's functions share a process: threads asking at once all get the whole
    package, and a name it does not have is still an AttributeError."""
    counts, missing = printed_by(
        "import threading, grounded_core.batch_deferred\n"
        "import aws_lambda_powertools.utilities.data_classes as package\n"
        "counts = []\n"
        "threads = [threading.Thread(target=lambda: counts.append(len(package.__all__))) for _ in range(8)]\n"
        "[thread.start() for thread in threads]\n"
        "[thread.join() for thread in threads]\n"
        "print(len(counts) == 8 and len(set(counts)) == 1 and counts[0] > 30)\n"
        "print(not hasattr(package, 'NoSuchEvent'))\n"
    )
    assert (counts, missing) == ("True", "True")


def test_every_http_function_imports_fastapi_with_its_models_deferred_first() -> None:
    for name in FUNCTIONS:
        package = ROOT / "functions" / name
        if "make_app" in (package / "app.py").read_text():
            assert "import grounded_core.http.fastapi_deferred" in (package / "__init__.py").read_text(), name


def test_fastapis_models_are_built_on_first_use_and_ours_as_before() -> None:
    deferred, rebuilt_later, later_built, rebuild_back, documented, built = printed_by(
        "import pydantic, traces.app\n"
        "from fastapi.openapi.models import OpenAPI, Schema, Operation, Encoding\n"
        "class Later(pydantic.BaseModel):\n"
        "    value: int\n"
        "print(not OpenAPI.__pydantic_complete__)\n"
        "print(not any(m.__pydantic_complete__ for m in (Schema, Operation, Encoding)))\n"
        "print(Later.__pydantic_complete__)\n"
        "print(pydantic.BaseModel.model_rebuild.__func__ is pydantic.BaseModel.__dict__['model_rebuild'].__func__)\n"
        "print('/api/traces' in traces.app.app.openapi()['paths'], OpenAPI.__pydantic_complete__)\n"
    )
    assert deferred == "True"
    assert rebuilt_later == "True"  # the three FastAPI rebuilds as it is imported are left for first use
    assert later_built == "True"  # pydantic's default is back once FastAPI is in
    assert rebuild_back == "True"  # and so is BaseModel.model_rebuild
    assert (documented, built) == ("True", "True")  # the OpenAPI document is composed as before


def test_fastapis_recursive_schema_model_works_when_first_used() -> None:
    """``Schema`` refers to itself and to names defined after it: left deferred, it resolves them
    when first used, as FastAPI's own rebuild would have."""
    (valid,) = printed_by(
        "import traces.app\n"
        "from fastapi.openapi.models import Schema\n"
        "s = Schema.model_validate({'type': 'object', 'properties': {'a': {'items': {'type': 'string'}}}})\n"
        "print(s.properties['a'].items.type == 'string')\n"
    )
    assert valid == "True"


def test_pydantic_does_not_look_for_plugins_in_a_deployed_function() -> None:
    """template.yaml's Globals set ``PYDANTIC_DISABLE_PLUGINS``: without it, the first model a
    function builds (its settings, as it is imported) has pydantic read the entry points of every
    installed distribution."""
    variables = load_template(ROOT / "template.yaml").plain_global_variables()
    code = "import traces.app\nfrom pydantic.plugin import _loader\nprint(_loader._plugins is None)\n"

    deployed = printed_by(code, {"PYDANTIC_DISABLE_PLUGINS": variables["PYDANTIC_DISABLE_PLUGINS"]})
    without = printed_by(code, {"PYDANTIC_DISABLE_PLUGINS": None})

    assert (deployed, without) == (["True"], ["False"])
