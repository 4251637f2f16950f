-- @origin: python3-sqlalchemy 1.4.46 + python3-psycopg2 2.9.5 (Debian), Inspector.get_schema_names() against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: nspname
-- @row: nspname=silver
-- @row: nspname=gold
SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' ORDER BY nspname
