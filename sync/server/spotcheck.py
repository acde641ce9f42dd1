"""Random spot checks (双随机: random households, random inspectors), reproducible and recorded.

A draw takes the live households of a region (the population, sorted by id) and a pool of
inspectors (field workers or contractors, sorted by id), and with `random.Random` seeded from a
recorded seed picks `sample_size` households and `inspector_count` inspectors. Households are
dealt to the drawn inspectors in turn, skipping an inspector whose own grid holds the household
(nobody checks their own cases) while another one is free. Each inspector's share becomes a
task; alternatively the whole sample goes to one agency (a third-party check).

Everything the draw used is stored in `spot_check_draw` — seed, algorithm version, population
(household and grid ids), inspector pool with their grids, the result — so `verify_draw` can
replay it and show anyone that the result follows from the seed and nothing else. The seed
comes from `secrets` unless the supervisor supplies one (e.g. drawn in public with dice).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from app.domain import Role, VisitKind
from sync.protocol import Entity
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import Principal, buckets_for, region_bucket
from sync.server.crypto import ServerKeys
from sync.server.errors import not_found
from sync.server.ids import uuid7
from sync.server.models import (
    RecordBucket,
    Region,
    SyncRecord,
    User,
    UserGrid,
    UTCDateTime,
    utcnow,
)
from sync.server.records import Actor, lock_changes
from sync.server.tasks import (
    conflict_state,
    create_task,
    invalid,
    missing,
    require_task_manager,
)

logger = logging.getLogger(__name__)

ALGORITHM: Final = "jiafang-spot-check/v1"
MAX_SAMPLE: Final = 2000


class SpotCheckDraw(SQLModel, table=True):
    __tablename__ = "spot_check_draw"

    id: str = Field(primary_key=True, max_length=64)
    region_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=32)
    algorithm: str = Field(max_length=40)
    seed: str = Field(max_length=100)
    sample_size: int
    inspector_count: int
    #: [[household_id, grid_id], ...] sorted by household id
    population: list[list[str]] = Field(default_factory=list, sa_type=sa.JSON)
    population_digest: str = Field(max_length=64)
    #: [[user_id, [grid_id, ...]], ...] sorted by user id
    inspector_pool: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    agency_id: str | None = Field(default=None, max_length=64)
    selected: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    #: {user_id or "agency:<id>": [household_id, ...]}
    assignments: dict[str, list[str]] = Field(default_factory=dict, sa_type=sa.JSON)
    task_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    drawn_by: str | None = Field(default=None, max_length=64)
    drawn_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


@dataclass(frozen=True)
class DrawResult:
    selected: list[str]
    inspectors: list[str]
    assignments: dict[str, list[str]]


def population_digest(population: Sequence[Sequence[str]]) -> str:
    return hashlib.sha256(
        json.dumps([list(p) for p in population], separators=(",", ":")).encode()
    ).hexdigest()


def draw(
    seed: str,
    population: Sequence[tuple[str, str]],
    sample_size: int,
    inspector_pool: Sequence[tuple[str, Sequence[str]]],
    inspector_count: int,
) -> DrawResult:
    """The deterministic draw: same inputs, same result, on any machine and Python 3.11+.

    `population`: (household_id, grid_id); `inspector_pool`: (user_id, own grid ids). An empty
    pool or `inspector_count` 0 draws households only (the caller assigns them to an agency).
    """
    rng = random.Random(f"{ALGORITHM}/{seed}")
    households = sorted(population)
    if not 1 <= sample_size <= len(households):
        raise ValueError("sample size must be between 1 and the population size")
    chosen = rng.sample(range(len(households)), sample_size)
    selected = [households[i] for i in chosen]
    pool = sorted((user, tuple(sorted(grids))) for user, grids in inspector_pool)
    if inspector_count == 0 or not pool:
        return DrawResult([h for h, _ in selected], [], {})
    if inspector_count > len(pool):
        raise ValueError("more inspectors asked for than the pool holds")
    inspectors = [pool[i] for i in rng.sample(range(len(pool)), inspector_count)]
    assignments: dict[str, list[str]] = {user: [] for user, _ in inspectors}
    for turn, (household_id, grid_id) in enumerate(selected):
        for step in range(len(inspectors)):
            user, grids = inspectors[(turn + step) % len(inspectors)]
            if grid_id not in grids:
                break
        else:
            user, _grids = inspectors[turn % len(inspectors)]
        assignments[user].append(household_id)
    return DrawResult(
        [h for h, _ in selected],
        [user for user, _ in inspectors],
        {user: households_ for user, households_ in assignments.items() if households_},
    )


def _region_population(session: Session, region: Region) -> list[tuple[str, str]]:
    bucket = region_bucket(region)
    rows = session.exec(
        select(SyncRecord.id, SyncRecord.grid_id)
        .join(
            RecordBucket,
            (col(RecordBucket.entity) == col(SyncRecord.entity))
            & (col(RecordBucket.record_id) == col(SyncRecord.id)),
        )
        .where(
            RecordBucket.bucket == bucket,
            col(RecordBucket.present).is_(True),
            SyncRecord.entity == Entity.HOUSEHOLD.value,
            col(SyncRecord.deleted).is_(False),
        )
    ).all()
    return sorted((hid, grid or "") for hid, grid in rows)


def _default_pool(session: Session, region: Region) -> list[str]:
    """Active field workers with a grid inside the region."""
    rows = session.exec(
        select(UserGrid.user_id)
        .join(Region, col(Region.id) == col(UserGrid.grid_id))
        .join(User, col(User.id) == col(UserGrid.user_id))
        .where(
            col(Region.path).startswith(region.path),
            User.role == Role.FIELD_WORKER.value,
            col(User.revoked_at).is_(None),
        )
        .distinct()
    ).all()
    return sorted(set(rows))


def _pool_with_grids(session: Session, user_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    pool: list[tuple[str, list[str]]] = []
    for user_id in sorted(set(user_ids)):
        user = session.get(User, user_id)
        if (
            user is None
            or user.revoked_at is not None
            or Role(user.role) not in (Role.FIELD_WORKER, Role.CONTRACTOR)
        ):
            raise missing(
                "抽查人员须为在职的网格员或第三方机构人员",
                "Inspectors must be active field workers or contractors",
            )
        grids = sorted(session.exec(select(UserGrid.grid_id).where(UserGrid.user_id == user_id)))
        pool.append((user_id, grids))
    return pool


def spot_check(
    session: Session,
    keys: ServerKeys,
    principal: Principal | None,
    now: datetime,
    *,
    region_id: str,
    sample_size: int,
    kind: VisitKind = VisitKind.PERIODIC_REVIEW,
    inspector_count: int = 2,
    inspector_ids: Sequence[str] | None = None,
    agency_id: str | None = None,
    seed: str | None = None,
    deadline: date | None = None,
) -> SpotCheckDraw:
    """Draw, record and turn the draw into tasks. `principal` None: the admin CLI."""
    if principal is not None:
        require_task_manager(principal)
    region = session.get(Region, region_id)
    if region is None:
        raise not_found()
    if principal is not None:
        reach = buckets_for(session, principal, now)
        if not reach.intersection(region.path.split("/")):
            raise not_found()
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise invalid(
            f"抽查户数须在 1 到 {MAX_SAMPLE} 之间", f"Sample size must be 1 to {MAX_SAMPLE}"
        )
    population = _region_population(session, region)
    if sample_size > len(population):
        raise conflict_state(
            "抽查户数超过该区域的住户数",
            f"The sample is larger than the region's {len(population)} households",
        )
    pool: list[tuple[str, list[str]]] = []
    if agency_id is None:
        pool = _pool_with_grids(
            session, inspector_ids if inspector_ids is not None else _default_pool(session, region)
        )
        if not 1 <= inspector_count <= len(pool):
            raise conflict_state(
                "抽查人员数须在 1 到备选人员数之间",
                f"Inspector count must be between 1 and the pool size ({len(pool)})",
            )
    seed = seed or secrets.token_hex(16)
    result = draw(seed, population, sample_size, pool, 0 if agency_id else inspector_count)
    lock_changes(session)
    actor = Actor(principal.user_id, principal.device_id) if principal else Actor(None, None)
    record = SpotCheckDraw(
        id=uuid7(),
        region_id=region.id,
        kind=kind.value,
        algorithm=ALGORITHM,
        seed=seed,
        sample_size=sample_size,
        inspector_count=0 if agency_id else inspector_count,
        population=[list(p) for p in population],
        population_digest=population_digest(population),
        inspector_pool=[[user, grids] for user, grids in pool],
        agency_id=agency_id,
        selected=result.selected,
        drawn_by=principal.user_id if principal else None,
        drawn_at=now,
    )
    task_ids: list[str] = []
    assignments: dict[str, list[str]] = {}
    if agency_id is not None:
        assignments[f"agency:{agency_id}"] = result.selected
        task = create_task(
            session,
            keys,
            actor,
            kind=kind,
            household_ids=result.selected,
            agency_id=agency_id,
            deadline=deadline,
            title="双随机抽查 / random spot check",
            source=f"spot_check:{record.id}",
        )
        task_ids.append(task.id)
    else:
        for user_id, households in sorted(result.assignments.items()):
            assignments[user_id] = households
            task = create_task(
                session,
                keys,
                actor,
                kind=kind,
                household_ids=households,
                assignee_user_id=user_id,
                deadline=deadline,
                title="双随机抽查 / random spot check",
                source=f"spot_check:{record.id}",
            )
            task_ids.append(task.id)
    record.assignments, record.task_ids = assignments, task_ids
    session.add(record)
    record_event(
        session,
        AuditEvent(
            action="spot_check_drawn",
            user_id=actor.user_id,
            device_id=actor.device_id,
            entity="spot_check",
            entity_id=record.id,
            detail={
                "region_id": region.id,
                "population": len(population),
                "sample": sample_size,
                "seed": seed,
                "tasks": task_ids,
            },
        ),
    )
    logger.info("spot check drawn: %d of %d households", sample_size, len(population))
    return record


def verify_draw(record: SpotCheckDraw) -> bool:
    """Replay a recorded draw from its seed and inputs; True when it gives the same result."""
    if record.algorithm != ALGORITHM:
        return False
    population = [(p[0], p[1]) for p in record.population]
    if population_digest(population) != record.population_digest:
        return False
    pool = [(user, list(grids)) for user, grids in record.inspector_pool]
    result = draw(record.seed, population, record.sample_size, pool, record.inspector_count)
    if result.selected != record.selected:
        return False
    if record.agency_id is not None:
        return record.assignments == {f"agency:{record.agency_id}": result.selected}
    return record.assignments == result.assignments


def visible_draws(session: Session, principal: Principal, now: datetime) -> list[SpotCheckDraw]:
    require_task_manager(principal)
    reach = buckets_for(session, principal, now)
    draws = session.exec(select(SpotCheckDraw).order_by(col(SpotCheckDraw.drawn_at))).all()
    visible: list[SpotCheckDraw] = []
    for item in draws:
        region = session.get(Region, item.region_id)
        if region is not None and reach.intersection(region.path.split("/")):
            visible.append(item)
    return visible


def get_draw(session: Session, principal: Principal, now: datetime, draw_id: str) -> SpotCheckDraw:
    require_task_manager(principal)
    item = session.get(SpotCheckDraw, draw_id)
    region = session.get(Region, item.region_id) if item else None
    if item is None or region is None:
        raise not_found()
    if not buckets_for(session, principal, now).intersection(region.path.split("/")):
        raise not_found()
    return item


__all__ = ["ALGORITHM", "SpotCheckDraw", "draw", "spot_check", "verify_draw"]
