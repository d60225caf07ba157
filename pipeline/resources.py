"""The Dagster resource that hands assets their two database connections.

The run kind decides the target environment, and only that environment's URL is ever
looked up: a blank run has no way to name, let alone open, the PRODUCTION database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from dagster import ConfigurableResource
from sqlalchemy.engine import make_url

from pipeline import db
from pipeline.kinds import RunKind, run_kind
from pipeline.settings import ConfigurationError, Environment, masked, same_database


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as psycopg's connect() takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def environment_of(kind: str) -> Environment:
    return run_kind(kind).environment


def check_environment(conn: psycopg.Connection, environment: Environment, url: str) -> None:
    """Each i-milo database says which environment it is, from the first time it is used:
    a database that says PRODUCTION is refused to a blank run, whatever its URL looks like."""
    conn.execute(
        "INSERT INTO migration.environment (name, tagged_at) SELECT %s, now()"
        " WHERE NOT EXISTS (SELECT 1 FROM migration.environment)",
        (environment.value,),
    )
    names = [r[0] for r in conn.execute("SELECT name FROM migration.environment").fetchall()]
    conn.commit()
    if names != [environment.value]:
        raise ConfigurationError(
            f"the database {masked(url)} is the {' / '.join(names)} database, not"
            f" {environment.value}: refused"
        )


class MigrationDatabases(ConfigurableResource):
    """The P3 source and the i-milo database of the run kind's environment."""

    run_kind: str = "TAB2"  # one of pipeline.kinds.RUN_KINDS; each job sets its own
    keep: bool = False  # MAB: keep its data in production
    extract_dir: str = ""  # an extract folder to load first (the Friday 21:00 extraction)

    @property
    def kind(self) -> RunKind:
        return run_kind(self.run_kind)

    @property
    def environment(self) -> Environment:
        return self.kind.environment

    def campaign_urls(self) -> tuple[str, str, str]:
        """p3, VALIDATION, PRODUCTION as psycopg URLs, for the read-only preconditions."""
        urls = db.urls()
        return libpq_url(urls.p3), libpq_url(urls.validation), libpq_url(urls.production)

    def target_url(self) -> str:
        urls = db.urls()
        url = urls.for_environment(self.environment)
        if self.environment is not Environment.PRODUCTION and same_database(url, urls.production):
            raise ConfigurationError(
                f"{self.run_kind} would write to the production database: refused"
            )
        return url

    @contextmanager
    def connections(self) -> Iterator[tuple[psycopg.Connection, psycopg.Connection]]:
        """(p3, target): the target in one transaction, committed only if the block succeeds."""
        target_url = self.target_url()
        db.upgrade("p3", db.urls().p3)
        db.upgrade("imilo", target_url)
        with (
            psycopg.connect(libpq_url(db.urls().p3)) as p3,
            psycopg.connect(libpq_url(target_url)) as target,
        ):
            check_environment(target, self.environment, target_url)
            p3.execute("SET TIME ZONE 'Europe/Paris'")
            target.execute("SET TIME ZONE 'Europe/Paris'")
            yield p3, target
