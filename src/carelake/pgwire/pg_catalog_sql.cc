#include "carelake/pgwire/pg_catalog_sql.h"

namespace carelake::pgwire::pg_catalog_sql {

std::string_view Foundation() {
  return R"sql(
CREATE SCHEMA carelake_pg_catalog;
CREATE SCHEMA carelake_information_schema;
-- PostgreSQL type names DuckDB does not know.
CREATE TYPE carelake_pg_catalog.oid AS BIGINT;
CREATE TYPE carelake_pg_catalog.xid AS BIGINT;
CREATE TYPE carelake_pg_catalog.name AS VARCHAR;
CREATE TYPE carelake_pg_catalog.int2vector AS SMALLINT[];
CREATE TYPE carelake_pg_catalog.oidvector AS BIGINT[];
CREATE TYPE carelake_pg_catalog.pg_node_tree AS VARCHAR;

-- The session: its database (the project), user and server version.
CREATE TABLE carelake_pg_catalog.carelake_session (
  database VARCHAR, user_name VARCHAR, version VARCHAR);
-- Session settings (GUCs): PgCatalog::Set/Reset write them.
CREATE TABLE carelake_pg_catalog.carelake_settings (
  name VARCHAR, setting VARCHAR, boot_val VARCHAR, unit VARCHAR, category VARCHAR,
  short_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR);
-- The lake's schemas, in search_path order.
CREATE TABLE carelake_pg_catalog.carelake_lake_schemas (position INTEGER, schema_name VARCHAR);
-- DuckDB type (duckdb_columns().data_type) -> PostgreSQL type (pg_types.h).
CREATE TABLE carelake_pg_catalog.carelake_type_map (
  duckdb_type VARCHAR, oid BIGINT, typmod INTEGER);
-- format_type() of each type with no typmod.
CREATE TABLE carelake_pg_catalog.carelake_type_names (oid BIGINT, display VARCHAR);
-- Declared keys (the primary keys): a silver table's or a model's `key`.
CREATE TABLE carelake_pg_catalog.carelake_keys (
  schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, key_position INTEGER);
-- Descriptions of schemas (table_name NULL), tables (column_name NULL), columns.
CREATE TABLE carelake_pg_catalog.carelake_descriptions (
  schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, description VARCHAR);
-- The catalogs clients name in '...'::regclass, with PostgreSQL's OIDs.
CREATE TABLE carelake_pg_catalog.carelake_system_relations (oid BIGINT, relname VARCHAR);

-- pg_type's and pg_proc's rows (the columns that vary; PgCatalog appends them).
CREATE TABLE carelake_pg_catalog.carelake_type_rows (
  oid BIGINT, typname VARCHAR, typlen SMALLINT, typbyval BOOLEAN, typtype VARCHAR,
  typcategory VARCHAR, typispreferred BOOLEAN, typdelim VARCHAR, typelem BIGINT, typarray BIGINT,
  typinput BIGINT, typoutput BIGINT, typreceive BIGINT, typsend BIGINT, typalign VARCHAR,
  typstorage VARCHAR, typcollation BIGINT);
CREATE TABLE carelake_pg_catalog.carelake_proc_rows (oid BIGINT, proname VARCHAR);

CREATE VIEW carelake_pg_catalog.pg_type AS
SELECT oid, typname, CAST(11 AS BIGINT) AS typnamespace, CAST(10 AS BIGINT) AS typowner, typlen,
       typbyval, typtype, typcategory, typispreferred, true AS typisdefined, typdelim,
       CAST(0 AS BIGINT) AS typrelid, CAST(0 AS BIGINT) AS typsubscript, typelem, typarray,
       typinput, typoutput, typreceive, typsend, CAST(0 AS BIGINT) AS typmodin,
       CAST(0 AS BIGINT) AS typmodout, CAST(0 AS BIGINT) AS typanalyze, typalign, typstorage,
       false AS typnotnull, CAST(0 AS BIGINT) AS typbasetype, -1 AS typtypmod, 0 AS typndims,
       typcollation, CAST(NULL AS VARCHAR) AS typdefaultbin, CAST(NULL AS VARCHAR) AS typdefault,
       CAST(NULL AS VARCHAR[]) AS typacl
FROM carelake_pg_catalog.carelake_type_rows;

CREATE VIEW carelake_pg_catalog.pg_proc AS
SELECT oid, proname, CAST(11 AS BIGINT) AS pronamespace, CAST(10 AS BIGINT) AS proowner,
       CAST(12 AS BIGINT) AS prolang, CAST(1 AS REAL) AS procost, CAST(0 AS REAL) AS prorows,
       CAST(0 AS BIGINT) AS provariadic, CAST(0 AS BIGINT) AS prosupport, 'f' AS prokind,
       false AS prosecdef, false AS proleakproof, true AS proisstrict, false AS proretset,
       'i' AS provolatile, 's' AS proparallel, CAST(1 AS SMALLINT) AS pronargs,
       CAST(0 AS SMALLINT) AS pronargdefaults, CAST(0 AS BIGINT) AS prorettype,
       CAST(NULL AS BIGINT[]) AS proargtypes, CAST(NULL AS BIGINT[]) AS proallargtypes,
       CAST(NULL AS VARCHAR[]) AS proargmodes, CAST(NULL AS VARCHAR[]) AS proargnames,
       CAST(NULL AS VARCHAR) AS proargdefaults, CAST(NULL AS BIGINT[]) AS protrftypes,
       proname AS prosrc, CAST(NULL AS VARCHAR) AS probin, CAST(NULL AS VARCHAR) AS prosqlbody,
       CAST(NULL AS VARCHAR[]) AS proconfig, CAST(NULL AS VARCHAR[]) AS proacl
FROM carelake_pg_catalog.carelake_proc_rows;

-- A stable OID for a name (see pg_catalog_sql.h).
CREATE MACRO carelake_pg_catalog.carelake_oid(key) AS
  CAST(16384 + hash(key) % 1000000000 AS BIGINT);
-- The schema a DuckDB (database, schema) pair is shown as.
CREATE MACRO carelake_pg_catalog.carelake_nspname(database_name, schema_name) AS
  CASE WHEN database_name = 'temp' THEN 'pg_temp_1'
       WHEN schema_name = 'main' THEN 'public' ELSE schema_name END;
CREATE MACRO carelake_pg_catalog.carelake_nsp_oid(nspname) AS
  CASE nspname WHEN 'pg_catalog' THEN 11 WHEN 'public' THEN 2200
               WHEN 'information_schema' THEN 13183
               ELSE carelake_pg_catalog.carelake_oid('namespace:' || nspname) END;
CREATE MACRO carelake_pg_catalog.carelake_rel_oid(nspname, relname) AS
  carelake_pg_catalog.carelake_oid('relation:' || nspname || '.' || relname);
)sql";
}

