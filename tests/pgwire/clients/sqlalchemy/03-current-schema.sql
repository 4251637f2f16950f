-- @origin: python3-sqlalchemy 1.4.46 + python3-psycopg2 2.9.5 (Debian), Inspector.connect against PostgreSQL 15.18, from its log_statement=all; captured by the pgcatalog helper
-- @protocol: simple
-- @cols: current_schema
-- @row: current_schema=gold
select current_schema()
