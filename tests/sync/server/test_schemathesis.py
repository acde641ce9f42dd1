"""schemathesis against the server's own OpenAPI description: every operation, every built-in
check, bounded examples (so the module runs well under two minutes in CI). Requests carry an
admin's token so the checks reach past authentication; a second pass sends none. This module runs
on SQLite; test_schemathesis_postgres.py runs the same cases on PostgreSQL."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from sync.server.app import create_app
from tests.sync.server.conftest import PASSWORD, World, make_settings, seed_world

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())
#: Examples per operation: enough to vary every parameter, small enough for CI.
MAX_EXAMPLES = 8
#: Operations that end the caller's session: each of their cases signs in afresh, so the token
#: the other cases use stays valid.
SESSION_ENDING = {("POST", "/v1/auth/logout")}
# The server under test exists from import time on, because schemathesis reads the schema (and
# binds every case and every check's follow-up probe to the app) when the module is collected.
_DIRECTORY = Path(tempfile.mkdtemp(prefix="jiafang-schemathesis-"))
_APP = create_app(make_settings(_DIRECTORY, f"sqlite:///{_DIRECTORY / 'server.sqlite3'}"))
# Collected but not run (deselected): still leave no database behind.
atexit.register(shutil.rmtree, _DIRECTORY, ignore_errors=True)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.fixture(scope="module")
def api_world() -> Iterator[World]:
    try:
        with TestClient(_APP) as client:
            yield seed_world(_APP, client)
    finally:
        _APP.state.context.engine.dispose()
        shutil.rmtree(_DIRECTORY, ignore_errors=True)


#: Bounded, reproducible cases (shared by the PostgreSQL module).
CASE_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@CASE_SETTINGS
def test_every_operation_meets_its_description(case: schemathesis.Case, api_world: World) -> None:
    check_case(case, api_world)


def check_case(case: schemathesis.Case, world: World) -> None:
    """One generated case with every check, signed in as the admin (also used on PostgreSQL)."""
    operation = (case.operation.method.upper(), case.operation.path)
    headers = world.accounts["admin"].headers
    if operation in SESSION_ENDING:
        login = world.client.post(
            "/v1/auth/login",
            json={
                "username": "admin",
                "password": PASSWORD,
                "device_id": world.accounts["admin"].device_id,
            },
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    case.call_and_validate(headers=headers, checks=ALL_CHECKS)


def test_openapi_lists_the_workflow_operations(api_world: World) -> None:
    paths = api_world.client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/tasks",
        "/v1/tasks/{task_id}/close",
        "/v1/tasks/{task_id}/split",
        "/v1/spot-checks",
        "/v1/reviews/queue",
        "/v1/visits/{visit_id}/reviews",
        "/v1/eligibility-flags",
        "/v1/clues",
        "/v1/clues/{clue_id}/close",
    ):
        assert path in paths, path


def test_malformed_and_oversize_bodies_get_clear_4xx(api_world: World) -> None:
    client, headers = api_world.client, api_world.accounts["sup_1"].headers
    broken = client.post(
        "/v1/tasks",
        content=b'{"kind": "periodic_review", "household_ids": [',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["code"] == "malformed_json"
    wrong_shape = client.post("/v1/clues", json={"id_number": 42}, headers=headers)
    assert wrong_shape.status_code == 422 and wrong_shape.json()["code"] == "invalid_request"
    limit = api_world.context.settings.max_request_bytes
    huge = client.post(
        "/v1/visits/x/reviews",
        content=b'{"decision": "approved", "note": "' + b"x" * (limit + 10) + b'"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413 and huge.json()["code"] == "payload_too_large"
    assert "message_zh" in huge.json() and "message_en" in huge.json()
    # An attachment whose bytes do not hash to its name is refused when the upload completes.
    data = b"not the photo you named"
    claimed = hashlib.sha256(b"another photo").hexdigest()
    wrong = client.put(
        f"/v1/attachments/{claimed}",
        params={"offset": 0, "size": len(data)},
        content=data,
        headers={**headers, "Content-Type": "application/octet-stream"},
    )
    assert 400 <= wrong.status_code < 500
    assert wrong.json()["code"] == "checksum_mismatch"


def _concrete(path: str) -> str:
    """A path with each parameter filled by a well-formed value (a hash for `{sha256}`)."""
    import re

    def value(match: re.Match[str]) -> str:
        return "ab" * 32 if match.group(1) == "sha256" else "0190c2a4-9b1e-7c3d-8e2f-0123456789ab"

    return re.sub(r"\{(\w+)\}", value, path)


def test_every_secured_operation_refuses_a_request_without_a_token(api_world: World) -> None:
    """The second pass: no token at all. Every operation the description marks as secured
    answers 401 with the error body, before it looks at parameters or body."""
    paths = api_world.client.get("/openapi.json").json()["paths"]
    secured = [
        (method.upper(), path)
        for path, item in paths.items()
        for method, operation in item.items()
        if operation.get("security")
    ]
    assert len(secured) > 20
    for method, path in secured:
        response = api_world.client.request(
            method, _concrete(path), json={} if method in ("POST", "PUT", "PATCH") else None
        )
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert response.json()["code"] == "unauthenticated", (method, path)
