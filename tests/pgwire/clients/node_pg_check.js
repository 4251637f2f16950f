// node-postgres (npm "pg") against carelake's pgwire server: the extended
// protocol with parameters, the all-types values as node-postgres parses
// them, and a prepared (named) statement run repeatedly. Prints "ok" or
// throws. Usage: node node_pg_check.js PORT PASSWORD QUERY
const assert = require("assert");
const { Client } = require("pg");

async function main() {
  const [port, password, query] = process.argv.slice(2);
  const client = new Client({ host: "127.0.0.1", port: Number(port), user: "ana", password, database: "clinic" });
  await client.connect();
  const res = await client.query(query);
  const oids = Object.fromEntries(res.fields.map((f) => [f.name, f.dataTypeID]));
  assert.deepStrictEqual(oids, {
    id: 23, flag: 16, small: 21, num: 23, big: 20, real4: 700, dbl: 701, money: 1700, txt: 25,
    bin: 17, d: 1082, ts: 1184, tstz: 1184, ints: 1007, texts: 1009, t: 1083, iv: 1186,
    uid: 2950, doc: 114,
  });
  const r = res.rows[0];
  assert.strictEqual(r.flag, true);
  assert.strictEqual(r.small, 7);
  assert.strictEqual(r.big, "9007199254740993"); // int8 stays a string in node-postgres
  assert.strictEqual(r.real4, 1.5);
  assert.strictEqual(r.dbl, 0.1);
  assert.strictEqual(r.money, "1234.56");
  assert.strictEqual(r.txt, 'héllo, "world"');
  assert.ok(Buffer.from([0xde, 0xad, 0xbe, 0xef]).equals(r.bin));
  assert.strictEqual(r.tstz.toISOString(), "2024-02-29T13:45:07.000Z");
  assert.deepStrictEqual(r.ints, [1, 2, null]);
  assert.deepStrictEqual(r.texts, ["x", "y z"]);
  assert.strictEqual(r.t, "13:45:07.25");
  assert.deepStrictEqual({ ...r.iv }, { years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6 });
  assert.strictEqual(r.uid, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  assert.deepStrictEqual(r.doc, { a: [1, 2] });
  const nulls = res.rows[1];
  for (const [k, v] of Object.entries(nulls)) if (k !== "id") assert.strictEqual(v, null, k);
  // Parameters travel in Bind (extended protocol); a named statement is reused.
  for (let i = 0; i < 3; i++) {
    const p = await client.query({ name: "by_text", text: "SELECT id, money FROM gold.all_types WHERE txt = $1 AND big > $2", values: ['héllo, "world"', 5] });
    assert.deepStrictEqual(p.rows, [{ id: 1, money: "1234.56" }]);
  }
  await assert.rejects(client.query("SELECT nope FROM gold.all_types"), (e) => e.code === "42703");
  const again = await client.query("SELECT count(*)::INTEGER AS n FROM gold.all_types");
  assert.strictEqual(again.rows[0].n, 2);
  await client.end();
  console.log("ok");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
