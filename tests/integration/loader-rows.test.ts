/**
 * Each department's batched lookups (plain SQL) return exactly what Prisma's findMany returns, on the
 * embedded database (PGlite); tests/integration/postgres.test.ts runs the same comparison on PostgreSQL.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { openDepartment } from "../../subgraphs/kit/department";
import { loadSubgraphConfig } from "../../subgraphs/kit/config";
import { departmentRecord, type Department } from "../../subgraphs/departments";
import { fixtureDir } from "../helpers/fixtures";
import { loaderMismatches } from "../helpers/loader-rows";

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-loader-rows-"));
  cpSync(await fixtureDir(3000), dir, { recursive: true });
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each(SUBGRAPHS.map((m) => [m.name]))("%s: every batched lookup returns what findMany returns", async (name) => {
  const mod = SUBGRAPHS.find((m) => m.name === name)!;
  const config = { ...loadSubgraphConfig(name as Department), dataDir: join(dir, departmentRecord(name).folder), databaseUrl: undefined };
  const db = await openDepartment(mod, config);
  try {
    expect(await loaderMismatches(name as Department, db)).toEqual([]);
  } finally {
    await db.close();
  }
}, 120_000);
