"""Property: two laptops edit the same household offline from the same version; whatever the
fields, values, clocks and push order, the server ends with the later value of each clashing
field, keeps both sides' other edits, and files every losing value in a conflict item."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.server.conftest import World

FIELDS = ["phone", "note", "address", "actual_residence"]

edits = st.dictionaries(
    st.sampled_from(FIELDS), st.text(alphabet="abcxyz", min_size=1, max_size=4), min_size=1
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    a_changes=edits,
    b_changes=edits,
    a_clock=st.integers(1, 10**6),
    b_clock=st.integers(1, 10**6),
    b_first=st.booleans(),
)
def test_offline_edits_merge_by_field_and_clock(
    world: World,
    a_changes: dict[str, str],
    b_changes: dict[str, str],
    a_clock: int,
    b_clock: int,
    b_first: bool,
) -> None:
    household = world.ids["H1"]
    base = world.get("sup_1", f"/v1/households/{household}").json()["household"]
    start = {**base["meta"], **base["data"]}
    a = world.mutation(
        "fw_a",
        "household",
        household,
        a_changes,
        base_version=base["version"],
        hlc=f"{a_clock:016x}:0000:a",
    )
    b = world.mutation(
        "sup_1",
        "household",
        household,
        b_changes,
        base_version=base["version"],
        hlc=f"{b_clock:016x}:0000:b",
    )
    order = [("sup_1", b), ("fw_a", a)] if b_first else [("fw_a", a), ("sup_1", b)]
    results: dict[str, dict[str, Any]] = {}
    for name, mutation in order:
        results[name] = world.push(name, [mutation])["results"][0]
    final = world.get("sup_1", f"/v1/households/{household}").json()["household"]
    state = {**final["meta"], **final["data"]}

    a_wins = f"{a_clock:016x}:0000:a" > f"{b_clock:016x}:0000:b"
    second_name = order[1][0]
    losers: dict[str, str] = {}
    for field in FIELDS:
        in_a, in_b = field in a_changes, field in b_changes
        if in_a and in_b and a_changes[field] != b_changes[field]:
            winner, loser = (a_changes, b_changes) if a_wins else (b_changes, a_changes)
            assert state[field] == winner[field], field
            losers[field] = loser[field]
        elif in_a:  # alone, or both wrote the same value
            assert state[field] == a_changes[field]
        elif in_b:
            assert state[field] == b_changes[field]
        else:
            assert state.get(field) == start.get(field)
    second = results[second_name]
    assert results[order[0][0]]["status"] == "applied"
    if not losers:
        assert second["status"] == "applied"
        return
    assert second["status"] == "conflict"
    assert second["server_values"] == {f: state[f] for f in losers}
    page = world.get("sup_1", "/v1/sync/pull", bucket="street:S1").json()
    conflict = next(r for r in page["records"] if r["id"] == second["conflict_id"])
    assert {f: c["other"] for f, c in conflict["data"]["clashes"].items()} == losers
