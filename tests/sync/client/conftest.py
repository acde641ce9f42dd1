"""Live server and laptop fixtures (see tests/sync/e2e/fixtures.py)."""

from tests.sync.e2e.fixtures import laptop_factory, server

__all__ = ["laptop_factory", "server"]
