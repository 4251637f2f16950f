-- @origin: python3-sqlalchemy 1.4.46 + python3-psycopg2 2.9.5 (Debian), Inspector.get_columns / get_pk_constraint (the table OID) against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: oid
-- @row: oid={{TABLE_OID}}
SELECT c.oid
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname = 'silver')
            AND c.relname = 'visits' AND c.relkind in
            ('r', 'v', 'm', 'f', 'p')
