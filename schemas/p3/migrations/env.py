"""Alembic environment of the P3 source database."""

from alembic import context
from sqlalchemy import create_engine, text

from schemas.p3.models import SCHEMA, include_name, metadata

VERSION_TABLE = "alembic_version_p3"


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from pipeline.settings import database_urls

        url = database_urls().p3
    return url


def run_migrations_online() -> None:
    engine = create_engine(_url())
    with engine.begin() as connection:
        # Two processes may upgrade at once (parallel Dagster steps): one at a time.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:v))"), {"v": VERSION_TABLE})
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=VERSION_TABLE,
            include_schemas=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
