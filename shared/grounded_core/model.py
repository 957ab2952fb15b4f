"""Base for every model at the HTTP boundary: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from grounded_core.errors import Invalid
from grounded_core.storable import check_storable
from grounded_core.store.packing import pack, unpack


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null")
    return value


#: Free-form JSON that must be given: any JSON value but null (a stored item drops nulls, so a
#: required field that took null could never be read back).
RequiredJson = Annotated[Any, AfterValidator(_not_null)]


#: the validation context of a model loaded from the store (``model_validate(..., context=FROM_STORE)``):
#: what DynamoDB holds is storable, so :func:`check_storable` does not walk it again
FROM_STORE: dict[str, bool] = {"fromStore": True}


class ApiModel(BaseModel):
    # hide_input_in_errors: a validation error (which may be logged) never repeats a value, which
    # could be a password or a key.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        hide_input_in_errors=True,
        allow_inf_nan=False,
        defer_build=True,
    )

    #: fields holding a batch's raw items, which are validated (and refused) one by one
    checked_per_item: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after", check_fields=False)
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        """Every field of every model at the boundary: nothing the store cannot hold gets in
        (numbers out of DynamoDB's range, NaN/Infinity, JSON nested past 32 levels). What is
        loaded from the store (:data:`FROM_STORE`) was held there, and is not walked again."""
        if info.context is not FROM_STORE and info.field_name not in cls.checked_per_item:
            check_storable(value)
        return value

    @model_validator(mode="after")
    def _storable_extras(self, info: ValidationInfo) -> Self:
        """Models that allow extra fields keep them too: the same check."""
        if self.__pydantic_extra__ and info.context is not FROM_STORE:
            check_storable(self.__pydantic_extra__)
        return self

    def patched(self, changes: Mapping[str, Any]) -> Self:
        """A copy with ``changes`` (by field name) applied and validated as a whole, as a new one
        would be: a PATCH can never store what a create refuses (``model_copy`` validates nothing).
        An invalid result is a 422 naming the fields."""
        current = {name: getattr(self, name) for name in type(self).model_fields}
        try:
            return type(self).model_validate({**current, **changes})
        except ValidationError as error:
            details = [
                {"field": ".".join(to_camel(str(part)) for part in problem["loc"]) or "body", "message": problem["msg"]}
                for problem in error.errors(include_input=False)
            ]
            raise Invalid("The change is not valid.", details=details) from None

    def wire(self) -> dict[str, object]:
        """The JSON-ready dict a client sees (camelCase keys)."""
        return self.model_dump(mode="json", by_alias=True)


class StoredModel(ApiModel):
    """An entity kept in the single table. It owns its keys (:meth:`keys`); the stored item is its
    wire form plus those keys, so what is stored and what is shown cannot drift apart. Fields that
    must never be shown (hashes) are passed to :meth:`to_item` as ``extra``.
    """

    #: bulky fields written and read whole, stored compressed when that is smaller (:mod:`packing`)
    packed_fields: ClassVar[frozenset[str]] = frozenset()

    def keys(self) -> dict[str, str]:
        raise NotImplementedError

    def key_pair(self) -> tuple[str, str]:
        """``(PK, SK)``: where it is kept."""
        own = self.keys()
        return own["PK"], own["SK"]

    def to_item(self, **extra: object) -> dict[str, object]:
        stored = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        item = {**stored, **extra, **self.keys(), "entity": type(self).__name__}
        return pack(item, self.packed_fields) if self.packed_fields else item

    @classmethod
    def from_item(cls, item: dict[str, object]) -> Self:
        known = {field.alias or name for name, field in cls.model_fields.items()}
        loaded = {key: value for key, value in unpack(item).items() if key in known}
        return cls.model_validate(loaded, context=FROM_STORE)

    @classmethod
    def load_all(cls, items: Iterable[dict[str, object]]) -> list[Self]:
        """The items that load; one that does not (written by an older version, say) is logged
        with its keys and left out — it never takes the whole list down with it."""
        from grounded_core.observability import logger

        loaded = []
        for item in items:
            try:
                loaded.append(cls.from_item(item))
            except ValidationError as error:
                where = {"pk": item.get("PK"), "sk": item.get("SK"), "entity": cls.__name__}
                logger.error(
                    "a stored item does not load", extra={**where, "errors": error.errors(include_input=False)}
                )
        return loaded


def build_deferred_models() -> None:
    """Build now every loaded model that is otherwise built on first use: each ``ApiModel``, each
    ``Page[X]`` a list route declared, and ``PageRequest``. The local cloud does it at start (its functions share
    one process, and first uses from several threads would race, pydantic#11849);
    ``bench/cold_start.py`` does it to show what a cold start may add at most."""
    from grounded_core.pagination import Page, PageRequest

    pending: list[type[BaseModel]] = [ApiModel, Page, PageRequest]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if not model.__pydantic_complete__:
            model.model_rebuild()
