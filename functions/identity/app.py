"""Identity routes: sign-up, log-in, the caller, the org, members, invites and API keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Request, Response
from fastapi.responses import JSONResponse

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.identity import accounts, invites, keyring, members, password_reset
from grounded_core.identity.accounts import LogIn, Me, PasswordChange, Session, SignUp
from grounded_core.identity.invites import Acceptance, InviteCreated, InviteRequest
from grounded_core.identity.keyring import KeyCreated, KeyRequest
from grounded_core.identity.members import OrgDeletion, OrgPatch, RoleChange
from grounded_core.identity.models import ApiKey, Invite, Membership, Org
from grounded_core.identity.password_reset import ResetAccepted, ResetConfirm, ResetRequest
from grounded_core.identity.session_cookie import COOKIE, cleared, cookie_only, with_session_cookie
from grounded_core.identity.tokens import user_id_from_token
from grounded_core.jobs.models import Job
from grounded_core.lifecycle import account
from grounded_core.lifecycle.account import AccountDeletion
from grounded_core.pagination import Page

router = Routes(prefix="/api")
WIRE: dict[str, Any] = {"response_model_by_alias": True, "response_model_exclude_none": True}


def signed_in(request: Request, session: Session, status: int = 200) -> JSONResponse:
    """The answer to a sign-in: the session, and the token also in the HttpOnly cookie the
    dashboard uses (left out of the body when the client asks for the cookie only)."""
    body = session.model_dump(by_alias=True, exclude_none=True, mode="json")
    if cookie_only(request):
        body.pop("token", None)
    return with_session_cookie(request, JSONResponse(body, status_code=status), session.token)


@router.post("/auth/signup", status_code=201, response_model=Session, **WIRE)
async def sign_up(body: SignUp, request: Request) -> JSONResponse:
    return signed_in(request, accounts.sign_up(body), status=201)


@router.post("/auth/login", response_model=Session, **WIRE)
async def log_in(body: LogIn, request: Request) -> JSONResponse:
    return signed_in(request, accounts.log_in(body))


@router.post("/auth/logout", status_code=204)
async def log_out(request: Request) -> Response:
    """Clears the dashboard's session cookie (API keys and bearer tokens are not affected)."""
    return cleared(request, Response(status_code=204))


@router.post("/auth/logout-all", status_code=204)
async def log_out_everywhere(request: Request, principal: Caller) -> Response:
    """Signs out every session of the signed-in user: every user token issued until now answers
    401 from the next request (API keys are not affected)."""
    accounts.sign_out_everywhere(principal.user_id or "")
    return cleared(request, Response(status_code=204))


@router.post("/auth/password", response_model=Session, **WIRE)
async def change_password(body: PasswordChange, request: Request, principal: Caller) -> JSONResponse:
    """A new password: every token issued before is signed out; the answer carries a fresh one."""
    return signed_in(request, accounts.change_password(principal.user_id or "", body))


@router.post("/auth/password-reset", status_code=202, response_model=ResetAccepted, **WIRE)
async def ask_for_password_reset(body: ResetRequest, request: Request) -> ResetAccepted:
    """Always 202, whether or not the address has an account (rate-limited per address and caller)."""
    return password_reset.request_reset(body, caller_address(request))


@router.post("/auth/password-reset/confirm", response_model=Session, **WIRE)
async def confirm_password_reset(body: ResetConfirm, request: Request) -> JSONResponse:
    """The new password (sign-up's rules); every earlier token is signed out; a fresh session."""
    return signed_in(request, password_reset.confirm_reset(body))


def caller_address(request: Request) -> str:
    """The caller's source address, as API Gateway saw it."""
    event = request.scope.get("aws.event") or {}
    return str(((event.get("requestContext") or {}).get("http") or {}).get("sourceIp") or "unknown")


@router.get("/me", response_model=Me, **WIRE)
async def me(principal: Caller) -> Me:
    return accounts.describe_caller(principal)


