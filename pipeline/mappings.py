"""Loads the data files of ``mappings/``: code lists, the acte de service table, the rules.

Nothing here decides anything: the files do. Every loader is cached, the files are
small and read once per process.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "mappings"


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of a ``;``-separated UTF-8 mapping file."""
    with open(MAPPINGS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@cache
def acte_to_type_offre() -> dict[str, str]:
    """Acte de service → i-milo type d'offre."""
    return {row["acte_service"]: row["type_offre_imilo"] for row in read_rows("actes_service.csv")}


@cache
def niveau_formation_2019() -> dict[str, str]:
    """P3 formation level (VI … I) → i-milo 2019 level (3 … 8)."""
    return {row["niveau_p3"]: row["niveau_imilo"] for row in read_rows("niveaux_formation.csv")}


@cache
def situations_contrat_requis() -> dict[str, bool]:
    """Situation code → whether it needs a contract code."""
    return {
        row["code_situation"]: row["code_contrat_requis"] == "O"
        for row in read_rows("situations.csv")
    }


@cache
def code_list(name: str) -> frozenset[str]:
    """The allowed values of a coded column, by list name.

    Names are ``<table>.<column>`` for the enumerations of ``codes.csv``, a bare column
    name for its ``*`` rows (``civilite``, ``booleen``), or one of the named tables.
    """
    named = {
        "contrat": lambda: [r["code_contrat"] for r in read_rows("contrats.csv")],
        "situation": lambda: list(situations_contrat_requis()),
        "niveau_formation": lambda: list(niveau_formation_2019()),
        "acte_service": lambda: list(acte_to_type_offre()),
        "theme": lambda: [r["theme"] for r in read_rows("actes_service.csv")],
        "reference_table": lambda: [r["table_name"] for r in read_rows("reference_tables.csv")],
        "dispositif_national": lambda: [r["code"] for r in read_rows("dispositifs_nationaux.csv")],
    }
    if name in named:
        return frozenset(named[name]())
    table, _, column = name.rpartition(".")
    values = [
        row["code"]
        for row in read_rows("codes.csv")
        if row["colonne"] == column and row["table"] == (table or "*")
    ]
    if not values:
        raise KeyError(f"no code list named {name!r} in mappings/")
    return frozenset(values)


@dataclass(frozen=True)
class Rule:
    """One entry of the rule catalogue (``mappings/rules.csv``)."""

    code: str
    objects: str
    field: str
    level: str
    blocking: str  # "Oui", "Non" or "Selon le champ"
    label: str
    hint: str


@cache
def rule_catalogue() -> dict[str, Rule]:
    return {
        row["code"]: Rule(
            row["code"],
            row["objets"],
            row["champ"],
            row["niveau"],
            row["bloquant"],
            row["libelle"],
            row["aide"],
        )
        for row in read_rows("rules.csv")
    }
