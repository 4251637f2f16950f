"""psycopg2 (Debian python3-psycopg2) against carelake's pgwire server.

Reads the fixture's all-types table (tests/pgwire/server_fixture.h) and checks
each value, NULL and type OID the way an analyst's Python sees them; then a
parameterized query, a transaction and server-side errors. Prints "ok" or
raises. Usage: psycopg2_check.py DSN QUERY
"""
import datetime
import decimal
import sys

import psycopg2

dsn, query = sys.argv[1], sys.argv[2]
conn = psycopg2.connect(dsn)
cur = conn.cursor()
cur.execute(query)
rows = cur.fetchall()
names = [d.name for d in cur.description]
oids = dict(zip(names, [d.type_code for d in cur.description]))
expected_oids = {
    "id": 23, "flag": 16, "small": 21, "num": 23, "big": 20, "real4": 700, "dbl": 701,
    "money": 1700, "txt": 25, "bin": 17, "d": 1082, "ts": 1184, "tstz": 1184, "ints": 1007,
    "texts": 1009, "t": 1083, "iv": 1186, "uid": 2950, "doc": 114,
}
assert oids == expected_oids, oids
utc = datetime.timezone.utc
row = dict(zip(names, rows[0]))
expected = {
    "id": 1, "flag": True, "small": 7, "num": 42, "big": 9007199254740993, "real4": 1.5,
    "dbl": 0.1, "money": decimal.Decimal("1234.56"), "txt": 'héllo, "world"',
    "d": datetime.date(2024, 2, 29),
    "ts": datetime.datetime(2024, 2, 29, 13, 45, 7, 123456, tzinfo=utc),
    "tstz": datetime.datetime(2024, 2, 29, 13, 45, 7, tzinfo=utc),
    "ints": [1, 2, None], "texts": ["x", "y z"], "t": datetime.time(13, 45, 7, 250000),
    "iv": datetime.timedelta(days=365 + 60 + 3, seconds=4 * 3600 + 5 * 60 + 6),
    "uid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "doc": {"a": [1, 2]},
}
for name, value in expected.items():
    assert row[name] == value, (name, row[name], value)
assert bytes(row["bin"]) == b"\xde\xad\xbe\xef", row["bin"]
assert row["ts"].utcoffset() == datetime.timedelta(0)
nulls = dict(zip(names, rows[1]))
assert nulls["id"] == 2 and all(v is None for k, v in nulls.items() if k != "id"), nulls

# Parameters are interpolated by psycopg2 (simple protocol): quoting must hold.
cur.execute("SELECT id FROM gold.all_types WHERE txt = %s AND money > %s", ('héllo, "world"', 1000))
assert cur.fetchall() == [(1,)]
# A transaction, and an error that does not end the connection.
conn.rollback()
try:
    cur.execute("SELECT no_such_column FROM gold.all_types")
    raise AssertionError("expected an error")
except psycopg2.errors.UndefinedColumn:
    conn.rollback()
cur.execute("SELECT count(*) FROM gold.all_types")
assert cur.fetchone() == (2,)
conn.close()
print("ok")
