"""Bulky free text kept compressed in its item. DynamoDB bills a write by the item's size in whole
kilobytes (twice in a transaction, once more per index that projects it), so a trace's prompts,
answers and spans, or a session's conversation turns, cost less compressed: prose deflates to
about half. An entity names its bulky fields (``StoredModel.packed_fields``); :func:`pack` puts
them in one binary attribute when that is smaller, and the table module unpacks every item it
reads, so nothing above it sees the difference.

A packed field cannot be named in a projection, a filter or an update expression: pack only
fields that are written whole and read whole.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from typing import Any

#: the attribute holding the packed fields: a format byte, then the JSON object deflated
PACKED = "packed"
#: below this many bytes of JSON the fields stay as they are (packing would save nothing)
WORTH_PACKING = 256


def pack(item: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``item`` with ``fields`` moved into :data:`PACKED` when that makes it smaller; else as is.
    Values JSON cannot hold exactly (NaN, Infinity) leave the item as is."""
    chosen = {field: item[field] for field in fields if item.get(field) is not None}
    if not chosen:
        return item
    try:
        text = json.dumps(chosen, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError):
        return item
    if len(text) < WORTH_PACKING:
        return item
    deflated = _deflate(text)
    if len(deflated) + len(PACKED) >= len(text):
        return item
    return {**{key: value for key, value in item.items() if key not in chosen}, PACKED: deflated}


def unpack(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its packed fields back in place (an item without any is returned as is)."""
    blob = item.get(PACKED)
    if blob is None:
        return item
    fields = json.loads(_inflate(bytes(blob)))  # bytes (or boto3's ``Binary``, which converts)
    return {**{key: value for key, value in item.items() if key != PACKED}, **fields}


#: Format 1: raw deflate (no zlib header or checksum: DynamoDB keeps the bytes intact) primed
#: with the JSON that every trace and turn repeats — span and turn field names and common values —
#: which a few hundred bytes of JSON cannot amortize on their own. Never change it: a new
#: dictionary is a new format byte, and every format stays readable.
FORMAT = 1
DICTIONARIES = {
    1: json.dumps(
        {
            "spans": [
                {
                    "id": "",
                    "parentId": "",
                    "kind": "llm",
                    "name": "",
                    "startedAt": "",
                    "endedAt": "",
                    "status": "ok",
                    "model": "gpt-4o",
                    "usage": {
                        "inputTokens": 0,
                        "outputTokens": 0,
                        "cacheReadTokens": 0,
                        "cacheWriteTokens": 0,
                        "reasoningTokens": 0,
                    },
                    "input": {"messages": [{"role": "system", "content": ""}]},
                    "output": {},
                    "attributes": {},
                    "error": "",
                    "costUsd": 0,
                },
                {"kind": "tool", "status": "error"},
            ],
            "turns": [
                {"id": "", "role": "user", "content": "", "timestamp": "", "traceId": "trc_", "truncated": False},
                {"role": "assistant", "toolCalls": [{"name": "", "input": None}]},
            ],
            "metadata": {},
            "tags": [],
            "correlationKeys": {},
            "resource": {"snapshotId": "snp_"},
        },
        separators=(",", ":"),
    ).encode(),
}


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=DICTIONARIES[FORMAT])
    return bytes([FORMAT]) + compressor.compress(data) + compressor.flush()


def _inflate(blob: bytes) -> bytes:
    version, body = blob[0], blob[1:]
    if version not in DICTIONARIES:
        raise ValueError(f"packed fields in an unknown format {version}")
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS, zdict=DICTIONARIES[version])
    return decompressor.decompress(body) + decompressor.flush()
