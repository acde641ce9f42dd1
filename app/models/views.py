"""Plain frozen read models: what `app.store` hands to services, the sync engine and the UI.

They hold decrypted values, so they must stay in memory: no `repr` of personal fields (a read
model that ends up in a log line or a traceback would otherwise leak names and ID numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.domain import (
    AssistanceCategory,
    ClueKind,
    ClueStatus,
    HouseholdContent,
    HouseholdStatus,
    MemberContent,
    ReviewDecision,
    TaskStatus,
    VisitContent,
    VisitKind,
    VisitStatus,
)


@dataclass(frozen=True)
class HouseholdSummary:
    """One row of the household list (from the in-memory index: no decryption per row)."""

    household_id: str
    grid_id: str
    head_name: str = field(repr=False)
    address: str = field(repr=False)
    member_count: int
    status: HouseholdStatus
    category: AssistanceCategory | None
    next_review: date | None


@dataclass(frozen=True)
class MemberView:
    member_id: str
    household_id: str
    version: int
    content: MemberContent = field(repr=False)


@dataclass(frozen=True)
class HouseholdView:
    household_id: str
    grid_id: str
    status: HouseholdStatus
    category: AssistanceCategory | None
    next_review: date | None
    version: int
    #: the household's own fields; `content.members` is filled from the member records
    content: HouseholdContent = field(repr=False)
    members: tuple[MemberView, ...] = field(repr=False)


@dataclass(frozen=True)
class VisitView:
    visit_id: str
    household_id: str
    kind: VisitKind
    status: VisitStatus
    revision: int
    revision_of: str | None
    visit_date: date | None
    completed_at: datetime | None
    version: int
    content: VisitContent = field(repr=False)


@dataclass(frozen=True)
class TaskView:
    task_id: str
    kind: str
    status: TaskStatus
    grid_id: str | None
    deadline: date | None
    version: int
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class ClueView:
    clue_id: str
    household_id: str
    member_id: str | None
    kind: ClueKind
    status: ClueStatus
    version: int
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class ReviewView:
    review_id: str
    visit_id: str
    household_id: str
    decision: ReviewDecision
    reviewed_at: datetime | None
    version: int
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class AttachmentView:
    attachment_id: str
    household_id: str
    visit_id: str | None
    kind: str
    sha256: str
    size: int
    chunks: int
    present: bool


@dataclass(frozen=True)
class PolicyRefView:
    """The server's reference to a policy it evaluates with (pulled from the reference bucket)."""

    policy_id: str
    version: str
    region_id: str
    covers: tuple[str, ...]
    effective_from: date
    effective_to: date | None
    title_zh: str
    title_en: str

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def covers_region(self, region_id: str) -> bool:
        return region_id == self.region_id or region_id in self.covers


@dataclass(frozen=True)
class ConflictView:
    conflict_id: str
    household_id: str | None
    target_entity: str
    target_id: str
    status: str
    version: int
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class OutboxEntry:
    """A pending mutation, decrypted, in the shape of `notes/sync_records.md`."""

    mutation_id: str
    device_id: str
    entity: str
    entity_id: str
    household_id: str | None
    base_version: int
    op: str
    changed: dict[str, Any] = field(repr=False)
    hlc: str
    schema_version: int
    created_at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "mutation_id": self.mutation_id,
            "device_id": self.device_id,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "household_id": self.household_id,
            "base_version": self.base_version,
            "op": self.op,
            "changed": dict(self.changed),
            "hlc": self.hlc,
            "schema_version": self.schema_version,
        }


@dataclass(frozen=True)
class QuarantinedMutation:
    """A mutation the server rejected: kept for the user to see, never silently dropped."""

    entry: OutboxEntry
    reason: str


@dataclass(frozen=True)
class DraftRecovery:
    """Autosaved partial content of a visit form, found again after a crash."""

    visit_id: str
    household_id: str
    saved_at: datetime
    content: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class PullResult:
    applied: int
    deleted: int
    #: (entity id, field) pairs where a pending local edit was kept on top of the server value
    kept_local: tuple[tuple[str, str], ...]
    checkpoint: int


@dataclass(frozen=True)
class AuditEntryView:
    seq: int
    at: datetime
    user_id: str
    device_id: str
    action: str
    entity: str
    entity_id: str


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    #: sequence number of the first entry that fails, or None
    first_bad_seq: int | None = None
    problem: str = ""
