"""Reading ``template.yaml``: what a function's code is, which HTTP routes exist, which authorizer
guards them, and the offline equivalent of ``sam package`` + the SAM transform.

This module never talks to the emulator; it only reads the template and the files it names.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AWS_MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSLambdaSQSQueueExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
    "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "AWSXRayDaemonWriteAccess": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
}

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
SERVERLESS_LAYER = "AWS::Serverless::LayerVersion"
SERVERLESS_STATE_MACHINE = "AWS::Serverless::StateMachine"
SERVERLESS_HTTP_API = "AWS::Serverless::HttpApi"


@dataclass(frozen=True)
class FunctionSource:
    """Where a function's code lives and how Lambda would load it."""

    logical_id: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...] = ()

    @property
    def folders(self) -> tuple[Path, ...]:
        """Where its modules are imported from: its code folder, then its layers'."""
        return (self.code_dir, *self.layer_dirs)

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Authorizer:
    name: str
    function_id: str
    identity_headers: tuple[str, ...]
    cache_ttl_seconds: int
    simple_responses: bool


@dataclass(frozen=True)
class HttpRoute:
    method: str  # upper case, or ANY
    path: str  # /api/agents/{agentId}, /api/{proxy+}
    function_id: str
    authorizer: str | None

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class SamTemplate:
    path: Path
    document: dict[str, Any]
    resources: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.resources = self.document.get("Resources", {})

    @property
    def root(self) -> Path:
        return self.path.parent

    def _of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") == kind}

    def _function_globals(self) -> dict[str, Any]:
        return dict(self.document.get("Globals", {}).get("Function", {}))

    def plain_global_variables(self) -> dict[str, str]:
        """The environment variables the Globals give every function as plain values (not
        references to resources), such as Powertools' settings."""
        variables = self._function_globals().get("Environment", {}).get("Variables", {})
        return {name: value for name, value in variables.items() if isinstance(value, str)}

    def function_property(self, logical_id: str, name: str, default: Any = None) -> Any:
        properties = self.resources[logical_id].get("Properties", {})
        return properties.get(name, self._function_globals().get(name, default))

    def functions(self) -> dict[str, FunctionSource]:
        layers = self._of_type(SERVERLESS_LAYER)
        sources = {}
        for logical_id, resource in self._of_type(SERVERLESS_FUNCTION).items():
            properties = resource.get("Properties", {})
            layer_refs = list(self._function_globals().get("Layers", [])) + list(properties.get("Layers", []))
            layer_dirs = tuple(
                (self.root / layers[ref["Ref"]]["Properties"]["ContentUri"]).resolve()
                for ref in layer_refs
                if isinstance(ref, dict) and ref.get("Ref") in layers
            )
            sources[logical_id] = FunctionSource(
                logical_id=logical_id,
                code_dir=(self.root / self.function_property(logical_id, "CodeUri", ".")).resolve(),
                handler=self.function_property(logical_id, "Handler"),
                layer_dirs=layer_dirs,
            )
        return sources

    def authorizers(self) -> dict[str, Authorizer]:
        found = {}
        for resource in self._of_type(SERVERLESS_HTTP_API).values():
            for name, spec in resource.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).items():
                function_arn = spec.get("FunctionArn", {})
                identity = spec.get("Identity", {})
                found[name] = Authorizer(
                    name=name,
                    function_id=function_arn["Fn::GetAtt"][0],
                    identity_headers=tuple(h.lower() for h in identity.get("Headers", [])),
                    cache_ttl_seconds=int(identity.get("ReauthorizeEvery", 300)),
                    simple_responses=bool(spec.get("EnableSimpleResponses", False)),
                )
        return found

    def _default_authorizer(self, api_id: str | None) -> str | None:
        apis = self._of_type(SERVERLESS_HTTP_API)
        api = apis.get(api_id or "") or (next(iter(apis.values())) if len(apis) == 1 else {})
        default = api.get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
        return str(default) if default else None

    def http_routes(self) -> list[HttpRoute]:
        routes = []
        for logical_id, resource in self._of_type(SERVERLESS_FUNCTION).items():
            for event in resource.get("Properties", {}).get("Events", {}).values():
                if event.get("Type") != "HttpApi":
                    continue
                properties = event.get("Properties", {})
                api_ref = properties.get("ApiId", {})
                api_id = api_ref.get("Ref") if isinstance(api_ref, dict) else None
                authorizer = properties.get("Auth", {}).get("Authorizer", self._default_authorizer(api_id))
                routes.append(
                    HttpRoute(
                        method=properties.get("Method", "ANY").upper().replace("X-AMAZON-APIGATEWAY-ANY-METHOD", "ANY"),
                        path=properties.get("Path", "$default"),
                        function_id=logical_id,
                        authorizer=None if authorizer in (None, "NONE") else authorizer,
                    )
                )
        return routes

    def cors(self) -> dict[str, Any] | None:
        for resource in self._of_type(SERVERLESS_HTTP_API).values():
            config = resource.get("Properties", {}).get("CorsConfiguration")
            if isinstance(config, dict):
                return config
        return None


