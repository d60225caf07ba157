"""What the RLM provides beside the extract: the ML's i-milo accounts, and the freeze of its
local references that MIG_REF takes. Both live in the p3 database, keyed by ML, so that a
blank run and a pre-check read them without reaching any i-milo environment."""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

from pipeline.engine import frozen_references, imilo_logins
from pipeline.extract import ExtractError
from pipeline.runs import latest_extract

ACCOUNT_COLUMNS = ("login_imilo", "login_p3", "nom", "prenom")


def load_imilo_accounts(engine: Engine, ml: str, path: Path) -> int:
    """Replace the ML's list of i-milo accounts with the file's; returns the accounts loaded."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=";")
            header = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in ("login_imilo", "login_p3") if c not in header]
            if missing:
                raise ExtractError(
                    f"{path}: line 1: missing column {missing[0]!r} "
                    f"(expected {';'.join(ACCOUNT_COLUMNS)})"
                )
            accounts: dict[str, tuple[str, str | None, str | None]] = {}
            for row in reader:
                line = reader.line_num
                if None in row or None in row.values():
                    raise ExtractError(
                        f"{path}: line {line}: {len(header)} fields expected ({';'.join(header)})"
                    )
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                if not row.get("login_p3") or not row.get("login_imilo"):
                    raise ExtractError(
                        f"{path}: line {line}: login_p3 and login_imilo are "
                        f"required, got {row.get('login_p3')!r}, "
                        f"{row.get('login_imilo')!r}"
                    )
                if row["login_p3"] in accounts:
                    raise ExtractError(
                        f"{path}: line {line}: column login_p3: {row['login_p3']!r} appears twice"
                    )
                accounts[row["login_p3"]] = (
                    row["login_imilo"],
                    row.get("nom") or None,
                    row.get("prenom") or None,
                )
    except UnicodeDecodeError as error:
        raise ExtractError(f"{path}: not valid UTF-8 ({error.reason})") from None
    except FileNotFoundError:
        raise ExtractError(f"{path}: no such file") from None
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM p3.compte_imilo WHERE ml = :ml"), {"ml": ml})
        if accounts:
            conn.execute(
                text(
                    "INSERT INTO p3.compte_imilo (ml, login_p3, login_imilo, nom, prenom)"
                    " VALUES (:ml, :p3, :imilo, :nom, :prenom)"
                ),
                [
                    {"ml": ml, "p3": k, "imilo": v[0], "nom": v[1], "prenom": v[2]}
                    for k, v in accounts.items()
                ],
            )
    return len(accounts)


def freeze_references(engine: Engine, ml: str) -> int:
    """Record the ML's own references of its latest extract as frozen (what MIG_REF took)."""
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        return freeze(raw, ml, latest_extract(raw, ml).extract_id)  # refuses when none loaded


def freeze(p3: psycopg.Connection, ml: str, extract_id: int) -> int:
    """Record the ML's own references of an extract as frozen; the caller commits."""
    p3.execute("DELETE FROM p3.reference_gel WHERE ml = %s", (ml,))
    return p3.execute(
        "INSERT INTO p3.reference_gel (ml, table_name, code, id_reference, niveau,"
        " libelle, actif, visible)"
        " SELECT DISTINCT ON (btrim(table_name), btrim(code)) CAST(%(ml)s AS text),"
        " btrim(table_name), btrim(code), btrim(id_reference), btrim(niveau), btrim(libelle),"
        " btrim(actif), btrim(visible) FROM p3.reference"
        " WHERE extract_id = %(e)s AND left(btrim(code_structure), 5) = left(%(ml)s, 5)"
        " AND btrim(table_name) <> '' AND btrim(code) <> ''"
        " ORDER BY btrim(table_name), btrim(code), line_no",
        {"ml": ml, "e": extract_id},
    ).rowcount


def rlm_inputs(ml: str) -> tuple[frozenset[str] | None, dict[tuple[str, str], tuple] | None]:
    """The ML's i-milo logins and reference freeze, as a run would read them."""
    from pipeline import db
    from pipeline.resources import libpq_url

    db.upgrade_p3()
    with psycopg.connect(libpq_url(db.urls().p3)) as p3:
        return imilo_logins(p3, ml), frozen_references(p3, ml)
