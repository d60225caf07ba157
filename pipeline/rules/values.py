"""Vectorised parsers for P3 values: dates, French decimals, identifiers, e-mails.

Each returns the parsed values and a mask of the values that are present but invalid;
an empty value (NULL) is never invalid here: mandatory-ness is decided by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_DATE_PARTS = r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"
_DECIMAL = r"^[+-]?\d+(?:[.,]\d+)?$"
_PE = r"^\d{7}[0-9A-Z]$"
# Syntax only, no network: a local part, one @, a dotted domain with a 2+ letter TLD.
# Addresses this plain are valid for email-validator too; anything else goes to it.
_WORD = r"[a-z0-9]+"
_DOMAIN = rf"{_WORD}(?:-{_WORD})*"
_PLAIN_EMAIL = rf"{_WORD}(?:[._-]{_WORD})*@{_DOMAIN}(?:\.{_DOMAIN})*\.[a-z]{{2,}}"
_MIN_DATE = dt.date(1900, 1, 1)
_MAX_YEAR = 2262  # datetime64[ns] ends in April 2262: a later year is not a P3 date
# Text columns are Arrow strings: trimming and matching run in C++, not value by value.
TEXT = "string[pyarrow]"
_SPACES = "[\\s\u00a0\u202f]"  # spaces inside a number: plain, no-break, narrow no-break


def as_mask(values: pd.Series) -> pd.Series:
    """A plain boolean mask (NULL counts as False)."""
    if values.dtype == bool:
        return values
    try:
        flags = values.to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError):  # an object column mixing booleans and NULLs
        flags = values.astype("boolean").fillna(False).to_numpy(dtype=bool)
    return pd.Series(flags, index=values.index)


@cache
def _value_set(values: frozenset[str]) -> pa.Array:
    return pa.array(list(values), pa.large_string())


def value_set(values: Iterable[str]) -> pa.Array:
    """An Arrow array of the values, for ``member``: built once per frozenset."""
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, frozenset):
        return _value_set(values)
    return pa.array(list(values), pa.large_string())


def member(text: pd.Series, values: Iterable[str] | pa.Array) -> pd.Series:
    """Where a value is in a (possibly large) collection: a hash lookup, NULL never in it."""
    found = pc.is_in(arrow_text(text), value_set=value_set(values), skip_nulls=True)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=text.index)


def arrow_text(text: pd.Series) -> pa.Array:
    """The values as one Arrow string array (no copy when they already are)."""
    if text.dtype != TEXT:
        text = text.astype(object).where(text.notna(), None).astype(TEXT)
    data = pa.array(text.array)
    return data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data


def present(values: pd.Series) -> pd.Series:
    """Where a value is given (not NULL, not blank)."""
    text = values if values.dtype == TEXT else values.astype(TEXT)
    return as_mask(text.str.strip() != "")


def parse_dates(values: pd.Series, latest: dt.date | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse ``JJ/MM/AAAA`` dates (a day or month of one digit is fine, a year of two is not).

    Invalid: unparsable, impossible (31/02), before 1900, or after ``latest`` when given.
    The dates come back as ``datetime64`` (NaT where missing or invalid).
    """
    text = arrow_text(values if values.dtype == TEXT else values.astype(TEXT))
    text = pc.utf8_trim_whitespace(text)
    given = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
    parts = pc.extract_regex(text, _DATE_PARTS)
    year, month, day = (
        pc.fill_null(pc.cast(pc.struct_field(parts, key), pa.int64()), 0).to_numpy()
        for key in ("year", "month", "day")
    )
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in_month = np.where(
        (month >= 1) & (month <= 12), _MONTH_DAYS[np.clip(month, 0, 12)], 0
    ) + ((month == 2) & leap)
    possible = (day >= 1) & (day <= days_in_month) & (year >= _MIN_DATE.year) & (year < _MAX_YEAR)
    stamps = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[ns]")
    ymd = (year - 1970).astype("datetime64[Y]") + (month - 1).astype("timedelta64[M]")
    stamps[possible] = (
        ymd[possible].astype("datetime64[D]") + (day[possible] - 1).astype("timedelta64[D]")
    ).astype("datetime64[ns]")
    bad = ~possible
    if latest is not None:
        bad |= possible & (stamps > np.datetime64(latest, "ns"))
    invalid = given & bad
    stamps[invalid | ~given] = np.datetime64("NaT")
    return pd.Series(stamps, index=values.index), pd.Series(invalid, index=values.index)


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def parse_decimals(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimals written with ``,`` (``.`` accepted too), spaces between digits allowed."""
    given = present(values)
    text = values.astype(TEXT).str.replace(_SPACES, "", regex=True)
    ok = as_mask(text.str.fullmatch(_DECIMAL))
    numbers = pd.to_numeric(text.where(ok).str.replace(",", ".", regex=False), errors="coerce")
    invalid = given & ~ok
    return numbers.astype("float64").where(given & ok, np.nan), invalid


def invalid_pattern(values: pd.Series, pattern: str) -> pd.Series:
    """Values present that do not match ``pattern`` whole."""
    text = values.astype(TEXT).str.strip()
    return present(values) & ~as_mask(text.str.fullmatch(pattern))


def invalid_emails(values: pd.Series) -> pd.Series:
    """E-mail syntax, no network look-up: plain addresses settle by pattern, the rest by
    email-validator."""
    return _invalid_by(values, _PLAIN_EMAIL, _email_ok)


def invalid_pe_identifiers(values: pd.Series) -> pd.Series:
    """Pôle emploi identifiers: 7 digits then a digit or a capital letter (``4053956Z``)."""
    return invalid_pattern(values, _PE)


def invalid_codes(values: pd.Series, allowed: frozenset[str]) -> pd.Series:
    """Values present that are not in the code list (compared after trimming spaces)."""
    text = values.astype(TEXT).str.strip()
    return present(values) & ~member(text, allowed)


def _invalid_by(values: pd.Series, fast_ok: str, is_valid) -> pd.Series:
    """Values present and invalid: ``fast_ok`` settles the plain cases, the library the rest.

    The library is called once per distinct value the pattern could not settle.
    """
    text = values.astype(TEXT).str.strip()
    given = present(values)
    settled = (
        as_mask(text.str.fullmatch(fast_ok)) if fast_ok else pd.Series(False, index=values.index)
    )
    doubtful = given & ~settled
    if not doubtful.any():
        return pd.Series(False, index=values.index)
    invalid = [v for v in text[doubtful].unique() if not is_valid(v)]
    return doubtful & member(text, invalid)


def _siret_ok(value: str) -> bool:
    from stdnum.fr import siret

    return bool(siret.is_valid(value))


def invalid_sirets(values: pd.Series) -> pd.Series:
    """SIRET: 14 digits (spaces allowed between) passing the Luhn check (python-stdnum)."""
    return _invalid_by(values, "", _siret_ok)


def invalid_postal_codes(values: pd.Series) -> pd.Series:
    """French postal codes are five digits, leading zero included (``01000``, not ``1000``)."""
    return invalid_pattern(values, r"\d{5}")


FRENCH_REGIONS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"})


def _phone_ok(value: str) -> bool:
    import phonenumbers

    # A national number (0…) may belong to an overseas département: 0262 is La Réunion.
    for region in ("FR", "RE", "GP", "MQ", "GF", "YT", "PM"):
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(number):
            return phonenumbers.region_code_for_number(number) in FRENCH_REGIONS
        if value.lstrip().startswith("+"):
            return False
    return False


@cache
def _metropolitan_numbers() -> str:
    """Every valid French national number (0 + 9 digits), from phonenumbers' own metadata:
    the numbers this pattern settles are the ones the library would accept."""
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region("FR")
    kinds = (
        "fixed_line",
        "mobile",
        "toll_free",
        "premium_rate",
        "shared_cost",
        "personal_number",
        "voip",
        "pager",
        "uan",
        "voicemail",
    )
    patterns = [
        getattr(metadata, k).national_number_pattern
        for k in kinds
        if getattr(metadata, k) is not None and getattr(metadata, k).national_number_pattern
    ]
    return "0(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def invalid_phones(values: pd.Series) -> pd.Series:
    """French phone numbers (metropolitan and overseas), checked with phonenumbers: plain
    national numbers settle against its metadata, the rest are parsed one by one."""
    text = values.astype(TEXT).str.strip()
    digits = text.str.replace(r"[\s.\-]", "", regex=True)
    settled = as_mask(digits.str.fullmatch(_metropolitan_numbers()))
    return _invalid_by(values.where(~settled, None), "", _phone_ok)


def _email_ok(value: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
