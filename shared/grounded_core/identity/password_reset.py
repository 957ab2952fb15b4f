"""Password reset by email: a single-use token valid one hour, stored hashed like an invite,
mailed through Amazon SES. Asking always answers the same (whether the address has an account is
never revealed) and is rate-limited per address and per caller; confirming sets the new password
(same strength rules as sign-up), signs out every earlier token and answers a fresh one."""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from pydantic import Field, field_validator

from grounded_core import adapters
from grounded_core.checks import normalize_email
from grounded_core.clock import iso, parse_iso, utc_now
from grounded_core.errors import BadRequest, RateLimited
from grounded_core.identity.accounts import Session, check_password, token_for, user_by_email
from grounded_core.identity.api_keys import hash_secret
from grounded_core.identity.models import User
from grounded_core.identity.passwords import hash_password
from grounded_core.model import ApiModel, StoredModel
from grounded_core.observability import logger
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Delete, Update, absent, at_most, exists

TOKEN_LIFETIME = timedelta(hours=1)
WINDOW_SECONDS = 3600
PER_ADDRESS = 5  # reset emails per address per hour
PER_CALLER = 20  # reset requests per caller (source IP) per hour
INVALID_TOKEN = "This reset link was used, has expired, or never existed; ask for a new one."


class ResetRequest(ApiModel):
    email: str = Field(max_length=254)

    _email = field_validator("email")(normalize_email)


class ResetConfirm(ApiModel):
    token: str = Field(min_length=1, max_length=200)
    password: str

    _password = field_validator("password")(check_password)


class ResetAccepted(ApiModel):
    """The same answer whether or not the address has an account."""

    status: str = "accepted"
    message: str = "If an account uses this address, a reset link is on its way; it works once, for one hour."


class PasswordReset(StoredModel):
    """A reset token's hash, whose user it is for and until when it works."""

    token_hash: str
    user_id: str
    expires_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.password_reset(self.token_hash), "SK": keys.RESET_SK}


def _take(subject: str, limit: int, now: datetime) -> None:
    """One request from the subject's hourly window, or 429 when it is used up."""
    start = math.floor(now.timestamp() / WINDOW_SECONDS) * WINDOW_SECONDS
    try:
        table.update(
            keys.reset_window(hash_secret(subject)),
            str(start),
            add={"count": 1},
            set={"ttl": start + WINDOW_SECONDS + 60},
            when=absent("count") | at_most("count", limit - 1),
            label="limit",
        )
    except ConditionFailed:
        wait = max(1, int(start + WINDOW_SECONDS - now.timestamp()))
        raise RateLimited(f"Too many reset requests; try again in {wait} s.", retry_after_seconds=wait) from None


def request_reset(request: ResetRequest, caller: str, now: datetime | None = None) -> ResetAccepted:
    """Mail a reset link when the address has an account; answer the same either way."""
    moment = now or utc_now()
    _take(f"caller:{caller}", PER_CALLER, moment)
    _take(f"address:{request.email}", PER_ADDRESS, moment)
    found = user_by_email(request.email)
    if found is None:
        return ResetAccepted()
    token = secrets.token_urlsafe(32)
    expires = moment + TOKEN_LIFETIME
    reset = PasswordReset(token_hash=hash_secret(token), user_id=str(found["id"]), expires_at=iso(expires))
    table.put(reset.to_item(ttl=int(expires.timestamp()) + 60))
    try:
        adapters.send_email(request.email, "Reset your Grounded password", _email_text(token))
    except Exception:  # the answer must not differ; the failure is ours to see in the logs
        logger.exception("the password-reset email could not be sent", extra={"user_id": found["id"]})
    return ResetAccepted()


def _email_text(token: str) -> str:
    link = f"{get_settings().public_url.rstrip('/')}/reset-password#{token}"
    return (
        "Someone asked to reset the password of your Grounded account.\n\n"
        f"Choose a new password here (the link works once, for one hour):\n{link}\n\n"
        f"Or send the token to POST /api/auth/password-reset/confirm: {token}\n\n"
        "If it was not you, ignore this email: your password stays as it is.\n"
    )


def confirm_reset(confirm: ResetConfirm, now: datetime | None = None) -> Session:
    """Set the new password once; every token issued before stops working."""
    token_hash = hash_secret(confirm.token)
    item = table.get(keys.password_reset(token_hash), keys.RESET_SK, consistent=True)
    if item is None or parse_iso(item["expiresAt"]) <= (now or utc_now()):
        raise BadRequest(INVALID_TOKEN, code="invalid_reset_token")
    reset = PasswordReset.from_item(item)
    user_pk = keys.user(reset.user_id)
    try:
        table.transact(
            [
                Delete(*reset.key_pair(), exists(), label="reset"),
                Update(
                    user_pk,
                    keys.USER_SK,
                    set={"passwordHash": hash_password(confirm.password)},
                    add={"tokenVersion": 1},
                    when=exists(),
                    label="user",
                ),
            ]
        )
    except ConditionFailed:
        raise BadRequest(INVALID_TOKEN, code="invalid_reset_token") from None
    user = table.get(user_pk, keys.USER_SK, consistent=True) or {}
    return Session(token=token_for(user), user=User.from_item(user))
