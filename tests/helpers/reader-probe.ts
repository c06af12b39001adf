/**
 * Run as a child process by tests/integration/reader.test.ts, in the time zone the test gives it (TZ): reads
 * DATE, TIMESTAMP, bigint and text[] values and a Date parameter through the departments' plain-SQL reader
 * on PGlite (in memory) and, when a URL is given, on PostgreSQL, and prints what came back as JSON.
 */
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { pgliteReader, pgReader, type Reader } from "../../subgraphs/kit/reader";

const SENT = new Date(Date.UTC(2021, 5, 6, 7, 8, 9, 123));
const statement = { text: `SELECT $1::date AS d, $2::timestamp AS t, 5::bigint AS n, ARRAY['甲','乙']::text[] AS a, $3::timestamp AS echoed`, values: ["2020-01-02", "2020-01-02 03:04:05.678", SENT] };
const other = { text: "SELECT $1::text || '·' AS s", values: ["张三"] };

async function probe(read: Reader) {
  const out = [];
  for (let i = 0; i < 3; i++) {
    const [r] = await read<{ d: Date; t: Date; n: unknown; a: string[]; echoed: Date }>(statement);
    const [o] = await read<{ s: string }>(other);
    out.push({ d: r.d.toISOString(), t: r.t.toISOString(), n: r.n, nType: typeof r.n, a: r.a, echoed: r.echoed.toISOString(), s: o.s });
  }
  return out;
}

async function main() {
  const result: Record<string, unknown> = { offset: new Date(2020, 0, 1).getTimezoneOffset() };
  const lite = new PGlite();
  result.pglite = await probe(pgliteReader(lite));
  await lite.close();
  const url = process.argv[2];
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    result.postgres = await probe(pgReader(pool));
    await pool.end();
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
