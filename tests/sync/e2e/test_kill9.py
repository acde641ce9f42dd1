"""kill -9 of the client process and of the server process at random points during sync,
repeated (50 randomized runs here; `python -m tests.soak.sync --runs 1000` for the soak)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.sync import KillCycle


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 22])
def test_kill_minus_nine_anywhere_loses_and_doubles_nothing(seed: int, tmp_path: Path) -> None:
    cycle = KillCycle(tmp_path, seed)
    try:
        for _ in range(25):
            cycle.run()
    finally:
        cycle.close()
    tally = cycle.tally
    assert tally.runs == 25
    assert not tally.invariant_failures, tally.invariant_failures
    assert tally.kills["client"] > 0 and tally.kills["server"] > 0
    # Most kills must land inside a sync, or the test proves little.
    assert tally.mid_sync >= 10, tally.line()
    assert tally.mutations > 50
