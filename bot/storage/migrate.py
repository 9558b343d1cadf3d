"""Bringing any earlier schema to the newest one with Alembic, under a lock, losing nothing.

A database made by release 0.1 has `schema_version` and no `alembic_version`: it
is stamped with revision 0001 (its exact schema), and only later revisions run.
On PostgreSQL an advisory lock lets two replicas start together; on SQLite the
migration runs with foreign keys off (batch mode copies tables that others
refer to) in one `BEGIN IMMEDIATE` transaction, and foreign keys are checked
before it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"
RELEASE_0_1 = "0001"
LOCK_ID = 4242001
log = logging.getLogger(__name__)


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    head = ScriptDirectory.from_config(_config(None)).get_current_head()  # type: ignore[arg-type]
    assert head is not None
    return head


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _upgrade(conn: Connection, also: Sequence[MetaData]) -> str:
    config = _config(conn)
    tables = inspect(conn).get_table_names()
    if "alembic_version" not in tables and "schema_version" in tables:
        command.stamp(config, RELEASE_0_1)
    before = current(conn)
    command.upgrade(config, "head")
    for metadata in also:
        metadata.create_all(conn, checkfirst=True)
    after = current(conn) or ""
    if after != before:
        log.info("database schema upgraded from %s to %s", before or "an empty database", after)
    return after


def migrate(engine: Engine, also: Sequence[MetaData] = ()) -> str:
    """Apply every migration not yet applied; return the revision now current.

    `also`: tables that belong to a library (slack_sdk's OAuth stores), created
    if missing under the same lock.
    """
    if engine.dialect.name == "sqlite":
        return _migrate_sqlite(engine.url.render_as_string(hide_password=False), also)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        return _upgrade(conn, also)


def _migrate_sqlite(url: str, also: Sequence[MetaData]) -> str:
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")  # only takes effect outside a transaction

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as conn:
            revision = _upgrade(conn, also)
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys")
            return revision
    finally:
        engine.dispose()
