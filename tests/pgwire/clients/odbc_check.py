"""psqlODBC (Debian odbc-postgresql, unixODBC) through pyodbc against
carelake's pgwire server: values of the all-types query, and the catalog
functions Excel and Power BI's ODBC path call (SQLTables, SQLColumns,
SQLPrimaryKeys). Prints "ok" or raises.
Usage: odbc_check.py PORT PASSWORD QUERY
"""
import datetime
import decimal
import sys

import pyodbc

port, password, query = sys.argv[1], sys.argv[2], sys.argv[3]
conn = pyodbc.connect(
    "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=%s;Database=clinic;Uid=ana;Pwd=%s;"
    "SSLMode=disable" % (port, password), autocommit=True)
cur = conn.cursor()
cur.execute(query)
names = [d[0] for d in cur.description]
rows = cur.fetchall()
row = dict(zip(names, rows[0]))
assert row["id"] == 1 and row["flag"] in (True, 1, "1"), row
assert row["big"] == 9007199254740993, row["big"]
assert row["money"] == decimal.Decimal("1234.56"), row["money"]
assert row["txt"] == 'héllo, "world"', row["txt"]
assert row["d"] == datetime.date(2024, 2, 29), row["d"]
assert row["dbl"] == 0.1, row["dbl"]
nulls = dict(zip(names, rows[1]))
assert all(v is None for k, v in nulls.items() if k != "id"), nulls

tables = [(t.table_schem, t.table_name) for t in cur.tables(schema="gold")]
assert ("gold", "all_types") in tables, tables
columns = {c.column_name: c for c in cur.columns(table="all_types", schema="gold")}
assert columns["money"].type_name == "numeric", columns["money"].type_name
assert (columns["money"].column_size, columns["money"].decimal_digits) == (12, 2)
assert columns["id"].nullable == 0, columns["id"].nullable
keys = [k.column_name for k in cur.primaryKeys("all_types", schema="gold")]
assert keys == ["id"], keys
conn.close()
print("ok")
