"""Rules that look at several columns of an object, named in the families' ``checks``.

Each takes the chunk of P3 rows (text, as read), their typed values and the check context,
and yields ``(mask, rule, field, blocking, drop)``: ``drop`` says whether a non-blocking
fault removes the value from the migrated object (``False``: kept, only reported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from pipeline import mappings
from pipeline.rules.values import TEXT, invalid_codes, member, parse_decimals, present

Finding = tuple[pd.Series, str, str, bool, bool]

EMPLOI, FORMATION = "Offre d'emploi", "Offre de formation"
MAX_HOURS_PER_WEEK = 48


def _stripped(values: pd.Series) -> pd.Series:
    return values.astype(TEXT).str.strip()


def rubrique_modalite(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """The modalité must agree with the type d'offre that the acte de service gives."""
    type_offre = _stripped(rows["acte_service"]).map(mappings.acte_to_type_offre())
    modalite = _stripped(rows["modalite"]).fillna("")
    emploi = (type_offre == EMPLOI).fillna(False).astype(bool)
    formation = (type_offre == FORMATION).fillna(False).astype(bool)
    other = type_offre.notna() & ~emploi & ~formation
    yield emploi & (modalite != "MER_EMPLOI"), "RUB_MODALITE_EMPLOI", "modalite", True, True
    yield (
        formation & (modalite != "MER_FORMATION"),
        "RUB_MODALITE_FORMATION",
        "modalite",
        True,
        True,
    )
    contradiction = other & modalite.isin(["MER_EMPLOI", "MER_FORMATION"])
    yield (
        contradiction.fillna(False).astype(bool),
        "RUB_MODALITE_CONTRADICTION",
        "modalite",
        True,
        True,
    )


def service_entreprise_salaire(
    rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any
) -> Iterator[Finding]:
    """A salary, when given, is a number ("SMIC" is not)."""
    _, invalid = parse_decimals(rows["salaire"])
    yield invalid, "SE_SALAIRE_NON_NUMERIQUE", "salaire", True, True


def service_entreprise_duree(
    rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any
) -> Iterator[Finding]:
    """A working time, when given, is a number of hours per week in (0, 48]."""
    hours, invalid = parse_decimals(rows["duree_travail"])
    out_of_range = (
        present(rows["duree_travail"]) & ~invalid & ~((hours > 0) & (hours <= MAX_HOURS_PER_WEEK))
    )
    yield invalid | out_of_range, "SE_DUREE_TRAVAIL", "duree_travail", True, True


