"""The supervisor's online calls: review queue, decisions, history, tasks, spot checks, clues.

These are not part of replication (a decision must reach the server before it counts), so they
go straight to the server over the same authenticated transport the `SyncEngine` uses: the same
`requests.Session`, TLS settings, retries and token renewal. Answers are parsed into frozen read
models here, so nothing above this module handles raw JSON. Call from a worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date
from typing import Any

from sync.client.engine import SyncEngine
from sync.client.errors import SyncError
from sync.client.transport import Answer

logger = logging.getLogger(__name__)

#: (method, path, keyword arguments of `Transport.request`) -> answer
CallFn = Callable[..., Answer]
#: downloads the attachments (ids) this laptop lacks and keeps them; returns how many
KeepFn = Callable[[list[str]], int]


class SupervisorApiError(SyncError):
    """The server's answer could not be read as the expected shape."""


@dataclass(frozen=True)
class FieldComment:
    """A reviewer's comment pinned to a field path of the visit (`incomes.0.monthly_amount`)."""

    field: str
    comment: str = _field(repr=False)


@dataclass(frozen=True)
class EligibilityCheck:
    """The server's recomputation of a visit's eligibility; `outcome` is `agrees`/`differs`/..."""

    outcome: str
    differences: tuple[str, ...] = ()
    policy_id: str | None = None


@dataclass(frozen=True)
class SignatureCheck:
    """The server's verification of a visit's device signature; `outcome` is `verified`,
    `invalid`, `unsigned`, `unknown_device`, `attachment_unknown` or `unsupported_version`."""

    outcome: str
    device_id: str | None = None

    @property
    def verified(self) -> bool:
        return self.outcome == "verified"


@dataclass(frozen=True)
class QueueItem:
    visit_id: str
    household_id: str | None
    grid_id: str | None
    kind: str | None
    status: str | None
    visit_date: date | None
    author_id: str | None
    check: EligibilityCheck | None
    signature: SignatureCheck | None = None


@dataclass(frozen=True)
class ReviewDecisionRecord:
    review_id: str
    visit_id: str
    decision: str
    reviewer_id: str
    decided_at: str
    author_id: str | None
    comments: tuple[FieldComment, ...] = _field(repr=False)
    note: str = _field(default="", repr=False)


@dataclass(frozen=True)
class StatusChange:
    version: int
    status: str
    user_id: str | None
    at: str


@dataclass(frozen=True)
class RevisionRecord:
    visit_id: str
    revision_of: str | None
    status: str | None
    version: int
    status_history: tuple[StatusChange, ...]


@dataclass(frozen=True)
class ReviewHistory:
    revisions: tuple[RevisionRecord, ...]
    reviews: tuple[ReviewDecisionRecord, ...]


@dataclass(frozen=True)
class TaskRecord:
    task_id: str
    kind: str
    status: str
    agency_id: str | None
    assignee_user_id: str | None
    parent_task_id: str | None
    deadline: date | None
    title: str
    household_ids: tuple[str, ...]
    households: int
    visited: int
    created_at: str
    closed_at: str | None


@dataclass(frozen=True)
class SpotCheckRecord:
    draw_id: str
    region_id: str
    kind: str
    algorithm: str
    seed: str
    sample_size: int
    population_size: int
    selected: tuple[str, ...]
    assignments: Mapping[str, tuple[str, ...]]
    task_ids: tuple[str, ...]
    drawn_at: str
    reproducible: bool


@dataclass(frozen=True)
class ClueRecord:
    clue_id: str
    household_id: str | None
    grid_id: str | None
    status: str | None
    kind: str | None
    created_at: str | None
    closed_at: str | None


@dataclass(frozen=True)
class ConflictClash:
    """One clashing field: the value the server kept and the other one (JSON values)."""

    field: str
    kept: Any = _field(repr=False)
    other: Any = _field(repr=False)
    other_source: str | None = None


@dataclass(frozen=True)
class ConflictRecord:
    conflict_id: str
    household_id: str | None
    subject_entity: str | None
    subject_id: str | None
    status: str | None
    created_at: str
    clashes: tuple[ConflictClash, ...]
    resolution: Mapping[str, str] | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None


#: how a clashing field is settled (`sync.server.conflicts.Choice`)
KEEP, OTHER, MERGE = "kept", "other", "merged"


