-- @origin: psqlODBC 13.02 (Debian odbc-postgresql, unixODBC, python3-pyodbc), SQLColumns(table="visits", schema="silver") against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @ncols: 18
-- @row: attname=id; atttypid=20; typname=int8; attnotnull=t
-- @row: attname=score; typname=float8; attnum=7
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, 0, attidentity, c.relhassubclass from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname like 'visits' and n.nspname like 'silver') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum > 0 and a.attrelid = c.oid) inner join pg_catalog.pg_type t on t.oid = a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid = a.attrelid and d.adnum = a.attnum order by n.nspname, c.relname, attnum
