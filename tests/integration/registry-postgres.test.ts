/**
 * The schema registry on the real PostgreSQL server (same migrations as the embedded default): two registry
 * processes' worth of connections on one database, NOTIFY telling a gateway's supergraph source at once,
 * concurrent publishes serialised without a lost update, the append-only history, Chinese text intact.
 */
import { join } from "node:path";
import pg from "pg";
import { openRegistry, type Registry } from "../../schema/registry/registry";
import { createSupergraphSource } from "../../schema/registry/supergraph-source";
import { databaseUrl, dropDatabases, PG_ADMIN_URL, requirePostgres } from "../helpers/postgres";
import { edit, sdlOf, tempDir } from "../helpers/registry";

jest.setTimeout(120_000);

const NAME = `cg_test_${process.pid}_registry`;
const URL_ = databaseUrl(NAME);
const steward = { sub: "steward-1", role: "data-steward", org: "数据局" };
const config = (dir: string) => ({ databaseUrl: URL_, dataDir: join(dir, "unused"), usageWindowMs: 7 * 86_400_000, pollMs: 60_000, cacheFile: join(dir, "cache.graphql") });
const extra = (subgraph: string, anchor: string, n: number) => edit(sdlOf(subgraph), anchor, `  "Extra field ${n} (附加字段)."\n  extra${n}: Int @sensitivity(class: "INTERNAL") @tag(name: "internal")\n${anchor}`);

let enabled = false;
let a: Registry | undefined;
let b: Registry | undefined;
let dir: string;

beforeAll(async () => {
  enabled = await requirePostgres("the PostgreSQL schema registry test");
  if (!enabled) return;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${NAME}"`);
  await admin.end();
  dir = tempDir("cg-registry-pg-");
  a = await openRegistry(config(dir));
  b = await openRegistry(config(dir));
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  if (enabled) await dropDatabases([NAME]);
});

it("runs on PostgreSQL: seeded once, seen by every process", async () => {
  if (!enabled) return;
  expect(a!.store.kind).toBe("postgres");
  expect((await a!.seedFromFiles())?.version).toBe(1);
  expect(await b!.seedFromFiles()).toBeNull();
  expect((await b!.currentSupergraph())?.version).toBe(1);
});

it("tells a gateway's supergraph source of a new version by NOTIFY, well before its poll", async () => {
  if (!enabled) return;
  const source = createSupergraphSource(a!, { pollMs: 60_000, cacheFile: join(dir, "gw", "s.graphql") });
  const updates: string[] = [];
  const { cleanup } = await source.initialize({ update: (s) => void updates.push(s), healthCheck: async () => undefined, getDataSource: () => { throw new Error("unused"); } });
  const published = await b!.publish(steward, { subgraph: "property-management", sdl: extra("property-management", '  "Number of floors (层数)."', 1) });
  const end = Date.now() + 5000;
  while (source.version !== published.supergraph.version && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(source.version).toBe(published.supergraph.version);
  expect(updates).toEqual([published.supergraph.sdl]);
  await cleanup!();
});

it("serialises concurrent publishes from two processes: both land, the last version holds both", async () => {
  if (!enabled) return;
  const before = (await a!.currentSupergraph())!.version;
  const [x, y] = await Promise.all([
    a!.publish(steward, { subgraph: "civil-affairs", sdl: extra("civil-affairs", '  "Grids of this community (网格)."', 2) }),
    b!.publish(steward, { subgraph: "elderly-care", sdl: extra("elderly-care", '  "Grid that serves the elder (所属网格)', 3) }),
  ]);
  expect([x.supergraph.version, y.supergraph.version].sort()).toEqual([before + 1, before + 2]);
  const last = (await a!.currentSupergraph())!;
  expect(last.version).toBe(before + 2);
  expect(last.sdl).toContain("extra2: Int");
  expect(last.sdl).toContain("extra3: Int");
});

it("keeps the history append-only and Chinese text exact", async () => {
  if (!enabled) return;
  const reason = "经数据管理员审核同意：外立面颜色不属于个人信息 — 𠀀 ✓";
  const ap = await a!.approve(steward, "exposure:property-company:Building.extra9", reason);
  expect((await b!.approvals(steward)).approvals.find((x) => x.id === ap.id)?.reason).toBe(reason);
  await expect(a!.store.db.query("UPDATE supergraph_versions SET sdl = 'x' WHERE version = 1")).rejects.toThrow(/append-only/);
  await expect(a!.store.db.query("DELETE FROM approvals")).rejects.toThrow(/append-only/);
});