def situation_code_contrat(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """A contract code is known, given for EMPLOI and ALTERNANCE, and empty otherwise."""
    required = _stripped(rows["code_situation"]).map(mappings.situations_contrat_requis())
    known_situation = required.notna()
    required = required.astype("boolean").fillna(False).astype(bool)
    given = present(rows["code_contrat"])
    unknown = invalid_codes(rows["code_contrat"], mappings.code_list("contrat"))
    wrong = known_situation & (unknown | (required & ~given) | (~required & given))
    yield wrong, "SITUATION_CODE_CONTRAT", "code_contrat", True, True


def dispositif_national(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """A national dispositif carries one of the national codes (ANI, PPAE, EAV, CIVIS, GJ)."""
    national = (_stripped(rows["niveau"]) == "NATIONAL").fillna(False).astype(bool)
    unknown = invalid_codes(rows["code"], mappings.code_list("dispositif_national"))
    yield national & unknown, "CODE_NON_MAPPE", "code", True, True


MIN_AGE, MAX_AGE = 14, 30


def dossier_age(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """Age at first reception within 14–30: outside, an alert; the birth date is kept."""
    born = pd.to_datetime(typed["date_naissance"], errors="coerce")
    first = pd.to_datetime(typed["date_premier_accueil"], errors="coerce")
    had_birthday = (first.dt.month > born.dt.month) | (
        (first.dt.month == born.dt.month) & (first.dt.day >= born.dt.day)
    )
    age = first.dt.year - born.dt.year - (~had_birthday).astype(int)
    outside = born.notna() & first.notna() & ((age < MIN_AGE) | (age > MAX_AGE))
    yield outside.fillna(False).astype(bool), "AGE_HORS_TRANCHE", "date_naissance", False, False


def instance_dates(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """An enrolment cannot end before it starts: the end date is dropped."""
    entree = pd.to_datetime(typed["date_entree"], errors="coerce")
    sortie = pd.to_datetime(typed["date_sortie"], errors="coerce")
    before = (entree.notna() & sortie.notna() & (sortie < entree)).fillna(False).astype(bool)
    yield before, "INSTANCE_DATES", "date_sortie", False, True


def compte_historique(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """A P3 account with no i-milo user becomes a compte historique (INFO, still migrated)."""
    if ctx.imilo_logins is None:  # the RLM has not loaded the i-milo accounts: nothing to say
        return
    login = typed["login"].astype(TEXT)
    historic = login.notna() & ~member(login, ctx.imilo_logins)
    yield historic.fillna(False).astype(bool), "COMPTE_HISTORIQUE", "login", False, False


FROZEN_COLUMNS = ("niveau", "libelle", "actif", "visible")


def reference_gel(rows: pd.DataFrame, typed: pd.DataFrame, ctx: Any) -> Iterator[Finding]:
    """After MIG_REF an ML's own references are frozen: a change or an addition is blocking.

    National and regional rows (no code_structure) are not the ML's and are not frozen.
    """
    if ctx.frozen_references is None:
        return
    local = present(rows["code_structure"])
    keys = list(
        zip(
            _stripped(rows["table_name"]).fillna(""),
            _stripped(rows["code"]).fillna(""),
            strict=True,
        )
    )
    frozen = pd.Series([ctx.frozen_references.get(k) for k in keys], index=rows.index, dtype=object)
    added = local & frozen.isna()
    yield added, "REF_MODIFIEE_APRES_GEL", "code", True, True
    decided = added.copy()
    for position, column in enumerate(FROZEN_COLUMNS):
        before = frozen.map(lambda t, i=position: None if t is None else t[i])
        now = _stripped(rows[column])
        changed = local & ~decided & (now.fillna("") != before.fillna("").astype(TEXT))
        changed = changed.fillna(False).astype(bool)
        yield changed, "REF_MODIFIEE_APRES_GEL", column, True, True
        decided |= changed


CHECKS: dict[str, Callable[[pd.DataFrame, pd.DataFrame, Any], Iterator[Finding]]] = {
    "rubrique_modalite": rubrique_modalite,
    "service_entreprise_salaire": service_entreprise_salaire,
    "service_entreprise_duree": service_entreprise_duree,
    "situation_code_contrat": situation_code_contrat,
    "dispositif_national": dispositif_national,
    "dossier_age": dossier_age,
    "instance_dates": instance_dates,
    "compte_historique": compte_historique,
    "reference_gel": reference_gel,
}

# The rule codes each check can report: the catalogue must know every one of them.
CHECK_RULES: dict[str, tuple[str, ...]] = {
    "rubrique_modalite": (
        "RUB_MODALITE_EMPLOI",
        "RUB_MODALITE_FORMATION",
        "RUB_MODALITE_CONTRADICTION",
    ),
    "service_entreprise_salaire": ("SE_SALAIRE_NON_NUMERIQUE",),
    "service_entreprise_duree": ("SE_DUREE_TRAVAIL",),
    "situation_code_contrat": ("SITUATION_CODE_CONTRAT",),
    "dispositif_national": ("CODE_NON_MAPPE",),
    "dossier_age": ("AGE_HORS_TRANCHE",),
    "instance_dates": ("INSTANCE_DATES",),
    "compte_historique": ("COMPTE_HISTORIQUE",),
    "reference_gel": ("REF_MODIFIEE_APRES_GEL",),
}
