"""The SQLAlchemy models and the Alembic histories describe the same databases."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from pipeline.db import alembic_config


@pytest.fixture
def empty_database(upgraded_databases):
    """A database created for the test on the same server as p3, dropped afterwards."""
    server = make_url(upgraded_databases.p3)
    name = f"imilo_schema_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("database", ["p3", "imilo"])
def test_migrations_build_exactly_the_models(empty_database: str, database: str):
    from schemas.imilo.models import include_name as imilo_include
    from schemas.p3.models import include_name as p3_include

    models = {"p3": "schemas.p3.models", "imilo": "schemas.imilo.models"}[database]
    metadata = __import__(models, fromlist=["metadata"]).metadata
    command.upgrade(alembic_config(database, empty_database), "head")
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": True,
                "include_name": p3_include if database == "p3" else imilo_include,
            },
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


@pytest.mark.parametrize("database", ["p3", "imilo"])
def test_downgrade_removes_every_table(empty_database: str, database: str):
    config = alembic_config(database, empty_database)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(empty_database)
    schemas = ["p3"] if database == "p3" else ["imilo", "migration"]
    tables = [t for s in schemas for t in inspect(engine).get_table_names(schema=s)]
    engine.dispose()
    assert tables == []
