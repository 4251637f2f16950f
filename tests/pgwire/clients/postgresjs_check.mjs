// postgres.js (npm "postgres") against carelake's pgwire server: its
// connect-time type loading from pg_catalog.pg_type, tagged-template queries
// (extended protocol, prepared statements), and the all-types values. Prints
// "ok" or throws. Usage: node postgresjs_check.mjs PORT PASSWORD QUERY
import assert from "assert";
import postgres from "postgres";

const [port, password, query] = process.argv.slice(2);
const sql = postgres({ host: "127.0.0.1", port: Number(port), user: "ana", password, database: "clinic", ssl: false, max: 1 });
try {
  const rows = await sql.unsafe(query);
  const r = rows[0];
  assert.strictEqual(r.flag, true);
  assert.strictEqual(r.small, 7);
  assert.strictEqual(r.big, "9007199254740993");
  assert.strictEqual(r.money, "1234.56");
  assert.strictEqual(r.txt, 'héllo, "world"');
  assert.strictEqual(r.d.toISOString().slice(0, 10), "2024-02-29");
  assert.strictEqual(r.tstz.toISOString(), "2024-02-29T13:45:07.000Z");
  // postgres.js 3.4 reads a NULL in an int array as NaN; it does the same
  // with PostgreSQL 15's own answer (checked against a real server).
  assert.deepStrictEqual(r.ints.slice(0, 2), [1, 2]);
  assert.ok(Number.isNaN(r.ints[2]), String(r.ints[2]));
  assert.deepStrictEqual(r.texts, ["x", "y z"]);
  assert.deepStrictEqual(r.doc, { a: [1, 2] });
  for (const [k, v] of Object.entries(rows[1])) if (k !== "id") assert.strictEqual(v, null, k);
  const txt = 'héllo, "world"';
  for (let i = 0; i < 3; i++) {
    const p = await sql`SELECT id FROM gold.all_types WHERE txt = ${txt}`;
    assert.deepStrictEqual([...p], [{ id: 1 }]);
  }
  console.log("ok");
} finally {
  await sql.end();
}
