"""SQLAlchemy 1.4 (Debian python3-sqlalchemy, psycopg2 dialect) against
carelake's pgwire server: the dialect's connect-time queries, the inspector
(schemas, tables, columns, primary key, foreign keys, indexes) and a Core
select. Prints "ok" or raises. Usage: sqlalchemy_check.py URL
"""
import sys

import sqlalchemy as sa

engine = sa.create_engine(sys.argv[1])
inspector = sa.inspect(engine)
schemas = inspector.get_schema_names()
assert {"bronze", "silver", "gold"} <= set(schemas), schemas
assert "all_types" in inspector.get_table_names(schema="gold"), inspector.get_table_names(schema="gold")
assert "visits" in inspector.get_table_names(schema="silver")
columns = {c["name"]: c for c in inspector.get_columns("all_types", schema="gold")}
assert isinstance(columns["big"]["type"], sa.BigInteger), columns["big"]
assert isinstance(columns["money"]["type"], sa.Numeric), columns["money"]
assert (columns["money"]["type"].precision, columns["money"]["type"].scale) == (12, 2), columns["money"]
assert isinstance(columns["d"]["type"], sa.Date), columns["d"]
assert isinstance(columns["tstz"]["type"], sa.DateTime) and columns["tstz"]["type"].timezone
assert isinstance(columns["txt"]["type"], sa.Text), columns["txt"]
assert columns["id"]["nullable"] is False, columns["id"]
assert columns["txt"]["nullable"] is True, columns["txt"]
pk = inspector.get_pk_constraint("all_types", schema="gold")
assert pk["constrained_columns"] == ["id"], pk
visits_pk = inspector.get_pk_constraint("visits", schema="silver")
assert visits_pk["constrained_columns"] == ["visit_id"], visits_pk
assert inspector.get_foreign_keys("all_types", schema="gold") == []
assert isinstance(inspector.get_indexes("all_types", schema="gold"), list)

meta = sa.MetaData()
table = sa.Table("all_types", meta, schema="gold", autoload_with=engine)
with engine.connect() as conn:
    rows = conn.execute(sa.select(table.c.id, table.c.money).order_by(table.c.id)).fetchall()
assert [tuple(r) for r in rows] == [(1, __import__("decimal").Decimal("1234.56")), (2, None)], rows
print("ok")
