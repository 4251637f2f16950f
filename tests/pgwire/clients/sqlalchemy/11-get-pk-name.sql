-- @origin: python3-sqlalchemy 1.4.46 + python3-psycopg2 2.9.5 (Debian), Inspector.get_pk_constraint() (name) against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: conname
-- @row: conname=visits_pkey
SELECT conname
           FROM  pg_catalog.pg_constraint r
           WHERE r.conrelid = {{TABLE_OID}} AND r.contype = 'p'
           ORDER BY 1
