"""Malformed, oversize and strange request bodies get clear 4xx answers with a code."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from sync.server.errors import ConfigError
from tests.sync.server.conftest import World


def _push_raw(world: World, body: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return world.client.post(
        "/v1/sync/push",
        content=body,
        headers=world.accounts["fw_a"].headers | {"Content-Type": "application/json"} | headers,
    )


def test_malformed_json_is_a_400(world: World) -> None:
    response = _push_raw(world, b'{"mutations": [')
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"
    login = world.client.post(
        "/v1/auth/login", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert login.status_code == 400 and login.json()["code"] == "malformed_json"


def test_schema_violations_are_a_422_without_echoing_input(world: World) -> None:
    response = _push_raw(
        world, json.dumps({"mutations": [{"mutation_id": "secret-looking-value"}]}).encode()
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["message_en"] and body["message_zh"]
    assert "secret-looking-value" not in response.text


def test_oversize_push_bodies_are_a_413(world: World) -> None:
    big = b'{"mutations": [' + b" " * 1_100_000 + b"]}"
    response = _push_raw(world, big)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    # A small gzip that inflates past the limit (a zip bomb) is refused the same way.
    bomb = gzip.compress(b'{"mutations": [' + b" " * 5_000_000 + b"]}")
    assert len(bomb) < 100_000
    response = _push_raw(world, bomb, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413


def test_more_than_200_mutations_is_refused_with_its_own_code(world: World) -> None:
    mutations = [
        world.mutation("fw_a", "household", world.ids["H1"], {"note": str(i)}, base_version=1)
        for i in range(201)
    ]
    response = _push_raw(world, json.dumps({"mutations": mutations}).encode())
    assert response.status_code == 422 and response.json()["code"] == "payload_too_large"


def test_unknown_encoding_and_corrupt_gzip(world: World) -> None:
    assert _push_raw(world, b"{}", **{"Content-Encoding": "br"}).status_code == 415
    corrupt = _push_raw(world, b"\x1f\x8b\x08\x00garbage", **{"Content-Encoding": "gzip"})
    assert corrupt.status_code == 400


def test_any_endpoint_refuses_bodies_over_the_global_limit(world: World) -> None:
    response = world.client.post(
        "/v1/auth/login",
        content=b"x" * (6 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_unknown_routes_and_schema_header(world: World) -> None:
    missing = world.client.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    too_old = world.client.get(
        "/v1/sync/pull",
        params={"bucket": "grid:G1"},
        headers=world.accounts["fw_a"].headers | {"X-Jiafang-Schema-Version": "0"},
    )
    assert too_old.status_code == 400 and too_old.json()["code"] == "schema_unsupported"
    too_new = world.client.get(
        "/v1/sync/pull",
        params={"bucket": "grid:G1"},
        headers=world.accounts["fw_a"].headers | {"X-Jiafang-Schema-Version": "99"},
    )
    assert too_new.status_code == 400 and too_new.json()["code"] == "schema_too_new"


def test_requests_over_the_concurrency_limit_wait_their_turn_instead_of_failing() -> None:
    import asyncio

    from starlette.types import Message, Receive, Scope, Send

    from sync.server.bodies import ConcurrencyLimitMiddleware

    running = 0
    most = 0
    answered: list[int] = []

    async def slow_app(scope: Scope, _receive: Receive, send: Send) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.02)
        running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        answered.append(scope["n"])

    limited = ConcurrencyLimitMiddleware(slow_app, limit=2)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(_message: Message) -> None:
        return None

    async def burst() -> None:
        await asyncio.gather(*(limited({"type": "http", "n": n}, receive, send) for n in range(7)))

    asyncio.run(burst())
    assert most == 2
    assert sorted(answered) == list(range(7))


def test_the_limit_is_the_setting_within_the_postgresql_pool(tmp_path: Path) -> None:
    from sync.server.config import DEFAULT_ACTIVE_REQUESTS, load_settings
    from sync.server.db import PG_POOL_OVERFLOW, PG_POOL_SIZE, make_engine, request_concurrency

    # Engines connect lazily: building one touches no database.
    postgres = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert request_concurrency(postgres, 3) == 3
    assert request_concurrency(postgres, 500) == PG_POOL_SIZE + PG_POOL_OVERFLOW
    assert postgres.pool.size() == PG_POOL_SIZE  # type: ignore[attr-defined]
    assert request_concurrency(make_engine("sqlite://"), 3) is None
    key = {"JIAFANG_SERVER_MASTER_KEY": base64.b64encode(bytes(32)).decode()}
    assert load_settings(tmp_path, env=key).active_requests == DEFAULT_ACTIVE_REQUESTS
    assert load_settings(tmp_path, env={**key, "JIAFANG_ACTIVE_REQUESTS": "5"}).active_requests == 5
    assert load_settings(tmp_path, env=key, active_requests=2).active_requests == 2
    for bad in ("0", "21", "many"):
        with pytest.raises(ConfigError) as refused:
            load_settings(tmp_path, env={**key, "JIAFANG_ACTIVE_REQUESTS": bad})
        assert "1 to 20" in refused.value.message_en


def test_the_command_line_refuses_a_bad_number_of_requests(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sync.server.__main__ import main

    with pytest.raises(SystemExit) as stopped:
        main(["--active-requests", "0"])
    assert stopped.value.code == 2
    assert "1 to 20" in capsys.readouterr().err


def test_a_misspelt_query_parameter_is_refused_not_ignored(world: World) -> None:
    headers = world.accounts["fw_a"].headers
    # `sinse` instead of `since`: ignoring it would quietly pull from the start.
    response = world.client.get(
        "/v1/sync/pull", params={"bucket": "grid:G1", "sinse": 5}, headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert body["detail"]["unknown_parameters"] == ["sinse"]
    # The declared spelling still works.
    good = world.client.get(
        "/v1/sync/pull", params={"bucket": "grid:G1", "since": 0}, headers=headers
    )
    assert good.status_code == 200, good.text
