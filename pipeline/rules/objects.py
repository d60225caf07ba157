"""Rules that look at several columns of an object, named in the families' ``checks``.

Each takes the chunk of P3 rows (text, as read) and yields ``(mask, rule, field, blocking)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from pipeline import mappings
from pipeline.rules.values import invalid_codes, parse_decimals, present

Finding = tuple[pd.Series, str, str, bool]

EMPLOI, FORMATION = "Offre d'emploi", "Offre de formation"
MAX_HOURS_PER_WEEK = 48


def _stripped(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip()


def rubrique_modalite(rows: pd.DataFrame) -> Iterator[Finding]:
    """The modalité must agree with the type d'offre that the acte de service gives."""
    type_offre = _stripped(rows["acte_service"]).map(mappings.acte_to_type_offre())
    modalite = _stripped(rows["modalite"]).fillna("")
    emploi = (type_offre == EMPLOI).fillna(False).astype(bool)
    formation = (type_offre == FORMATION).fillna(False).astype(bool)
    other = type_offre.notna() & ~emploi & ~formation
    yield emploi & (modalite != "MER_EMPLOI"), "RUB_MODALITE_EMPLOI", "modalite", True
    yield formation & (modalite != "MER_FORMATION"), "RUB_MODALITE_FORMATION", "modalite", True
    contradiction = other & modalite.isin(["MER_EMPLOI", "MER_FORMATION"])
    yield contradiction.fillna(False).astype(bool), "RUB_MODALITE_CONTRADICTION", "modalite", True


def service_entreprise_salaire(rows: pd.DataFrame) -> Iterator[Finding]:
    """A salary, when given, is a number ("SMIC" is not)."""
    _, invalid = parse_decimals(rows["salaire"])
    yield invalid, "SE_SALAIRE_NON_NUMERIQUE", "salaire", True


def service_entreprise_duree(rows: pd.DataFrame) -> Iterator[Finding]:
    """A working time, when given, is a number of hours per week in (0, 48]."""
    hours, invalid = parse_decimals(rows["duree_travail"])
    out_of_range = (
        present(rows["duree_travail"]) & ~invalid & ~((hours > 0) & (hours <= MAX_HOURS_PER_WEEK))
    )
    yield invalid | out_of_range, "SE_DUREE_TRAVAIL", "duree_travail", True


def situation_code_contrat(rows: pd.DataFrame) -> Iterator[Finding]:
    """A contract code is known, given for EMPLOI and ALTERNANCE, and empty otherwise."""
    required = _stripped(rows["code_situation"]).map(mappings.situations_contrat_requis())
    known_situation = required.notna()
    required = required.astype("boolean").fillna(False).astype(bool)
    given = present(rows["code_contrat"])
    unknown = invalid_codes(rows["code_contrat"], mappings.code_list("contrat"))
    wrong = known_situation & (unknown | (required & ~given) | (~required & given))
    yield wrong, "SITUATION_CODE_CONTRAT", "code_contrat", True


def dispositif_national(rows: pd.DataFrame) -> Iterator[Finding]:
    """A national dispositif carries one of the national codes (ANI, PPAE, EAV, CIVIS, GJ)."""
    national = (_stripped(rows["niveau"]) == "NATIONAL").fillna(False).astype(bool)
    unknown = invalid_codes(rows["code"], mappings.code_list("dispositif_national"))
    yield national & unknown, "CODE_NON_MAPPE", "code", True


CHECKS: dict[str, Callable[[pd.DataFrame], Iterator[Finding]]] = {
    "rubrique_modalite": rubrique_modalite,
    "service_entreprise_salaire": service_entreprise_salaire,
    "service_entreprise_duree": service_entreprise_duree,
    "situation_code_contrat": situation_code_contrat,
    "dispositif_national": dispositif_national,
}
