"""Control indicators and GO / NO GO criteria, computed on P3 and on i-milo after a run.

Each indicator is counted twice, independently: in the p3 database on the extract's rows
as read (first copy of each P3 id, the ML's rows), and in the i-milo database on what the
run migrated — never from the pipeline's own counters. The criteria of the GO / NO GO are
counted since 1 July 2014; the verdict is GO when every criterion is at 100 % and the RGS
certificate is declared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pipeline.families import OBJECT_TYPES
from schemas.p3.columns import id_column

SINCE = dt.date(2014, 7, 1)
NATIONAL = ("ANI", "PPAE", "EAV", "CIVIS", "GJ")
DEMAT_AIDS = ("CUI_CAE", "CUI_CIE", "EAV")


@dataclass(frozen=True)
class Indicator:
    """One figure, with how to count it on each side (``{t}`` names the P3 rows of a table)."""

    code: str
    label: str  # French, as the RLM reads it
    p3: str  # SQL on p3: {dossier} etc. stand for the ML's first copies of each table
    imilo: str  # SQL on i-milo, %(ml)s the ML
    criterion: bool = False  # a GO / NO GO criterion


def _p3_rows(table: str) -> sql.Composed:
    """The ML's rows of a P3 table in the extract, first copy of each id, as a subquery."""
    key = sql.Identifier(id_column(table))
    return sql.SQL(
        "(SELECT DISTINCT ON (btrim({key})) * FROM {table}"
        " WHERE extract_id = %(e)s AND (coalesce(btrim(code_structure), '') = ''"
        " OR left(btrim(code_structure), 5) = %(ml5)s) AND btrim({key}) <> ''"
        " ORDER BY btrim({key}), line_no)"
    ).format(key=key, table=sql.Identifier("p3", table))