@dataclass(frozen=True)
class FieldDecision:
    """The decision on one clashing field; `value` only with `merged`."""

    field: str
    choice: str
    value: Any = _field(default=None, repr=False)


def _day(raw: object) -> date | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _opt(raw: object) -> str | None:
    return None if raw is None else str(raw)


class SupervisorApi:
    """Online calls for supervisors and agency admins. Build it with `for_engine`."""

    def __init__(self, call: CallFn, keep: KeepFn | None = None) -> None:
        self._call = call
        self._keep = keep

    def keep_attachments(self, attachment_ids: list[str]) -> int:
        """Fetch a visit's photos and signature images that are not on this laptop yet (they
        come on demand, not with the pull) and keep them; 0 when this API has no engine."""
        return self._keep(attachment_ids) if self._keep is not None and attachment_ids else 0

    @classmethod
    def for_engine(cls, engine: SyncEngine) -> SupervisorApi:
        """Share the engine's session, tokens and renewal (one sign-in per laptop session).

        The engine's `_call` renews an expired token once and retries; reusing it (rather than a
        second login) keeps one refresh-token family per device, which the server's reuse
        detection expects.
        """

        def call(method: str, path: str, **kwargs: Any) -> Answer:
            engine._ensure_token(kwargs.get("cancel"))
            return engine._call(method, path, **kwargs)

        return cls(call, keep=engine.keep_attachments)

    def _json(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        cancel: threading.Event | None = None,
    ) -> Any:
        answer = self._call(method, path, json_body=body, cancel=cancel)
        try:
            return answer.json()
        except ValueError as exc:
            raise SupervisorApiError(
                "服务器的答复无法读取", "The server's answer is unreadable", code="bad_answer"
            ) from exc

    # ------------------------------------------------------------------ reviews

    def review_queue(self, cancel: threading.Event | None = None) -> list[QueueItem]:
        raw = self._json("GET", "/v1/reviews/queue", cancel=cancel)
        return [self._queue_item(item) for item in raw.get("visits", [])]

    @staticmethod
    def _queue_item(item: Mapping[str, Any]) -> QueueItem:
        check = item.get("eligibility")
        signature = item.get("device_signature")
        return QueueItem(
            visit_id=str(item["visit_id"]),
            household_id=_opt(item.get("household_id")),
            grid_id=_opt(item.get("grid_id")),
            kind=_opt(item.get("kind")),
            status=_opt(item.get("status")),
            visit_date=_day(item.get("visit_date")),
            author_id=_opt(item.get("author_id")),
            check=(
                EligibilityCheck(
                    outcome=str(check["outcome"]),
                    differences=tuple(str(d) for d in check.get("differences", [])),
                    policy_id=_opt(check.get("policy_id")),
                )
                if isinstance(check, Mapping)
                else None
            ),
            signature=(
                SignatureCheck(
                    outcome=str(signature["outcome"]), device_id=_opt(signature.get("device_id"))
                )
                if isinstance(signature, Mapping)
                else None
            ),
        )

    def start_review(self, visit_id: str, cancel: threading.Event | None = None) -> str:
        """Mark the visit as under review; returns its new status."""
        raw = self._json("POST", f"/v1/visits/{visit_id}/review/start", body={}, cancel=cancel)
        return str(raw.get("status"))

    def approve(
        self, visit_id: str, note: str = "", cancel: threading.Event | None = None
    ) -> ReviewDecisionRecord:
        raw = self._json(
            "POST", f"/v1/visits/{visit_id}/approve", body={"note": note}, cancel=cancel
        )
        return self._review(raw)

    def return_visit(
        self,
        visit_id: str,
        comments: Sequence[FieldComment],
        note: str = "",
        cancel: threading.Event | None = None,
    ) -> ReviewDecisionRecord:
        body = {
            "comments": [{"field": c.field, "comment": c.comment} for c in comments],
            "note": note,
        }
        raw = self._json("POST", f"/v1/visits/{visit_id}/return", body=body, cancel=cancel)
        return self._review(raw)

    @staticmethod
    def _review(raw: Mapping[str, Any]) -> ReviewDecisionRecord:
        return ReviewDecisionRecord(
            review_id=str(raw["id"]),
            visit_id=str(raw["visit_id"]),
            decision=str(raw["decision"]),
            reviewer_id=str(raw["reviewer_id"]),
            decided_at=str(raw["decided_at"]),
            author_id=_opt(raw.get("author_id")),
            comments=tuple(
                FieldComment(str(c["field"]), str(c["comment"])) for c in raw.get("comments", [])
            ),
            note=str(raw.get("note", "")),
        )

    def history(self, visit_id: str, cancel: threading.Event | None = None) -> ReviewHistory:
        raw = self._json("GET", f"/v1/visits/{visit_id}/reviews", cancel=cancel)
        return ReviewHistory(
            revisions=tuple(
                RevisionRecord(
                    visit_id=str(r["visit_id"]),
                    revision_of=_opt(r.get("revision_of")),
                    status=_opt(r.get("status")),
                    version=int(r["version"]),
                    status_history=tuple(
                        StatusChange(
                            int(c["version"]),
                            str(c["status"]),
                            _opt(c.get("user_id")),
                            str(c["at"]),
                        )
                        for c in r.get("status_history", [])
                    ),
                )
                for r in raw.get("revisions", [])
            ),
            reviews=tuple(self._review(r) for r in raw.get("reviews", [])),
        )

    # ------------------------------------------------------------------ tasks

    @staticmethod
    def _task(raw: Mapping[str, Any]) -> TaskRecord:
        return TaskRecord(
            task_id=str(raw["id"]),
            kind=str(raw["kind"]),
            status=str(raw["status"]),
            agency_id=_opt(raw.get("agency_id")),
            assignee_user_id=_opt(raw.get("assignee_user_id")),
            parent_task_id=_opt(raw.get("parent_task_id")),
            deadline=_day(raw.get("deadline")),
            title=str(raw.get("title") or ""),
            household_ids=tuple(str(h) for h in raw.get("household_ids", [])),
            households=int(raw.get("households", 0)),
            visited=int(raw.get("visited", 0)),
            created_at=str(raw.get("created_at", "")),
            closed_at=_opt(raw.get("closed_at")),
        )

    def tasks(self, cancel: threading.Event | None = None) -> list[TaskRecord]:
        raw = self._json("GET", "/v1/tasks", cancel=cancel)
        return [self._task(t) for t in raw.get("tasks", [])]

    def create_task(
        self,
        *,
        kind: str,
        household_ids: Sequence[str],
        user_id: str | None = None,
        agency_id: str | None = None,
        deadline: date | None = None,
        title: str = "",
        window_days: int | None = None,
        cancel: threading.Event | None = None,
    ) -> TaskRecord:
        """Assign to exactly one of a worker (`user_id`) or an agency (`agency_id`)."""
        if (user_id is None) == (agency_id is None):
            raise SupervisorApiError(
                "任务须指派给一名人员或一个机构",
                "A task goes to exactly one worker or one agency",
                code="task_assignee",
            )
        assign: dict[str, str] = {"user_id": user_id} if user_id else {"agency_id": agency_id or ""}
        body: dict[str, Any] = {
            "kind": kind,
            "household_ids": list(household_ids),
            "assign_to": assign,
            "title": title,
        }
        if deadline is not None:
            body["deadline"] = deadline.isoformat()
        if window_days is not None:
            body["window_days"] = window_days
        return self._task(self._json("POST", "/v1/tasks", body=body, cancel=cancel))

    def close_task(self, task_id: str, cancel: threading.Event | None = None) -> TaskRecord:
        return self._task(self._json("POST", f"/v1/tasks/{task_id}/close", body={}, cancel=cancel))

    def split_task(
        self,
        task_id: str,
        shares: Mapping[str, Sequence[str]],
        cancel: threading.Event | None = None,
    ) -> list[TaskRecord]:
        """Agency admin: share the task's households among staff (user id -> household ids)."""
        body = {"shares": [{"user_id": u, "household_ids": list(h)} for u, h in shares.items()]}
        raw = self._json("POST", f"/v1/tasks/{task_id}/split", body=body, cancel=cancel)
        return [self._task(t) for t in raw.get("tasks", [])]

    # ------------------------------------------------------------------ spot checks

    @staticmethod
    def _draw(raw: Mapping[str, Any]) -> SpotCheckRecord:
        return SpotCheckRecord(
            draw_id=str(raw["id"]),
            region_id=str(raw["region_id"]),
            kind=str(raw["kind"]),
            algorithm=str(raw["algorithm"]),
            seed=str(raw["seed"]),
            sample_size=int(raw["sample_size"]),
            population_size=int(raw["population_size"]),
            selected=tuple(str(s) for s in raw.get("selected", [])),
            assignments={
                str(k): tuple(str(h) for h in v)
                for k, v in dict(raw.get("assignments", {})).items()
            },
            task_ids=tuple(str(t) for t in raw.get("task_ids", [])),
            drawn_at=str(raw.get("drawn_at", "")),
            reproducible=bool(raw.get("reproducible", False)),
        )

    def spot_check(
        self,
        *,
        region_id: str,
        sample_size: int,
        inspector_count: int = 2,
        seed: str | None = None,
        deadline: date | None = None,
        cancel: threading.Event | None = None,
    ) -> SpotCheckRecord:
        body: dict[str, Any] = {
            "region_id": region_id,
            "sample_size": sample_size,
            "inspector_count": inspector_count,
        }
        if seed:
            body["seed"] = seed
        if deadline is not None:
            body["deadline"] = deadline.isoformat()
        return self._draw(self._json("POST", "/v1/spot-checks", body=body, cancel=cancel))

    def spot_checks(self, cancel: threading.Event | None = None) -> list[SpotCheckRecord]:
        raw = self._json("GET", "/v1/spot-checks", cancel=cancel)
        return [self._draw(d) for d in raw.get("draws", [])]

    # ------------------------------------------------------------------ clues

    def clues(self, cancel: threading.Event | None = None) -> list[ClueRecord]:
        raw = self._json("GET", "/v1/clues", cancel=cancel)
        items = raw.get("clues", []) if isinstance(raw, Mapping) else raw
        result: list[ClueRecord] = []
        for item in items:
            meta = dict(item.get("meta") or {}) if isinstance(item.get("meta"), Mapping) else {}
            merged = {**meta, **item}
            result.append(
                ClueRecord(
                    clue_id=str(merged.get("id") or merged.get("clue_id")),
                    household_id=_opt(merged.get("household_id")),
                    grid_id=_opt(merged.get("grid_id")),
                    status=_opt(merged.get("status")),
                    kind=_opt(merged.get("kind")),
                    created_at=_opt(merged.get("created_at") or merged.get("found_on")),
                    closed_at=_opt(merged.get("closed_at")),
                )
            )
        return result

    # ------------------------------------------------------------------ conflicts

    @staticmethod
    def _conflict(raw: Mapping[str, Any]) -> ConflictRecord:
        resolution = raw.get("resolution")
        return ConflictRecord(
            conflict_id=str(raw["id"]),
            household_id=_opt(raw.get("household_id")),
            subject_entity=_opt(raw.get("subject_entity")),
            subject_id=_opt(raw.get("subject_id")),
            status=_opt(raw.get("status")),
            created_at=str(raw.get("created_at", "")),
            clashes=tuple(
                ConflictClash(
                    field=str(c["field"]),
                    kept=c.get("kept"),
                    other=c.get("other"),
                    other_source=_opt(c.get("other_source")),
                )
                for c in raw.get("clashes", [])
            ),
            resolution=(
                {str(k): str(v) for k, v in resolution.items()}
                if isinstance(resolution, Mapping)
                else None
            ),
            resolved_by=_opt(raw.get("resolved_by")),
            resolved_at=_opt(raw.get("resolved_at")),
        )

    def conflicts(self, cancel: threading.Event | None = None) -> list[ConflictRecord]:
        """Open field clashes in the supervisor's area."""
        raw = self._json("GET", "/v1/conflicts", cancel=cancel)
        return [self._conflict(c) for c in raw.get("conflicts", [])]

    def resolve_conflict(
        self,
        conflict_id: str,
        decisions: Sequence[FieldDecision],
        note: str = "",
        cancel: threading.Event | None = None,
    ) -> ConflictRecord:
        """Settle every clashing field of a conflict (see `FieldDecision`)."""
        fields: list[dict[str, Any]] = []
        for decision in decisions:
            item: dict[str, Any] = {"field": decision.field, "choice": decision.choice}
            if decision.choice == MERGE:
                item["value"] = decision.value
            fields.append(item)
        raw = self._json(
            "POST",
            f"/v1/conflicts/{conflict_id}/resolve",
            body={"fields": fields, "note": note},
            cancel=cancel,
        )
        return self._conflict(raw)
