"""Base for every model at the HTTP boundary: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    # hide_input_in_errors: a validation error (which may be logged) never repeats a value, which
    # could be a password or a key.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        hide_input_in_errors=True,
        allow_inf_nan=False,
    )

    def wire(self) -> dict[str, object]:
        """The JSON-ready dict a client sees (camelCase keys)."""
        return self.model_dump(mode="json", by_alias=True)


class StoredModel(ApiModel):
    """An entity kept in the single table. It owns its keys (:meth:`keys`); the stored item is its
    wire form plus those keys, so what is stored and what is shown cannot drift apart. Fields that
    must never be shown (hashes) are passed to :meth:`to_item` as ``extra``.
    """

    def keys(self) -> dict[str, str]:
        raise NotImplementedError

    def to_item(self, **extra: object) -> dict[str, object]:
        stored = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {**stored, **extra, **self.keys(), "entity": type(self).__name__}

    @classmethod
    def from_item(cls, item: dict[str, object]) -> Self:
        known = {field.alias or name for name, field in cls.model_fields.items()}
        return cls.model_validate({key: value for key, value in item.items() if key in known})
