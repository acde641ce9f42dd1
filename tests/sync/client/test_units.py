"""Engine pieces that need no server: settings, backoff, batching, record mapping."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from app.errors import ValidationError
from app.models.views import OutboxEntry
from sync.client.config import ClientConfig
from sync.client.engine import SyncEngine, _to_store_shape
from sync.client.transport import Transport
from sync.protocol import MAX_PUSH_BYTES


def test_settings_refuse_a_plain_address_and_never_disable_tls() -> None:
    with pytest.raises(ValidationError):
        ClientConfig(server_url="sync.example.cn")
    assert ClientConfig(server_url="https://s.example.cn/").verify is True
    assert ClientConfig(server_url="https://s", ca_bundle="/etc/ca.pem").verify == "/etc/ca.pem"
    assert ClientConfig(server_url="https://s.example.cn/").server_url == "https://s.example.cn"
    with pytest.raises(ValidationError):
        ClientConfig(server_url="https://s", push_batch_mutations=500)
    with pytest.raises(ValidationError):
        ClientConfig(server_url="http://sync.example.cn")  # household data in clear
    assert ClientConfig(server_url="http://127.0.0.1:8443").server_url == "http://127.0.0.1:8443"
    assert ClientConfig(server_url="http://lab:8443", allow_plain_http=True).verify is True


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    config = ClientConfig(server_url="https://s", backoff_base_s=0.5, backoff_max_s=8.0)
    transport = Transport(config, rng=random.Random(7))
    for attempt, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [transport.backoff_delay(attempt) for _ in range(300)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8  # spread over the whole range, not fixed
        assert min(delays) < cap * 0.2
    transport.close()


def test_every_request_carries_explicit_timeouts_and_versions() -> None:
    config = ClientConfig(server_url="https://s", connect_timeout_s=3, read_timeout_s=20)
    transport = Transport(config)
    assert config.timeout == (3, 20)
    assert transport.session.headers["X-Jiafang-Schema-Version"] == "2"
    assert transport.session.verify is True and transport.session.trust_env is False
    transport.close()


def _entry(n: int, size: int) -> OutboxEntry:
    return OutboxEntry(
        mutation_id=f"m{n}",
        device_id="d",
        entity="visit",
        entity_id=f"v{n}",
        household_id="h",
        base_version=0,
        op="upsert",
        changed={"housing_conditions": "x" * size},
        hlc=f"{n:016x}:0000:d",
        schema_version=1,
        created_at=datetime.now(UTC),
    )


def _engine_shell(config: ClientConfig) -> SyncEngine:
    shell = SyncEngine.__new__(SyncEngine)
    shell.config = config
    shell._rebase = {}
    return shell


def test_batches_stay_under_200_mutations_and_one_megabyte() -> None:
    engine = _engine_shell(ClientConfig(server_url="https://s"))
    pending = [_entry(n, 30_000) for n in range(100)] + [_entry(n, 10) for n in range(100, 600)]
    batches = []
    while pending:
        batch = engine._take_batch(pending)
        batches.append(batch)
        pending = [e for e in pending if e not in batch]
    assert sum(len(b) for b in batches) == 600
    assert all(len(b) <= 200 for b in batches)
    wire = [json.dumps({"mutations": [e.to_wire() for e in b]}) for b in batches]
    assert all(len(w) <= MAX_PUSH_BYTES for w in wire)
    assert len(batches[0]) < 40  # the big ones are cut by size, not by count


def test_later_edits_of_a_record_wait_and_are_rebased_on_the_version_they_follow() -> None:
    engine = _engine_shell(ClientConfig(server_url="https://s"))
    create, complete, other = _entry(1, 5), _entry(2, 5), _entry(3, 5)
    complete = OutboxEntry(**{**complete.__dict__, "entity_id": create.entity_id})
    first = engine._take_batch([create, complete, other])
    assert first == [create, other]  # one mutation per record and batch
    engine._note_result(create, 0, 1)  # applied as version 1: nothing came between
    assert engine._wire(complete)["base_version"] == 1
    engine._note_result(complete, 1, 5)  # others edited meanwhile: no more shortcuts
    assert engine._wire(complete)["base_version"] == 0


def test_wire_records_map_onto_the_store_columns() -> None:
    conflict = _to_store_shape(
        {
            "entity": "conflict",
            "id": "c1",
            "household_id": "h1",
            "meta": {
                "status": "open",
                "subject_entity": "household",
                "subject_id": "h1",
                "fields": ["phone"],
                "mutation_id": "m1",
            },
            "data": {"clashes": {"phone": {"kept": "1", "other": "2"}}},
        }
    )
    assert conflict["meta"]["target_entity"] == "household"
    assert conflict["meta"]["target_id"] == "h1"
    assert conflict["data"]["fields"] == ["phone"]
    attachment = _to_store_shape(
        {
            "entity": "attachment",
            "id": "a1",
            "meta": {"kind": "photo", "sha256": "ab" * 32, "size": 200_000},
            "data": {"chunks": 4},
        }
    )
    assert attachment["meta"]["chunks"] == 4 and "chunks" not in attachment["data"]
    older = _to_store_shape(
        {"entity": "attachment", "id": "a2", "meta": {"attachment_kind": "sig", "size": 65537}}
    )
    assert older["meta"]["kind"] == "sig" and older["meta"]["chunks"] == 2
