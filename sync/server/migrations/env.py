"""Alembic environment: runs on the connection handed over by `db.run_migrations`, or on the
URL in the Alembic config when used from the `alembic` command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import sync.server.models  # registers the tables on SQLModel.metadata
import sync.server.recompute  # its eligibility_check table
import sync.server.signatures  # its visit_signature_check table
import sync.server.spotcheck  # its spot_check_draw table
import sync.server.visit_checks  # noqa: F401  (its visit_check_pending table)

target_metadata = SQLModel.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER TABLE
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
