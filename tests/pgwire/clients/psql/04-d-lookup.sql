-- @origin: psql 15.18 (Debian postgresql-client-15), `psql -E` against PostgreSQL 15.18 with the same tables; captured by the pgcatalog helper
-- @protocol: simple
-- @ncols: 3
-- @row: nspname=silver; relname=visits
-- @save: TABLE_OID=oid where relname=visits
SELECT c.oid,
  n.nspname,
  c.relname
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(visits)$' COLLATE pg_catalog.default
  AND n.nspname OPERATOR(pg_catalog.~) '^(silver)$' COLLATE pg_catalog.default
ORDER BY 2, 3;
