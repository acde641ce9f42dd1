"""Tasks and random spot-check draws over HTTP (thin adapters over `tasks` and `spotcheck`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from app.domain import VisitKind
from sync.protocol import Entity, ErrorBody, Identifier
from sync.server import spotcheck
from sync.server import tasks as task_service
from sync.server.authz import Principal, buckets_for
from sync.server.bodies import NoBodyDep, json_body, json_request
from sync.server.deps import ContextDep, IdPath, NowDep, PrincipalDep, SessionDep
from sync.server.errors import ApiError
from sync.server.models import SyncRecord, Task
from sync.server.records import Actor
from sync.server.tasks import current_fields, require_splitter, require_task_manager

router = APIRouter(prefix="/v1", tags=["tasks"])
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 422)
}


def task_manager(principal: PrincipalDep) -> Principal:
    """The caller, if it may create tasks and draw spot checks at all (403 otherwise). Writes
    declare it before their body, so a refused caller never learns about the body; which
    households or region it reaches depends on the body and is checked with it."""
    require_task_manager(principal)
    return principal


TaskManagerDep = Annotated[Principal, Depends(task_manager)]


def splittable_task(
    task_id: IdPath, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> str:
    """The task id, once the caller is known to reach the task (404 otherwise) and to be the
    one who shares it among staff (403, or 404 for another agency's admin)."""
    task = task_service.visible_task(session, buckets_for(session, principal, now), task_id)
    require_splitter(principal, task)
    return task_id


SplittableTaskDep = Annotated[str, Depends(splittable_task)]


def closable_task(
    task_id: IdPath, principal: TaskManagerDep, session: SessionDep, now: NowDep
) -> str:
    """The task id, once the caller is known to manage tasks (403) and reach this one (404)."""
    task_service.visible_task(session, buckets_for(session, principal, now), task_id)
    return task_id


ClosableTaskDep = Annotated[str, Depends(closable_task)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkerAssignment(_Model):
    """The task goes to one field worker or contractor."""

    user_id: Identifier


class AgencyAssignment(_Model):
    """The task goes to an agency; its admin shares it among the staff."""

    agency_id: Identifier


class TaskCreate(_Model):
    kind: VisitKind
    household_ids: list[Identifier] = Field(
        min_length=1, max_length=task_service.MAX_TASK_HOUSEHOLDS
    )
    assign_to: WorkerAssignment | AgencyAssignment
    deadline: date | None = None
    #: access window (contractors reach the households only inside it); open-ended if absent
    window_start: datetime | None = None
    window_days: int | None = Field(default=None, ge=1, le=366)
    title: str = Field(default="", max_length=200)


class TaskPublic(_Model):
    id: str
    kind: str
    status: str
    agency_id: str | None
    assignee_user_id: str | None
    parent_task_id: str | None
    deadline: str | None
    title: str
    source: str | None
    household_ids: list[str]
    households: int
    visited: int
    created_at: datetime
    closed_at: datetime | None


class TaskListPublic(_Model):
    count: int
    tasks: list[TaskPublic]


class SplitShare(_Model):
    user_id: Identifier
    household_ids: list[Identifier] = Field(
        min_length=1, max_length=task_service.MAX_TASK_HOUSEHOLDS
    )


class TaskSplit(_Model):
    shares: list[SplitShare] = Field(min_length=1, max_length=500)


class SpotCheckCreate(_Model):
    region_id: Identifier
    sample_size: int = Field(ge=1, le=spotcheck.MAX_SAMPLE)
    kind: VisitKind = VisitKind.PERIODIC_REVIEW
    inspector_count: int = Field(default=2, ge=1, le=100)
    inspector_ids: list[Identifier] | None = Field(default=None, max_length=500)
    agency_id: Identifier | None = None
    seed: str | None = Field(default=None, min_length=1, max_length=100)
    deadline: date | None = None


class SpotCheckPublic(_Model):
    id: str
    region_id: str
    kind: str
    algorithm: str
    seed: str
    sample_size: int
    population_size: int
    population_digest: str
    inspector_count: int
    agency_id: str | None
    selected: list[str]
    assignments: dict[str, list[str]]
    task_ids: list[str]
    drawn_by: str | None
    drawn_at: datetime
    reproducible: bool


class SpotCheckListPublic(_Model):
    draws: list[SpotCheckPublic]


def task_public(session: SessionDep, context: ContextDep, task: Task) -> TaskPublic:
    record = session.get(SyncRecord, (Entity.TASK.value, task.id))
    fields = current_fields(context.keys, record) if record is not None else {}
    households, visited = task_service.task_progress(session, task.id)
    return TaskPublic(
        id=task.id,
        kind=task.kind,
        status=task.status,
        agency_id=task.agency_id,
        assignee_user_id=task.assignee_user_id,
        parent_task_id=task.parent_task_id,
        deadline=fields.get("deadline"),
        title=str(fields.get("title") or ""),
        source=fields.get("source"),
        household_ids=task_service.task_household_ids(session, task.id),
        households=households,
        visited=visited,
        created_at=task.created_at,
        closed_at=task.closed_at,
    )


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.device_id)


def _visible_task(session: SessionDep, principal: Principal, now: datetime, task_id: str) -> Task:
    return task_service.visible_task(session, buckets_for(session, principal, now), task_id)


@router.post(
    "/tasks",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(TaskCreate),
)
def create_task(
    principal: TaskManagerDep,
    body: Annotated[TaskCreate, json_body(TaskCreate)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> TaskPublic:
    """Create a task over households in the caller's area, for one worker or one agency."""
    assignment = body.assign_to
    start = body.window_start or (now if body.window_days else None)
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)  # times on the wire are UTC
    end = start + timedelta(days=body.window_days) if start and body.window_days else None
    task = task_service.create_task(
        session,
        context.keys,
        _actor(principal),
        kind=body.kind,
        household_ids=body.household_ids,
        principal_buckets=buckets_for(session, principal, now),
        assignee_user_id=assignment.user_id if isinstance(assignment, WorkerAssignment) else None,
        agency_id=assignment.agency_id if isinstance(assignment, AgencyAssignment) else None,
        deadline=body.deadline,
        window_start=start,
        window_end=end,
        title=body.title,
    )
    session.commit()
    return task_public(session, context, task)


@router.get("/tasks", responses=_ERRORS)
def list_tasks(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> TaskListPublic:
    """Tasks the caller holds or oversees, with progress."""
    tasks = task_service.visible_tasks(session, principal, now)
    return TaskListPublic(count=len(tasks), tasks=[task_public(session, context, t) for t in tasks])


@router.get("/tasks/{task_id}", responses=_ERRORS)
def get_task(
    task_id: IdPath,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> TaskPublic:
    return task_public(session, context, _visible_task(session, principal, now, task_id))


@router.post("/tasks/{task_id}/close", responses=_ERRORS)
def close_task(
    task_id: ClosableTaskDep,
    _no_body: NoBodyDep,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
) -> TaskPublic:
    """Close a task (and its sub-tasks): its households leave the holders' laptops."""
    task = task_service.close_task(session, context.keys, _actor(principal), task_id)
    session.commit()
    return task_public(session, context, task)


@router.post(
    "/tasks/{task_id}/split",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(TaskSplit),
)
def split_task(
    task_id: SplittableTaskDep,
    body: Annotated[TaskSplit, json_body(TaskSplit)],
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
) -> TaskListPublic:
    """The agency admin shares an agency task among the agency's staff."""
    shares: dict[str, list[str]] = {}
    for share in body.shares:
        shares.setdefault(share.user_id, []).extend(share.household_ids)
    subtasks = task_service.split_task(
        session, context.keys, _actor(principal), principal, task_id, shares
    )
    session.commit()
    return TaskListPublic(
        count=len(subtasks), tasks=[task_public(session, context, t) for t in subtasks]
    )


# ----------------------------------------------------------------------------- spot checks


def draw_public(item: spotcheck.SpotCheckDraw) -> SpotCheckPublic:
    return SpotCheckPublic(
        id=item.id,
        region_id=item.region_id,
        kind=item.kind,
        algorithm=item.algorithm,
        seed=item.seed,
        sample_size=item.sample_size,
        population_size=len(item.population),
        population_digest=item.population_digest,
        inspector_count=item.inspector_count,
        agency_id=item.agency_id,
        selected=list(item.selected),
        assignments=dict(item.assignments),
        task_ids=list(item.task_ids),
        drawn_by=item.drawn_by,
        drawn_at=item.drawn_at,
        reproducible=spotcheck.verify_draw(item),
    )


@router.post(
    "/spot-checks",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(SpotCheckCreate),
)
def create_spot_check(
    principal: TaskManagerDep,
    body: Annotated[SpotCheckCreate, json_body(SpotCheckCreate)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> SpotCheckPublic:
    """Draw households and inspectors at random (双随机), record the draw, create the tasks."""
    item = spotcheck.spot_check(
        session,
        context.keys,
        principal,
        now,
        region_id=body.region_id,
        sample_size=body.sample_size,
        kind=body.kind,
        inspector_count=body.inspector_count,
        inspector_ids=body.inspector_ids,
        agency_id=body.agency_id,
        seed=body.seed,
        deadline=body.deadline,
    )
    session.commit()
    return draw_public(item)


@router.get("/spot-checks", responses=_ERRORS)
def list_spot_checks(
    principal: PrincipalDep, session: SessionDep, now: NowDep
) -> SpotCheckListPublic:
    return SpotCheckListPublic(
        draws=[draw_public(d) for d in spotcheck.visible_draws(session, principal, now)]
    )


@router.get("/spot-checks/{draw_id}", responses=_ERRORS)
def get_spot_check(
    draw_id: IdPath, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> SpotCheckPublic:
    """A recorded draw; `reproducible` replays it from its seed and inputs."""
    return draw_public(spotcheck.get_draw(session, principal, now, draw_id))


# ----------------------------------------------------------------------------- 405 answers


def allow_only(target: APIRouter, path: str, allowed: tuple[str, ...]) -> None:
    """Answer other methods on `path` with 405 and the full `Allow` list (Starlette would name
    only the methods of the first route it matched)."""
    others = [
        m for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE") if m not in allowed
    ]

    def not_allowed() -> None:
        raise ApiError(
            405,
            "method_not_allowed",
            "不支持此请求方法",
            "Method not allowed",
            headers={"Allow": ", ".join(allowed)},
        )

    target.add_api_route(
        path, not_allowed, methods=others, include_in_schema=False, name=f"405 {path}"
    )


allow_only(router, "/tasks", ("GET", "POST"))
allow_only(router, "/spot-checks", ("GET", "POST"))