std::string_view Namespaces() {
  return R"sql(
CREATE VIEW carelake_pg_catalog.pg_namespace AS
SELECT carelake_pg_catalog.carelake_nsp_oid(nspname) AS oid, nspname, CAST(10 AS BIGINT) AS nspowner,
       CAST(NULL AS VARCHAR[]) AS nspacl
FROM (
  SELECT 'pg_catalog' AS nspname
  UNION ALL SELECT 'information_schema'
  UNION ALL SELECT 'public'
  -- The session's temporary objects, once it has some.
  UNION ALL
  SELECT DISTINCT 'pg_temp_1' FROM duckdb_tables() WHERE database_name = 'temp'
  UNION ALL
  SELECT schema_name FROM duckdb_schemas()
  WHERE database_name NOT IN ('system', 'temp') AND NOT internal
    AND schema_name NOT IN ('main', 'carelake_pg_catalog', 'carelake_information_schema')
);
)sql";
}

std::string_view Relations() {
  return R"sql(
-- DuckDB's tables and views as PostgreSQL relations: the lake's views are
-- tables ('r'), the session's own views 'v'; one index ('i') per declared key.
CREATE VIEW carelake_pg_catalog.carelake_relations AS
WITH duck AS (
  SELECT database_name, schema_name, table_name AS relname, 'r' AS relkind, temporary,
         column_count, comment
  FROM duckdb_tables() WHERE NOT internal
  UNION ALL
  SELECT database_name, schema_name, view_name,
         CASE WHEN NOT temporary AND schema_name IN
                (SELECT schema_name FROM carelake_pg_catalog.carelake_lake_schemas)
              THEN 'r' ELSE 'v' END,
         temporary, column_count, comment
  FROM duckdb_views() WHERE NOT internal
), shown AS (
  SELECT database_name, schema_name, relname, relkind, temporary, column_count, comment,
         carelake_pg_catalog.carelake_nspname(database_name, schema_name) AS nspname
  FROM duck
  WHERE schema_name NOT IN ('carelake_pg_catalog', 'carelake_information_schema')
), keyed AS (
  SELECT schema_name, table_name, count(*) AS key_count
  FROM carelake_pg_catalog.carelake_keys GROUP BY ALL
)
SELECT s.database_name, s.schema_name, s.relname, s.relkind, s.temporary, s.column_count,
       s.comment, s.nspname, carelake_pg_catalog.carelake_rel_oid(s.nspname, s.relname) AS oid,
       k.key_count IS NOT NULL AS has_key
FROM shown s LEFT JOIN keyed k ON k.schema_name = s.schema_name AND k.table_name = s.relname
                                  AND s.database_name <> 'temp'
UNION ALL
SELECT s.database_name, s.schema_name, s.relname || '_pkey', 'i', false, k.key_count, NULL,
       s.nspname, carelake_pg_catalog.carelake_rel_oid(s.nspname, s.relname || '_pkey'), false
FROM shown s JOIN keyed k ON k.schema_name = s.schema_name AND k.table_name = s.relname
WHERE s.database_name <> 'temp'
UNION ALL
SELECT NULL, NULL, relname, 'r', false, 0, NULL, 'pg_catalog', oid, false
FROM carelake_pg_catalog.carelake_system_relations;

CREATE VIEW carelake_pg_catalog.pg_class AS
SELECT oid, relname, carelake_pg_catalog.carelake_nsp_oid(nspname) AS relnamespace,
       CAST(0 AS BIGINT) AS reltype, CAST(0 AS BIGINT) AS reloftype, CAST(10 AS BIGINT) AS relowner,
       CAST(CASE relkind WHEN 'r' THEN 2 WHEN 'i' THEN 403 ELSE 0 END AS BIGINT) AS relam,
       CAST(0 AS BIGINT) AS relfilenode, CAST(0 AS BIGINT) AS reltablespace,
       0 AS relpages, CAST(-1 AS REAL) AS reltuples, 0 AS relallvisible,
       CAST(0 AS BIGINT) AS reltoastrelid, has_key AS relhasindex, false AS relisshared,
       CASE WHEN temporary THEN 't' ELSE 'p' END AS relpersistence, relkind,
       CAST(column_count AS SMALLINT) AS relnatts, CAST(0 AS SMALLINT) AS relchecks,
       false AS relhasrules, false AS relhastriggers, false AS relhassubclass,
       false AS relrowsecurity, false AS relforcerowsecurity, true AS relispopulated,
       CASE WHEN relkind = 'r' THEN 'd' ELSE 'n' END AS relreplident, false AS relispartition,
       CAST(0 AS BIGINT) AS relrewrite, CAST(0 AS BIGINT) AS relfrozenxid,
       CAST(0 AS BIGINT) AS relminmxid, CAST(NULL AS VARCHAR[]) AS relacl,
       CAST(NULL AS VARCHAR[]) AS reloptions, CAST(NULL AS VARCHAR) AS relpartbound
FROM carelake_pg_catalog.carelake_relations;

CREATE VIEW carelake_pg_catalog.pg_tables AS
SELECT nspname AS schemaname, relname AS tablename,
       (SELECT user_name FROM carelake_pg_catalog.carelake_session) AS tableowner,
       CAST(NULL AS VARCHAR) AS tablespace, has_key AS hasindexes, false AS hasrules,
       false AS hastriggers, false AS rowsecurity
FROM carelake_pg_catalog.carelake_relations WHERE relkind = 'r';

CREATE VIEW carelake_pg_catalog.pg_views AS
SELECT r.nspname AS schemaname, r.relname AS viewname,
       (SELECT user_name FROM carelake_pg_catalog.carelake_session) AS viewowner,
       v.sql AS definition
FROM carelake_pg_catalog.carelake_relations r
JOIN duckdb_views() v ON v.database_name = r.database_name AND v.schema_name = r.schema_name
                     AND v.view_name = r.relname
WHERE r.relkind = 'v';

CREATE TABLE carelake_pg_catalog.pg_matviews (
  schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, tablespace VARCHAR,
  hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR);

CREATE VIEW carelake_pg_catalog.pg_stat_user_tables AS
SELECT oid AS relid, nspname AS schemaname, relname,
       CAST(0 AS BIGINT) AS seq_scan, CAST(0 AS BIGINT) AS seq_tup_read,
       CAST(0 AS BIGINT) AS idx_scan, CAST(0 AS BIGINT) AS idx_tup_fetch,
       CAST(0 AS BIGINT) AS n_tup_ins, CAST(0 AS BIGINT) AS n_tup_upd,
       CAST(0 AS BIGINT) AS n_tup_del, CAST(0 AS BIGINT) AS n_tup_hot_upd,
       CAST(0 AS BIGINT) AS n_live_tup, CAST(0 AS BIGINT) AS n_dead_tup,
       CAST(0 AS BIGINT) AS n_mod_since_analyze, CAST(0 AS BIGINT) AS n_ins_since_vacuum,
       CAST(NULL AS TIMESTAMPTZ) AS last_vacuum, CAST(NULL AS TIMESTAMPTZ) AS last_autovacuum,
       CAST(NULL AS TIMESTAMPTZ) AS last_analyze, CAST(NULL AS TIMESTAMPTZ) AS last_autoanalyze,
       CAST(0 AS BIGINT) AS vacuum_count, CAST(0 AS BIGINT) AS autovacuum_count,
       CAST(0 AS BIGINT) AS analyze_count, CAST(0 AS BIGINT) AS autoanalyze_count
FROM carelake_pg_catalog.carelake_relations
WHERE relkind = 'r' AND nspname <> 'pg_catalog';
)sql";
}

