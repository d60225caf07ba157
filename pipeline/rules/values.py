"""Vectorised parsers for P3 values: dates, French decimals, identifiers, e-mails.

Each returns the parsed values and a mask of the values that are present but invalid;
an empty value (NULL) is never invalid here: mandatory-ness is decided by the caller.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{4})$"
_DECIMAL = r"^[+-]?\d+(?:[.,]\d+)?$"
_PE = r"^\d{7}[0-9A-Z]$"
# Syntax only, no network: a local part, one @, a dotted domain with a 2+ letter TLD.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,}}$"
_MIN_DATE = dt.date(1900, 1, 1)


def _mask(values: pd.Series) -> pd.Series:
    """A plain boolean mask (NULL counts as False)."""
    return values.fillna(False).astype(bool)


def present(values: pd.Series) -> pd.Series:
    """Where a value is given (not NULL, not blank)."""
    return _mask(values.notna() & (values.astype("string").str.strip() != ""))


def parse_dates(values: pd.Series, latest: dt.date | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse ``JJ/MM/AAAA`` dates.

    Invalid: unparsable, impossible (31/02), before 1900, or after ``latest`` when given.
    """
    given = present(values)
    parts = values.astype("string").str.strip().str.extract(_DATE)
    stamps = pd.to_datetime(
        pd.DataFrame({"year": parts[2], "month": parts[1], "day": parts[0]}).astype("float"),
        errors="coerce",
    )
    bad = stamps.isna() | (stamps < pd.Timestamp(_MIN_DATE))
    if latest is not None:
        bad |= stamps > pd.Timestamp(latest)
    invalid = given & _mask(bad.fillna(True))
    dates = stamps.dt.date.where(~invalid & given, None).astype(object)
    return dates, invalid


def parse_decimals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimals written with ``,`` (``.`` accepted too), spaces between digits allowed."""
    given = present(values)
    text = values.astype("string").str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    ok = _mask(text.str.fullmatch(_DECIMAL))
    numbers = pd.to_numeric(text.where(ok).str.replace(",", ".", regex=False), errors="coerce")
    invalid = given & ~ok
    return numbers.astype("float64").where(given & ok, np.nan), invalid


def invalid_pattern(values: pd.Series, pattern: str) -> pd.Series:
    """Values present that do not match ``pattern`` whole."""
    text = values.astype("string").str.strip()
    return present(values) & ~_mask(text.str.fullmatch(pattern))


def invalid_emails(values: pd.Series) -> pd.Series:
    return invalid_pattern(values, _EMAIL)


def invalid_pe_identifiers(values: pd.Series) -> pd.Series:
    """Pôle emploi identifiers: 7 digits then a digit or a capital letter (``4053956Z``)."""
    return invalid_pattern(values, _PE)


def invalid_codes(values: pd.Series, allowed: frozenset[str]) -> pd.Series:
    """Values present that are not in the code list (compared after trimming spaces)."""
    text = values.astype("string").str.strip()
    return present(values) & ~_mask(text.isin(allowed))
