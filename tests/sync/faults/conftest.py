"""Live server, laptops and a fault-injection proxy in front of the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sync.e2e.fixtures import laptop_factory, server
from tests.sync.e2e.harness import LiveServer
from tests.sync.faults.proxy import FaultProxy

__all__ = ["laptop_factory", "proxy", "server"]


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(server.port)
    yield fault_proxy
    fault_proxy.close()
