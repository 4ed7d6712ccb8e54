"""Alembic environment: runs on the connection ``bot.storage.db`` hands it (no alembic.ini).

Apply migrations with ``bot.storage.db.upgrade(url)``. To write a new revision, autogenerate it
against a database at head, e.g. ``command.revision(alembic_config(sync_conn), "msg",
autogenerate=True)`` inside ``conn.run_sync``, then review and edit it by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.storage.models import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        transactional_ddl=True,  # SQLite too: bot.storage.db emits BEGIN itself, DDL included
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if context.is_offline_mode():
    _run_offline()
elif isinstance(_connection, Connection):
    _run(_connection)
else:
    raise RuntimeError("run migrations with bot.storage.db.upgrade(url), not the alembic CLI")
