-- @origin: pgjdbc 42.5.5 (Debian libpostgresql-jdbc-java), DatabaseMetaData.getTypeInfo() (its type list) on Java 17 against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: extended
-- @cols: typname,oid
-- @row: typname=int8; oid=20
SELECT t.typname,t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON (t.typnamespace = n.oid)  WHERE n.nspname  != 'pg_toast' AND  (t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid))
