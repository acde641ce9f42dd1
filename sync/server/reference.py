"""The reference bucket: regions and the server's policy references, pulled by every account.

Nothing in it is personal: a region is an id, a level, a parent and a name; a policy reference
names a policy file the server evaluates with (`app.policy`: id, version, region, covers,
validity). Laptops use the regions to walk the same region chain as the server's recomputation
(grid → community → street → district, `recompute._region_chain`) and compare the policy they
ship with the server's reference, warning the user when the versions differ.

Both are written as replicated records (`records.record_change`) in `REFERENCE_BUCKET`, so pulls,
checksums and audit work as for any record. They are published lazily, when a laptop pulls the
bucket: regions that appeared since (admin CLI, imports, demo seed) and, once per process, the
policies this server ships (a new server version may ship new ones). Publishing compares with what
is stored first, under the change lock, so several processes publish each change once.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.policy import Policy, shipped_policies
from sync.protocol import Entity, split_fields
from sync.server.authz import REFERENCE_BUCKET
from sync.server.crypto import ServerKeys
from sync.server.models import Region, SyncRecord
from sync.server.records import Actor, lock_changes, open_data, record_change

logger = logging.getLogger(__name__)

#: Reference records are the server's own (no user, no device).
_PUBLISHER: Final = Actor(None, None)


@dataclass
class _Published:
    """What this process published last to one database (so a pull usually costs one count
    query)."""

    regions: int | None = None
    policies: bool = False


_PUBLISHED: weakref.WeakKeyDictionary[Engine, _Published] = weakref.WeakKeyDictionary()


def region_fields(region: Region) -> dict[str, Any]:
    return {
        "level": region.level,
        "parent_id": region.parent_id,
        "name": region.name,
        "path": region.path,
    }


def policy_ref_fields(policy: Policy) -> dict[str, Any]:
    return {
        "region_id": policy.region.id,
        "effective_from": policy.policy.effective_from.isoformat(),
        "policy_name": policy.policy.title_zh,
        "version": policy.policy.version,
        "effective_to": (
            policy.policy.effective_to.isoformat() if policy.policy.effective_to else None
        ),
        "covers": list(policy.region.covers),
        "title_zh": policy.policy.title_zh,
        "title_en": policy.policy.title_en,
    }


def _stored(session: Session, entity: Entity) -> dict[str, SyncRecord]:
    rows = session.exec(
        select(SyncRecord).where(
            SyncRecord.entity == entity.value, col(SyncRecord.deleted).is_(False)
        )
    )
    return {row.id: row for row in rows}


def _write(
    session: Session,
    keys: ServerKeys,
    entity: Entity,
    record_id: str,
    fields: dict[str, Any],
    prior: SyncRecord | None,
    *,
    deleted: bool = False,
) -> None:
    meta, data = split_fields(entity.value, fields)
    record_change(
        session,
        keys,
        entity=entity.value,
        record_id=record_id,
        household_id=None,
        grid_id=None,
        meta=meta,
        data=data,
        buckets=[REFERENCE_BUCKET],
        actor=_PUBLISHER,
        changed_fields=sorted(fields),
        deleted=deleted,
        prior=prior if prior is not None else session.get(SyncRecord, (entity.value, record_id)),
    )


def publish_regions(session: Session, keys: ServerKeys) -> int:
    """Write a reference record for each region not published (or changed); the caller holds
    the change lock. Returns how many were written."""
    stored = _stored(session, Entity.REGION)
    written = 0
    for region in session.exec(select(Region).order_by(col(Region.path))):
        fields = region_fields(region)
        prior = stored.get(region.id)
        if prior is not None:
            meta, _ = split_fields(Entity.REGION.value, fields)
            if prior.meta == meta:
                continue  # a region's place never changes; its name is in the meta
        _write(session, keys, Entity.REGION, region.id, fields, prior)
        written += 1
    return written


def publish_policies(
    session: Session, keys: ServerKeys, policies: Iterable[Policy] | None = None
) -> int:
    """Bring the policy references in line with `policies` (default: the shipped ones); a
    reference to a policy no longer shipped is deleted. The caller holds the change lock."""
    pool = shipped_policies() if policies is None else tuple(policies)
    wanted = {p.id: policy_ref_fields(p) for p in pool}
    stored = _stored(session, Entity.POLICY_REF)
    written = 0
    for policy_id, fields in sorted(wanted.items()):
        prior = stored.get(policy_id)
        if prior is not None and {**prior.meta, **open_data(keys, prior)} == fields:
            continue
        _write(session, keys, Entity.POLICY_REF, policy_id, fields, prior)
        written += 1
    for policy_id in sorted(set(stored) - set(wanted)):
        prior = stored[policy_id]
        _write(
            session,
            keys,
            Entity.POLICY_REF,
            policy_id,
            {**prior.meta, **open_data(keys, prior)},
            prior,
            deleted=True,
        )
        written += 1
    return written


def ensure_published(session: Session, keys: ServerKeys) -> int:
    """Publish what changed since this process last looked (called before a reference pull);
    commits when it wrote anything. Returns how many records were written."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    published = _PUBLISHED.setdefault(engine, _Published())
    regions = int(session.exec(select(func.count()).select_from(Region)).one())
    if published.policies and published.regions == regions:
        return 0
    lock_changes(session)
    written = publish_regions(session, keys)
    if not published.policies:
        written += publish_policies(session, keys)
    session.commit()
    published.regions, published.policies = regions, True
    if written:
        logger.info("reference records published: %d", written)
    return written