@router.delete("/me", status_code=204)
async def delete_my_account(body: AccountDeletion, request: Request, principal: Caller) -> Response:
    """Deletes the signed-in user (confirmed with their password) and their memberships; 409
    while they are the last OWNER of an org. Every token of theirs answers 401 from then on."""
    account.delete_account(principal.user_id or "", body)
    return cleared(request, Response(status_code=204))


@router.get("/org", response_model=Org, **WIRE)
async def get_org(principal: Caller) -> Org:
    return accounts.get_org(principal.org_id)


@router.patch("/org", response_model=Org, **WIRE)
async def update_org(patch: OrgPatch, principal: Caller) -> Org:
    """Name, slug and ``retentionDays``; a retention change starts a job (``retentionJobId``)
    that re-stamps the expiry of what is stored already."""
    return members.update_org(principal, patch)


@router.delete("/org", status_code=202, response_model=Job, **WIRE)
async def delete_org(body: OrgDeletion, principal: Caller) -> Job:
    """OWNER only, confirmed by the org's slug: keys, invites and memberships go at once; a job
    erases everything else (it is erased last, with the org)."""
    from grounded_core.lifecycle import org_erasure  # the erasure's imports, only when an org is deleted

    return org_erasure.request_deletion(principal, body)


@router.get("/members", response_model=Page[Membership], **WIRE)
async def list_members(principal: Caller) -> Page[Membership]:
    return Page(items=members.list_members(principal), nextCursor=None)


@router.patch("/members/{user_id}", response_model=Membership, **WIRE)
async def change_role(user_id: str, change: RoleChange, principal: Caller) -> Membership:
    return members.change_role(principal, user_id, change)


@router.delete("/members/{user_id}", status_code=204)
async def remove_member(user_id: str, principal: Caller) -> Response:
    members.remove_member(principal, user_id)
    return Response(status_code=204)


@router.post("/invites", status_code=201, response_model=InviteCreated, **WIRE)
async def create_invite(request: InviteRequest, principal: Caller) -> InviteCreated:
    return invites.create_invite(principal, request)


@router.get("/invites", response_model=Page[Invite], **WIRE)
async def list_invites(principal: Caller) -> Page[Invite]:
    return Page(items=invites.pending_invites(principal), nextCursor=None)


@router.delete("/invites/{invite_id}", status_code=204)
async def revoke_invite(invite_id: str, principal: Caller) -> Response:
    invites.revoke_invite(principal, invite_id)
    return Response(status_code=204)


@router.post("/invites/{token}/accept", response_model=Session, **WIRE)
async def accept_invite(
    token: str, request: Request, acceptance: Annotated[Acceptance | None, Body()] = None
) -> JSONResponse:
    """Public route: a new user sends a name and password; a logged-in user sends their token (or,
    from the dashboard, its session cookie)."""
    authorization = request.headers.get("authorization", "")
    scheme, _, bearer = authorization.partition(" ")
    signed_in_as = bearer.strip() if scheme.lower() == "bearer" else request.cookies.get(COOKIE, "")
    user_id = user_id_from_token(signed_in_as) if signed_in_as else None
    return signed_in(request, invites.accept_invite(token, user_id, acceptance or Acceptance()))


@router.post("/keys", status_code=201, response_model=KeyCreated, **WIRE)
async def create_key(request: KeyRequest, principal: Caller) -> KeyCreated:
    return keyring.issue_key(principal, request)


@router.get("/keys", response_model=Page[ApiKey], **WIRE)
async def list_keys(page: Paging, principal: Caller) -> Page[ApiKey]:
    return keyring.list_keys(principal, page)


@router.delete("/keys/{key_id}", response_model=ApiKey, **WIRE)
async def revoke_key(key_id: str, principal: Caller) -> ApiKey:
    return keyring.revoke_key(principal, key_id)


@router.post("/keys/{key_id}/rotate", status_code=201, response_model=KeyCreated, **WIRE)
async def rotate_key(key_id: str, principal: Caller) -> KeyCreated:
    return keyring.rotate_key(principal, key_id)


app = make_app(router, title="Grounded identity")
handler = make_handler(app)
