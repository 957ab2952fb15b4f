"""The acting org and its members. The last OWNER can never be removed or demoted: the org item
counts its owners and every change to an OWNER is a transaction conditional on that count."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from grounded_core.errors import Conflict, NotFound
from grounded_core.identity.accounts import check_slug, get_org
from grounded_core.identity.models import Membership, Org, Slug
from grounded_core.identity.principal import Principal, Role
from grounded_core.ids import new_id
from grounded_core.jobs.service import create_job
from grounded_core.lifecycle.restamp import RESTAMP_JOB, start_restamp
from grounded_core.lifecycle.retention import check_days
from grounded_core.model import ApiModel
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Delete, Put, Update, Write, absent, eq, exists, gt

LAST_OWNER = "An org needs at least one OWNER: make someone else OWNER first."


# the body of DELETE /api/org (the erasure itself: lifecycle.org_erasure)
class OrgDeletion(ApiModel):
    #: the org's slug, typed by the OWNER to confirm
    confirm: str


class OrgPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = None
    #: null keeps everything forever; else 1-3650 days
    retention_days: int | None = None

    _retention = field_validator("retention_days")(check_days)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        return None if value is None else check_slug(value)


class RoleChange(ApiModel):
    role: Role


def update_org(principal: Principal, patch: OrgPatch) -> Org:
    org = get_org(principal.org_id)
    changes = patch.model_dump(exclude_unset=True)
    retention_changed = "retention_days" in changes and changes["retention_days"] != org.retention_days
    job_id = new_id("job") if retention_changed else None
    operations: list[Write] = []
    if patch.slug and patch.slug != org.slug:
        taken = Slug(slug=patch.slug, org_id=org.id).to_item()
        operations += [Put(taken, absent(), label="slug"), Delete(*Slug(slug=org.slug, org_id=org.id).key_pair())]
    updated = org.patched(changes | ({"retention_job_id": job_id} if job_id else {}))
    # the slug it had when read: a concurrent slug change fails here instead of orphaning a slug
    fields: dict[str, Any] = {"name": updated.name, "slug": updated.slug}
    remove: tuple[str, ...] = ()
    if job_id:
        fields["retentionJobId"] = job_id
        if updated.retention_days is None:
            remove = ("retentionDays",)
        else:
            fields["retentionDays"] = updated.retention_days
    change = Update(keys.org(org.id), keys.ORG_SK, set=fields, remove=remove, when=eq("slug", org.slug), label="org")
    operations.append(change)
    try:
        table.transact(operations)
    except ConditionFailed as failed:
        if failed.label == "slug":
            raise Conflict(f"The org slug '{patch.slug}' is taken.", code="slug_taken") from None
        raise Conflict("The org changed meanwhile; try again.", code="org_changed") from None
    if job_id:
        start_restamp(create_job(org.id, RESTAMP_JOB, job_id=job_id))
    return updated


def list_members(principal: Principal) -> list[Membership]:
    return Membership.load_all(table.query_all(keys.org(principal.org_id), keys.MEMBER_PREFIX))


def get_member(org_id: str, user_id: str) -> Membership:
    item = table.get(keys.org(org_id), keys.member(user_id))
    if item is None:
        raise NotFound(f"No member {user_id} in this org.")
    return Membership.from_item(item)


def _owner_count_change(org_id: str, delta: int) -> Update:
    """The org's OWNER count; taking one away needs another OWNER left (label ``last_owner``)."""
    when = gt("ownerCount", 1) if delta < 0 else None
    return Update(keys.org(org_id), keys.ORG_SK, add={"ownerCount": delta}, when=when, label="last_owner")


def change_role(principal: Principal, user_id: str, change: RoleChange) -> Membership:
    member = get_member(principal.org_id, user_id)
    if member.role == change.role:
        return member
    if member.role == Role.OWNER:
        principal.require_role(Role.OWNER)
    principal.require_grant_role(change.role)
    role = Update(
        keys.org(principal.org_id),
        keys.member(user_id),
        set={"role": change.role.value},
        when=eq("role", member.role.value),
        label="role",
    )
    operations: list[Write] = [role]
    if member.role == Role.OWNER:
        operations.append(_owner_count_change(principal.org_id, -1))
    elif change.role == Role.OWNER:
        operations.append(_owner_count_change(principal.org_id, +1))
    try:
        table.transact(operations)
    except ConditionFailed as failed:
        if failed.label == "last_owner":
            raise Conflict(LAST_OWNER, code="last_owner") from None
        raise Conflict("The member's role changed meanwhile; try again.", code="role_changed") from None
    return member.patched({"role": change.role})


def remove_member(principal: Principal, user_id: str) -> None:
    member = get_member(principal.org_id, user_id)
    if member.role == Role.OWNER:
        principal.require_role(Role.OWNER)
    operations: list[Write] = [Delete(keys.org(principal.org_id), keys.member(user_id), exists(), label="member")]
    if member.role == Role.OWNER:
        operations.append(_owner_count_change(principal.org_id, -1))
    try:
        table.transact(operations)
    except ConditionFailed as failed:
        if failed.label == "last_owner":
            raise Conflict(LAST_OWNER, code="last_owner") from None
        return  # removed meanwhile: removal is idempotent