_NATIONAL = "('ANI', 'PPAE', 'EAV', 'CIVIS', 'GJ')"
_AIDS = "('CUI_CAE', 'CUI_CIE', 'EAV')"
_SINCE = "DATE '2014-07-01'"
# The versements of CIVIS and GJ instances since 1 July 2014, on each side.
_CIVIS_GJ_P3 = (
    " FROM {versement} v JOIN {dispositif_instance} i"
    " ON btrim(i.id_dispositif_instance) = btrim(v.id_dispositif_instance)"
    " JOIN {dispositif} p ON btrim(p.id_dispositif) = btrim(i.id_dispositif)"
    f" WHERE btrim(p.code) IN ('CIVIS', 'GJ') AND p3.safe_date(v.date_versement) >= {_SINCE}"
)
_CIVIS_GJ_IMILO = (
    " FROM imilo.versement v JOIN imilo.dispositif_instance i ON i.id = v.dispositif_instance_id"
    " JOIN imilo.dispositif p ON p.id = i.dispositif_id"
    f" WHERE v.ml = %(ml)s AND p.code IN ('CIVIS', 'GJ') AND v.date_versement >= {_SINCE}"
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "structures",
        "Structures de la ML",
        "SELECT count(*) FROM {structure} s",
        "SELECT count(*) FROM imilo.structure WHERE ml = %(ml)s",
    ),
    Indicator(
        "programmes_locaux",
        "Programmes (dispositifs) locaux",
        "SELECT count(*) FROM {dispositif} d WHERE btrim(d.niveau) = 'LOCAL'",
        "SELECT count(*) FROM imilo.dispositif WHERE ml = %(ml)s AND niveau = 'LOCAL'",
    ),
    Indicator(
        "dossiers_non_archives",
        "Dossiers non archivés",
        "SELECT count(*) FROM {dossier} d WHERE btrim(d.statut) = 'ACTIF'",
        "SELECT count(*) FROM imilo.dossier WHERE ml = %(ml)s AND statut = 'ACTIF'",
    ),
    Indicator(
        "dossiers_archives",
        "Dossiers archivés",
        "SELECT count(*) FROM {dossier} d WHERE btrim(d.statut) = 'ARCHIVE'",
        "SELECT count(*) FROM imilo.dossier WHERE ml = %(ml)s AND statut = 'ARCHIVE'",
    ),
    Indicator(
        "dossiers_tous",
        "Dossiers (tous)",
        "SELECT count(*) FROM {dossier} d",
        "SELECT count(*) FROM imilo.dossier WHERE ml = %(ml)s",
    ),
    Indicator(
        "dossiers_non_archives_eav",
        "Dossiers non archivés dans le dispositif EAV",
        "SELECT count(DISTINCT d.id_dossier) FROM {dossier} d"
        " JOIN {dispositif_instance} i ON btrim(i.id_dossier) = btrim(d.id_dossier)"
        " JOIN {dispositif} p ON btrim(p.id_dispositif) = btrim(i.id_dispositif)"
        " WHERE btrim(d.statut) = 'ACTIF' AND btrim(p.code) = 'EAV'",
        "SELECT count(DISTINCT d.id) FROM imilo.dossier d"
        " JOIN imilo.dispositif_instance i ON i.dossier_id = d.id"
        " JOIN imilo.dispositif p ON p.id = i.dispositif_id"
        " WHERE d.ml = %(ml)s AND d.statut = 'ACTIF' AND p.code = 'EAV'",
    ),
    Indicator(
        "versements_nombre",
        "Versements (nombre)",
        "SELECT count(*) FROM {versement} v",
        "SELECT count(*) FROM imilo.versement WHERE ml = %(ml)s",
    ),
    Indicator(
        "versements_montant",
        "Versements (montant total, €)",
        "SELECT coalesce(sum(p3.safe_amount(v.montant)), 0) FROM {versement} v",
        "SELECT coalesce(sum(montant), 0) FROM imilo.versement WHERE ml = %(ml)s",
    ),
    *(
        Indicator(
            f"references_locales_{table.lower()}",
            f"Références locales de la table mixte {label}",
            "SELECT count(*) FROM {reference} r WHERE btrim(r.table_name) = '"
            + table
            + "' AND coalesce(btrim(r.code_structure), '') <> ''",
            "SELECT count(*) FROM imilo.reference WHERE ml = %(ml)s AND table_name = '"
            + table
            + "' AND coalesce(code_structure, '') <> ''",
        )
        for table, label in (
            ("PARTENAIRES", "Partenaires"),
            ("PILOTE", "Pilote"),
            ("VERSEMENT", "Versement"),
        )
    ),
    *(
        Indicator(
            f"propositions_{mod.lower()}",
            f"Propositions de type {label}",
            "SELECT count(*) FROM {proposition} p WHERE btrim(p.modalite) = '" + mod + "'",
            "SELECT count(*) FROM imilo.proposition WHERE ml = %(ml)s AND modalite = '" + mod + "'",
        )
        for mod, label in (
            ("MER_AUTRE", "MER autre"),
            ("MER_EMPLOI", "MER offre d'emploi"),
            ("MER_FORMATION", "MER formation"),
        )
    ),
    # The GO / NO GO criteria, since 1 July 2014.
    Indicator(
        "jdi",
        "Jeunes en demande d'insertion (JDI) depuis le 01/07/2014",
        # One uncorrelated set of dossiers with an event: hashed once, not probed per row.
        "SELECT count(*) FROM {dossier} d WHERE btrim(d.id_dossier) IN ("
        " SELECT btrim(p.id_dossier) FROM {proposition} p"
        f" WHERE p3.safe_date(p.date_proposition) >= {_SINCE}"
        " UNION SELECT btrim(a.id_dossier) FROM {actualite_dossier} a"
        f" WHERE p3.safe_date(a.date_actualite) >= {_SINCE}"
        " UNION SELECT btrim(r.id_dossier) FROM {rendez_vous} r"
        f" WHERE p3.safe_date(r.date_rdv) >= {_SINCE})",
        "SELECT count(*) FROM imilo.dossier d WHERE d.ml = %(ml)s AND EXISTS ("
        f" SELECT 1 FROM imilo.proposition p WHERE p.dossier_id = d.id"
        f" AND p.date_proposition >= {_SINCE}"
        f" UNION ALL SELECT 1 FROM imilo.actualite_dossier a WHERE a.dossier_id = d.id"
        f" AND a.date_actualite >= {_SINCE}"
        f" UNION ALL SELECT 1 FROM imilo.rendez_vous r WHERE r.dossier_id = d.id"
        f" AND r.date_rdv >= {_SINCE})",
        criterion=True,
    ),
    Indicator(
        "premier_accueil",
        "Jeunes en premier accueil depuis le 01/07/2014",
        f"SELECT count(*) FROM {{dossier}} d"
        f" WHERE p3.safe_date(d.date_premier_accueil) >= {_SINCE}",
        "SELECT count(*) FROM imilo.dossier WHERE ml = %(ml)s"
        f" AND date_premier_accueil >= {_SINCE}",
        criterion=True,
    ),
    Indicator(
        "dispositif_national_en_cours",
        "Jeunes actuellement dans un dispositif national (ANI, PPAE, EAV, CIVIS, GJ)",
        "SELECT count(DISTINCT btrim(i.id_dossier)) FROM {dispositif_instance} i"
        " JOIN {dispositif} p ON btrim(p.id_dispositif) = btrim(i.id_dispositif)"
        " JOIN {dossier} d ON btrim(d.id_dossier) = btrim(i.id_dossier)"
        f" WHERE btrim(p.code) IN {_NATIONAL} AND btrim(i.statut) = 'EN_COURS'"
        f" AND p3.safe_date(i.date_entree) >= {_SINCE}",
        "SELECT count(DISTINCT i.dossier_id) FROM imilo.dispositif_instance i"
        " JOIN imilo.dispositif p ON p.id = i.dispositif_id"
        f" WHERE i.ml = %(ml)s AND p.code IN {_NATIONAL} AND i.statut = 'EN_COURS'"
        f" AND i.date_entree >= {_SINCE}",
        criterion=True,
    ),
    Indicator(
        "versements_civis_gj_nombre",
        "Versements CIVIS et GJ depuis le 01/07/2014",
        "SELECT count(*)" + _CIVIS_GJ_P3,
        "SELECT count(*)" + _CIVIS_GJ_IMILO,
        criterion=True,
    ),
    Indicator(
        "versements_civis_gj_montant",
        "Montant des versements CIVIS et GJ depuis le 01/07/2014 (€)",
        "SELECT coalesce(sum(p3.safe_amount(v.montant)), 0)" + _CIVIS_GJ_P3,
        "SELECT coalesce(sum(v.montant), 0)" + _CIVIS_GJ_IMILO,
        criterion=True,
    ),
    Indicator(
        "demandes_demat",
        "Demandes d'aide dématérialisées (CUI-CAE, CUI-CIE, EAV)",
        f"SELECT count(*) FROM {{demat}} m WHERE btrim(m.type_aide) IN {_AIDS}"
        f" AND p3.safe_date(m.date_demande) >= {_SINCE}",
        f"SELECT count(*) FROM imilo.demat WHERE ml = %(ml)s AND type_aide IN {_AIDS}"
        f" AND date_demande >= {_SINCE}",
        criterion=True,
    ),
    Indicator(
        "offres_emploi_en_cours",
        "Offres d'emploi en cours",
        "SELECT count(*) FROM {service_entreprise} s WHERE btrim(s.statut) = 'EN_COURS'"
        f" AND p3.safe_date(s.date_debut) >= {_SINCE}",
        "SELECT count(*) FROM imilo.service_entreprise WHERE ml = %(ml)s"
        f" AND statut = 'EN_COURS' AND date_debut >= {_SINCE}",
        criterion=True,
    ),
    *(
        Indicator(
            f"objets_{table}",
            f"Objets {table}",
            "SELECT count(*) FROM {" + table + "} t",
            f"SELECT count(*) FROM imilo.{table} WHERE ml = %(ml)s",
        )
        for table in OBJECT_TYPES
    ),
)


