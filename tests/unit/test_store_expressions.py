"""The store alone turns intent into DynamoDB expressions: conditions and changes render with
placeholders (never values spliced into the text), and nothing outside it builds one."""

from __future__ import annotations

import re
from pathlib import Path

from grounded_core.store.conditions import Expression, Update, absent, eq, exists, gt, matching, one_of, version_is

ROOT = Path(__file__).resolve().parents[2]


def test_conditions_render_with_placeholders() -> None:
    expression = Expression()
    text = expression.condition(exists() & (absent("leaseUntil") | one_of("status", ["queued", "running"])))
    assert text == "(attribute_exists(#n0) AND (attribute_not_exists(#n1) OR #n2 IN (:v0, :v1)))"
    assert expression.names == {"#n0": "PK", "#n1": "leaseUntil", "#n2": "status"}
    assert expression.values == {":v0": "queued", ":v1": "running"}


def test_a_change_renders_set_if_absent_add_and_remove() -> None:
    expression = Expression()
    change = Update("p", "s", set={"name": "x"}, set_if_absent={"startedAt": "t"}, add={"count": 2}, remove=("lease",))
    assert expression.update(change) == ("SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1) ADD #n2 :v2 REMOVE #n3")


def test_filters_skip_what_was_not_asked_for() -> None:
    assert matching(agentId=None, status=None) is None
    assert matching(agentId="agt_1", status=None) == eq("agentId", "agt_1")
    assert Expression().condition(~(gt("errors", 0) | gt("errorEvents", 0))) == "(NOT (#n0 > :v0 OR #n1 > :v1))"


def test_version_zero_includes_items_written_before_versions() -> None:
    assert Expression().condition(version_is(0)) == "(attribute_not_exists(#n0) OR #n0 = :v0)"
    assert Expression().condition(version_is(3)) == "#n0 = :v0"


def test_no_code_outside_the_store_and_the_adapters_speaks_to_aws() -> None:
    pattern = re.compile(
        r"UpdateExpression|ConditionExpression|FilterExpression|attribute_not_exists\("
        r"|boto3|botocore|aws\.client\(|aws\.table\("
    )
    allowed = {"store", "adapters.py", "aws.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for folder in (ROOT / "shared", ROOT / "functions")
        for path in folder.rglob("*.py")
        if not allowed & set(path.relative_to(folder).parts) and pattern.search(path.read_text())
    ]
    assert offenders == []