std::string_view Attributes() {
  return R"sql(
-- Each column with its PostgreSQL type: lists are their element's array
-- type, DECIMAL(p,s) numeric(p,s), what carelake_type_map lacks text.
CREATE VIEW carelake_pg_catalog.carelake_columns AS
WITH cols AS (
  SELECT r.oid AS attrelid, r.nspname, r.relname, r.schema_name, c.column_name, c.column_index,
         c.is_nullable, c.data_type, c.numeric_precision, c.numeric_scale, c.comment,
         regexp_replace(c.data_type, '(\[[0-9]*\])+$', '') AS element_type,
         length(c.data_type) - length(replace(c.data_type, '[', '')) AS ndims
  FROM duckdb_columns() c
  JOIN carelake_pg_catalog.carelake_relations r
    ON r.database_name = c.database_name AND r.schema_name = c.schema_name
   AND r.relname = c.table_name AND r.relkind IN ('r', 'v')
), typed AS (
  SELECT cols.*,
         CASE WHEN element_type LIKE 'DECIMAL(%' THEN 1700 ELSE coalesce(m.oid, 25) END AS element_oid,
         CASE WHEN element_type LIKE 'DECIMAL(%'
              THEN ((CAST(numeric_precision AS INTEGER) << 16) | CAST(numeric_scale AS INTEGER)) + 4
              ELSE coalesce(m.typmod, -1) END AS element_typmod
  FROM cols LEFT JOIN carelake_pg_catalog.carelake_type_map m ON m.duckdb_type = cols.element_type
)
SELECT typed.*,
       CASE WHEN ndims > 0 THEN coalesce(e.typarray, 1009) ELSE element_oid END AS atttypid,
       CASE WHEN ndims > 0 THEN -1 ELSE element_typmod END AS atttypmod,
       EXISTS (SELECT 1 FROM carelake_pg_catalog.carelake_keys k
               WHERE k.schema_name = typed.schema_name AND k.table_name = typed.relname
                 AND k.column_name = typed.column_name) AS is_key
FROM typed LEFT JOIN carelake_pg_catalog.pg_type e ON e.oid = typed.element_oid;

-- The tables' and views' columns (pg_attribute adds the indexes' in Keys()).
CREATE VIEW carelake_pg_catalog.carelake_table_attributes AS
SELECT c.attrelid, c.column_name AS attname, c.atttypid, 0 AS attstattarget, t.typlen AS attlen,
       CAST(c.column_index AS SMALLINT) AS attnum, CAST(c.ndims AS INTEGER) AS attndims,
       -1 AS attcacheoff, CAST(c.atttypmod AS INTEGER) AS atttypmod, t.typbyval AS attbyval,
       t.typalign AS attalign, t.typstorage AS attstorage, '' AS attcompression,
       (c.is_key OR NOT c.is_nullable) AS attnotnull, false AS atthasdef, false AS atthasmissing,
       '' AS attidentity, '' AS attgenerated, false AS attisdropped, true AS attislocal,
       0 AS attinhcount, t.typcollation AS attcollation, CAST(NULL AS VARCHAR[]) AS attacl,
       CAST(NULL AS VARCHAR[]) AS attoptions, CAST(NULL AS VARCHAR[]) AS attfdwoptions,
       CAST(NULL AS VARCHAR) AS attmissingval
FROM carelake_pg_catalog.carelake_columns c
LEFT JOIN carelake_pg_catalog.pg_type t ON t.oid = c.atttypid;

CREATE TABLE carelake_pg_catalog.pg_attrdef (
  oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR);
)sql";
}

std::string_view Keys() {
  return R"sql(
-- The declared keys of the relations that exist, with their columns' numbers.
CREATE VIEW carelake_pg_catalog.carelake_key_constraints AS
SELECT r.oid AS conrelid, r.nspname, r.relname,
       carelake_pg_catalog.carelake_rel_oid(r.nspname, r.relname || '_pkey') AS indexrelid,
       carelake_pg_catalog.carelake_oid('constraint:' || r.nspname || '.' || r.relname) AS oid,
       r.relname || '_pkey' AS conname,
       list(CAST(c.column_index AS SMALLINT) ORDER BY k.key_position) AS conkey,
       list(k.column_name ORDER BY k.key_position) AS column_names
FROM carelake_pg_catalog.carelake_keys k
JOIN carelake_pg_catalog.carelake_relations r
  ON r.schema_name = k.schema_name AND r.relname = k.table_name AND r.relkind = 'r'
 AND r.database_name <> 'temp'
JOIN duckdb_columns() c
  ON c.database_name = r.database_name AND c.schema_name = r.schema_name
 AND c.table_name = r.relname AND c.column_name = k.column_name
GROUP BY ALL;

CREATE VIEW carelake_pg_catalog.pg_index AS
SELECT indexrelid, conrelid AS indrelid, CAST(len(conkey) AS SMALLINT) AS indnatts,
       CAST(len(conkey) AS SMALLINT) AS indnkeyatts, true AS indisunique,
       false AS indnullsnotdistinct, true AS indisprimary, false AS indisexclusion,
       true AS indimmediate, false AS indisclustered, true AS indisvalid, false AS indcheckxmin,
       true AS indisready, true AS indislive, false AS indisreplident, conkey AS indkey,
       list_transform(conkey, x -> CAST(0 AS BIGINT)) AS indcollation,
       list_transform(conkey, x -> CAST(0 AS BIGINT)) AS indclass,
       list_transform(conkey, x -> CAST(0 AS SMALLINT)) AS indoption,
       CAST(NULL AS VARCHAR) AS indexprs, CAST(NULL AS VARCHAR) AS indpred
FROM carelake_pg_catalog.carelake_key_constraints;

CREATE VIEW carelake_pg_catalog.pg_constraint AS
SELECT oid, conname, carelake_pg_catalog.carelake_nsp_oid(nspname) AS connamespace,
       'p' AS contype, false AS condeferrable, false AS condeferred, true AS convalidated,
       conrelid, CAST(0 AS BIGINT) AS contypid, indexrelid AS conindid,
       CAST(0 AS BIGINT) AS conparentid, CAST(0 AS BIGINT) AS confrelid, ' ' AS confupdtype,
       ' ' AS confdeltype, ' ' AS confmatchtype, true AS conislocal, 0 AS coninhcount,
       true AS connoinherit, conkey, CAST(NULL AS SMALLINT[]) AS confkey,
       CAST(NULL AS BIGINT[]) AS conpfeqop, CAST(NULL AS BIGINT[]) AS conppeqop,
       CAST(NULL AS BIGINT[]) AS conffeqop, CAST(NULL AS SMALLINT[]) AS confdelsetcols,
       CAST(NULL AS BIGINT[]) AS conexclop, CAST(NULL AS VARCHAR) AS conbin
FROM carelake_pg_catalog.carelake_key_constraints;

-- Every relation's columns: the tables' and views', and each index's (its
-- key columns, numbered from 1).
CREATE VIEW carelake_pg_catalog.pg_attribute AS
SELECT * FROM carelake_pg_catalog.carelake_table_attributes
UNION ALL
SELECT k.indexrelid, a.attname, a.atttypid, a.attstattarget, a.attlen, CAST(p.i AS SMALLINT),
       a.attndims, a.attcacheoff, a.atttypmod, a.attbyval, a.attalign, a.attstorage,
       a.attcompression, true, false, false, '', '', false, true, 0, a.attcollation,
       a.attacl, a.attoptions, a.attfdwoptions, a.attmissingval
FROM carelake_pg_catalog.carelake_key_constraints k,
     generate_series(1, len(k.column_names)) AS p(i),
     carelake_pg_catalog.carelake_table_attributes a
WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[p.i];

CREATE VIEW carelake_pg_catalog.pg_indexes AS
SELECT nspname AS schemaname, relname AS tablename, conname AS indexname,
       CAST(NULL AS VARCHAR) AS tablespace,
       'CREATE UNIQUE INDEX ' || conname || ' ON ' || nspname || '.' || relname ||
       ' USING btree (' || array_to_string(column_names, ', ') || ')' AS indexdef
FROM carelake_pg_catalog.carelake_key_constraints;
)sql";
}

