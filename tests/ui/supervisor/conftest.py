"""Two accounts on the real server (a field worker and the street's supervisor), each with its
own profile, unlocked session and sync engine, as the app would hold them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService, AccountSession
from sync.client.engine import SyncEngine
from sync.client.supervisor import SupervisorApi
from tests.sync.e2e.harness import PASSWORD, LiveServer
from ui.app import server_registration
from ui.jobs import JobRunner
from ui.sync_controller import default_engine_factory


@dataclass
class Account:
    session: AccountSession
    engine: SyncEngine

    @property
    def api(self) -> SupervisorApi:
        return SupervisorApi.for_engine(self.engine)

    def sync(self) -> None:
        report = self.engine.run_once()
        assert report.ok, report.as_dict()


@pytest.fixture
def accounts(server: LiveServer, tmp_path: Path) -> Iterator[dict[str, Account]]:
    made: dict[str, Account] = {}

    def register(user: str) -> Account:
        service = AccountService(
            ProfileDirectory(tmp_path / f"profiles-{user}"),
            register=server_registration,
            kdf=KdfParams.for_tests(),
        )
        session = service.register(server.url, user, PASSWORD)
        engine = default_engine_factory(session, PASSWORD, session.initial_tokens)
        return Account(session, engine)

    for user in ("fw1", "sup", "con"):
        made[user] = register(user)
    yield made
    for account in made.values():
        account.engine.close()
        account.session.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[JobRunner]:
    jobs = JobRunner()
    yield jobs
    jobs.shutdown()
