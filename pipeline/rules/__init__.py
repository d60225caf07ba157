"""The reject rules: pure functions on DataFrames of P3 rows, as read (text)."""