std::string_view Descriptions() {
  return R"sql(
-- The project's descriptions (carelake_descriptions) and DuckDB comments.
CREATE VIEW carelake_pg_catalog.pg_description AS
SELECT carelake_pg_catalog.carelake_nsp_oid(schema_name) AS objoid, CAST(2615 AS BIGINT) AS classoid,
       0 AS objsubid, description
FROM carelake_pg_catalog.carelake_descriptions WHERE table_name IS NULL
UNION ALL
SELECT r.oid, 1259, 0, coalesce(d.description, r.comment)
FROM carelake_pg_catalog.carelake_relations r
LEFT JOIN carelake_pg_catalog.carelake_descriptions d
  ON d.schema_name = r.schema_name AND d.table_name = r.relname AND d.column_name IS NULL
WHERE r.relkind IN ('r', 'v') AND coalesce(d.description, r.comment) IS NOT NULL
UNION ALL
SELECT c.attrelid, 1259, CAST(c.column_index AS INTEGER), coalesce(d.description, c.comment)
FROM carelake_pg_catalog.carelake_columns c
LEFT JOIN carelake_pg_catalog.carelake_descriptions d
  ON d.schema_name = c.schema_name AND d.table_name = c.relname AND d.column_name = c.column_name
WHERE coalesce(d.description, c.comment) IS NOT NULL;

CREATE TABLE carelake_pg_catalog.pg_shdescription (
  objoid BIGINT, classoid BIGINT, description VARCHAR);
)sql";
}

std::string_view ServerObjects() {
  return R"sql(
CREATE VIEW carelake_pg_catalog.pg_database AS
SELECT carelake_pg_catalog.carelake_oid('database:' || database) AS oid, database AS datname,
       CAST(10 AS BIGINT) AS datdba, 6 AS encoding, 'c' AS datlocprovider,
       false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
       CAST(0 AS BIGINT) AS datfrozenxid, CAST(1 AS BIGINT) AS datminmxid,
       CAST(1663 AS BIGINT) AS dattablespace, 'C.UTF-8' AS datcollate, 'C.UTF-8' AS datctype,
       CAST(NULL AS VARCHAR) AS daticulocale, CAST(NULL AS VARCHAR) AS datcollversion,
       CAST(NULL AS VARCHAR[]) AS datacl
FROM carelake_pg_catalog.carelake_session;

CREATE VIEW carelake_pg_catalog.pg_authid AS
SELECT CAST(10 AS BIGINT) AS oid, user_name AS rolname, false AS rolsuper, true AS rolinherit,
       false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin,
       false AS rolreplication, false AS rolbypassrls, -1 AS rolconnlimit,
       CAST(NULL AS VARCHAR) AS rolpassword, CAST(NULL AS TIMESTAMPTZ) AS rolvaliduntil
FROM carelake_pg_catalog.carelake_session;

CREATE VIEW carelake_pg_catalog.pg_roles AS
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
       rolconnlimit, '********' AS rolpassword, rolvaliduntil, rolbypassrls,
       CAST(NULL AS VARCHAR[]) AS rolconfig, oid
FROM carelake_pg_catalog.pg_authid;

CREATE VIEW carelake_pg_catalog.pg_user AS
SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper,
       rolreplication AS userepl, rolbypassrls AS usebypassrls, '********' AS passwd,
       rolvaliduntil AS valuntil, CAST(NULL AS VARCHAR[]) AS useconfig
FROM carelake_pg_catalog.pg_authid;

CREATE TABLE carelake_pg_catalog.pg_auth_members (
  roleid BIGINT, member BIGINT, grantor BIGINT, admin_option BOOLEAN);

CREATE VIEW carelake_pg_catalog.pg_settings AS
SELECT name, setting, unit, category, short_desc, CAST(NULL AS VARCHAR) AS extra_desc, context,
       vartype, source, CAST(NULL AS VARCHAR) AS min_val, CAST(NULL AS VARCHAR) AS max_val,
       CAST(NULL AS VARCHAR[]) AS enumvals, boot_val, boot_val AS reset_val,
       CAST(NULL AS VARCHAR) AS sourcefile, CAST(NULL AS INTEGER) AS sourceline,
       false AS pending_restart
FROM carelake_pg_catalog.carelake_settings;

CREATE TABLE carelake_pg_catalog.pg_am (oid BIGINT, amname VARCHAR, amhandler BIGINT, amtype VARCHAR);
INSERT INTO carelake_pg_catalog.pg_am VALUES (2, 'heap', 0, 't'), (403, 'btree', 0, 'i');

CREATE TABLE carelake_pg_catalog.pg_collation (
  oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT, collprovider VARCHAR,
  collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, collctype VARCHAR,
  colliculocale VARCHAR, collversion VARCHAR);
INSERT INTO carelake_pg_catalog.pg_collation VALUES
  (100, 'default', 11, 10, 'd', true, -1, NULL, NULL, NULL, NULL),
  (950, 'C', 11, 10, 'c', true, -1, 'C', 'C', NULL, NULL),
  (951, 'POSIX', 11, 10, 'c', true, -1, 'POSIX', 'POSIX', NULL, NULL);

CREATE TABLE carelake_pg_catalog.pg_tablespace (
  oid BIGINT, spcname VARCHAR, spcowner BIGINT, spcacl VARCHAR[], spcoptions VARCHAR[]);
INSERT INTO carelake_pg_catalog.pg_tablespace VALUES
  (1663, 'pg_default', 10, NULL, NULL), (1664, 'pg_global', 10, NULL, NULL);
)sql";
}

