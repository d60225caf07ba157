"""The two databases of the migration: the P3 source (``p3``) and the i-milo target (``imilo``)."""
