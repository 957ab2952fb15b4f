"""The acting org and its members. The last OWNER can never be removed or demoted: the org item
counts its owners and every change to an OWNER is a transaction conditional on that count."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from grounded_core.errors import Conflict, NotFound
from grounded_core.identity.accounts import check_slug, get_org
from grounded_core.identity.models import Membership, Org
from grounded_core.identity.principal import Principal, Role
from grounded_core.model import ApiModel
from grounded_core.store import keys, table

LAST_OWNER = "An org needs at least one OWNER: make someone else OWNER first."


class OrgPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = None

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        return None if value is None else check_slug(value)


class RoleChange(ApiModel):
    role: Role


def update_org(principal: Principal, patch: OrgPatch) -> Org:
    org = get_org(principal.org_id)
    operations: list[dict[str, Any]] = []
    conflicts: list[str | None] = []
    if patch.slug and patch.slug != org.slug:
        operations += [
            {
                "Put": {
                    "Item": {"PK": keys.slug(patch.slug), "SK": keys.SLUG_SK, "entity": "Slug", "orgId": org.id},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {"Delete": {"Key": {"PK": keys.slug(org.slug), "SK": keys.SLUG_SK}}},
        ]
        conflicts += [f"The org slug '{patch.slug}' is taken.", None]
    updated = org.patched(patch.model_dump(exclude_unset=True))
    operations.append(
        {
            "Update": {
                "Key": {"PK": keys.org(org.id), "SK": keys.ORG_SK},
                "UpdateExpression": "SET #n = :name, slug = :slug",
                "ExpressionAttributeNames": {"#n": "name"},
                "ExpressionAttributeValues": {":name": updated.name, ":slug": updated.slug},
            }
        }
    )
    conflicts.append(None)
    table.transact(operations, conflicts)
    return updated


def list_members(principal: Principal) -> list[Membership]:
    return Membership.load_all(table.query_all(keys.org(principal.org_id), keys.MEMBER_PREFIX))


def get_member(org_id: str, user_id: str) -> Membership:
    item = table.get(keys.org(org_id), keys.member(user_id))
    if item is None:
        raise NotFound(f"No member {user_id} in this org.")
    return Membership.from_item(item)


def _owner_count_change(org_id: str, delta: int) -> dict[str, Any]:
    update: dict[str, Any] = {
        "Key": {"PK": keys.org(org_id), "SK": keys.ORG_SK},
        "UpdateExpression": "ADD ownerCount :delta",
        "ExpressionAttributeValues": {":delta": delta},
    }
    if delta < 0:
        update["ConditionExpression"] = "ownerCount > :one"
        update["ExpressionAttributeValues"][":one"] = 1
    return {"Update": update}


def change_role(principal: Principal, user_id: str, change: RoleChange) -> Membership:
    member = get_member(principal.org_id, user_id)
    if member.role == change.role:
        return member
    if member.role == Role.OWNER:
        principal.require_role(Role.OWNER)
    principal.require_grant_role(change.role)
    operations = [
        {
            "Update": {
                "Key": {"PK": keys.org(principal.org_id), "SK": keys.member(user_id)},
                "UpdateExpression": "SET #r = :role",
                "ConditionExpression": "#r = :was",
                "ExpressionAttributeNames": {"#r": "role"},
                "ExpressionAttributeValues": {":role": change.role.value, ":was": member.role.value},
            }
        }
    ]
    if member.role == Role.OWNER:
        operations.append(_owner_count_change(principal.org_id, -1))
    elif change.role == Role.OWNER:
        operations.append(_owner_count_change(principal.org_id, +1))
    table.transact(operations, ["The member's role changed meanwhile; try again.", LAST_OWNER])
    return member.patched({"role": change.role})


def remove_member(principal: Principal, user_id: str) -> None:
    member = get_member(principal.org_id, user_id)
    if member.role == Role.OWNER:
        principal.require_role(Role.OWNER)
    operations = [
        {
            "Delete": {
                "Key": {"PK": keys.org(principal.org_id), "SK": keys.member(user_id)},
                "ConditionExpression": "attribute_exists(PK)",
            }
        }
    ]
    if member.role == Role.OWNER:
        operations.append(_owner_count_change(principal.org_id, -1))
    try:
        table.transact(operations, ["That member was already removed.", LAST_OWNER])
    except Conflict as conflict:
        if conflict.message != LAST_OWNER:
            return  # removed meanwhile: removal is idempotent
        raise
