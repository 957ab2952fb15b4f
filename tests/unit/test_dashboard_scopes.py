"""The dashboard offers exactly the API's key scopes (the contract has no enum to generate from)."""

from __future__ import annotations

import re
from pathlib import Path

from grounded_core.identity.principal import ALL_SCOPES

PAGE = Path(__file__).resolve().parents[2] / "web" / "src" / "pages" / "Org.tsx"


def test_the_key_form_offers_every_scope_and_no_other() -> None:
    declared = re.search(r"const SCOPES = \[(.*?)\];", PAGE.read_text(), re.S)
    assert declared, "Org.tsx declares SCOPES"
    assert set(re.findall(r'"([^"]+)"', declared.group(1))) == set(ALL_SCOPES)
