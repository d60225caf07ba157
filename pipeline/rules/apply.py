"""Applies the field rules and the object rules of one object type to a chunk of P3 rows.

The result is a long frame of findings (one row per fault: line, rule, field, blocking,
value as read) and the typed values that the i-milo tables take, faulty non-blocking
values already dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from pipeline import mappings
from pipeline.families import Field, ObjectType
from pipeline.rules.objects import CHECKS
from pipeline.rules.values import (
    TEXT,
    as_mask,
    invalid_codes,
    invalid_emails,
    invalid_pattern,
    invalid_pe_identifiers,
    invalid_phones,
    invalid_postal_codes,
    invalid_sirets,
    parse_dates,
    parse_decimals,
    present,
)

FINDING_COLUMNS = ["line_no", "rule", "field", "blocking", "value"]
MAX_AMOUNT = 10**10  # numeric(12, 2)
STRUCTURE_CODE = r"(?:\d{2}|2A|2B)\d{3}S\d{2}"
# Malformed text values: reported, dropped, the object migrated without them.
PATTERN_RULES = {
    "EMAIL_INVALIDE": invalid_emails,
    "PE_IDENTIFIANT": invalid_pe_identifiers,
    "TELEPHONE_INVALIDE": invalid_phones,
    "CODE_POSTAL_INVALIDE": invalid_postal_codes,
    "SIRET_INVALIDE": invalid_sirets,
}


@dataclass(frozen=True)
class CheckContext:
    """What the rules need beyond the rows: the extract's date and its own code lists."""

    extracted_on: dt.date
    connaissance_codes: frozenset[str]
    imilo_logins: frozenset[str] | None = None  # P3 logins that have an i-milo account
    # (table_name, code) → (niveau, libelle, actif, visible) as MIG_REF froze them
    frozen_references: dict[tuple[str, str], tuple] | None = None

    def allowed(self, codes: str) -> frozenset[str]:
        if codes == "connaissance":
            return self.connaissance_codes
        return mappings.code_list(codes)


def _findings(
    rows: pd.DataFrame,
    mask: pd.Series,
    rule: str,
    field: str,
    blocking: bool,
) -> pd.DataFrame:
    flags = mask.to_numpy(dtype=bool) if isinstance(mask, pd.Series) else mask
    return pd.DataFrame(
        {
            "line_no": rows["line_no"].to_numpy()[flags],
            "rule": rule,
            "field": field,
            "blocking": blocking,
            "value": rows[field][flags].to_numpy() if field in rows else None,
        }
    )


def _field_faults(
    ot: ObjectType,
    spec: Field,
    rows: pd.DataFrame,
    ctx: CheckContext,
) -> tuple[list[tuple[pd.Series, str, bool]], pd.Series]:
    """The faults of one field and its typed values (faulty ones dropped)."""
    raw = rows[spec.name]
    given = present(raw)
    faults: list[tuple[pd.Series, str, bool]] = []
    if spec.mandatory:
        faults.append((~given, spec.missing_rule, True))
    blocking = spec.mandatory
    if spec.kind == "date":
        dates, invalid = parse_dates(raw, ctx.extracted_on if spec.past else None)
        faults.append((invalid, "DATE_INVALIDE", blocking))
        return faults, dates  # datetime64: NaT where missing or invalid
    elif spec.kind == "decimal":
        typed, invalid = parse_decimals(raw)
        if spec.rule == "VERSEMENT_MONTANT":
            # Euros: positive, at most two decimals, and within the i-milo column (12, 2).
            cents = as_mask(raw.astype(TEXT).str.contains(r"[.,]\d{3,}\s*$", regex=True))
            invalid = invalid | (given & ~invalid & (~(typed > 0) | (typed >= MAX_AMOUNT) | cents))
        faults.append((invalid, spec.rule or "CODE_NON_MAPPE", True if spec.rule else blocking))
    elif spec.kind in ("code", "bool"):
        assert spec.codes is not None
        invalid = invalid_codes(raw, ctx.allowed(spec.codes))
        # A code of a reference row is the reference itself: no reference without it.
        faults.append((invalid, "CODE_NON_MAPPE", blocking or ot.table == "reference"))
        typed = raw.astype(TEXT).str.strip()
    else:
        typed = raw.astype(TEXT).str.strip()
        if spec.rule in PATTERN_RULES:
            invalid = PATTERN_RULES[spec.rule](raw)
            faults.append((invalid, spec.rule, False))
        else:
            invalid = pd.Series(False, index=raw.index)
        if spec.max_length:
            # Too long for the i-milo column: cut, not dropped, and reported.
            too_long = given & ~invalid & (typed.str.len() > spec.max_length).fillna(False)
            if too_long.any():
                faults.append((too_long, "TEXTE_TROP_LONG", False))
                typed = typed.where(~too_long, typed.str.slice(0, spec.max_length))
    return faults, typed.where(given & ~invalid)  # text stays Arrow text, NULL where dropped


def check_rows(
    ot: ObjectType,
    rows: pd.DataFrame,
    ctx: CheckContext,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Findings and typed values for rows of one object type (text columns + ``line_no``)."""
    parts: list[pd.DataFrame] = []
    values: dict[str, pd.Series] = {}
    for spec in ot.fields:
        faults, values[spec.name] = _field_faults(ot, spec, rows, ctx)
        for mask, rule, blocking in faults:
            if mask.any():
                parts.append(_findings(rows, mask, rule, spec.name, blocking))
    typed = pd.DataFrame(values, index=rows.index)
    # Every local row carries a code structure: an ML's or an antenne's (…S00, …S01).
    malformed = invalid_pattern(rows["code_structure"], STRUCTURE_CODE)
    if malformed.any():
        parts.append(_findings(rows, malformed, "CODE_NON_MAPPE", "code_structure", False))
    for check in ot.checks:
        for mask, rule, field, blocking, drop in CHECKS[check](rows, typed, ctx):
            if mask.any():
                parts.append(_findings(rows, mask, rule, field, blocking))
                if drop and not blocking:
                    typed.loc[mask, field] = None
    findings = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FINDING_COLUMNS)
    )
    return findings, typed
