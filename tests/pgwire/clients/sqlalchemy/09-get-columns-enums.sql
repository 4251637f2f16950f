-- @origin: python3-sqlalchemy 1.4.46 + python3-psycopg2 2.9.5 (Debian), Inspector.get_columns() (enums) against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: name,visible,schema,label
SELECT t.typname as "name",
               -- no enum defaults in 8.4 at least
               -- t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema",
               e.enumlabel as "label"
            FROM pg_catalog.pg_type t
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_catalog.pg_enum e ON t.oid = e.enumtypid
            WHERE t.typtype = 'e'
        ORDER BY "schema", "name", e.oid
