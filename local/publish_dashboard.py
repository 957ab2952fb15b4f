"""Upload the built dashboard (``web/dist``) to a deployed stack and make CloudFront serve it:
hashed assets with ``Cache-Control: max-age=31536000, immutable``, ``index.html`` (and any other
unhashed file) with ``no-store``; files the new build no longer has are removed; then
``/index.html`` is invalidated. Run by ``make deploy`` after ``sam deploy``.

    python -m local.publish_dashboard --stack grounded [--region eu-west-1]
"""

from __future__ import annotations

import argparse
import mimetypes
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
IMMUTABLE = "public, max-age=31536000, immutable"
NEVER = "no-store"


def stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    described = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
    return {output["OutputKey"]: output["OutputValue"] for output in described["Stacks"][0].get("Outputs", [])}


def publish(dist: Path, bucket: str, distribution: str, region: str | None) -> int:
    if not (dist / "index.html").exists():
        raise SystemExit(f"{dist} has no index.html: run `make web-build` first")
    s3 = boto3.client("s3", region_name=region)
    files = sorted(path for path in dist.rglob("*") if path.is_file())
    keys = set()
    for path in sorted(files, key=lambda p: p.name == "index.html"):  # index.html last: assets first
        key = path.relative_to(dist).as_posix()
        keys.add(key)
        cache = IMMUTABLE if key.startswith("assets/") else NEVER
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"CacheControl": cache, "ContentType": content_type})
    stale = [
        {"Key": item["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
        if item["Key"] not in keys
    ]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[start : start + 1000]})
    boto3.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/index.html"]}, "CallerReference": str(time.time())},
    )
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region")
    parser.add_argument("--dist", type=Path, default=ROOT / "web" / "dist")
    args = parser.parse_args()
    outputs = stack_outputs(args.stack, args.region)
    count = publish(args.dist, outputs["DashboardBucketName"], outputs["DashboardDistributionId"], args.region)
    print(f"{count} files published; the dashboard: {outputs['DashboardUrl']}")


if __name__ == "__main__":
    main()
