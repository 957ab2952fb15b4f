"""Every stored entity can always be read back (issue 13, item 2): a field it needs can never be
null (items are stored without nulls), and changes are validated as a whole before they are kept."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from pydantic import ValidationError

import grounded_core
from grounded_core.errors import Invalid
from grounded_core.model import StoredModel

ROOT = Path(grounded_core.__file__).parent


def stored_models() -> list[type[StoredModel]]:
    for module in pkgutil.walk_packages([str(ROOT)], "grounded_core."):
        importlib.import_module(module.name)
    found: list[type[StoredModel]] = []
    pending = list(StoredModel.__subclasses__())
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return sorted(found, key=lambda model: model.__name__)


def test_there_are_stored_models_to_check() -> None:
    assert len(stored_models()) >= 15


@pytest.mark.parametrize("model", stored_models(), ids=lambda model: model.__name__)
def test_a_required_field_of_a_stored_model_refuses_null(model: type[StoredModel]) -> None:
    for name, field in model.model_fields.items():
        if not field.is_required():
            continue
        with pytest.raises(ValidationError) as raised:
            model.model_validate({name: None})
        assert any(error["loc"][:1] in {(name,), (field.alias,)} for error in raised.value.errors()), (
            f"{model.__name__}.{name} takes null: it would be stored without it and never load again"
        )


def test_a_patch_is_validated_as_a_whole() -> None:
    from grounded_core.evals.models import Suite

    suite = Suite(
        id="sui_1",
        org_id="org_1",
        agent_id="agt_1",
        name="s",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )
    with pytest.raises(Invalid) as raised:
        suite.patched({"name": None})
    assert raised.value.details == [{"field": "name", "message": "Input should be a valid string"}]
    assert suite.patched({"description": None}).description is None


def test_no_service_copies_an_entity_without_validating_it() -> None:
    offenders = [str(path) for path in ROOT.rglob("*.py") if "model_copy(update" in path.read_text()]
    assert offenders == [], "use .patched(changes): model_copy(update=…) stores what validation would refuse"