std::string_view EmptyCatalogs() {
  return R"sql(
CREATE TABLE carelake_pg_catalog.pg_inherits (
  inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN);
CREATE TABLE carelake_pg_catalog.pg_enum (
  oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_range (
  rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT, rngcollation BIGINT,
  rngsubopc BIGINT, rngcanonical BIGINT, rngsubdiff BIGINT);
CREATE TABLE carelake_pg_catalog.pg_depend (
  classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT,
  refobjsubid INTEGER, deptype VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_policy (
  oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN,
  polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_statistic_ext (
  oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT,
  stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[], stxexprs VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_publication (
  oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN,
  pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN);
CREATE TABLE carelake_pg_catalog.pg_publication_namespace (oid BIGINT, pnpubid BIGINT, pnnspid BIGINT);
CREATE TABLE carelake_pg_catalog.pg_publication_rel (
  oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]);
CREATE TABLE carelake_pg_catalog.pg_trigger (
  oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype SMALLINT,
  tgenabled VARCHAR, tgisinternal BOOLEAN, tgconstrrelid BIGINT, tgconstrindid BIGINT,
  tgconstraint BIGINT, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs SMALLINT,
  tgattr SMALLINT[], tgargs BLOB, tgqual VARCHAR, tgoldtable VARCHAR, tgnewtable VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_rewrite (
  oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, ev_enabled VARCHAR,
  is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_sequence (
  seqrelid BIGINT, seqtypid BIGINT, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT,
  seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN);
CREATE TABLE carelake_pg_catalog.pg_foreign_table (ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]);
CREATE TABLE carelake_pg_catalog.pg_partitioned_table (
  partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT, partdefid BIGINT, partattrs SMALLINT[],
  partclass BIGINT[], partcollation BIGINT[], partexprs VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_extension (
  oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extrelocatable BOOLEAN,
  extversion VARCHAR, extconfig BIGINT[], extcondition VARCHAR[]);
CREATE TABLE carelake_pg_catalog.pg_operator (
  oid BIGINT, oprname VARCHAR, oprnamespace BIGINT, oprowner BIGINT, oprkind VARCHAR,
  oprcanmerge BOOLEAN, oprcanhash BOOLEAN, oprleft BIGINT, oprright BIGINT, oprresult BIGINT,
  oprcom BIGINT, oprnegate BIGINT, oprcode BIGINT, oprrest BIGINT, oprjoin BIGINT);
CREATE TABLE carelake_pg_catalog.pg_opclass (
  oid BIGINT, opcmethod BIGINT, opcname VARCHAR, opcnamespace BIGINT, opcowner BIGINT,
  opcfamily BIGINT, opcintype BIGINT, opcdefault BOOLEAN, opckeytype BIGINT);
CREATE TABLE carelake_pg_catalog.pg_cast (
  oid BIGINT, castsource BIGINT, casttarget BIGINT, castfunc BIGINT, castcontext VARCHAR,
  castmethod VARCHAR);
CREATE TABLE carelake_pg_catalog.pg_language (
  oid BIGINT, lanname VARCHAR, lanowner BIGINT, lanispl BOOLEAN, lanpltrusted BOOLEAN,
  lanplcallfoid BIGINT, laninline BIGINT, lanvalidator BIGINT, lanacl VARCHAR[]);
CREATE TABLE carelake_pg_catalog.pg_stat_activity (
  datid BIGINT, datname VARCHAR, pid INTEGER, leader_pid INTEGER, usesysid BIGINT,
  usename VARCHAR, application_name VARCHAR, client_addr VARCHAR, client_hostname VARCHAR,
  client_port INTEGER, backend_start TIMESTAMPTZ, xact_start TIMESTAMPTZ,
  query_start TIMESTAMPTZ, state_change TIMESTAMPTZ, wait_event_type VARCHAR,
  wait_event VARCHAR, state VARCHAR, backend_xid BIGINT, backend_xmin BIGINT, query_id BIGINT,
  query VARCHAR, backend_type VARCHAR);
)sql";
}

std::string_view SessionFunctions() {
  return R"sql(
CREATE MACRO carelake_pg_catalog.version() AS
  (SELECT version FROM carelake_pg_catalog.carelake_session);
CREATE MACRO carelake_pg_catalog.current_database() AS
  (SELECT database FROM carelake_pg_catalog.carelake_session);
CREATE MACRO carelake_pg_catalog.current_user() AS
  (SELECT user_name FROM carelake_pg_catalog.carelake_session);
CREATE MACRO carelake_pg_catalog.carelake_session_user() AS
  (SELECT user_name FROM carelake_pg_catalog.carelake_session);
CREATE MACRO carelake_pg_catalog.pg_get_userbyid(role_oid) AS
  CASE WHEN role_oid = 10 THEN (SELECT user_name FROM carelake_pg_catalog.carelake_session)
       ELSE 'unknown (OID=' || role_oid || ')' END;
CREATE MACRO carelake_pg_catalog.current_setting(setting_name) AS
  (SELECT setting FROM carelake_pg_catalog.carelake_settings WHERE lower(name) = lower(setting_name)),
  (setting_name, missing_ok) AS
  (SELECT setting FROM carelake_pg_catalog.carelake_settings WHERE lower(name) = lower(setting_name));
-- The schemas of DuckDB's search_path (PgCatalog keeps carelake_pg_catalog first).
CREATE MACRO carelake_pg_catalog.current_schemas(include_implicit) AS
  CASE WHEN include_implicit THEN ['pg_catalog'] ELSE [] END ||
  list_transform(
    list_filter(string_split(system.main.current_setting('search_path'), ','),
                s -> trim(s) NOT IN ('carelake_pg_catalog', '')),
    s -> CASE WHEN trim(s) = 'main' THEN 'public' ELSE trim(s) END);
CREATE MACRO carelake_pg_catalog.current_schema() AS
  carelake_pg_catalog.current_schemas(false)[1];
CREATE MACRO carelake_pg_catalog.pg_type_is_visible(type_oid) AS true;
CREATE MACRO carelake_pg_catalog.pg_function_is_visible(proc_oid) AS true;

-- Privileges: every user reads everything and writes nothing (issue 15).
CREATE MACRO carelake_pg_catalog.carelake_read_privilege(privilege) AS
  regexp_matches(lower(privilege), 'select|usage|connect|temp|references|execute');
CREATE MACRO carelake_pg_catalog.has_table_privilege(tbl, privilege) AS
  carelake_pg_catalog.carelake_read_privilege(privilege),
  (usr, tbl, privilege) AS carelake_pg_catalog.carelake_read_privilege(privilege);
CREATE MACRO carelake_pg_catalog.has_any_column_privilege(tbl, privilege) AS
  carelake_pg_catalog.carelake_read_privilege(privilege),
  (usr, tbl, privilege) AS carelake_pg_catalog.carelake_read_privilege(privilege);
CREATE MACRO carelake_pg_catalog.has_column_privilege(tbl, col, privilege) AS
  carelake_pg_catalog.carelake_read_privilege(privilege),
  (usr, tbl, col, privilege) AS carelake_pg_catalog.carelake_read_privilege(privilege);
CREATE MACRO carelake_pg_catalog.has_schema_privilege(sch, privilege) AS
  carelake_pg_catalog.carelake_read_privilege(privilege),
  (usr, sch, privilege) AS carelake_pg_catalog.carelake_read_privilege(privilege);
CREATE MACRO carelake_pg_catalog.has_database_privilege(db, privilege) AS
  carelake_pg_catalog.carelake_read_privilege(privilege),
  (usr, db, privilege) AS carelake_pg_catalog.carelake_read_privilege(privilege);
CREATE MACRO carelake_pg_catalog.has_function_privilege(fn, privilege) AS true,
  (usr, fn, privilege) AS true;
CREATE MACRO carelake_pg_catalog.has_sequence_privilege(seq, privilege) AS false,
  (usr, seq, privilege) AS false;

CREATE MACRO carelake_pg_catalog.format_type(type_oid, typmod) AS
  CASE WHEN type_oid IS NULL THEN NULL
       WHEN type_oid = 1700 AND typmod >= 4
         THEN 'numeric(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535) || ')'
       WHEN type_oid = 1043 AND typmod >= 4 THEN 'character varying(' || (typmod - 4) || ')'
       WHEN type_oid = 1042 AND typmod >= 4 THEN 'character(' || (typmod - 4) || ')'
       ELSE coalesce((SELECT display FROM carelake_pg_catalog.carelake_type_names n
                      WHERE n.oid = type_oid), '???') END;
-- Expressions (defaults, partition bounds): there are none.
CREATE MACRO carelake_pg_catalog.pg_get_expr(expr, rel) AS CAST(NULL AS VARCHAR),
  (expr, rel, pretty) AS CAST(NULL AS VARCHAR);
CREATE MACRO carelake_pg_catalog.pg_get_partkeydef(rel) AS CAST(NULL AS VARCHAR);
CREATE MACRO carelake_pg_catalog.pg_get_serial_sequence(tbl, col) AS CAST(NULL AS VARCHAR);
CREATE MACRO carelake_pg_catalog.json_build_object(k1, v1) AS json_object(CAST(k1 AS VARCHAR), v1),
  (k1, v1, k2, v2) AS json_object(CAST(k1 AS VARCHAR), v1, CAST(k2 AS VARCHAR), v2),
  (k1, v1, k2, v2, k3, v3) AS json_object(CAST(k1 AS VARCHAR), v1, CAST(k2 AS VARCHAR), v2, CAST(k3 AS VARCHAR), v3),
  (k1, v1, k2, v2, k3, v3, k4, v4) AS json_object(CAST(k1 AS VARCHAR), v1, CAST(k2 AS VARCHAR), v2, CAST(k3 AS VARCHAR), v3, CAST(k4 AS VARCHAR), v4),
  (k1, v1, k2, v2, k3, v3, k4, v4, k5, v5, k6, v6, k7, v7) AS
  json_object(CAST(k1 AS VARCHAR), v1, CAST(k2 AS VARCHAR), v2, CAST(k3 AS VARCHAR), v3, CAST(k4 AS VARCHAR), v4, CAST(k5 AS VARCHAR), v5, CAST(k6 AS VARCHAR), v6, CAST(k7 AS VARCHAR), v7);
CREATE MACRO carelake_pg_catalog.pg_get_statisticsobjdef_columns(stat_oid) AS CAST(NULL AS VARCHAR);
CREATE MACRO carelake_pg_catalog.pg_relation_is_publishable(rel) AS false;
CREATE MACRO carelake_pg_catalog.shobj_description(obj_oid, catalog_name) AS CAST(NULL AS VARCHAR);
CREATE MACRO carelake_pg_catalog.pg_encoding_to_char(encoding) AS
  CASE encoding WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END;
CREATE MACRO carelake_pg_catalog.pg_total_relation_size(rel) AS CAST(0 AS BIGINT);
CREATE MACRO carelake_pg_catalog.pg_relation_size(rel) AS CAST(0 AS BIGINT);
CREATE MACRO carelake_pg_catalog.array_upper(arr, dimension) AS
  CASE WHEN len(arr) > 0 THEN len(arr) END;
CREATE MACRO carelake_pg_catalog.array_lower(arr, dimension) AS
  CASE WHEN len(arr) > 0 THEN 1 END;

-- format() with PostgreSQL's %s, %I and %L (an argument is quoted as an
-- identifier when the format has %I, as a literal when it has %L).
CREATE MACRO carelake_pg_catalog.quote_ident(ident) AS
  CASE WHEN regexp_full_match(ident, '[a-z_][a-z0-9_$]*') THEN ident
       ELSE '"' || replace(ident, '"', '""') || '"' END;
CREATE MACRO carelake_pg_catalog.quote_literal(literal) AS
  '''' || replace(CAST(literal AS VARCHAR), '''', '''''') || '''';
CREATE MACRO carelake_pg_catalog.carelake_format_arg(fmt, arg) AS
  CASE WHEN contains(fmt, '%I') THEN carelake_pg_catalog.quote_ident(CAST(arg AS VARCHAR))
       WHEN contains(fmt, '%L') THEN carelake_pg_catalog.quote_literal(arg)
       ELSE CAST(arg AS VARCHAR) END;
CREATE MACRO carelake_pg_catalog.carelake_format_spec(fmt) AS
  replace(replace(fmt, '%I', '%s'), '%L', '%s');
CREATE MACRO carelake_pg_catalog.format(fmt, a) AS
  printf(carelake_pg_catalog.carelake_format_spec(fmt), carelake_pg_catalog.carelake_format_arg(fmt, a)),
  (fmt, a, b) AS
  printf(carelake_pg_catalog.carelake_format_spec(fmt), carelake_pg_catalog.carelake_format_arg(fmt, a),
         carelake_pg_catalog.carelake_format_arg(fmt, b)),
  (fmt, a, b, c) AS
  printf(carelake_pg_catalog.carelake_format_spec(fmt), carelake_pg_catalog.carelake_format_arg(fmt, a),
         carelake_pg_catalog.carelake_format_arg(fmt, b),
         carelake_pg_catalog.carelake_format_arg(fmt, c));

-- PostgreSQL's regular-expression operators (sql_translate.h turns ~ and !~
-- into ~@ and !~@): a match anywhere in the string.
CREATE MACRO carelake_pg_catalog."~@"(str, pattern) AS regexp_matches(str, pattern);
CREATE MACRO carelake_pg_catalog."!~@"(str, pattern) AS NOT regexp_matches(str, pattern);
CREATE MACRO carelake_pg_catalog."~*"(str, pattern) AS regexp_matches(str, pattern, 'i');
CREATE MACRO carelake_pg_catalog."!~*"(str, pattern) AS NOT regexp_matches(str, pattern, 'i');
)sql";
}

