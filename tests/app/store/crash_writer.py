"""Subprocess for the kill -9 test: writes to a store as fast as it can until it is killed.

python -m tests.app.store.crash_writer PATH SEED
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from app.domain import VisitKind
from app.services.demo import complete_signed
from app.store.local_store import LocalStore
from tests.app.store.conftest import PASSWORD, complete_visit_content, make_household, new_store


def main() -> None:
    path, seed = Path(sys.argv[1]), int(sys.argv[2])
    if path.exists():
        store = LocalStore.open(path)
        store.unlock(PASSWORD)
    else:
        store = new_store(path)
    rng = random.Random(seed)
    households = [s.household_id for s in store.list_households()]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    n = 0
    while True:
        n += 1
        op = rng.random()
        if op < 0.3 or not households:
            h = store.create_household(
                grid_id="g1",
                content=make_household(f"测试{n}", serial=n, extra_members=(("成员", n + 1),)),
            )
            households.append(h.household_id)
        elif op < 0.6:
            store.update_household(rng.choice(households), note=f"第{n}次修改")
        elif op < 0.85:
            visit = store.create_visit_draft(
                rng.choice(households), VisitKind.PERIODIC_REVIEW, complete_visit_content()
            )
            store.autosave_draft(visit.visit_id, {"living_conditions": str(n)})
            complete_signed(store, visit.visit_id)
        else:
            hid = rng.choice(households)
            members = store.get_household(hid).members
            if members:
                store.update_member(members[0].member_id, employment=f"工作{n}")


if __name__ == "__main__":
    main()
