"""Safe parsers for the indicators computed on P3: a bad value reads as NULL, never an error.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION p3.safe_date(value text) RETURNS date
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            IF btrim(value) !~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$' THEN
                RETURN NULL;
            END IF;
            RETURN make_date(split_part(btrim(value), '/', 3)::int,
                             split_part(btrim(value), '/', 2)::int,
                             split_part(btrim(value), '/', 1)::int);
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION p3.safe_amount(value text) RETURNS numeric
        LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE
            compact text := regexp_replace(coalesce(value, ''), '[[:space:]\u00a0\u202f]', '',
                                           'g');
        BEGIN
            IF compact !~ '^[+-]?[0-9]+([.,][0-9]+)?$' THEN
                RETURN NULL;
            END IF;
            RETURN replace(compact, ',', '.')::numeric;
        END $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION p3.safe_amount(text)")
    op.execute("DROP FUNCTION p3.safe_date(text)")
