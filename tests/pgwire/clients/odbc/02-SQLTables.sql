-- @origin: psqlODBC 13.02 (Debian odbc-postgresql, unixODBC, python3-pyodbc), SQLTables(schema="silver") against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: relname,nspname,relkind
-- @row: relname=visits; nspname=silver; relkind=r
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname like 'silver' and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname
