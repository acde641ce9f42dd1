"""The demo data set on the server: `app.demo_data`'s fictional district with its households, and
the people who work it — a supervisor, two field workers, an agency with its admin and two
contractors, an admin — plus completed visits, open clues and tasks (one for a field worker,
one agency task split among the contractors). Synthetic only: no real person's data.

Every account gets the same demo password (printed by `python -m sync.server.admin seed-demo`);
laptops register themselves with those credentials (`/v1/auth/register-device`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from sqlmodel import Session

from app.crypto.device import DeviceKey
from app.crypto.visit_signature import attachment_ids, visit_signed_bytes
from app.demo_data import (
    DemoHousehold,
    generate_households,
    generate_regions,
    generate_visit_due_for_review,
)
from app.domain import ClueKind, RegionLevel, Role, VisitContent, VisitKind
from app.errors import PolicyError
from app.policy import evaluate_visit, policy_in_force
from app.policy.decision import EligibilityDecision
from sync.protocol import Entity, split_fields
from sync.server import accounts
from sync.server.authz import record_buckets
from sync.server.clues import create_clue
from sync.server.config import Argon2Params
from sync.server.crypto import ServerKeys
from sync.server.errors import ConfigError
from sync.server.ids import uuid7
from sync.server.importer import store_household
from sync.server.models import Region, User
from sync.server.recompute import DEFAULT_POLICY_REGION
from sync.server.records import Actor, lock_changes, record_change
from sync.server.tasks import create_task, split_task
from sync.server.visits import accept_completed_visit

logger = logging.getLogger(__name__)

DEMO_PASSWORD: Final = "jiafang-demo-2025"
DEMO_AGENCY_ID: Final = "demo-agency"
#: The visit on which the demo laptop result is deliberately off, to show the server's flag.
_FLAG_DEMO_INDEX: Final = 1
#: The visit whose content is altered after its device signed it, to show the signature check.
_TAMPERED_DEMO_INDEX: Final = 3


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    user_id: str
    scope: str


@dataclass
class DemoSummary:
    seed: int
    password: str
    accounts: list[DemoAccount] = field(default_factory=list)
    regions: int = 0
    households: int = 0
    visits: int = 0
    clues: int = 0
    task_ids: list[str] = field(default_factory=list)


def seed_demo(
    session: Session,
    keys: ServerKeys,
    argon2: Argon2Params,
    *,
    seed: int = 0,
    households: int = 200,
    password: str = DEMO_PASSWORD,
    today: date | None = None,
) -> DemoSummary:
    """Fill an empty server with the demo data set (in the caller's transaction); visits,
    reviews, clues and deadlines are dated around `today` (default: the clock's day)."""
    today = today or date.today()
    regions = generate_regions(seed)
    district = regions[0]
    if session.get(Region, district.region_id) is not None:
        raise ConfigError(
            "演示数据已经导入过了",
            "The demo data set is already on this server",
            code="demo_seeded",
        )
    summary = DemoSummary(seed=seed, password=password)
    for region in regions:
        accounts.create_region(
            session, region.region_id, region.level, region.name, region.parent_id
        )
        session.flush()
    summary.regions = len(regions)
    streets = [r for r in regions if r.level is RegionLevel.STREET]
    street = streets[0]
    communities = [r for r in regions if r.parent_id == street.region_id]
    grids_of = {
        c.region_id: [r.region_id for r in regions if r.parent_id == c.region_id]
        for c in communities
    }
    worker_grids = [grids_of[communities[0].region_id], grids_of[communities[1].region_id]]
    agency_grids = grids_of[communities[2].region_id]
    accounts.create_agency(session, DEMO_AGENCY_ID, "示范社会工作服务中心（虚构）")
    session.flush()

    def add(
        username: str,
        role: Role,
        scope: str,
        *,
        region_id: str | None = None,
        agency_id: str | None = None,
        grid_ids: list[str] | None = None,
    ) -> User:
        user = accounts.create_user(
            session,
            username=username,
            password=password,
            role=role,
            argon2=argon2,
            region_id=region_id,
            agency_id=agency_id,
            grid_ids=grid_ids or [],
        )
        summary.accounts.append(DemoAccount(username, role, user.id, scope))
        return user

    add("demo-admin", Role.ADMIN, "全区 / whole district")
    supervisor = add(
        "demo-supervisor", Role.SUPERVISOR, f"{street.name} / street", region_id=street.region_id
    )
    workers = [
        add(
            f"demo-worker-{n}",
            Role.FIELD_WORKER,
            f"{communities[n - 1].name} / grids",
            grid_ids=worker_grids[n - 1],
        )
        for n in (1, 2)
    ]
    add("demo-agency-admin", Role.AGENCY_ADMIN, "示范社工机构 / agency", agency_id=DEMO_AGENCY_ID)
    contractors = [
        add(
            f"demo-contractor-{n}",
            Role.CONTRACTOR,
            "机构任务 / agency tasks",
            agency_id=DEMO_AGENCY_ID,
        )
        for n in (1, 2)
    ]
    session.flush()

    lock_changes(session)
    admin_actor = Actor(None, None)
    grid_ids = [r.region_id for r in regions if r.level is RegionLevel.GRID]
    made = list(generate_households(seed, households, grid_ids, today=today))
    for household in made:
        store_household(
            session,
            keys,
            admin_actor,
            household_id=household.household_id,
            grid_id=household.grid_id,
            content=household.content,
            category=household.category.value,
            status="active",
            next_review=household.next_review,
        )
    summary.households = len(made)

    rng = random.Random(f"jiafang-demo/server-seed/{seed}")
    worker_of = {g: w for w, grids in zip(workers, worker_grids, strict=True) for g in grids}
    # The seeded visits are signed like a laptop signs them, by a device registered for each
    # worker (its key derived from the seed: demo data, not a secret).
    laptops = {w.id: _demo_laptop(session, w, seed) for w in workers}
    session.flush()
    visited = 0
    for household in made:
        worker = worker_of.get(household.grid_id)
        if worker is None or rng.random() > 0.5:
            continue
        _store_visit(
            session,
            keys,
            household,
            worker,
            workers,
            seed,
            laptops[worker.id],
            today=today,
            flag_demo=visited == _FLAG_DEMO_INDEX,
            tamper_demo=visited == _TAMPERED_DEMO_INDEX,
        )
        visited += 1
    summary.visits = visited

    clue_kinds = list(ClueKind)
    for index, household in enumerate(made):
        if rng.random() > 0.12:
            continue
        member = household.content.members[rng.randrange(len(household.content.members))]
        create_clue(
            session,
            keys,
            admin_actor,
            member_id=member.member_id,
            kind=clue_kinds[index % len(clue_kinds)],
            detail="大数据比对发现的疑似问题（演示数据）",
            source="民政大数据比对（演示）",
            found_on=today - timedelta(days=index % 40),
        )
        summary.clues += 1

    supervisor_actor = Actor(supervisor.id, None)
    due = sorted((h for h in made if h.grid_id in worker_grids[0]), key=lambda h: h.next_review)[
        :10
    ]
    if due:
        summary.task_ids.append(
            create_task(
                session,
                keys,
                supervisor_actor,
                kind=VisitKind.PERIODIC_REVIEW,
                household_ids=[h.household_id for h in due],
                assignee_user_id=workers[0].id,
                deadline=today + timedelta(days=30),
                title="定期复核（演示）",
            ).id
        )
    agency_households = [h.household_id for h in made if h.grid_id in agency_grids][:12]
    if len(agency_households) >= 2:
        agency_task = create_task(
            session,
            keys,
            supervisor_actor,
            kind=VisitKind.PERIODIC_REVIEW,
            household_ids=agency_households,
            agency_id=DEMO_AGENCY_ID,
            deadline=today + timedelta(days=45),
            title="第三方核查（演示）",
        )
        summary.task_ids.append(agency_task.id)
        half = len(agency_households) // 2
        shares = {
            contractors[0].id: agency_households[:half],
            contractors[1].id: agency_households[half:],
        }
        subtasks = split_task(session, keys, supervisor_actor, None, agency_task.id, shares)
        summary.task_ids += [t.id for t in subtasks]
    logger.info("demo data seeded: %d households", summary.households)
    return summary


def _decision(content: VisitContent, day: date) -> EligibilityDecision | None:
    try:
        return evaluate_visit(policy_in_force(DEFAULT_POLICY_REGION, day), content, day)
    except PolicyError:
        return None


def _review_interval(content: VisitContent, day: date) -> int | None:
    decision = _decision(content, day)
    return decision.review_interval_months if decision is not None else None


def _demo_laptop(session: Session, worker: User, seed: int) -> tuple[str, DeviceKey]:
    raw = hashlib.sha256(f"jiafang-demo/device/{seed}/{worker.username}".encode()).digest()
    key = DeviceKey.from_private_bytes(raw)
    device = accounts.register_device(
        session,
        worker,
        base64.b64encode(key.public_key).decode("ascii"),
        name="演示数据 / demo data",
    )
    return device.id, key


def _store_visit(
    session: Session,
    keys: ServerKeys,
    household: DemoHousehold,
    worker: User,
    workers: list[User],
    seed: int,
    laptop: tuple[str, DeviceKey],
    *,
    today: date,
    flag_demo: bool,
    tamper_demo: bool,
) -> None:
    """A completed periodic review with the laptop's eligibility result, as a push leaves it
    (accepted, so `synced`)."""
    partner = workers[1] if worker is workers[0] else workers[0]
    content = generate_visit_due_for_review(
        seed, household, (worker.id, partner.id), today=today, review_interval=_review_interval
    )
    assert content.ended_at is not None  # the generator always ends its visits
    day = content.ended_at.date()
    fields = content.model_dump(mode="json")
    decision = _decision(content, day)
    if decision is not None:
        result = decision.to_dict()
        if flag_demo:
            # Demonstrates the server's check: this laptop result claims a higher benefit.
            result["monthly_benefit"] = f"{decision.monthly_benefit + 300:.2f}"
        fields["eligibility"] = result
    fields.update(
        household_id=household.household_id,
        kind=VisitKind.PERIODIC_REVIEW.value,
        status="completed",
        visit_date=day.isoformat(),
        completed_at=content.ended_at.isoformat(),
        author_id=worker.id,
    )
    visit_id = uuid7()
    meta, data = split_fields(Entity.VISIT.value, fields)
    if not attachment_ids(data):  # the seeded visits have no photos on the server
        device_id, device_key = laptop
        signed = visit_signed_bytes(
            visit_id, {**meta, "household_id": household.household_id}, data, []
        )
        meta.update(
            signed_by_device=device_id,
            device_signature=base64.b64encode(device_key.sign(signed)).decode("ascii"),
            signature_version=1,
        )
        if tamper_demo:
            data["housing_conditions"] = f"{data.get('housing_conditions', '')}（签名后被改动）"
    visit = record_change(
        session,
        keys,
        entity=Entity.VISIT.value,
        record_id=visit_id,
        household_id=household.household_id,
        grid_id=household.grid_id,
        meta=meta,
        data=data,
        buckets=record_buckets(session, household.grid_id, household.household_id),
        actor=Actor(worker.id, None),
        changed_fields=sorted({*meta, *data}),
    )
    accept_completed_visit(session, keys, visit)
