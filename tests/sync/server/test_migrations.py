"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL:
an index or column added to a model without a migration would exist in tests and be missing in
production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from sqlmodel import SQLModel

import sync.server.models  # noqa: F401  (registers the tables)


def test_migrated_schema_matches_the_models(server_app: FastAPI) -> None:
    engine = server_app.state.context.engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_bucket_memberships_are_indexed_by_record(server_app: FastAPI) -> None:
    from sqlalchemy import inspect

    engine = server_app.state.context.engine
    indexes = {tuple(i["column_names"]) for i in inspect(engine).get_indexes("record_bucket")}
    assert ("entity", "record_id") in indexes
