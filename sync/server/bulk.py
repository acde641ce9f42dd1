"""Many rows into one table in one go: `COPY … FROM STDIN` on PostgreSQL, an `executemany`
insert elsewhere.

A push writes a few hundred small rows (history, bucket memberships, audit entries, answers,
checks), all of it while it holds the change lock that every other push waits for. psycopg's
`executemany` sends them pipelined, but spends a good fraction of a millisecond per row in
Python; COPY adapts rows in C and sends them as one stream, several times faster.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa
from psycopg import sql
from sqlalchemy import insert

#: Below this many rows COPY's own round trips cost more than it saves.
COPY_FROM_ROWS: Final = 8


def insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the current transaction. Values
    go through the columns' own types (JSON, time zones), exactly as an `insert` would."""
    if not rows:
        return
    names = list(rows[0])
    if (
        connection.dialect.name != "postgresql"
        or len(rows) < COPY_FROM_ROWS
        or any(row.keys() != rows[0].keys() for row in rows)
    ):
        connection.execute(insert(table), rows)
        return
    dialect = connection.dialect
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    driver = connection.connection.driver_connection
    assert driver is not None  # a checked-out connection always has one
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if process is None or value is None else process(value)
                    for value, process in zip((row[n] for n in names), processors, strict=True)
                ]
            )
