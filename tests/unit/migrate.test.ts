import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { applyMigrations, MigrationChecksumError, type SqlRunner } from "../../subgraphs/kit/migrate";

function runner(db: PGlite): SqlRunner {
  const r: SqlRunner = {
    exec: async (sql) => void (await db.exec(sql)),
    query: async (sql, params) => (await db.query(sql, params)).rows as Record<string, unknown>[],
    transaction: (fn) => db.transaction(async (tx) => fn({ ...r, exec: async (s) => void (await tx.exec(s)), query: async (s, p) => (await tx.query(s, p)).rows as Record<string, unknown>[] })) as Promise<void>,
  };
  return r;
}

describe("migrations", () => {
  let dir: string;
  let db: PGlite;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "cg-mig-"));
    db = new PGlite();
    mkdirSync(join(dir, "0001_init"));
    writeFileSync(join(dir, "0001_init/migration.sql"), "CREATE TABLE t (id int primary key, name text);");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies each migration once, in order", async () => {
    mkdirSync(join(dir, "0002_more"));
    writeFileSync(join(dir, "0002_more/migration.sql"), "ALTER TABLE t ADD COLUMN note text;");
    expect(await applyMigrations(runner(db), dir)).toEqual(["0001_init", "0002_more"]);
    expect(await applyMigrations(runner(db), dir)).toEqual([]);
    await db.query("INSERT INTO t VALUES (1, '张三', '独居')");
    expect((await db.query<{ name: string }>("SELECT name FROM t")).rows[0].name).toBe("张三");
  });

  it("refuses a migration edited after it was applied", async () => {
    await applyMigrations(runner(db), dir);
    writeFileSync(join(dir, "0001_init/migration.sql"), "CREATE TABLE t (id bigint primary key);");
    await expect(applyMigrations(runner(db), dir)).rejects.toBeInstanceOf(MigrationChecksumError);
  });

  it("rolls back a failing migration completely", async () => {
    mkdirSync(join(dir, "0002_bad"));
    writeFileSync(join(dir, "0002_bad/migration.sql"), "CREATE TABLE u (id int); SELECT * FROM missing_table;");
    await expect(applyMigrations(runner(db), dir)).rejects.toThrow();
    const tables = (await db.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname='public'")).rows.map((r) => r.t);
    expect(tables).not.toContain("u");
    const applied = (await db.query<{ id: string }>("SELECT id FROM _cg_migrations")).rows.map((r) => r.id);
    expect(applied).toEqual(["0001_init"]);
  });
});
