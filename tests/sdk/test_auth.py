"""A user's own account through the SDK: log in, change the password, sign out everywhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from grounded import AuthenticationError, Grounded, PermissionDeniedError
from tests.sdk.conftest import SdkOrg
from tests.support.identity import PASSWORD, sign_up, unique_email


def test_log_in_change_the_password_and_sign_out_everywhere(api: httpx.Client, cloud: Any, org: SdkOrg) -> None:
    email = unique_email("sdk-auth")
    sign_up(api, email=email)
    with Grounded(api_key="unused", base_url=org.url) as anonymous:
        session = anonymous.auth.log_in(email=email, password=PASSWORD)
    assert session.user["email"] == email
    assert session.token

    with Grounded(api_key=session.token, base_url=org.url) as user:
        with pytest.raises(PermissionDeniedError):
            user.auth.change_password(current_password="wrong one", new_password="a brand new passphrase")
        fresh = user.auth.change_password(current_password=PASSWORD, new_password="a brand new passphrase")
        with pytest.raises(AuthenticationError) as signed_out:
            user.agents.list()
        assert signed_out.value.code == "token_revoked"
    assert fresh.token

    with Grounded(api_key=fresh.token, base_url=org.url) as user:
        assert user.agents.list().items == []
        user.auth.log_out_everywhere()
        with pytest.raises(AuthenticationError):
            user.agents.list()


def test_an_api_key_cannot_sign_anyone_out(client: Grounded) -> None:
    with pytest.raises(PermissionDeniedError):
        client.auth.log_out_everywhere()


def test_reset_a_forgotten_password(api: httpx.Client, cloud: Any, org: SdkOrg) -> None:
    import re

    email = unique_email("sdk-reset")
    sign_up(api, email=email)
    with Grounded(api_key="unused", base_url=org.url) as anonymous:
        anonymous.auth.request_password_reset(email=email)
        mail = next(m for m in cloud.outbox() if email in m["to"])
        token = re.search(r"#([A-Za-z0-9_-]+)", mail["text"])
        assert token
        session = anonymous.auth.reset_password(token=token.group(1), password="a reset passphrase")
    assert session.user["email"] == email


def test_retention_deletion_of_an_org_and_of_an_account(api: httpx.Client, org: SdkOrg) -> None:
    from grounded import ConflictError

    owner = sign_up(api)
    with Grounded(api_key=owner.token, base_url=org.url) as user:
        updated = user.org.update(retention_days=30)
        assert updated.retention_days == 30
        assert updated.retention_job_id
        assert user.jobs.wait(updated.retention_job_id).status == "succeeded"
        assert user.org.update(retention_days=None).retention_days is None
        assert user.org.get().slug == owner.org["slug"]

        with pytest.raises(ConflictError):
            user.auth.delete_account(password=PASSWORD)  # the last OWNER of the org
        job = user.org.delete(confirm=owner.org["slug"])
        assert job.type == "org.delete"
        user.auth.delete_account(password=PASSWORD)
        with pytest.raises(AuthenticationError) as gone:
            user.org.get()
        assert gone.value.code == "account_gone"
