"""An org's model providers for LLM judges: an OpenAI-compatible base URL, a default model and an
API key. The key is kept in Secrets Manager (one secret per provider), written here and read only
by the code that calls the judge; it is never returned or logged."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import Field, SecretStr, field_validator

from grounded_core import adapters
from grounded_core.checks import check_base_url
from grounded_core.clock import iso, utc_now
from grounded_core.errors import Invalid, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.judges import PROVIDER_NAME
from grounded_core.model import ApiModel, StoredModel
from grounded_core.settings import get_settings
from grounded_core.store import keys, table

NAME = re.compile(PROVIDER_NAME)
#: the provider a judge uses when it names none
DEFAULT_PROVIDER = "default"


class ProviderIn(ApiModel):
    """``apiKey`` is write-only: required the first time, kept when a later PUT leaves it out."""

    base_url: str = Field(max_length=500, description="OpenAI-compatible, e.g. https://api.openai.com/v1")
    api_key: SecretStr | None = Field(None, min_length=1, max_length=1000)
    default_model: str = Field(min_length=1, max_length=200)

    @field_validator("base_url")
    @classmethod
    def _safe(cls, value: str) -> str:
        return str(check_base_url(value))


class Provider(StoredModel):
    name: str
    org_id: str
    base_url: str
    default_model: str
    #: whether a key is kept (the key itself never leaves Secrets Manager but to the judge)
    has_api_key: bool = True
    created_at: str
    updated_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.org(self.org_id), "SK": keys.provider(self.name)}


def secret_name(org_id: str, name: str) -> str:
    return f"{get_settings().provider_secret_prefix}{org_id}/{name}"


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise Invalid(
            "A provider's name has lowercase letters, digits, '-' and '_' (at most 40).",
            details=[{"field": "name", "message": "not a provider name"}],
        )
    return name


def put_provider(principal: Principal, name: str, request: ProviderIn, now: datetime | None = None) -> Provider:
    check_name(name)
    existing = table.get(keys.org(principal.org_id), keys.provider(name), consistent=True)
    if existing is None and request.api_key is None:
        raise Invalid("A new provider needs its apiKey.", details=[{"field": "apiKey", "message": "required"}])
    moment = iso(now or utc_now())
    if request.api_key is not None:
        adapters.put_secret(
            secret_name(principal.org_id, name), request.api_key.get_secret_value(), "Grounded judge provider key"
        )
    provider = Provider(
        name=name,
        org_id=principal.org_id,
        base_url=request.base_url,
        default_model=request.default_model,
        created_at=str(existing["createdAt"]) if existing else moment,
        updated_at=moment,
    )
    table.put(provider.to_item(secretName=secret_name(principal.org_id, name)))
    return provider


def find_provider(org_id: str, name: str) -> Provider | None:
    item = table.get(keys.org(org_id), keys.provider(name))
    return Provider.from_item(item) if item else None


def get_provider(principal: Principal, name: str) -> Provider:
    provider = find_provider(principal.org_id, check_name(name))
    if provider is None:
        raise NotFound(f"No provider {name}.", code="provider_not_found")
    return provider


def list_providers(principal: Principal) -> list[Provider]:
    return Provider.load_all(table.query_all(keys.org(principal.org_id), keys.PROVIDER_PREFIX))


def delete_provider(principal: Principal, name: str) -> None:
    get_provider(principal, name)
    adapters.delete_secret(secret_name(principal.org_id, name))
    table.delete(keys.org(principal.org_id), keys.provider(name))


def api_key(org_id: str, name: str) -> str | None:
    """The provider's key, for the judge's request only."""
    return adapters.get_secret(secret_name(org_id, name))
