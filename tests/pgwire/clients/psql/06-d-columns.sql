-- @origin: psql 15.18 (Debian postgresql-client-15), `psql -E` against PostgreSQL 15.18 with the same tables; captured by the pgcatalog helper
-- @protocol: simple
-- @ncols: 7
-- @row: attname=id; #2=bigint; attnotnull=t
-- @row: attname=name; #2=text; attnotnull=f
-- @row: attname=amount; #2=numeric(12,2)
-- @row: attname=at; #2=timestamp with time zone
-- @row: attname=d; #2=date
-- @row: attname=flag; #2=boolean
-- @row: attname=score; #2=double precision
SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '{{TABLE_OID}}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
