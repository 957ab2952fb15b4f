"""The test process plays a fresh Lambda container once the local cloud has set the functions'
environment: anything the core cached from the environment before then (settings, AWS clients,
the signing key) is dropped, as a new container would never have had it."""

from __future__ import annotations


def fresh_container() -> None:
    from grounded_core import adapters, aws
    from grounded_core.settings import get_settings

    for cached in (get_settings, aws.client, aws._client_config, aws._session, adapters.jwt_signing_key):
        cached.cache_clear()
