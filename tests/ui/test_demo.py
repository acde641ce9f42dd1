"""The README's demo command: a seeded server on SQLite that the app can reach."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from ui.demo import SEEDED_MARKER, DemoError, seed_server, start_server, stop_server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_demo_server_is_seeded_once_and_answers(tmp_path: Path) -> None:
    server_dir = tmp_path / "server"
    seed_server(server_dir, households=8)
    assert (server_dir / SEEDED_MARKER).exists()
    seed_server(server_dir, households=8)  # a second start reuses the data set

    port = _free_port()
    process = start_server(server_dir, port, tmp_path / "server.log")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).ok
        with pytest.raises(DemoError, match="in use"):
            start_server(server_dir, port, tmp_path / "second.log")
    finally:
        stop_server(process)
    assert process.poll() is not None
