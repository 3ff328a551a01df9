"""Alembic environment of the indexer's store: always run programmatically, on a connection the store passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from indexer.models import Base

_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("the indexer's migrations run through indexer.store.upgrade_schema(engine), not the alembic CLI")

context.configure(
    connection=_connection,
    target_metadata=Base.metadata,
    version_table=context.config.get_main_option("version_table") or "indexer_alembic_version",
    render_as_batch=_connection.dialect.name == "sqlite",
    transactional_ddl=True,  # SQLite too: the store issues BEGIN itself, so a crash never leaves half a schema
)
with context.begin_transaction():
    context.run_migrations()
