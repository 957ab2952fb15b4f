"""botocore's endpoint data for the services the core calls, written next to the core so that a
cold start reads ~34 KB of it instead of botocore's 1.2 MB (grounded_core/aws.py).

    python -m local.aws_endpoints          # write shared/grounded_core/aws_endpoints.json
    python -m local.aws_endpoints --check  # exit 1 if it is not what the installed botocore gives

Every partition is kept whole but for its services: only those of ``aws.SERVICES`` stay, each as
botocore has it. The file names the botocore version it was made from; the core uses it only
with that version (and botocore's own data with any other), so a botocore upgrade never makes a
client from stale data — run this again after one (``make aws-endpoints``; a unit test checks).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from grounded_core.aws import ENDPOINTS_FILE, SERVICES  # noqa: E402


def endpoints() -> dict[str, Any]:
    """The file's content, from the installed botocore."""
    import botocore
    from botocore.loaders import Loader

    loader = Loader()
    prefixes = {loader.load_service_model(name, "service-2")["metadata"]["endpointPrefix"] for name in SERVICES}
    data = loader.load_data("endpoints")
    partitions = [
        {**partition, "services": {name: spec for name, spec in partition["services"].items() if name in prefixes}}
        for partition in data["partitions"]
    ]
    return {"botocoreVersion": botocore.__version__, "endpoints": {**data, "partitions": partitions}}


def rendered() -> str:
    return json.dumps(endpoints(), sort_keys=True, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args()
    text = rendered()
    if args.check:
        if not ENDPOINTS_FILE.exists() or ENDPOINTS_FILE.read_text() != text:
            sys.exit(f"{ENDPOINTS_FILE.relative_to(ROOT)} is out of date: run make aws-endpoints")
        return
    ENDPOINTS_FILE.write_text(text)
    print(f"wrote {ENDPOINTS_FILE.relative_to(ROOT)} ({len(text):,} bytes)")


if __name__ == "__main__":
    main()
