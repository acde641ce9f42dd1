"""JSON columns on PostgreSQL are written by orjson (`db.json_text`): what reads back is what the
standard library would have stored, and what it refuses is still refused."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from sync.server.db import json_text


@pytest.mark.parametrize(
    "value",
    [
        {"status": "completed", "grid_id": "g-1", "n": 3, "ok": True, "none": None},
        {"name": "张三", "quote": 'say "hi"\n', "nul": "a\x00b", "emoji": "🏠"},
        ["2025-06-02", 1.5, -0.0, 10**18, [], {}],
        {"big": 2**70},  # beyond orjson's integers: the standard library writes it
        {1: "non-string key"},  # likewise
    ],
)
def test_values_read_back_as_the_standard_library_wrote_them(value: Any) -> None:
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [date(2025, 6, 2), datetime.now(UTC), _Point(1), {1, 2}])
def test_what_the_standard_library_refuses_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json_text({"value": value})
