"""Base for every model at the HTTP boundary: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def wire(self) -> dict[str, object]:
        """The JSON-ready dict a client sees (camelCase keys)."""
        return self.model_dump(mode="json", by_alias=True)
