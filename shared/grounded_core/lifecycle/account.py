"""Deleting one's own account: the user, their email, and every membership — refused while
they are the last OWNER of an org (that org would be left without anyone who may delete it or
appoint an OWNER: make someone else OWNER, or delete the org first)."""

from __future__ import annotations

from pydantic import Field

from grounded_core.errors import Conflict, Forbidden
from grounded_core.identity.accounts import memberships_of, stored_user
from grounded_core.identity.passwords import password_matches
from grounded_core.identity.principal import Role
from grounded_core.model import ApiModel
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Delete, Update, Write, exists, gt

LAST_OWNER = "You are the last OWNER of {orgs}: make someone else OWNER there, or delete the org, first."
#: memberships removed per transaction (each OWNER membership also updates its org's owner count)
CHUNK = 40


class AccountDeletion(ApiModel):
    #: the account's password, so that a token left signed in somewhere cannot delete it
    password: str = Field(max_length=1024)


def delete_account(user_id: str, request: AccountDeletion) -> None:
    """Memberships first (each OWNER one conditional on another OWNER being left), then the user
    and their email in one transaction; every token of the user answers 401 from then on."""
    user = stored_user(user_id)
    if not password_matches(request.password, user.get("passwordHash")):
        raise Forbidden("The password is not right.", code="wrong_password")
    memberships = memberships_of(user_id)
    last = [m.org_id for m in memberships if m.role == Role.OWNER and _owner_count(m.org_id) <= 1]
    if last:
        raise Conflict(LAST_OWNER.format(orgs=", ".join(last)), code="last_owner")
    for start in range(0, len(memberships), CHUNK):
        operations: list[Write] = []
        for membership in memberships[start : start + CHUNK]:
            operations.append(Delete(keys.org(membership.org_id), keys.member(user_id)))
            if membership.role == Role.OWNER:
                owners = Update(
                    keys.org(membership.org_id),
                    keys.ORG_SK,
                    add={"ownerCount": -1},
                    when=gt("ownerCount", 1),
                    label="last_owner",
                )
                operations.append(owners)
        try:
            table.transact(operations)
        except ConditionFailed:
            raise Conflict("An org you own lost its other OWNER meanwhile; try again.", code="last_owner") from None
    table.transact(
        [
            Delete(keys.user(user_id), keys.USER_SK, exists()),
            Delete(keys.email(str(user["email"])), keys.EMAIL_SK),
        ]
    )


def _owner_count(org_id: str) -> int:
    org = table.get(keys.org(org_id), keys.ORG_SK, consistent=True)
    return int((org or {}).get("ownerCount") or 0)
