-- @origin: pgjdbc 42.5.5 (Debian libpostgresql-jdbc-java), DatabaseMetaData.getSchemas() on Java 17 against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: extended
-- @cols: table_schem,table_catalog
-- @row: table_schem=silver
-- @row: table_schem=gold
SELECT nspname AS TABLE_SCHEM, NULL AS TABLE_CATALOG FROM pg_catalog.pg_namespace  WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_'  OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_'  OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_'))  ORDER BY TABLE_SCHEM
