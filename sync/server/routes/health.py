"""Liveness and readiness: answers only when the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, text
from sqlmodel import col, select

from sync.protocol import SUPPORTED_SCHEMA_VERSIONS, Health
from sync.server.deps import ContextDep, SessionDep
from sync.server.models import AuditHead, Device, SyncCounter, SyncRecord

router = APIRouter(tags=["health"])


@router.get("/health")
def health(session: SessionDep, context: ContextDep) -> Health:
    session.execute(text("SELECT 1"))
    return Health(
        supported_schema_versions=sorted(SUPPORTED_SCHEMA_VERSIONS),
        database=context.engine.dialect.name,
    )


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(session: SessionDep) -> PlainTextResponse:
    """Aggregate gauges in the Prometheus text format: counts only, nothing about a person.
    Expose it to the monitoring network only (restrict it at the reverse proxy)."""
    lines = [
        "# HELP jiafang_records Live replicated records by entity.",
        "# TYPE jiafang_records gauge",
    ]
    by_entity = session.exec(
        select(SyncRecord.entity, func.count())
        .where(col(SyncRecord.deleted).is_(False))
        .group_by(col(SyncRecord.entity))
    ).all()
    lines += [f'jiafang_records{{entity="{entity}"}} {count}' for entity, count in by_entity]
    counter = session.get(SyncCounter, 1)
    head = session.get(AuditHead, 1)
    devices = session.exec(
        select(func.count()).select_from(Device).where(col(Device.revoked_at).is_(None))
    ).one()
    lines += [
        "# TYPE jiafang_change_seq counter",
        f"jiafang_change_seq {counter.value if counter else 0}",
        "# TYPE jiafang_audit_entries counter",
        f"jiafang_audit_entries {head.n if head else 0}",
        "# TYPE jiafang_active_devices gauge",
        f"jiafang_active_devices {devices}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n")
