/**
 * A new embedded database is a copy of one blank cluster made once (subgraphs/kit/pglite-blank.ts): each copy
 * is a working, independent PostgreSQL; racing creators leave one blank and no half-made folders; where the
 * blank cannot be kept, the database is still created (initdb in a child process).
 */
import { PGlite } from "@electric-sql/pglite";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { blankClusterDir, createEmbeddedDatabase } from "../../subgraphs/kit/pglite-blank";
import { openMigrated } from "../../subgraphs/kit/sql-runner";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-pglite-blank-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens `dataDir`, runs `sql`, returns the rows of the last statement. */
async function run(dataDir: string, sql: string, params: unknown[] = []) {
  const lite = new PGlite(dataDir);
  try {
    return (await lite.query(sql, params)).rows;
  } finally {
    await lite.close();
  }
}

/** Entries of `dir` left by a creator that did not finish (building a blank, copying a database). */
const leftovers = (at: string) => readdirSync(at).filter((f) => /\.(building|creating)-/.test(f));

it("copies one blank into independent working databases, and the blank stays blank", async () => {
  const blank = join(dir, "cache", "blank");
  const a = join(dir, "a");
  const b = join(dir, "b");
  await createEmbeddedDatabase(a, blank);
  expect(existsSync(join(blank, "PG_VERSION"))).toBe(true);
  await createEmbeddedDatabase(b, blank);
  await run(a, "CREATE TABLE resident (id text PRIMARY KEY, name text)");
  await run(a, "INSERT INTO resident VALUES ($1, $2)", ["P1", "张秀英·北京市朝阳区"]);
  expect(await run(a, "SELECT name FROM resident")).toEqual([{ name: "张秀英·北京市朝阳区" }]);
  // b and the blank are untouched by a's writes.
  for (const other of [b, blank]) expect(await run(other, "SELECT to_regclass('resident') AS t")).toEqual([{ t: null }]);
  expect(leftovers(dir)).toEqual([]);
  expect(leftovers(join(dir, "cache"))).toEqual([]);
}, 120_000);

it("opens, migrates and reopens a database made from the blank (openMigrated)", async () => {
  const migrations = join(dir, "migrations");
  const step = join(migrations, "0001_init");
  mkdirSync(step, { recursive: true });
  writeFileSync(join(step, "migration.sql"), "CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL);");
  const dataDir = join(dir, "migrated");
  const conn = await openMigrated({ dataDir }, migrations);
  await conn.runner.query("INSERT INTO note (body) VALUES ($1)", ["独居老人，每周探访"]);
  await conn.close();
  const again = await openMigrated({ dataDir }, migrations);
  try {
    expect(await again.runner.query("SELECT body FROM note", [])).toEqual([{ body: "独居老人，每周探访" }]);
  } finally {
    await again.close();
  }
}, 120_000);

it("lets creators race on a missing blank: each gets a database, one blank remains, nothing half-made", async () => {
  const blank = join(dir, "race-cache", "blank");
  const targets = [1, 2, 3].map((i) => join(dir, `race-${i}`));
  await Promise.all(targets.map((t) => createEmbeddedDatabase(t, blank)));
  for (const t of targets) expect(await run(t, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  expect(readdirSync(join(dir, "race-cache"))).toEqual(["blank"]);
  expect(leftovers(dir)).toEqual([]);
}, 180_000);

it("waits for the process holding the lock to make the blank, then copies it", async () => {
  const made = join(dir, "cache", "blank"); // made by the first test
  const blank = join(dir, "wait-cache", "blank");
  mkdirSync(`${blank}.lock`, { recursive: true }); // another process is making it
  const dataDir = join(dir, "waiter");
  let done = false;
  const creating = createEmbeddedDatabase(dataDir, blank).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 1000));
  expect(done).toBe(false);
  cpSync(made, blank, { recursive: true }); // the holder finishes
  rmSync(`${blank}.lock`, { recursive: true });
  await creating;
  expect(await run(dataDir, "SELECT 3 AS three")).toEqual([{ three: 3 }]);
}, 120_000);

it("takes over a stale lock left by a process that died while making the blank", async () => {
  const blank = join(dir, "stale-cache", "blank");
  const lock = `${blank}.lock`;
  mkdirSync(lock, { recursive: true });
  const longAgo = new Date(Date.now() - 10 * 60_000);
  utimesSync(lock, longAgo, longAgo);
  const dataDir = join(dir, "after-stale");
  await createEmbeddedDatabase(dataDir, blank);
  expect(await run(dataDir, "SELECT 4 AS four")).toEqual([{ four: 4 }]);
  expect(readdirSync(join(dir, "stale-cache"))).toEqual(["blank"]);
}, 120_000);

it("drops a damaged blank whose copy does not open, and creates the database by initdb instead", async () => {
  const blank = join(dir, "damaged-cache", "blank");
  mkdirSync(blank, { recursive: true });
  writeFileSync(join(blank, "PG_VERSION"), "17\n"); // looks made, holds nothing (files lost in a crash)
  const migrations = join(dir, "migrations"); // written by the openMigrated test above
  const dataDir = join(dir, "healed");
  const conn = await openMigrated({ dataDir, blankDir: blank }, migrations);
  try {
    await conn.runner.query("INSERT INTO note (body) VALUES ($1)", ["空巢老人"]);
    expect(await conn.runner.query("SELECT body FROM note", [])).toEqual([{ body: "空巢老人" }]);
  } finally {
    await conn.close();
  }
  expect(existsSync(blank)).toBe(false); // the next new database makes a new blank
  await createEmbeddedDatabase(join(dir, "after-heal"), blank);
  expect(await run(join(dir, "after-heal"), "SELECT 5 AS five")).toEqual([{ five: 5 }]);
}, 120_000);

it("still creates the database when the blank cannot be kept (a file where its folder would be)", async () => {
  const file = join(dir, "not-a-folder");
  writeFileSync(file, "x");
  const dataDir = join(dir, "no-cache");
  await createEmbeddedDatabase(dataDir, join(file, "blank"));
  expect(await run(dataDir, "SELECT 2 AS two")).toEqual([{ two: 2 }]);
  expect(leftovers(dir)).toEqual([]);
}, 120_000);

it("keeps the blank beside the installed PGlite, one per version", () => {
  const blank = blankClusterDir();
  const pkg = JSON.parse(readFileSync(join(__dirname, "../../node_modules/@electric-sql/pglite/package.json"), "utf8")) as { version: string };
  expect(blank).toBe(join(__dirname, "../../node_modules", ".cache", "citizen-graph", `pglite-${pkg.version}-blank`));
  expect(blank.split(sep)).toContain("node_modules");
});