std::string_view CatalogFunctions() {
  return R"sql(
CREATE MACRO carelake_pg_catalog.pg_table_is_visible(rel_oid) AS
  coalesce((SELECT list_contains(carelake_pg_catalog.current_schemas(true), r.nspname)
            FROM carelake_pg_catalog.carelake_relations r WHERE r.oid = rel_oid LIMIT 1), false);
CREATE MACRO carelake_pg_catalog.carelake_constraintdef(con_oid) AS
  (SELECT 'PRIMARY KEY (' || array_to_string(column_names, ', ') || ')'
   FROM carelake_pg_catalog.carelake_key_constraints k WHERE k.oid = con_oid);
CREATE MACRO carelake_pg_catalog.pg_get_constraintdef(con_oid) AS
  carelake_pg_catalog.carelake_constraintdef(con_oid),
  (con_oid, pretty) AS carelake_pg_catalog.carelake_constraintdef(con_oid);
CREATE MACRO carelake_pg_catalog.carelake_indexdef(index_oid) AS
  (SELECT indexdef FROM carelake_pg_catalog.pg_indexes i
   JOIN carelake_pg_catalog.carelake_key_constraints k ON k.conname = i.indexname
    AND k.nspname = i.schemaname WHERE k.indexrelid = index_oid);
CREATE MACRO carelake_pg_catalog.pg_get_indexdef(index_oid) AS
  carelake_pg_catalog.carelake_indexdef(index_oid),
  (index_oid, col, pretty) AS carelake_pg_catalog.carelake_indexdef(index_oid);
CREATE MACRO carelake_pg_catalog.col_description(rel_oid, column_number) AS
  (SELECT description FROM carelake_pg_catalog.pg_description d
   WHERE d.objoid = rel_oid AND d.classoid = 1259 AND d.objsubid = column_number LIMIT 1);
)sql";
}

