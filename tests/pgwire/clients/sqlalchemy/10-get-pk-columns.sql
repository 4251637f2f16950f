-- @origin: python3-sqlalchemy 1.4.46 + python3-psycopg2 2.9.5 (Debian), Inspector.get_pk_constraint() (columns) against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: attname
-- @row: attname=id
SELECT a.attname
                FROM pg_attribute a JOIN (
                    SELECT unnest(ix.indkey) attnum,
                           generate_subscripts(ix.indkey, 1) ord
                    FROM pg_index ix
                    WHERE ix.indrelid = {{TABLE_OID}} AND ix.indisprimary
                    ) k ON a.attnum=k.attnum
                WHERE a.attrelid = {{TABLE_OID}}
                ORDER BY k.ord
