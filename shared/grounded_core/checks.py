"""Checks on values clients send, shared by several parts of the core: plain functions on the
standard library, so a module that validates an email address or a URL imports nothing else (the
alerts worker need not load accounts and passwords to check a recipient)."""

from __future__ import annotations

import re
from ipaddress import ip_address
from urllib.parse import urlsplit

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    value = value.strip().lower()
    if not EMAIL.match(value) or len(value) > 254:
        raise ValueError("must be an email address")
    return value


def check_base_url(value: str | None, query: bool = False) -> str | None:
    """An http(s) URL without credentials or a fragment (or a query, unless ``query``: a
    webhook's may carry one); never a link-local host (cloud metadata)."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    if parts.username or parts.password or parts.fragment or (parts.query and not query):
        raise ValueError("must not carry credentials, a query or a fragment")
    try:
        if ip_address(parts.hostname).is_link_local:
            raise ValueError("must not point at a link-local address")
    except ValueError as error:
        if "link-local" in str(error):
            raise
    return value if query else value.rstrip("/")