HEADERS_POLICY = "AWS::CloudFront::ResponseHeadersPolicy"


def dashboard_headers(template: SamTemplate) -> dict[str, str] | None:
    """The response headers the template's CloudFront policy adds to the dashboard's files, as the
    browser sees them; ``None`` when the template serves no dashboard."""
    for resource in template.document.get("Resources", {}).values():
        if resource.get("Type") != HEADERS_POLICY:
            continue
        security = resource["Properties"]["ResponseHeadersPolicyConfig"].get("SecurityHeadersConfig", {})
        headers: dict[str, str] = {}
        if "ContentSecurityPolicy" in security:
            headers["content-security-policy"] = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
        if "StrictTransportSecurity" in security:
            hsts = security["StrictTransportSecurity"]
            sub = "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
            headers["strict-transport-security"] = f"max-age={hsts['AccessControlMaxAgeSec']}{sub}"
        if "ContentTypeOptions" in security:
            headers["x-content-type-options"] = "nosniff"
        if "FrameOptions" in security:
            headers["x-frame-options"] = security["FrameOptions"]["FrameOption"]
        if "ReferrerPolicy" in security:
            headers["referrer-policy"] = security["ReferrerPolicy"]["ReferrerPolicy"]
        return headers
    return None


def load_template(path: Path) -> SamTemplate:
    from samtranslator.yaml_helper import yaml_parse

    return SamTemplate(path=path.resolve(), document=yaml_parse(path.read_text()))


def package(template: SamTemplate, upload_dir: Callable[[Path], str]) -> dict[str, Any]:
    """What ``sam package`` does, offline: code folders are zipped and uploaded (``upload_dir``
    returns the ``s3://`` URI), and state machine definition files are inlined.
    """
    document = copy.deepcopy(template.document)
    uploaded: dict[Path, str] = {}

    def uri(relative: str) -> str:
        folder = (template.root / relative).resolve()
        if folder not in uploaded:
            uploaded[folder] = upload_dir(folder)
        return uploaded[folder]

    function_globals = document.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = uri(function_globals["CodeUri"])
    for resource in document.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        kind = resource.get("Type")
        if kind == SERVERLESS_FUNCTION and isinstance(properties.get("CodeUri"), str):
            properties["CodeUri"] = uri(properties["CodeUri"])
        elif kind == SERVERLESS_LAYER and isinstance(properties.get("ContentUri"), str):
            properties["ContentUri"] = uri(properties["ContentUri"])
        elif kind == SERVERLESS_STATE_MACHINE and isinstance(properties.get("DefinitionUri"), str):
            properties["Definition"] = json.loads((template.root / properties.pop("DefinitionUri")).read_text())
    return document


class _OfflinePolicyLoader:
    """Stands in for the translator's IAM lookup of AWS managed policy ARNs."""

    def load(self) -> dict[str, str]:
        return AWS_MANAGED_POLICIES


def translate(packaged: dict[str, Any], region: str, account_id: str) -> dict[str, Any]:
    """The SAM transform, run offline: SAM resources become plain CloudFormation."""
    from samtranslator.translator.transform import transform

    parameters = {"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": "aws"}
    return dict(transform(packaged, parameters, _OfflinePolicyLoader()))
