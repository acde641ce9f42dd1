"""Server logs carry no personal data, and production logs are one JSON object per line."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from sync.server.logs import JsonLogFormatter
from tests.sync.server.conftest import (
    MARKER_ID,
    MARKER_NAME,
    PASSWORD,
    World,
    household_fields,
    member_fields,
)
from tests.sync.server.test_at_rest import _make_traffic


def test_a_days_traffic_logs_no_name_id_number_password_or_token(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _make_traffic(world)
    # Refusals and failures log too: a wrong password, a malformed ID number, a bad token.
    wrong = world.client.post(
        "/v1/auth/login",
        json={"username": "fw_a", "password": f"{PASSWORD}-{MARKER_NAME}", "device_id": "x"},
    )
    assert wrong.status_code in (401, 403)
    household, member = str(uuid.uuid4()), str(uuid.uuid4())
    bad_id = MARKER_ID[:-2] + "00"  # wrong check digit
    world.push(
        "fw_a",
        [
            world.mutation("fw_a", "household", household, household_fields("G1", MARKER_NAME, 9)),
            world.mutation("fw_a", "member", member, member_fields(household, MARKER_NAME, bad_id)),
        ],
    )
    world.client.get("/v1/sync/buckets", headers={"Authorization": "Bearer not-a-real-token"})
    tokens = [a.access_token for a in world.accounts.values() if a.access_token]
    assert caplog.records, "the traffic above logs something"
    formatter = JsonLogFormatter()
    text = "\n".join(formatter.format(r) for r in caplog.records) + "\n".join(caplog.messages)
    for secret in (MARKER_NAME, MARKER_ID, bad_id, PASSWORD, *tokens):
        assert secret not in text


def test_json_lines_name_the_exception_type_not_its_message() -> None:
    try:
        raise ValueError(f"could not parse {MARKER_ID}")
    except ValueError:
        record = logging.LogRecord(
            "sync.server", logging.ERROR, __file__, 1, "push failed: %s", ("bad_record",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    line = JsonLogFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "push failed: bad_record"
    assert entry["exception"] == "ValueError" and entry["level"] == "error"
    assert MARKER_ID not in line and "\n" not in line
