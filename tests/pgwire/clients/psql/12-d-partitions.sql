-- @origin: psql 15.18 (Debian postgresql-client-15), `psql -E` against PostgreSQL 15.18 with the same tables; captured by the pgcatalog helper
-- @protocol: simple
-- @ncols: 4
SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, pg_catalog.pg_get_expr(c.relpartbound, c.oid)
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhrelid AND i.inhparent = '{{TABLE_OID}}'
ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.oid::pg_catalog.regclass::pg_catalog.text;
