"""Connections to the four databases and their schema upgrades (Alembic, to head)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine

from pipeline.settings import REPO_ROOT, DatabaseUrls, Environment, database_urls

SCHEMAS_DIR = REPO_ROOT / "schemas"


def alembic_config(database: str, url: str) -> Config:
    """The Alembic configuration of ``schemas/<database>/`` aimed at ``url``."""
    ini = SCHEMAS_DIR / database / "alembic.ini"
    config = Config(str(ini))
    config.set_main_option("script_location", str(Path(ini).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def _engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


@cache
def urls() -> DatabaseUrls:
    return database_urls()


def p3_engine() -> Engine:
    return _engine(urls().p3)


def imilo_engine(environment: Environment) -> Engine:
    return _engine(urls().for_environment(environment))


_upgraded: set[tuple[str, str]] = set()


def upgrade(database: str, url: str) -> None:
    """Bring one database to the head of its Alembic history (once per process)."""
    if (database, url) in _upgraded:
        return
    command.upgrade(alembic_config(database, url), "head")
    _upgraded.add((database, url))


def upgrade_p3() -> Engine:
    upgrade("p3", urls().p3)
    return p3_engine()


def upgrade_imilo(environment: Environment) -> Engine:
    upgrade("imilo", urls().for_environment(environment))
    return imilo_engine(environment)
