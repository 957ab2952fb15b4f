"""How a stored secret is shown: never whole. A connector's credential comes back as a hint
(``••••1234``), an eval run's target headers as the mask alone. Imports nothing: the eval steps
mask headers without loading the connectors' models."""

from __future__ import annotations

#: What a masked secret looks like in responses.
MASK = "••••"


def mask(secret: str) -> str:
    """``••••1234``; a short secret shows nothing of itself."""
    return MASK + secret[-4:] if len(secret) >= 12 else MASK