# The GO / NO GO criteria: the indicators marked so, then the RGS certificate.
CRITERIA: tuple[tuple[str, str], ...] = (
    *((i.code, i.label) for i in INDICATORS if i.criterion),
    ("certificat_rgs", "Certificat RGS installé"),
)


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    p3: Decimal
    imilo: Decimal
    criterion: bool

    @property
    def difference(self) -> Decimal:
        return self.imilo - self.p3

    @property
    def rate(self) -> float:
        """i-milo as a share of P3: 100 % when they agree (and when both are zero)."""
        return (
            100.0
            if self.p3 == self.imilo
            else float(self.imilo / self.p3 * 100)
            if self.p3
            else 0.0
        )


def _tables_used() -> list[str]:
    return [t for t in OBJECT_TYPES if any("{" + t + "}" in i.p3 for i in INDICATORS)]


def _p3_query(indicator: Indicator) -> sql.Composed:
    names = {
        t: sql.Identifier(f"_first_{t}") for t in OBJECT_TYPES if "{" + t + "}" in indicator.p3
    }
    return sql.SQL(indicator.p3).format(**names)


def compute(
    p3: psycopg.Connection, target: psycopg.Connection, ml: str, extract_id: int
) -> list[Figure]:
    """Every indicator, counted on both sides.

    The ML's first copies of the P3 tables are put in temporary tables first, analysed, so
    that the indicators join them by hash rather than re-reading each per row.
    """
    params = {"e": extract_id, "ml5": ml[:5]}
    for table in _tables_used():
        p3.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(f"_first_{table}")))
        p3.execute(
            sql.SQL("CREATE TEMP TABLE {} AS {}").format(
                sql.Identifier(f"_first_{table}"),
                sql.SQL("SELECT * FROM {} s").format(_p3_rows(table)),
            ),
            params,
        )
        p3.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(f"_first_{table}")))
    figures = []
    for indicator in INDICATORS:
        left = p3.execute(_p3_query(indicator), params).fetchone() or (0,)
        right = target.execute(sql.SQL(indicator.imilo), {"ml": ml}).fetchone() or (0,)  # type: ignore[arg-type]
        figures.append(
            Figure(
                indicator.code,
                indicator.label,
                Decimal(left[0] or 0),
                Decimal(right[0] or 0),
                indicator.criterion,
            )
        )
    for table in _tables_used():
        p3.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(f"_first_{table}")))
    return figures


