"""The schemathesis cases of test_schemathesis.py against a server on PostgreSQL (a database of
its own, created when this module is collected and dropped at exit). Skipped, with the reason,
only when no PostgreSQL is reachable."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import schemathesis
from fastapi.testclient import TestClient

from sync.server.app import create_app
from tests.sync.conftest import PG_ADMIN_DSN
from tests.sync.server.conftest import World, make_settings, seed_world
from tests.sync.server.test_schemathesis import CASE_SETTINGS, check_case

pytestmark = pytest.mark.postgres


def _database() -> tuple[str | None, str]:
    """(URL of a fresh database, why not) for this module."""
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        return None, f"PostgreSQL unreachable at {PG_ADMIN_DSN}: {exc}"
    name = f"jiafang_schemathesis_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as again:
            again.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return PG_ADMIN_DSN.rpartition("/")[0] + f"/{name}", ""


_URL, _WHY_NOT = _database()

if _URL is None:

    def test_every_operation_meets_its_description_on_postgresql() -> None:
        pytest.skip(_WHY_NOT)

else:
    _DIRECTORY = Path(tempfile.mkdtemp(prefix="jiafang-schemathesis-pg-"))
    atexit.register(shutil.rmtree, _DIRECTORY, ignore_errors=True)
    _APP = create_app(make_settings(_DIRECTORY, _URL))
    atexit.register(_APP.state.context.engine.dispose)
    schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)

    @pytest.fixture(scope="module")
    def pg_world() -> Iterator[World]:
        with TestClient(_APP) as client:
            yield seed_world(_APP, client)

    @schema.parametrize()
    @CASE_SETTINGS
    def test_every_operation_meets_its_description_on_postgresql(
        case: schemathesis.Case, pg_world: World
    ) -> None:
        check_case(case, pg_world)
