-- @origin: pgjdbc 42.5.5 (Debian libpostgresql-jdbc-java), DatabaseMetaData.getTypeInfo() (TypeInfoCache: which types are arrays, along the search_path) on Java 17 against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: extended
-- @cols: is_array,typtype,typname,oid
-- @row: typname=_int4; is_array=t
-- @row: typname=int4; is_array=f
SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid   FROM pg_catalog.pg_type   LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r           from pg_namespace as ns           join ( select s.r, (current_schemas(false))[s.r] as nspname                    from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r          using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  ORDER BY sp.r, pg_type.oid DESC
