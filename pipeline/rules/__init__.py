"""The reject rules: pure functions on DataFrames of P3 rows, as read (text)."""

from __future__ import annotations

# Rules the engine itself reports, whatever the object: the cascade, ids, empty mandatory
# fields, dates, codes and text lengths.
ENGINE_RULES = frozenset(
    {
        "PARENT_REJETE",
        "PARENT_ABSENT",
        "DOUBLON_ID",
        "CHAMP_OBLIGATOIRE",
        "DATE_INVALIDE",
        "CODE_NON_MAPPE",
        "TEXTE_TROP_LONG",
    }
)


def emitted_rules() -> frozenset[str]:
    """Every rule code the pipeline can report, read from its declarations."""
    from pipeline.families import OBJECT_TYPES
    from pipeline.rules.objects import CHECK_RULES

    codes = set(ENGINE_RULES)
    for ot in OBJECT_TYPES.values():
        for spec in ot.fields:
            codes.add(spec.missing_rule)
            if spec.rule:
                codes.add(spec.rule)
        for check in ot.checks:
            codes.update(CHECK_RULES[check])
    return frozenset(codes)
