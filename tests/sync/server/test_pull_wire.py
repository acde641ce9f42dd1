"""A pull page written by hand (content spliced in as sealed) reads exactly like the model."""

from __future__ import annotations

import json
import math
from typing import Any

from sync.protocol import PullPage, Record, RemovedRecord
from sync.server.crypto import canonical_json, sealable_json
from sync.server.records import PulledPage

CONTENT: dict[str, Any] = {
    "members": [{"name": "张三", "note": 'tab\t"quoted"\n\\', "income": "1180.50"}],
    "assets": {"car": False, "area": 62.5, "rooms": 2},
    "empty": {},
    "nothing": None,
}


def header(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "entity": "visit",
        "id": f"v{n}",
        "version": n + 1,
        "seq": 100 + n,
        "household_id": "h1" if n else None,
        "grid_id": "G1",
        "deleted": False,
        "meta": {"status": "synced", "visit_date": "2026-12-06"},
    } | extra


def test_the_spliced_page_parses_to_the_same_page_as_the_model() -> None:
    page = PulledPage(
        bucket="grid:G1",
        records=[
            (header(0), sealable_json(CONTENT)),
            (header(1), canonical_json(CONTENT)),  # sealed before orjson: same JSON
            (header(2, deleted=True), b"{}"),
        ],
        removed=[RemovedRecord(entity="member", id="m1", seq=99)],
        next_since=102,
        has_more=True,
    )
    expected = PullPage(
        bucket="grid:G1",
        records=[
            Record(**header(0), data=CONTENT),
            Record(**header(1), data=CONTENT),
            Record(**header(2, deleted=True), data={}),
        ],
        removed=[RemovedRecord(entity="member", id="m1", seq=99)],
        next_since=102,
        has_more=True,
    )
    assert PullPage.model_validate_json(page.to_json()) == expected
    assert json.loads(page.to_json()) == json.loads(expected.model_dump_json())
    assert page.households_with_content == ["h1"]


def test_content_sealed_with_nan_goes_out_as_strict_json() -> None:
    # The standard encoder (used for sealing before orjson) wrote NaN, which is not JSON.
    legacy = json.dumps({"area": math.nan, "label": "NaN is a word", "n": [math.inf]}).encode()
    page = PulledPage("grid:G1", [(header(0), legacy)], [], 100, False)
    wire = page.to_json()
    assert b"NaN," not in wire and b"Infinity" not in wire
    record = PullPage.model_validate_json(wire).records[0]
    assert record.data == {"area": None, "label": "NaN is a word", "n": [None]}
    assert json.loads(sealable_json({"x": math.nan})) == {"x": None}
