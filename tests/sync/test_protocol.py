"""Wire schemas: shapes of notes/sync_records.md, field split, checksum, version window."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync import protocol
from sync.protocol import (
    MAX_PUSH_MUTATIONS,
    Mutation,
    MutationStatus,
    PushRequest,
    Record,
    bucket_checksum,
    split_fields,
)


def _mutation(i: int = 0) -> dict[str, object]:
    return {
        "mutation_id": f"0190aaaa-0000-7000-8000-{i:012d}",
        "device_id": "dev-1",
        "entity": "visit",
        "entity_id": "0190bbbb-0000-7000-8000-000000000001",
        "household_id": "0190cccc-0000-7000-8000-000000000001",
        "base_version": 0,
        "op": "upsert",
        "changed": {"status": "draft", "housing_conditions": "two rooms"},
        "hlc": "000001890a1b2c3d:0001:dev-1",
        "schema_version": protocol.SCHEMA_VERSION,
    }


def test_record_json_of_the_notes_parses() -> None:
    record = Record.model_validate_json(
        '{"entity": "household", "id": "0190", "version": 7, "seq": 123456,'
        ' "household_id": "0190", "grid_id": "g-1", "deleted": false,'
        ' "meta": {"status": "active", "next_review": "2026-05-01"},'
        ' "data": {"head_name": "x"}}'
    )
    assert record.version == 7
    assert record.meta["status"] == "active"


def test_mutation_round_trips_and_rejects_unknown_keys() -> None:
    mutation = Mutation.model_validate(_mutation())
    assert Mutation.model_validate_json(mutation.model_dump_json()) == mutation
    bad = _mutation() | {"surprise": 1}
    with pytest.raises(ValidationError):
        Mutation.model_validate(bad)


def test_push_batch_is_limited_to_200_mutations() -> None:
    PushRequest.model_validate({"mutations": [_mutation(i) for i in range(MAX_PUSH_MUTATIONS)]})
    with pytest.raises(ValidationError):
        PushRequest.model_validate(
            {"mutations": [_mutation(i) for i in range(MAX_PUSH_MUTATIONS + 1)]}
        )


def test_sensitive_fields_default_to_data() -> None:
    meta, data = split_fields(
        "member", {"status": "active", "name": "x", "id_number": "y", "brand_new_field": 1}
    )
    assert meta == {"status": "active"}
    assert set(data) == {"name", "id_number", "brand_new_field"}
    meta, data = split_fields("household", {"next_review": "2026-01-01", "head_name": "x"})
    assert meta == {"next_review": "2026-01-01"} and data == {"head_name": "x"}


def test_checksum_is_order_independent_and_sees_versions() -> None:
    a = [("household", "h1", 1), ("member", "m1", 2)]
    assert bucket_checksum(a) == bucket_checksum(list(reversed(a)))
    count, digest = bucket_checksum(a)
    assert count == 2
    assert bucket_checksum([("household", "h1", 1), ("member", "m1", 3)])[1] != digest
    assert bucket_checksum([])[0] == 0


def test_schema_window_holds_current_version() -> None:
    assert protocol.SCHEMA_VERSION in protocol.SUPPORTED_SCHEMA_VERSIONS
    assert max(protocol.SUPPORTED_SCHEMA_VERSIONS) == protocol.SCHEMA_VERSION
    assert len(protocol.SUPPORTED_SCHEMA_VERSIONS) <= 3
    assert MutationStatus("duplicate") is MutationStatus.DUPLICATE


@pytest.mark.parametrize("bad", [True, "3", 1.5, -1])
def test_versions_are_json_integers(bad: object) -> None:
    with pytest.raises(ValidationError):
        Mutation.model_validate(_mutation() | {"base_version": bad})
    assert Mutation.model_validate(_mutation() | {"base_version": 3.0}).base_version == 3
