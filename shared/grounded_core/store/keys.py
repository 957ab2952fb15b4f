"""Every key prefix of the single table, in one place (see the data model). Keys that hold tenant
data start with the org id, which always comes from the caller's principal, never from input.
"""

from __future__ import annotations


def org(org_id: str) -> str:
    return f"ORG#{org_id}"


ORG_SK = "ORG"
ORG_PREFIX = "ORG#"


def slug(value: str) -> str:
    return f"SLUG#{value}"


SLUG_SK = "SLUG"


def user(user_id: str) -> str:
    return f"USER#{user_id}"


USER_SK = "USER"


def email(address: str) -> str:
    return f"EMAIL#{address.strip().lower()}"


EMAIL_SK = "EMAIL"


def member(user_id: str) -> str:
    return f"MEMBER#{user_id}"


MEMBER_PREFIX = "MEMBER#"


def invite(token_hash: str) -> str:
    return f"INVITE#{token_hash}"


INVITE_SK = "INVITE"
INVITE_PREFIX = "INVITE#"


def api_key(key_hash: str) -> str:
    return f"KEY#{key_hash}"


API_KEY_SK = "KEY"
API_KEY_PREFIX = "KEY#"


def agent(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


AGENT_PREFIX = "AGENT#"


def agent_partition(org_id: str, agent_id: str) -> str:
    """Partition for an agent's own collections (snapshots, drift reports, markers)."""
    return f"ORG#{org_id}#AGENT#{agent_id}"


def snapshot_sort(created_at: str, snapshot_id: str) -> str:
    return f"SNAP#{created_at}#{snapshot_id}"


SNAPSHOT_PREFIX = "SNAP#"


def snapshot_ref(snapshot_id: str) -> str:
    return f"SNAP#{snapshot_id}"
