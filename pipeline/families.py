"""The object families of the migration, declared: tables, parents, fields, rules.

One engine (``pipeline.engine``) reads, checks, cascades, writes and counts every
object type from these declarations; adding an object type is an edit here.
The order of ``FAMILIES`` and of their object types is the brief's section 4 order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from schemas.p3.columns import P3_COLUMNS

Kind = Literal["text", "date", "decimal", "code", "bool"]


@dataclass(frozen=True)
class Field:
    """A P3 column and how the pipeline reads it.

    ``codes`` names a list of ``pipeline.mappings.code_list``; ``past`` means a date
    after the extract is impossible; ``rule`` is the rule reported when the value
    is malformed (for kinds whose failure has a rule of its own); ``missing_rule``
    the one reported when a mandatory value is empty; ``max_length`` the size of the
    i-milo column (a longer text is cut and reported), from ``mappings/longueurs_imilo.csv``.
    """

    name: str
    kind: Kind = "text"
    mandatory: bool = False
    codes: str | None = None
    past: bool = False
    rule: str | None = None
    missing_rule: str = "CHAMP_OBLIGATOIRE"
    max_length: int | None = None


@dataclass(frozen=True)
class Parent:
    """A foreign key to an earlier object type: the cascade follows it."""

    column: str
    table: str
    mandatory: bool = True


@dataclass(frozen=True)
class ObjectType:
    table: str
    fields: tuple[Field, ...]
    parents: tuple[Parent, ...] = ()
    label: str | None = None  # the column shown as "Libellé de l'élément en erreur"
    info: tuple[str | None, str | None] = (None, None)  # report columns F and G
    checks: tuple[str, ...] = ()  # object rules of pipeline.rules.objects


@dataclass(frozen=True)
class Family:
    key: str  # the Dagster asset name
    sheet: str  # the report's family name
    grain: str  # one sentence: what one row of the family is
    object_types: tuple[ObjectType, ...] = field(default_factory=tuple)


def _t(name: str, **kw: object) -> Field:
    return Field(name, "text", **kw)  # type: ignore[arg-type]


def _d(name: str, **kw: object) -> Field:
    return Field(name, "date", **kw)  # type: ignore[arg-type]


def _c(name: str, codes: str, **kw: object) -> Field:
    return Field(name, "code", codes=codes, **kw)  # type: ignore[arg-type]


def _b(name: str) -> Field:
    return Field(name, "bool", codes="booleen")


def _dossier_child(table: str, *fields: Field, label: str | None = None) -> ObjectType:
    return ObjectType(table, fields, (Parent("id_dossier", "dossier"),), label=label)


FAMILIES: tuple[Family, ...] = (
    Family(
        "referentiels",
        "REFERENTIEL",
        "one row per code of a P3 reference table",
        (
            ObjectType(
                "reference",
                (
                    _c("table_name", "reference_table", mandatory=True),
                    _c("niveau", "reference.niveau", mandatory=True),
                    _t("code", mandatory=True),
                    _t("libelle", mandatory=True),
                    _b("actif"),
                    _b("visible"),
                ),
                label="libelle",
                info=("table_name", None),
                checks=("reference_gel",),
            ),
        ),
    ),
    Family(
        "utilisateurs",
        "UTILISATEUR",
        "one row per P3 user account of the ML",
        (
            ObjectType(
                "utilisateur",
                (
                    _t("login", mandatory=True),
                    _t("nom", mandatory=True),
                    _t("prenom", mandatory=True),
                    _c("civilite", "civilite", mandatory=True),
                    _d("date_naissance", mandatory=True, past=True),
                    _c("profil", "utilisateur.profil"),
                    _c("fonction", "utilisateur.fonction"),
                    _b("actif"),
                ),
                label="login",
                checks=("compte_historique",),
            ),
        ),
    ),
    Family(
        "structures",
        "STRUCTURE",
        "one row per structure (ML, antenne, permanence)",
        (
            ObjectType(
                "structure",
                (
                    _t("code", mandatory=True),
                    _t("id_structure_parent"),
                    _t("nom", mandatory=True),
                    _c("type", "structure.type", mandatory=True),
                    _t("adresse"),
                    _t("code_postal"),
                    _t("commune"),
                    _t("region"),
                    _t("telephone"),
                    _t("email"),
                ),
                label="nom",
                info=("code", None),
            ),
            ObjectType(
                "structure_administrative",
                (_t("siret"), _t("raison_sociale")),
                (Parent("id_structure", "structure"),),
                label="raison_sociale",
            ),
            ObjectType(
                "zone_couverture",
                (_t("code_commune_insee", mandatory=True),),
                (Parent("id_structure", "structure"),),
                label="code_commune_insee",
            ),
        ),
    ),
    Family(
        "entreprises",
        "PARTENAIRE",
        "one row per partner company or its contacts",
        (
            ObjectType(
                "entreprise",
                (
                    _t("raison_sociale", mandatory=True),
                    _t("siret"),
                    _t("code_naf"),
                    _t("adresse"),
                    _t("code_postal"),
                    _t("commune"),
                    _t("telephone"),
                ),
                label="raison_sociale",
                info=("siret", None),
            ),
            ObjectType(
                "personne_ressource",
                (
                    _t("nom"),
                    _t("prenom"),
                    Field("email", rule="EMAIL_INVALIDE"),
                    _t("telephone"),
                    _t("fonction"),
                ),
                (Parent("id_entreprise", "entreprise"),),
                label="nom",
            ),
            ObjectType(
                "actualite_entreprise",
                (_d("date_actualite", past=True), _t("libelle")),
                (Parent("id_entreprise", "entreprise"),),
                label="libelle",
            ),
        ),
    ),
    Family(
        "offres",
        "OFFRE",
        "one row per offer-side object: contexte, formation, rubrique, job",
        (
            ObjectType(
                "contexte_dossier", (_t("code"), _t("libelle", mandatory=True)), label="libelle"
            ),
            ObjectType(
                "intitule_formation",
                (
                    _t("libelle", mandatory=True),
                    _t("organisme"),
                    _t("code_formacode"),
                ),
                label="libelle",
            ),
            ObjectType(
                "rubrique",
                (
                    _t("libelle", mandatory=True),
                    _c("theme", "theme"),
                    _c("modalite", "rubrique.modalite"),
                    _c("utilisation", "rubrique.utilisation"),
                    _c("acte_service", "acte_service"),
                ),
                label="libelle",
                info=("id_rubrique", None),
                checks=("rubrique_modalite",),
            ),
            ObjectType(
                "service_entreprise",
                (
                    _t("intitule_poste", mandatory=True),
                    _t("nb_postes"),
                    _c("type_contrat", "contrat"),
                    _t("salaire"),
                    _t("duree_travail"),
                    _d("date_debut"),
                    _d("date_fin"),
                    _c("statut", "service_entreprise.statut"),
                ),
                (Parent("id_entreprise", "entreprise"),),
                label="intitule_poste",
                checks=("service_entreprise_salaire", "service_entreprise_duree"),
            ),
        ),
    ),
    Family(
        "dispositifs",
        "DISPOSITIFS",
        "one row per dispositif or configuration entry",
        (
            ObjectType(
                "dispositif",
                (
                    _t("code", mandatory=True),
                    _t("libelle", mandatory=True),
                    _c("niveau", "dispositif.niveau", mandatory=True),
                    _t("type"),
                    _d("date_debut"),
                    _d("date_fin"),
                ),
                label="libelle",
                info=("code", None),
                checks=("dispositif_national",),
            ),
            ObjectType(
                "configuration_dispositif",
                (_t("parametre"), _t("valeur")),
                (Parent("id_dispositif", "dispositif"),),
                label="parametre",
            ),
        ),
    ),
    Family(
        "dossiers",
        "DOSSIER",
        "one row per dossier of a young person or one of its parts",
        (
            ObjectType(
                "dossier",
                (
                    _t("numero"),
                    _c("civilite", "civilite"),
                    _t("nom", mandatory=True),
                    _t("prenom", mandatory=True),
                    _d("date_naissance", mandatory=True, past=True),
                    Field("email", rule="EMAIL_INVALIDE"),
                    _t("telephone"),
                    Field("identifiant_pe", rule="PE_IDENTIFIANT"),
                    _d("date_premier_accueil", past=True),
                    _c("statut", "dossier.statut", mandatory=True),
                    _t("login_referent"),
                    _c("code_connaissance", "connaissance"),
                ),
                label="numero",
                checks=("dossier_age",),
            ),
            _dossier_child(
                "adresse",
                _t("ligne1"),
                _t("code_postal"),
                _t("commune"),
                _d("date_debut"),
                label="ligne1",
            ),
            _dossier_child(
                "connaissance",
                _c("code_connaissance", "connaissance"),
                _d("date_connaissance", past=True),
                label="code_connaissance",
            ),
            _dossier_child(
                "cursus",
                _c("niveau_formation", "niveau_formation"),
                _t("diplome"),
                _d("date_fin"),
                label="diplome",
            ),
            _dossier_child(
                "historique_statut", _t("statut"), _d("date_statut", past=True), label="statut"
            ),
            _dossier_child("langue", _t("langue"), _t("niveau"), label="langue"),
            _dossier_child("loisirs", _t("libelle"), label="libelle"),
            _dossier_child("moyen_garde", _t("type_garde"), label="type_garde"),
            _dossier_child("moyen_locomotion", _t("type_locomotion"), label="type_locomotion"),
            _dossier_child(
                "permis_conduire",
                _t("categorie"),
                _d("date_obtention", past=True),
                label="categorie",
            ),
            _dossier_child("projet", _t("libelle"), _d("date_projet"), label="libelle"),
            _dossier_child(
                "rattachement",
                _t("code_structure_rattachement"),
                _d("date_debut"),
                label="code_structure_rattachement",
            ),
            _dossier_child(
                "referent", _t("login_referent"), _d("date_debut"), label="login_referent"
            ),
            _dossier_child(
                "rendez_vous", _d("date_rdv"), _t("objet"), _t("login_conseiller"), label="objet"
            ),
            _dossier_child(
                "ressource", _t("type_ressource"), _t("montant"), label="type_ressource"
            ),
            ObjectType(
                "situation",
                (
                    _c("code_situation", "situation", mandatory=True),
                    _t("code_contrat"),
                    _d("date_debut"),
                    _d("date_fin"),
                ),
                (Parent("id_dossier", "dossier"),),
                label="code_situation",
                checks=("situation_code_contrat",),
            ),
            _dossier_child("tache", _t("libelle"), _d("date_echeance"), label="libelle"),
        ),
    ),
    Family(
        "instances",
        "INSTANCES",
        "one row per enrolment in a dispositif or one of its parts",
        (
            ObjectType(
                "dispositif_instance",
                (
                    _d("date_entree", mandatory=True),
                    _d("date_sortie"),
                    _c("statut", "dispositif_instance.statut"),
                ),
                (Parent("id_dossier", "dossier"), Parent("id_dispositif", "dispositif")),
                label="statut",
                info=("id_dispositif", None),
                checks=("instance_dates",),
            ),
            ObjectType(
                "engagement",
                (_d("date_engagement", past=True), _t("libelle")),
                (Parent("id_dispositif_instance", "dispositif_instance"),),
                label="libelle",
            ),
            ObjectType(
                "versement",
                (
                    _d("date_versement", mandatory=True, past=True),
                    Field(
                        "montant",
                        "decimal",
                        mandatory=True,
                        rule="VERSEMENT_MONTANT",
                        missing_rule="VERSEMENT_MONTANT",
                    ),
                ),
                (Parent("id_dispositif_instance", "dispositif_instance"),),
                label="montant",
            ),
        ),
    ),
    Family(
        "propositions",
        "PROPOSITION",
        "one row per event or proposition of a dossier",
        (
            ObjectType(
                "actualite_dossier",
                (
                    _d("date_actualite", past=True),
                    _c("type", "actualite_dossier.type"),
                    _t("libelle"),
                ),
                (Parent("id_dossier", "dossier"),),
                label="libelle",
            ),
            ObjectType(
                "demande_jeune",
                (_d("date_demande", past=True), _t("libelle")),
                (Parent("id_dossier", "dossier"),),
                label="libelle",
            ),
            ObjectType(
                "proposition",
                (
                    _d("date_proposition", past=True),
                    _c("modalite", "rubrique.modalite"),
                ),
                (
                    Parent("id_rubrique", "rubrique"),
                    Parent("id_service_entreprise", "service_entreprise", mandatory=False),
                    Parent("id_dossier", "dossier"),
                ),
                label="modalite",
                info=("id_rubrique", None),
            ),
        ),
    ),
    Family(
        "demat",
        "DEMAT",
        "one row per electronic aid request to the ASP or its amendment",
        (
            ObjectType(
                "demat",
                (
                    _c("type_demat", "demat.type_demat", mandatory=True),
                    _c("type_aide", "demat.type_aide", mandatory=True),
                    _d("date_demande", past=True),
                    _c("statut", "demat.statut"),
                ),
                (Parent("id_dossier", "dossier"),),
                label="type_aide",
                info=("type_demat", "type_aide"),
            ),
            ObjectType(
                "avenant",
                (
                    _c(
                        "secteur",
                        "avenant.secteur",
                        mandatory=True,
                        missing_rule="AVENANT_SECTEUR_MANQUANT",
                    ),
                    _d("date_avenant", past=True),
                ),
                (Parent("id_demat", "demat"),),
                label="secteur",
                info=("id_demat", None),
            ),
        ),
    ),
)

# Rules that follow a column wherever it appears (the brief: "any" object with a phone).
COLUMN_RULES = {
    "telephone": "TELEPHONE_INVALIDE",
    ("structure", "code_postal"): "CODE_POSTAL_INVALIDE",
    ("entreprise", "code_postal"): "CODE_POSTAL_INVALIDE",
    ("adresse", "code_postal"): "CODE_POSTAL_INVALIDE",
    ("entreprise", "siret"): "SIRET_INVALIDE",
}
LENGTHS_FILE = Path(__file__).resolve().parents[1] / "mappings" / "longueurs_imilo.csv"


def _column_sizes() -> dict[tuple[str, str], int]:
    """Sizes of the i-milo text columns: table;colonne;longueur, ``*`` for every table."""
    with open(LENGTHS_FILE, encoding="utf-8", newline="") as handle:
        return {
            (r["table"], r["colonne"]): int(r["longueur"])
            for r in csv.DictReader(handle, delimiter=";")
        }


def _with_column_rules(family: Family, sizes: dict[tuple[str, str], int]) -> Family:
    def refine(table: str, spec: Field) -> Field:
        rule = COLUMN_RULES.get((table, spec.name)) or COLUMN_RULES.get(spec.name)
        if rule and spec.kind == "text" and spec.rule is None:
            spec = replace(spec, rule=rule)
        size = sizes.get((table, spec.name)) or sizes.get(("*", spec.name))
        if size and spec.kind == "text":
            spec = replace(spec, max_length=size)
        return spec

    return replace(
        family,
        object_types=tuple(
            replace(ot, fields=tuple(refine(ot.table, f) for f in ot.fields))
            for ot in family.object_types
        ),
    )


FAMILIES = tuple(_with_column_rules(f, _column_sizes()) for f in FAMILIES)
FAMILY_BY_KEY = {family.key: family for family in FAMILIES}
OBJECT_TYPES = {ot.table: ot for family in FAMILIES for ot in family.object_types}
FAMILY_OF = {ot.table: family.key for family in FAMILIES for ot in family.object_types}
OBJECT_ORDER = {table: rank for rank, table in enumerate(P3_COLUMNS)}
PARENT_TABLES = frozenset(p.table for ot in OBJECT_TYPES.values() for p in ot.parents)

assert list(OBJECT_TYPES) == list(P3_COLUMNS), "families and P3 columns disagree on the tables"
for _ot in OBJECT_TYPES.values():
    _declared = {f.name for f in _ot.fields} | {p.column for p in _ot.parents}
    assert _declared == set(P3_COLUMNS[_ot.table]), f"{_ot.table}: fields and P3 columns differ"


def dossier_path(table: str) -> tuple[Parent, ...]:
    """The parents that lead from an object type up to its dossier (empty for the dossier)."""
    if table == "dossier":
        return ()
    for parent in OBJECT_TYPES[table].parents:
        if parent.table == "dossier":
            return (parent,)
        if parent.table in DOSSIER_PARTS:
            return (parent, *dossier_path(parent.table))
    raise KeyError(f"{table} belongs to no dossier")


def _dossier_parts() -> frozenset[str]:
    parts: set[str] = {"dossier"}
    for ot in OBJECT_TYPES.values():  # parents come first: one pass in order suffices
        if any(p.table in parts for p in ot.parents):
            parts.add(ot.table)
    return frozenset(parts)


DOSSIER_PARTS = _dossier_parts()  # the dossier and every object type under it
