"""Org slugs at sign-up: a chosen slug is the user's to keep, a derived one is ours to adjust until it is free."""

from __future__ import annotations

from grounded_core.identity.accounts import SLUG_ATTEMPTS, SignUp, check_slug, slug_candidates

SIGN_UP = {"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"}


def test_a_chosen_slug_is_tried_once_and_never_adjusted() -> None:
    request = SignUp.model_validate({**SIGN_UP, "orgName": "Acme", "orgSlug": "acme-hq"})

    assert list(slug_candidates(request)) == ["acme-hq"]


def test_a_derived_slug_is_tried_plain_then_with_distinct_valid_random_suffixes() -> None:
    request = SignUp.model_validate({**SIGN_UP, "orgName": "Acme Agents"})

    candidates = list(slug_candidates(request))

    assert candidates[0] == "acme-agents"
    assert len(candidates) == SLUG_ATTEMPTS
    assert len(set(candidates)) == SLUG_ATTEMPTS
    assert all(c.startswith("acme-agents-") and len(c) == len("acme-agents-") + 6 for c in candidates[1:])
    assert all(check_slug(c) for c in candidates)


def test_a_long_derived_slug_stays_within_the_slug_limit_with_its_suffix() -> None:
    request = SignUp.model_validate({**SIGN_UP, "orgName": "A" * 200})

    assert all(len(check_slug(c)) <= 40 for c in slug_candidates(request))
