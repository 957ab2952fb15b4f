"""``make deploy``'s last step: the dashboard's files go to the bucket with the right caching,
stale files go away, and index.html is invalidated (against moto's S3 and CloudFront)."""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from local.publish_dashboard import IMMUTABLE, NEVER, publish


def distribution() -> str:
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [{"Id": "o", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}],
        },
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0},
    }
    return str(boto3.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"])


@mock_aws
def test_assets_are_immutable_index_is_never_cached_and_stale_files_go(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="dashboard")
    s3.put_object(Bucket="dashboard", Key="assets/index-old.js", Body=b"old")
    cdn = distribution()

    assert publish(tmp_path, "dashboard", cdn, "us-east-1") == 2

    index = s3.head_object(Bucket="dashboard", Key="index.html")
    asset = s3.head_object(Bucket="dashboard", Key="assets/index-abc123.js")
    assert (index["CacheControl"], index["ContentType"]) == (NEVER, "text/html")
    assert asset["CacheControl"] == IMMUTABLE
    assert "javascript" in asset["ContentType"]
    assert [item["Key"] for item in s3.list_objects_v2(Bucket="dashboard")["Contents"]] == [
        "assets/index-abc123.js",
        "index.html",
    ]
    invalidations = boto3.client("cloudfront").list_invalidations(DistributionId=cdn)["InvalidationList"]
    assert invalidations["Quantity"] == 1
