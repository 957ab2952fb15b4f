"""The core's AWS clients (grounded_core/aws.py): DynamoDB requests, all built by the store, go out
without botocore's check against the API model (DynamoDB checks them itself and refuses a
malformed one); every other client still refuses a malformed call before anything is sent. Every
client comes from one botocore session, whose loader knows the services the core calls (and
refuses another by name) and reads the core's copy of their endpoint data, resolving endpoints as
botocore's own data does. Runs in a fresh interpreter, with nothing listening: each request is
answered by a hook before it leaves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grounded_core import aws
from tests.support.fresh_interpreter import run_fresh

ROOT = Path(__file__).resolve().parents[2]


def answer_every_request(client: Any, sent: list[str]) -> None:
    """Record each request the client sends and answer it ``{}`` without any network."""
    from botocore.awsrequest import AWSResponse

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield b"{}"

    def send(request: Any, **_: Any) -> AWSResponse:
        sent.append(request.body.decode() if isinstance(request.body, bytes) else str(request.body))
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, Raw())

    client.meta.events.register("before-send", send)


def check() -> None:
    from botocore.exceptions import ParamValidationError

    from grounded_core import aws

    dynamodb, sqs = aws.client("dynamodb"), aws.client("sqs")
    sent: list[str] = []
    answer_every_request(dynamodb, sent)
    answer_every_request(sqs, sent)

    dynamodb.put_item(TableName="t", Item={"PK": {"S": 5}})  # the store never builds this: DynamoDB refuses it
    assert len(sent) == 1
    assert '"S": 5' in sent[0]

    with pytest.raises(ParamValidationError):
        sqs.send_message(MessageBody="no queue named")
    assert len(sent) == 1  # refused before anything was sent


def check_services() -> None:
    """Each service the core names is one botocore has; their clients come from one session, which
    never reads botocore's endpoint data (the core's copy instead) nor lists botocore's service
    directories; a service not named is refused by name."""
    from botocore.exceptions import UnknownServiceError
    from botocore.loaders import JSONFileLoader, Loader

    from grounded_core import aws

    read: list[str] = []
    load_file, listing = JSONFileLoader.load_file, Loader.list_available_services

    def counted(self: Any, path: str) -> Any:
        read.append(Path(path).name)
        return load_file(self, path)

    def listed(self: Any, type_name: str) -> Any:
        read.append(f"every {type_name}")
        return listing(self, type_name)

    JSONFileLoader.load_file, Loader.list_available_services = counted, listed
    for service in sorted(aws.SERVICES):
        assert aws.client(service).meta.service_model.service_name == service
    assert "endpoints" not in read, read  # the core's own (aws_endpoints.json), botocore's left unread
    assert not [name for name in read if name.startswith("every ")], read
    check_same_endpoints()
    with pytest.raises(UnknownServiceError, match="dynamodb"):
        aws.client("lambda")
    assert set(listing(Loader(), "service-2")) >= aws.SERVICES


def check_same_endpoints() -> None:
    """A client made from the core's endpoint data resolves what one made from botocore's does, in
    each partition; with another botocore version than the data was made from, botocore's is read."""
    import botocore
    from botocore.session import Session

    from grounded_core import aws

    def resolved(made: Any) -> tuple[Any, ...]:
        signer = made._request_signer
        meta = made.meta
        # what every request's endpoint is resolved from (the account id is read from credentials)
        given = {str(name): value for name, value in made._ruleset_resolver._builtins.items() if not callable(value)}
        return meta.endpoint_url, meta.partition, meta.region_name, signer.signing_name, signer.signature_version, given

    for region in ("us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1"):
        for service in sorted(aws.SERVICES):
            ours = aws._session().create_client(service, region_name=region)
            theirs = Session().create_client(service, region_name=region)
            assert resolved(ours) == resolved(theirs), (service, region)
    assert aws._own_endpoints() is not None
    version, botocore.__version__ = botocore.__version__, "0.0.0"
    assert aws._own_endpoints() is None
    botocore.__version__ = version


def test_the_core_endpoint_data_is_what_the_installed_botocore_gives() -> None:
    """``shared/grounded_core/aws_endpoints.json`` is made again after a botocore upgrade
    (``make aws-endpoints``); until then the core reads botocore's own."""
    from local.aws_endpoints import rendered

    assert aws.ENDPOINTS_FILE.read_text() == rendered(), "botocore changed: run make aws-endpoints"


def test_every_client_the_code_makes_is_of_a_service_the_core_names() -> None:
    """``aws.client("name")`` everywhere in the core and the functions names one of ``aws.SERVICES``
    (botocore refuses another: the session's loader knows only those)."""
    sources = [*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    named = {name for path in sources for name in re.findall(r'client\("([a-z0-9-]+)"\)', path.read_text())}
    assert "dynamodb" in named
    assert named <= aws.SERVICES


def test_clients_share_a_session_that_knows_their_services_and_only_dynamodb_goes_unchecked() -> None:
    run_fresh("tests.unit.test_aws_clients", AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y")


if __name__ == "__main__":
    check_services()
    check()
