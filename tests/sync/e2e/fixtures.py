"""Fixtures (imported by the conftest of each sync client suite): a seeded live server per test
(subprocess on loopback) and laptops registered with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sync.e2e.harness import Laptop, LiveServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path)
    live.seed()
    live.start()
    yield live
    live.close()


@pytest.fixture
def laptop_factory(server: LiveServer, tmp_path: Path) -> Iterator[Callable[[str], Laptop]]:
    made: list[Laptop] = []

    def make(user: str) -> Laptop:
        laptop = Laptop.register(server, user, tmp_path / f"laptop-{user}-{len(made)}")
        made.append(laptop)
        return laptop

    yield make
    for laptop in made:
        laptop.close()