std::string_view RegFunctions() {
  return R"sql(
-- x::regclass: an OID as is, else the relation of that (possibly
-- schema-qualified, possibly quoted) name, searched along the search_path.
CREATE MACRO carelake_pg_catalog.carelake_regclass(x) AS
  coalesce(
    TRY_CAST(x AS BIGINT),
    (SELECT r.oid FROM carelake_pg_catalog.carelake_relations r
     WHERE r.relname = replace(string_split(CAST(x AS VARCHAR), '.')[-1], '"', '')
       AND (NOT contains(CAST(x AS VARCHAR), '.')
            OR r.nspname = replace(string_split(CAST(x AS VARCHAR), '.')[1], '"', ''))
     ORDER BY coalesce(list_position(carelake_pg_catalog.current_schemas(true), r.nspname), 1000)
     LIMIT 1));
CREATE MACRO carelake_pg_catalog.carelake_regclass_name(x) AS
  (SELECT CASE WHEN list_contains(carelake_pg_catalog.current_schemas(true), r.nspname)
               THEN r.relname ELSE r.nspname || '.' || r.relname END
   FROM carelake_pg_catalog.carelake_relations r
   WHERE r.oid = carelake_pg_catalog.carelake_regclass(x) LIMIT 1);
CREATE MACRO carelake_pg_catalog.carelake_regtype(x) AS
  coalesce(
    TRY_CAST(x AS BIGINT),
    (SELECT t.oid FROM carelake_pg_catalog.pg_type t
     LEFT JOIN carelake_pg_catalog.carelake_type_names n ON n.oid = t.oid
     WHERE t.typname = lower(replace(replace(CAST(x AS VARCHAR), 'pg_catalog.', ''), '"', ''))
        OR n.display = lower(CAST(x AS VARCHAR))
     LIMIT 1));
CREATE MACRO carelake_pg_catalog.carelake_regtype_name(x) AS
  carelake_pg_catalog.format_type(carelake_pg_catalog.carelake_regtype(x), NULL);
CREATE MACRO carelake_pg_catalog.carelake_regnamespace(x) AS
  coalesce(TRY_CAST(x AS BIGINT),
           (SELECT oid FROM carelake_pg_catalog.pg_namespace
            WHERE nspname = replace(CAST(x AS VARCHAR), '"', '')));
CREATE MACRO carelake_pg_catalog.carelake_regnamespace_name(x) AS
  (SELECT nspname FROM carelake_pg_catalog.pg_namespace
   WHERE oid = carelake_pg_catalog.carelake_regnamespace(x));
CREATE MACRO carelake_pg_catalog.carelake_regproc(x) AS
  coalesce(TRY_CAST(x AS BIGINT),
           (SELECT oid FROM carelake_pg_catalog.pg_proc
            WHERE proname = replace(CAST(x AS VARCHAR), 'pg_catalog.', '') LIMIT 1));
CREATE MACRO carelake_pg_catalog.carelake_regproc_name(x) AS
  (SELECT proname FROM carelake_pg_catalog.pg_proc
   WHERE oid = carelake_pg_catalog.carelake_regproc(x));
CREATE MACRO carelake_pg_catalog.obj_description(obj_oid) AS
  (SELECT description FROM carelake_pg_catalog.pg_description d
   WHERE d.objoid = obj_oid AND d.objsubid = 0 LIMIT 1),
  (obj_oid, catalog_name) AS
  (SELECT description FROM carelake_pg_catalog.pg_description d
   WHERE d.objoid = obj_oid AND d.objsubid = 0
     AND d.classoid = carelake_pg_catalog.carelake_regclass(catalog_name) LIMIT 1);
)sql";
}

