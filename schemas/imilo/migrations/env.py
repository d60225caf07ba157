"""Alembic environment of an i-milo database (ECOLE, VALIDATION or PRODUCTION)."""

from alembic import context
from sqlalchemy import create_engine, text

from schemas.imilo.models import IMILO, MIGRATION, include_name, metadata

VERSION_TABLE = "alembic_version_imilo"
SCHEMAS = (IMILO, MIGRATION)


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from pipeline.settings import Environment, database_urls

        environment = context.get_x_argument(as_dictionary=True).get("environment", "VALIDATION")
        url = database_urls().for_environment(Environment(environment))
    return url


def run_migrations_online() -> None:
    engine = create_engine(_url())
    with engine.begin() as connection:
        # Two processes may upgrade at once (parallel Dagster steps): one at a time.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:v))"), {"v": VERSION_TABLE})
        for schema in SCHEMAS:
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
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
