-- @origin: psqlODBC 13.02 (Debian odbc-postgresql, unixODBC, python3-pyodbc), connect (large object type) against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: oid,typbasetype
select oid, typbasetype from pg_type where typname = 'lo'
