"""How each synced entity maps onto its table: plaintext meta columns vs encrypted content.

A record has a flat field space (`notes/sync_records.md`): `household_id`, `grid_id`, the meta
fields below (plaintext columns, not personal) and the content fields (encrypted in `payload`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

#: Key scope of records that belong to no household (regions, tasks, policies).
GLOBAL_KEY_ID: Final = "store"
#: Key scope of the per-household search entries (names and addresses for the in-memory index).
INDEX_KEY_ID: Final = "index"
#: Version of the mutation format written to the outbox (`sync.protocol.SCHEMA_VERSION`; 2: a
#: completed visit carries its device signature).
MUTATION_SCHEMA_VERSION: Final = 2


@dataclass(frozen=True)
class EntitySpec:
    entity: str
    table: str
    #: plaintext meta columns, in table order
    meta: tuple[str, ...]
    #: meta columns that must have a value (NOT NULL in the table)
    required: tuple[str, ...] = ()
    #: the table has a `household_id` column (records are encrypted under that household's key)
    household_scoped: bool = False
    #: the table has a `grid_id` column
    has_grid: bool = False
    #: local-only columns kept when the server's copy is upserted
    local_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        cols: list[str] = ["id"]
        if self.household_scoped:
            cols.append("household_id")
        if self.has_grid:
            cols.append("grid_id")
        cols.extend(self.meta)
        if self.entity == "member":
            cols.append("blind_index")
        cols.extend(("version", "seq", "payload"))
        return tuple(cols)

    @property
    def plain_fields(self) -> tuple[str, ...]:
        """Fields of the flat field space stored as plaintext columns."""
        names: list[str] = []
        if self.household_scoped:
            names.append("household_id")
        if self.has_grid:
            names.append("grid_id")
        names.extend(self.meta)
        return tuple(names)

    def upsert_sql(self) -> str:
        cols = self.columns
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        marks = ", ".join("?" for _ in cols)
        return (
            f"INSERT INTO {self.table} ({', '.join(cols)}) VALUES ({marks}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}"
        )

    def select_sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.table}"


SPECS: Final[dict[str, EntitySpec]] = {
    s.entity: s
    for s in (
        EntitySpec("region", "region", ("parent_id", "level"), required=("level",)),
        EntitySpec(
            "household",
            "household",
            ("status", "category", "next_review"),
            required=("status",),
            has_grid=True,
        ),
        EntitySpec("member", "member", (), household_scoped=True),
        EntitySpec(
            "visit",
            "visit",
            (
                "kind",
                "status",
                "revision",
                "revision_of",
                "visit_date",
                "completed_at",
                "signed_by_device",
                "device_signature",
                "signature_version",
            ),
            required=("kind", "status", "revision"),
            household_scoped=True,
        ),
        EntitySpec(
            "task",
            "task",
            ("kind", "status", "deadline"),
            required=("kind", "status"),
            has_grid=True,
        ),
        EntitySpec(
            "clue",
            "clue",
            ("member_id", "kind", "status"),
            required=("kind", "status"),
            household_scoped=True,
        ),
        EntitySpec(
            "review",
            "review",
            ("visit_id", "decision", "reviewed_at"),
            required=("visit_id", "decision"),
            household_scoped=True,
        ),
        EntitySpec(
            "attachment",
            "attachment",
            ("visit_id", "kind", "sha256", "size", "chunks"),
            required=("kind", "sha256", "size", "chunks"),
            household_scoped=True,
            local_columns=("present",),
        ),
        EntitySpec(
            "policy_ref",
            "policy_ref",
            ("region_id", "effective_from"),
            required=("region_id", "effective_from"),
        ),
        EntitySpec(
            "conflict",
            "conflict",
            ("target_entity", "target_id", "status"),
            required=("target_entity", "target_id", "status"),
            household_scoped=True,
        ),
    )
}

#: Order in which a pull page is applied (parents before children within one page).
APPLY_ORDER: Final[tuple[str, ...]] = (
    "region",
    "policy_ref",
    "task",
    "household",
    "member",
    "visit",
    "review",
    "clue",
    "attachment",
    "conflict",
)


@dataclass
class Record:
    """A decrypted record inside the store (never handed out: read models are built from it)."""

    entity: str
    id: str
    household_id: str | None
    grid_id: str | None
    version: int
    seq: int
    meta: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def key_id(self) -> str:
        if self.entity == "household":
            return self.id
        return self.household_id or GLOBAL_KEY_ID

    def flat(self) -> dict[str, Any]:
        """The flat field space: plaintext fields and content fields side by side."""
        spec = SPECS[self.entity]
        out: dict[str, Any] = {}
        if spec.household_scoped:
            out["household_id"] = self.household_id
        if spec.has_grid:
            out["grid_id"] = self.grid_id
        for name in spec.meta:
            out[name] = self.meta.get(name)
        out.update(self.data)
        return out
