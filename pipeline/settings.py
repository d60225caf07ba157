"""Where the product finds its databases: the one place that decides each environment's URL.

The four logical databases come from ``IMILO_P3_URL``, ``IMILO_VALIDATION_URL``,
``IMILO_PRODUCTION_URL`` and ``IMILO_ECOLE_URL``. When none is set, the embedded
PostgreSQL under ``var/`` is started and its four databases are used. Setting only
some of them is refused: mixing a real server with the embedded one is a mistake
an operator would rather hear about than discover in production.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = Path(os.environ.get("IMILO_VAR_DIR", REPO_ROOT / "var"))

URL_VARIABLES = {
    "p3": "IMILO_P3_URL",
    "ecole": "IMILO_ECOLE_URL",
    "validation": "IMILO_VALIDATION_URL",
    "production": "IMILO_PRODUCTION_URL",
}


class Environment(enum.StrEnum):
    """An i-milo environment: each is its own database."""

    ECOLE = "ECOLE"
    VALIDATION = "VALIDATION"
    PRODUCTION = "PRODUCTION"


class ConfigurationError(RuntimeError):
    """The product's configuration is unusable; the message says what to change."""


# An ML is its seat's INSEE code (Corsica 2A/2B) then S00; its antennes are S01, S02, …
ML_CODE = re.compile(r"(?:\d{2}|2A|2B)\d{3}S00")


def check_ml_code(code: str) -> str:
    """The code of a Mission Locale, or a refusal that says what one looks like."""
    if not ML_CODE.fullmatch(code):
        raise ConfigurationError(
            f"{code!r} is not the code structure of a Mission Locale: the INSEE code of its "
            "seat commune then S00, e.g. 65440S00 or 2A004S00 (antennes S01… are not MLs)"
        )
    return code


@dataclass(frozen=True)
class DatabaseUrls:
    p3: str
    ecole: str
    validation: str
    production: str

    def for_environment(self, environment: Environment) -> str:
        return {
            Environment.ECOLE: self.ecole,
            Environment.VALIDATION: self.validation,
            Environment.PRODUCTION: self.production,
        }[environment]


def _normalise(url: str) -> str:
    """Use the psycopg 3 driver whatever the operator wrote (postgres://, postgresql://)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(f"only PostgreSQL URLs are supported, got {parsed.drivername}")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _server(url: str) -> tuple[frozenset[str], int]:
    """Where a URL's server is: the set of its addresses (loopback as one name) and its port."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "")
    port = parsed.port or 5432
    if not host or host.startswith("/") or host == "localhost":
        return frozenset({"loopback"}), port
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, port)}
    except OSError:
        addresses = {host.lower()}
    loopback = (
        {a for a in addresses if ipaddress.ip_address(a).is_loopback}
        if all(_is_ip(a) for a in addresses)
        else set()
    )
    return frozenset(({"loopback"} if loopback else set()) | (addresses - loopback)), port


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def same_database(a: str, b: str) -> bool:
    """Whether two URLs may reach the same database: same name on a server whose addresses
    meet (``localhost``, ``127.0.0.1``, ``::1`` and a Unix socket are one server)."""
    (hosts_a, port_a), (hosts_b, port_b) = _server(a), _server(b)
    return (
        make_url(a).database == make_url(b).database
        and port_a == port_b
        and bool(hosts_a & hosts_b)
    )


def masked(url: str) -> str:
    """A URL fit for a log line: the password never appears."""
    return make_url(url).render_as_string(hide_password=True)


def database_urls() -> DatabaseUrls:
    """The URLs of the four databases, from the environment or the embedded server."""
    given = {key: os.environ.get(var) for key, var in URL_VARIABLES.items()}
    if not any(given.values()):
        from pipeline.embedded_pg import ensure_server

        return DatabaseUrls(**ensure_server())
    missing = [URL_VARIABLES[key] for key, value in given.items() if not value]
    if missing:
        raise ConfigurationError(
            "set all four database URLs or none (none starts the embedded server); "
            f"missing: {', '.join(missing)}"
        )
    urls = {key: _normalise(value) for key, value in given.items() if value}
    if same_database(urls["validation"], urls["production"]):
        raise ConfigurationError(
            "IMILO_VALIDATION_URL and IMILO_PRODUCTION_URL reach the same database: "
            "a blank run would write to production"
        )
    return DatabaseUrls(**urls)