def declaration(target: psycopg.Connection, ml: str) -> tuple[str | None, bool]:
    """The ML's declared RGS certificate (file name) and whether its contract is entered."""
    row = target.execute(
        "SELECT rgs_certificate, contractualisation_at IS NOT NULL FROM migration.ml_declaration"
        " WHERE ml = %s",
        (ml,),
    ).fetchone()
    return (row[0], bool(row[1])) if row else (None, False)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(round(value, 2))


def controls(
    figures: list[Figure],
    rgs_certificate: str | None,
) -> tuple[dict[str, dict], dict[str, dict], str]:
    """The JSON of the indicators, of the criteria (RGS certificate included), the verdict."""
    indicators = {
        f.code: {
            "label": f.label,
            "p3": _number(f.p3),
            "imilo": _number(f.imilo),
            "difference": _number(f.difference),
        }
        for f in figures
    }
    criteria: dict[str, dict[str, Any]] = {
        f.code: {
            "label": f.label,
            "p3": _number(f.p3),
            "imilo": _number(f.imilo),
            "rate": round(f.rate, 1),
            "met": f.p3 == f.imilo,
        }
        for f in figures
        if f.criterion
    }
    criteria["certificat_rgs"] = {
        "label": "Certificat RGS installé"
        + (f" ({rgs_certificate})" if rgs_certificate else " (aucun déclaré)"),
        "p3": None,
        "imilo": None,
        "rate": None,
        "met": rgs_certificate is not None,
        "certificate": rgs_certificate,
    }
    verdict = "GO" if all(c["met"] for c in criteria.values()) else "NO GO"
    return indicators, criteria, verdict


def record(target: psycopg.Connection, run_id: int, figures: list[Figure]) -> None:
    """Keep a run's figures, for the run-to-run progress of an ML."""
    target.execute("DELETE FROM migration.indicator WHERE run_id = %s", (run_id,))
    with target.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO migration.indicator (run_id, code, label, p3, imilo, criterion)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(run_id, f.code, f.label, f.p3, f.imilo, f.criterion) for f in figures],
        )


def declare(
    target: psycopg.Connection, ml: str, certificate: Path | None, contractualisation: bool
) -> None:
    """Record what an ML declares before its cutover: its RGS certificate, its contract."""
    import hashlib

    now = dt.datetime.now(dt.UTC)
    target.execute(
        "INSERT INTO migration.ml_declaration (ml) VALUES (%s) ON CONFLICT DO NOTHING", (ml,)
    )
    if certificate is not None:
        digest = hashlib.sha256(certificate.read_bytes()).hexdigest()
        target.execute(
            "UPDATE migration.ml_declaration SET rgs_certificate = %s, rgs_sha256 = %s,"
            " rgs_declared_at = %s WHERE ml = %s",
            (certificate.name, digest, now, ml),
        )
    if contractualisation:
        target.execute(
            "UPDATE migration.ml_declaration SET contractualisation_at = %s WHERE ml = %s",
            (now, ml),
        )
