"""Trust but verify: the server recomputes the eligibility of every completed visit it receives
and flags any difference from the laptop's result for the supervisor.

The laptop stores its result in the visit's content field `eligibility`
(`EligibilityDecision.to_dict()`). Once per finished visit — queued by the push that brings it
and run after it (`visit_checks`) — this module evaluates the visit's family with `app.policy`
under the policy in force for the household's region on the date the laptop evaluated (else
the visit date), compares the figures that decide the case (category, incomes, assets,
benefit, review date, per-member results, taper, the policy used) and:

- records one `eligibility_check` row per visit (outcome and the names of differing figures —
  no amounts, so the row is not sensitive);
- on a difference, raises a `conflict` record of kind `eligibility_mismatch` in the household's
  buckets holding both results, which the supervisor sees in the review queue and resolves.

The region chain for `policy_in_force` is the grid, then its ancestors, then
`DEFAULT_POLICY_REGION` (the region id of the shipped district policy), like the laptop does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import pydantic
import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from app.domain import VisitContent
from app.errors import PolicyError
from app.policy import EligibilityDecision, evaluate_visit, policy_in_force
from sync.protocol import Entity
from sync.server import visit_checks
from sync.server.authz import record_buckets
from sync.server.crypto import ServerKeys
from sync.server.ids import uuid7
from sync.server.models import Region, SyncRecord, UTCDateTime, utcnow
from sync.server.records import Actor, record_change, stage_insert

logger = logging.getLogger(__name__)

#: The policy region tried last (the laptop's default, `app.services.session`).
DEFAULT_POLICY_REGION: Final = "district-x"
#: The visit content field holding the laptop's `EligibilityDecision.to_dict()`.
CLIENT_RESULT_FIELD: Final = "eligibility"
#: Conflict kind of a flag.
FLAG_KIND: Final = "eligibility_mismatch"
#: The figures compared (`to_dict()` keys). Reason sentences and the evaluation date are not:
#: they may differ in wording or day without changing the outcome.
COMPARED: Final = (
    "policy_id",
    "policy_version",
    "category",
    "household_size",
    "counted_income",
    "per_capita_income",
    "per_capita_monetary_assets",
    "monthly_benefit",
    "next_review_on",
    "review_interval_months",
    "members",
    "taper",
)


class Outcome:
    MATCH: Final = "match"
    DIFFERS: Final = "differs"
    NO_CLIENT_RESULT: Final = "no_client_result"  # the laptop sent no result to compare
    CLIENT_RESULT_MALFORMED: Final = "client_result_malformed"
    NO_POLICY: Final = "no_policy"  # no policy in force for the region on that day
    CONTENT_INVALID: Final = "content_invalid"  # the visit content does not evaluate


FLAGGED_OUTCOMES: Final = frozenset(
    {Outcome.DIFFERS, Outcome.CLIENT_RESULT_MALFORMED, Outcome.CONTENT_INVALID}
)


class EligibilityCheck(SQLModel, table=True):
    """One server recomputation per visit (a finished visit's content never changes)."""

    __tablename__ = "eligibility_check"

    visit_id: str = Field(primary_key=True, max_length=64)
    household_id: str | None = Field(default=None, index=True, max_length=64)
    visit_version: int
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    evaluated_on: str | None = Field(default=None, max_length=10)
    outcome: str = Field(max_length=32, index=True)
    policy_id: str | None = Field(default=None, max_length=100)
    #: names of the compared figures that differ (never their values)
    differences: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    flag_id: str | None = Field(default=None, max_length=64)


#: grid id → (grid, ancestors nearest first + the default policy region). A region's place never
#: changes once created (its path is fixed), so the chain can be kept for the process's life.
_CHAIN_CACHE: dict[str, tuple[str, tuple[str, ...]]] = {}
_CHAIN_CACHE_MAX: Final = 20_000


def _region_chain(session: Session, grid_id: str | None) -> tuple[str, tuple[str, ...]]:
    if grid_id is None:
        return DEFAULT_POLICY_REGION, ()
    chain = _CHAIN_CACHE.get(grid_id)
    if chain is None:
        region = session.get(Region, grid_id)
        if region is None:
            return grid_id, (DEFAULT_POLICY_REGION,)
        ids = [part.split(":", 1)[1] for part in region.path.split("/")]
        ids.reverse()  # nearest first
        chain = (ids[0], (*ids[1:], DEFAULT_POLICY_REGION))
        if len(_CHAIN_CACHE) >= _CHAIN_CACHE_MAX:
            _CHAIN_CACHE.clear()
        _CHAIN_CACHE[grid_id] = chain
    return chain


def _evaluation_date(meta: dict[str, Any], client: dict[str, Any] | None) -> date:
    candidates = [
        client.get("evaluated_on") if isinstance(client, dict) else None,
        meta.get("visit_date"),
        str(meta.get("completed_at") or "")[:10],
    ]
    for value in candidates:
        if isinstance(value, str) and value:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return utcnow().date()


def _normal(value: Any) -> Any:
    """Money strings compared as numbers ("1180.0" == "1180.00")."""
    if isinstance(value, str):
        try:
            return Decimal(value).normalize() if any(ch.isdigit() for ch in value) else value
        except ArithmeticError:
            return value
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def compare(server: dict[str, Any], client: dict[str, Any]) -> list[str]:
    """Names of the compared figures that differ between two `to_dict()` results."""
    return [
        k
        for k in COMPARED
        if server.get(k) != client.get(k) and _normal(server.get(k)) != _normal(client.get(k))
    ]


@dataclass(frozen=True)
class _Evaluation:
    #: the `eligibility_check` row to write (a plain row: building a table model for each
    #: visit of a push cost as much as the comparison)
    check: dict[str, Any]
    server_result: dict[str, Any] | None
    client: Any


def _evaluate(
    session: Session,
    *,
    visit_id: str,
    household_id: str | None,
    grid_id: str | None,
    version: int,
    meta: dict[str, Any],
    data: dict[str, Any],
) -> _Evaluation:
    """The server's result for one finished visit and how it compares (writes nothing)."""
    client = data.get(CLIENT_RESULT_FIELD)
    on = _evaluation_date(meta, client if isinstance(client, dict) else None)
    grid_region, ancestors = _region_chain(session, grid_id)
    check: dict[str, Any] = {
        "visit_id": visit_id,
        "household_id": household_id,
        "visit_version": version,
        "checked_at": utcnow(),
        "evaluated_on": on.isoformat(),
        "outcome": Outcome.MATCH,
        "policy_id": None,
        "differences": [],
        "flag_id": None,
    }
    server_result: dict[str, Any] | None = None
    try:
        content = VisitContent.model_validate(
            {k: v for k, v in data.items() if k in VisitContent.model_fields}
        )
        policy = policy_in_force(grid_region, on, ancestors=ancestors)
        check["policy_id"] = policy.id
        server_result = evaluate_visit(policy, content, on).to_dict()
    except pydantic.ValidationError:
        check["outcome"] = Outcome.CONTENT_INVALID
    except PolicyError as exc:
        check["outcome"] = (
            Outcome.NO_POLICY if exc.code == "policy_not_in_force" else Outcome.CONTENT_INVALID
        )
    if server_result is not None:
        if client is None:
            check["outcome"] = Outcome.NO_CLIENT_RESULT
        elif client == server_result:
            # The laptop ran this engine on this content: its result is ours, field for field
            # (the usual case, and the check below costs as much as the evaluation itself).
            check["outcome"] = Outcome.MATCH
        else:
            try:
                client_result = EligibilityDecision.from_dict(client).to_dict()
            except PolicyError:
                check["outcome"] = Outcome.CLIENT_RESULT_MALFORMED
            else:
                check["differences"] = compare(server_result, client_result)
                check["outcome"] = Outcome.DIFFERS if check["differences"] else Outcome.MATCH
    return _Evaluation(check, server_result, client)


def verify_visit(
    session: Session, keys: ServerKeys, visit: SyncRecord, data: dict[str, Any]
) -> str:
    """Recompute one finished visit and record (and if needed flag) the outcome."""
    evaluation = _evaluate(
        session,
        visit_id=visit.id,
        household_id=visit.household_id,
        grid_id=visit.grid_id,
        version=visit.version,
        meta=visit.meta,
        data=data,
    )
    check = evaluation.check
    if check["outcome"] in FLAGGED_OUTCOMES:
        check["flag_id"] = _raise_flag(
            session, keys, visit, check, evaluation.server_result, evaluation.client
        )
    stage_insert(session, EligibilityCheck.__table__, check)  # type: ignore[attr-defined]
    logger.info("eligibility recomputed: %s", check["outcome"])
    return str(check["outcome"])


def _raise_flag(
    session: Session,
    keys: ServerKeys,
    visit: SyncRecord,
    check: dict[str, Any],
    server_result: dict[str, Any] | None,
    client: Any,
) -> str:
    flag_id = uuid7()
    meta = {
        "status": "open",
        "kind": FLAG_KIND,
        "subject_entity": Entity.VISIT.value,
        "subject_id": visit.id,
        "fields": [CLIENT_RESULT_FIELD],
        "household_id": visit.household_id,
        "grid_id": visit.grid_id,
    }
    data = {
        "outcome": check["outcome"],
        "differences": check["differences"],
        "server": server_result,
        "laptop": client,
        "evaluated_on": check["evaluated_on"],
    }
    # The flag goes where its visit goes: same grid and household, same rule.
    buckets = record_buckets(session, visit.grid_id, visit.household_id)
    record_change(
        session,
        keys,
        entity=Entity.CONFLICT.value,
        record_id=flag_id,
        household_id=visit.household_id,
        grid_id=visit.grid_id,
        meta=meta,
        data=data,
        buckets=buckets,
        actor=Actor(None, None),
        changed_fields=sorted({*meta, *data}),
        prior=None,  # a fresh id: there is no row to look up
    )
    return flag_id


visit_checks.register(
    visit_checks.FinishedVisitCheck(
        "recompute", EligibilityCheck, EligibilityCheck.visit_id, verify_visit
    )
)


def checks_for(session: Session, visit_ids: list[str]) -> dict[str, EligibilityCheck]:
    if not visit_ids:
        return {}
    rows = session.exec(
        select(EligibilityCheck).where(col(EligibilityCheck.visit_id).in_(sorted(visit_ids)))
    ).all()
    return {r.visit_id: r for r in rows}
