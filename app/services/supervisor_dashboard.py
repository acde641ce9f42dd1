"""Progress figures for the supervisor's dashboards.

The server has no dashboard endpoint, so the figures are computed from what a supervisor can
already reach: the households, visits and clues of the region, replicated to this laptop by
sync, and the task progress and review queue the server answers online (passed in here as
plain values, so this module stays free of HTTP). Nothing personal is in the result: only
counts per grid, agency and month.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from app.domain import ClueStatus, Finding, VisitStatus
from app.errors import JiafangError
from app.services.session import AccountSession

logger = logging.getLogger(__name__)

FINISHED = frozenset(
    {
        VisitStatus.COMPLETED,
        VisitStatus.SYNCED,
        VisitStatus.UNDER_REVIEW,
        VisitStatus.APPROVED,
        VisitStatus.RETURNED,
    }
)


@dataclass(frozen=True)
class TaskProgress:
    """A task as the server reports it (only what the dashboard needs)."""

    agency_id: str | None
    assignee: str | None
    households: int
    visited: int
    is_subtask: bool = False
    open: bool = True


@dataclass(frozen=True)
class Progress:
    """Done against planned for one grid or agency."""

    name: str
    planned: int
    done: int

    @property
    def share(self) -> float:
        return self.done / self.planned if self.planned else 0.0


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2026-03"
    first: int
    second: int


@dataclass(frozen=True)
class Dashboard:
    per_grid: tuple[Progress, ...]
    per_agency: tuple[Progress, ...]
    #: (month, visits with a finding, found ineligible)
    findings: tuple[MonthCount, ...]
    #: (month, clues opened, clues closed)
    clues: tuple[MonthCount, ...]
    reviews_due: int
    open_clues: int

    @property
    def ineligible_rate(self) -> float:
        found = sum(m.first for m in self.findings)
        return sum(m.second for m in self.findings) / found if found else 0.0


def _month(value: object) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()[:7]
    if isinstance(value, str) and len(value) >= 7 and value[4] == "-":
        return value[:7]
    return None


def _closing_visit_month(session: AccountSession, visit_id: object) -> str | None:
    """A clue closed on this laptop records the visit that closed it, not a date."""
    if not isinstance(visit_id, str):
        return None
    try:
        return _month(session.records.get_visit(visit_id).visit_date)
    except JiafangError:
        return None  # the visit is not on this laptop


def month_range(end: date, months: int) -> list[str]:
    """The `months` calendar months ending with `end`'s, oldest first."""
    out: list[str] = []
    year, month = end.year, end.month
    for _ in range(months):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def agency_progress(tasks: Iterable[TaskProgress]) -> list[Progress]:
    """Planned and visited households per agency over its open top-level tasks (a split
    task's shares are counted once, in their parent)."""
    planned: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for task in tasks:
        if task.is_subtask or not task.open or task.agency_id is None:
            continue
        planned[task.agency_id] += task.households
        done[task.agency_id] += task.visited
    return [Progress(a, planned[a], done[a]) for a in sorted(planned)]


def build_dashboard(
    session: AccountSession,
    *,
    tasks: Iterable[TaskProgress],
    reviews_due: int,
    today: date | None = None,
    months: int = 6,
) -> Dashboard:
    """Figures over the last `months` months: per grid, households due for a visit in the
    period (next review on or before its end) against those visited in it."""
    today = today or date.today()
    window = month_range(today, months)
    start = date.fromisoformat(window[0] + "-01")
    store = session.records
    planned: Counter[str] = Counter()
    done: Counter[str] = Counter()
    found: Counter[str] = Counter()
    ineligible: Counter[str] = Counter()
    for household in store.list_households():
        visits = [
            v
            for v in store.list_visits(household.household_id)
            if v.status in FINISHED and v.visit_date is not None and v.visit_date >= start
        ]
        due = household.next_review is not None and household.next_review <= today
        if due or visits:
            planned[household.grid_id] += 1
        if visits:
            done[household.grid_id] += 1
        for visit in visits:
            month = _month(visit.visit_date)
            if visit.content.finding is not None and month in window:
                found[month] += 1
                if visit.content.finding is Finding.INELIGIBLE:
                    ineligible[month] += 1
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    open_count = 0
    for clue in store.list_clues():
        month = _month(clue.data.get("found_on"))
        if month in window:
            opened[month] += 1
        if clue.status is ClueStatus.OPEN:
            open_count += 1
        else:
            closed_month = _month(clue.data.get("closed_at")) or _closing_visit_month(
                session, clue.data.get("visit_id")
            )
            if closed_month in window:
                closed[closed_month] += 1
    return Dashboard(
        per_grid=tuple(Progress(g, planned[g], done[g]) for g in sorted(planned)),
        per_agency=tuple(agency_progress(tasks)),
        findings=tuple(MonthCount(m, found[m], ineligible[m]) for m in window),
        clues=tuple(MonthCount(m, opened[m], closed[m]) for m in window),
        reviews_due=reviews_due,
        open_clues=open_count,
    )