std::string_view InformationSchema() {
  return R"sql(
CREATE VIEW carelake_information_schema.schemata AS
SELECT carelake_pg_catalog.current_database() AS catalog_name, nspname AS schema_name,
       (SELECT user_name FROM carelake_pg_catalog.carelake_session) AS schema_owner,
       CAST(NULL AS VARCHAR) AS default_character_set_catalog,
       CAST(NULL AS VARCHAR) AS default_character_set_schema,
       CAST(NULL AS VARCHAR) AS default_character_set_name, CAST(NULL AS VARCHAR) AS sql_path
FROM carelake_pg_catalog.pg_namespace;

CREATE VIEW carelake_information_schema.tables AS
SELECT carelake_pg_catalog.current_database() AS table_catalog, nspname AS table_schema, relname AS table_name,
       CASE WHEN temporary THEN 'LOCAL TEMPORARY' WHEN relkind = 'v' THEN 'VIEW'
            ELSE 'BASE TABLE' END AS table_type,
       CAST(NULL AS VARCHAR) AS self_referencing_column_name,
       CAST(NULL AS VARCHAR) AS reference_generation,
       CAST(NULL AS VARCHAR) AS user_defined_type_catalog,
       CAST(NULL AS VARCHAR) AS user_defined_type_schema,
       CAST(NULL AS VARCHAR) AS user_defined_type_name, 'NO' AS is_insertable_into,
       'NO' AS is_typed, CAST(NULL AS VARCHAR) AS commit_action
FROM carelake_pg_catalog.carelake_relations
WHERE relkind IN ('r', 'v') AND nspname <> 'pg_catalog';

CREATE VIEW carelake_information_schema.columns AS
SELECT carelake_pg_catalog.current_database() AS table_catalog, c.nspname AS table_schema, c.relname AS table_name,
       c.column_name, CAST(c.column_index AS INTEGER) AS ordinal_position,
       CAST(NULL AS VARCHAR) AS column_default,
       CASE WHEN c.is_key OR NOT c.is_nullable THEN 'NO' ELSE 'YES' END AS is_nullable,
       CASE WHEN t.typcategory = 'A' THEN 'ARRAY'
            ELSE regexp_replace(carelake_pg_catalog.format_type(c.atttypid, -1), '^bpchar$', 'character')
       END AS data_type,
       CASE WHEN c.atttypid IN (1042, 1043) AND c.atttypmod >= 4 THEN c.atttypmod - 4 END
         AS character_maximum_length,
       CASE WHEN t.typcategory = 'S' THEN 1073741824 END AS character_octet_length,
       CASE c.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24
                       WHEN 701 THEN 53
                       WHEN 1700 THEN CASE WHEN c.atttypmod >= 4 THEN (c.atttypmod - 4) >> 16 END
       END AS numeric_precision,
       CASE WHEN c.atttypid IN (21, 23, 20, 700, 701) THEN 2 WHEN c.atttypid = 1700 THEN 10 END
         AS numeric_precision_radix,
       CASE WHEN c.atttypid IN (21, 23, 20) THEN 0
            WHEN c.atttypid = 1700 AND c.atttypmod >= 4 THEN (c.atttypmod - 4) & 65535 END
         AS numeric_scale,
       CASE WHEN c.atttypid IN (1082) THEN 0 WHEN c.atttypid IN (1083, 1114, 1184, 1266, 1186) THEN 6
       END AS datetime_precision,
       CAST(NULL AS VARCHAR) AS interval_type, CAST(NULL AS INTEGER) AS interval_precision,
       CAST(NULL AS VARCHAR) AS character_set_catalog, CAST(NULL AS VARCHAR) AS character_set_schema,
       CAST(NULL AS VARCHAR) AS character_set_name, CAST(NULL AS VARCHAR) AS collation_catalog,
       CAST(NULL AS VARCHAR) AS collation_schema, CAST(NULL AS VARCHAR) AS collation_name,
       CAST(NULL AS VARCHAR) AS domain_catalog, CAST(NULL AS VARCHAR) AS domain_schema,
       CAST(NULL AS VARCHAR) AS domain_name, carelake_pg_catalog.current_database() AS udt_catalog,
       'pg_catalog' AS udt_schema, t.typname AS udt_name, CAST(NULL AS VARCHAR) AS scope_catalog,
       CAST(NULL AS VARCHAR) AS scope_schema, CAST(NULL AS VARCHAR) AS scope_name,
       CAST(NULL AS INTEGER) AS maximum_cardinality, CAST(c.column_index AS VARCHAR) AS dtd_identifier,
       'NO' AS is_self_referencing, 'NO' AS is_identity, CAST(NULL AS VARCHAR) AS identity_generation,
       CAST(NULL AS VARCHAR) AS identity_start, CAST(NULL AS VARCHAR) AS identity_increment,
       CAST(NULL AS VARCHAR) AS identity_maximum, CAST(NULL AS VARCHAR) AS identity_minimum,
       CAST(NULL AS VARCHAR) AS identity_cycle, 'NEVER' AS is_generated,
       CAST(NULL AS VARCHAR) AS generation_expression, 'NO' AS is_updatable
FROM carelake_pg_catalog.carelake_columns c
LEFT JOIN carelake_pg_catalog.pg_type t ON t.oid = c.atttypid;

CREATE VIEW carelake_information_schema.views AS
SELECT carelake_pg_catalog.current_database() AS table_catalog, schemaname AS table_schema, viewname AS table_name,
       definition AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable,
       'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable,
       'NO' AS is_trigger_insertable_into
FROM carelake_pg_catalog.pg_views;

CREATE VIEW carelake_information_schema.table_constraints AS
SELECT carelake_pg_catalog.current_database() AS constraint_catalog, nspname AS constraint_schema,
       conname AS constraint_name, carelake_pg_catalog.current_database() AS table_catalog, nspname AS table_schema,
       relname AS table_name, 'PRIMARY KEY' AS constraint_type, 'NO' AS is_deferrable,
       'NO' AS initially_deferred, 'YES' AS enforced, CAST(NULL AS VARCHAR) AS nulls_distinct
FROM carelake_pg_catalog.carelake_key_constraints;

CREATE VIEW carelake_information_schema.key_column_usage AS
SELECT carelake_pg_catalog.current_database() AS constraint_catalog, nspname AS constraint_schema,
       conname AS constraint_name, carelake_pg_catalog.current_database() AS table_catalog, nspname AS table_schema,
       relname AS table_name, column_names[i] AS column_name, CAST(i AS INTEGER) AS ordinal_position,
       CAST(NULL AS INTEGER) AS position_in_unique_constraint
FROM carelake_pg_catalog.carelake_key_constraints,
     generate_series(1, len(column_names)) AS positions(i);

CREATE VIEW carelake_information_schema.table_privileges AS
SELECT CAST(NULL AS VARCHAR) AS grantor, carelake_pg_catalog.current_user() AS grantee,
       carelake_pg_catalog.current_database() AS table_catalog, nspname AS table_schema, relname AS table_name,
       'SELECT' AS privilege_type, 'NO' AS is_grantable, 'YES' AS with_hierarchy
FROM carelake_pg_catalog.carelake_relations
WHERE relkind IN ('r', 'v') AND nspname <> 'pg_catalog';

-- JDBC's getPrimaryKeys: one row (x: the element, n: its position) per
-- element of an array, as a set-returning function of the select list.
CREATE MACRO carelake_information_schema._pg_expandarray(arr) AS
  unnest(list_transform(range(1, len(arr) + 1), i -> {'x': arr[i], 'n': i}));

CREATE TABLE carelake_information_schema.referential_constraints (
  constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR,
  unique_constraint_catalog VARCHAR, unique_constraint_schema VARCHAR,
  unique_constraint_name VARCHAR, match_option VARCHAR, update_rule VARCHAR, delete_rule VARCHAR);
)sql";
}

const std::vector<Group>& Groups() {
  // Indexes below, for the dependencies.
  enum : size_t {
    kFoundation,
    kSessionFunctions,
    kNamespaces,
    kRelations,
    kAttributes,
    kKeys,
    kDescriptions,
    kServerObjects,
    kEmptyCatalogs,
    kCatalogFunctions,
    kRegFunctions,
    kInformationSchema
  };
  static const std::vector<Group> groups = {
      {"foundation", Foundation(), {}},
      {"session functions", SessionFunctions(), {kFoundation}},
      {"namespaces", Namespaces(), {kFoundation}},
      {"relations", Relations(), {kFoundation}},
      {"attributes", Attributes(), {kRelations}},
      {"keys", Keys(), {kAttributes}},
      {"descriptions", Descriptions(), {kAttributes}},
      {"server objects", ServerObjects(), {kFoundation}},
      {"empty catalogs", EmptyCatalogs(), {}},
      {"catalog functions", CatalogFunctions(), {kSessionFunctions, kKeys, kDescriptions}},
      {"reg functions", RegFunctions(), {kSessionFunctions, kNamespaces, kDescriptions}},
      {"information_schema", InformationSchema(), {kSessionFunctions, kNamespaces, kKeys}},
  };
  return groups;
}

}  // namespace carelake::pgwire::pg_catalog_sql
