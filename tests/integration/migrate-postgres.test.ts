/**
 * Several processes starting at once on one empty PostgreSQL database (gateway replicas on the access log
 * or the registry) apply the migrations once between them: none fails on a table another is creating.
 */
import { join } from "node:path";
import pg from "pg";
import { applyMigrations } from "../../subgraphs/kit/migrate";
import { pgRunner } from "../../subgraphs/kit/sql-runner";
import { databaseUrl, describeWithPostgres, dropDatabases, PG_ADMIN_URL } from "../helpers/postgres";

const ROOT = join(__dirname, "../..");
const SETS = [join(ROOT, "gateway/src/audit/migrations"), join(ROOT, "schema/registry/migrations")];
const names = [0, 1, 2].map((i) => `cg_test_${process.pid}_migrate_${i}`);

describeWithPostgres("migrations on PostgreSQL", () => {
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    for (const n of names) {
      await admin.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${n}"`);
    }
    await admin.end();
  });
  afterAll(() => dropDatabases(names));

  it.each(names.map((n, i) => [n, SETS[i % SETS.length]]))("four processes at once on %s: each migration applied once, none fails", async (name, dir) => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: databaseUrl(name), max: 2 }));
    try {
      const results = await Promise.all(pools.map((p) => applyMigrations(pgRunner(p), dir)));
      const applied = results.flat();
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied).size).toBe(applied.length); // each by exactly one of them
      const rows = (await pools[0].query("SELECT id FROM _cg_migrations ORDER BY id")).rows.map((r) => r.id);
      expect(rows).toEqual([...applied].sort());
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
