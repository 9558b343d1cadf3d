"""Alembic's environment: run migrations on the connection `bot.storage.migrate` hands over.

SQLite cannot alter constraints in place, so every migration runs in batch mode
(`render_as_batch`): Alembic copies such a table into a new one and renames it.
"""

from __future__ import annotations

from alembic import context

from bot.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
