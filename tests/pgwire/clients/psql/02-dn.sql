-- @origin: psql 15.18 (Debian postgresql-client-15), `psql -E` against PostgreSQL 15.18 with the same tables; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: Name,Owner
-- @row: Name=silver; Owner={{USER}}
-- @row: Name=gold
-- @row: Name=bronze
-- @row: Name=_system
SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1;
