"""Pooled random bytes: never handed out twice, not shared across threads or a fork, and drawn
from the operating system in chunks (each draw releases the GIL; see app.entropy)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from unittest import mock

import pytest

from app import entropy
from app.entropy import random_bytes


def test_draws_have_the_asked_length_and_never_repeat() -> None:
    draws = [random_bytes(12) for _ in range(20_000)]
    assert {len(d) for d in draws} == {12}
    assert len(set(draws)) == len(draws)


def test_the_operating_system_is_asked_once_per_chunk() -> None:
    with mock.patch.object(entropy.os, "urandom", wraps=os.urandom) as urandom:
        for _ in range(1_000):
            random_bytes(12)
    # 12,000 bytes from 4 KiB chunks (plus the rest of a chunk begun before the test).
    assert urandom.call_count <= 4


def test_threads_do_not_share_bytes() -> None:
    seen: dict[int, list[bytes]] = {}

    def draw(n: int) -> None:
        seen[n] = [random_bytes(16) for _ in range(2_000)]

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [d for draws in seen.values() for d in draws]
    assert len(set(everything)) == len(everything) == 8_000


def _child_draws(pipe: Connection) -> None:
    pipe.send([random_bytes(12) for _ in range(100)])
    pipe.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
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
