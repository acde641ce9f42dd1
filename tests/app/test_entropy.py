"""Pooled random bytes: never handed out twice, not shared across threads or a fork, and drawn
from the operating system in chunks (each draw releases the GIL; see app.entropy)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection

import pytest

from app.entropy import random_bytes


def test_draws_have_the_asked_length_and_never_repeat() -> None:
    draws = [random_bytes(12) for _ in range(20_000)]
    assert {len(d) for d in draws} == {12}
    assert len(set(draws)) == len(draws)


def _recording_urandom(
    monkeypatch: pytest.MonkeyPatch,
) -> dict[int, list[bytes]]:
    """Patch os.urandom as app.entropy sees it, recording each chunk by the thread that asked."""
    chunks: dict[int, list[bytes]] = {}
    real = os.urandom

    def urandom(count: int) -> bytes:
        chunk = real(count)
        chunks.setdefault(threading.get_ident(), []).append(chunk)
        return chunk

    monkeypatch.setattr(os, "urandom", urandom)  # the module app.entropy calls through
    return chunks


def test_the_operating_system_is_asked_once_per_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = _recording_urandom(monkeypatch)
    for _ in range(1_000):
        random_bytes(12)
    # 12,000 bytes from 4 KiB chunks (plus the rest of a chunk begun before the test).
    assert len(chunks.get(threading.get_ident(), [])) <= 3


def test_threads_draw_only_from_their_own_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = _recording_urandom(monkeypatch)
    seen: dict[int, list[bytes]] = {}
    # All alive at once, so that no two of them share a thread id.
    together = threading.Barrier(4)

    def draw() -> None:
        together.wait()
        seen[threading.get_ident()] = [random_bytes(16) for _ in range(600)]
        together.wait()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4
    for ident, draws in seen.items():
        own = b"|".join(chunks[ident])
        assert all(d in own for d in draws)
        others = [c for i, cs in chunks.items() if i != ident for c in cs]
        assert not any(d in c for d in draws for c in others)
    everything = [d for draws in seen.values() for d in draws]
    assert len(set(everything)) == len(everything)


def _child_draws(pipe: Connection) -> None:
    pipe.send([random_bytes(12) for _ in range(100)])
    pipe.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
# A pytest-xdist worker has threads of its own; Python 3.12 warns about forking it, harmlessly
# here (the child only draws bytes and exits).
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_does_not_repeat_its_parents_bytes() -> None:
    random_bytes(12)  # the parent has a chunk under way when it forks
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(target=_child_draws, args=(theirs,))
    child.start()
    from_child: list[bytes] = ours.recv()
    child.join(timeout=30)
    from_parent = [random_bytes(12) for _ in range(100)]
    assert child.exitcode == 0
    assert not set(from_child) & set(from_parent)


@pytest.mark.parametrize("count", [0, -1, 4097])
def test_counts_out_of_range_are_refused(count: int) -> None:
    with pytest.raises(ValueError):
        random_bytes(count)
