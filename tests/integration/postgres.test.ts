/**
 * The production path: the same migrations and the same subgraphs on the real PostgreSQL server, seeded
 * through `npm run seed`, queried through the gateway. Scratch databases are created and dropped per run.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { resolve } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { departmentRecord } from "../../subgraphs/departments";
import type { Department } from "../../subgraphs/departments";
import { plantedFindings, DEFAULT_SYNTHETIC } from "../../subgraphs/synthetic";
import { startSystem, type System } from "../helpers/system";
import { operation } from "../helpers/operations";
import { databaseUrl, describeWithPostgres, dropDatabases } from "../helpers/postgres";
import { loaderMismatches } from "../helpers/loader-rows";

const run = promisify(execFile);
const root = resolve(__dirname, "../..");
const CITIZENS = 2000;
const names = SUBGRAPHS.map((m) => `cg_test_${process.pid}_${m.name.replace(/-/g, "_")}`);
const urls = Object.fromEntries(SUBGRAPHS.map((m, i) => [m.name, databaseUrl(names[i])])) as Record<Department, string>;

let sys: System | undefined;
let seedOutput = "";

describeWithPostgres("PostgreSQL", () => {
beforeAll(async () => {
  const env = { ...process.env, NODE_OPTIONS: "" } as NodeJS.ProcessEnv;
  for (const m of SUBGRAPHS) env[`${departmentRecord(m.name).envPrefix}_DATABASE_URL`] = urls[m.name as Department];
  const { stdout } = await run(process.execPath, ["--import", "tsx", "schema/cli/seed.ts", "--citizens", String(CITIZENS)], { cwd: root, env });
  seedOutput = stdout;
  sys = await startSystem({ databaseUrls: urls, citizens: CITIZENS });
}, 300_000);

afterAll(async () => {
  await sys?.stop();
  await dropDatabases(names);
});

describe("the production path", () => {
  it("seeds all four departments with progress output", async () => {
    expect(seedOutput).toMatch(/PostgreSQL/);
    expect(seedOutput).toContain(`seeded ${CITIZENS.toLocaleString("en")} citizens into 4 department(s)`);
    for (const s of Object.values(sys!.subgraphs)) expect(s.db.kind).toBe("postgres");
  });

  it("answers every batched lookup exactly as Prisma's findMany does (plain SQL on PostgreSQL)", async () => {
    for (const m of SUBGRAPHS) expect({ department: m.name, mismatches: await loaderMismatches(m.name as Department, sys!.subgraphs[m.name as Department].db) }).toEqual({ department: m.name, mismatches: [] });
  });

  it("serves one person's file across the four departments", async () => {
    const res = await sys!.gql(operation("PersonFile"), { id: "P00000001" });
    expect(res.body.errors).toBeUndefined();
    const person = await (sys!.subgraphs["public-security"].db.prisma as any).person.findUnique({ where: { citizenId: "P00000001" } });
    expect(res.body.data!.citizen.name).toBe(person.name);
    expect(res.body.data!.citizen.residences.length).toBeGreaterThan(0);
  });

  it("finds exactly the planted cross-department inconsistencies", async () => {
    const planted = plantedFindings({ ...DEFAULT_SYNTHETIC, citizens: CITIZENS });
    const res = await sys!.gql(operation("CrossDepartmentFindings"), { first: 1000 });
    expect(res.body.errors).toBeUndefined();
    const got = res.body.data!.findings.edges.map((e: any) => `${e.node.kind}:${e.node.citizen.id}`).sort();
    const want = [
      ...planted.deceasedWithActiveBenefits.map((id) => `DECEASED_WITH_ACTIVE_BENEFITS:${id}`),
      ...planted.aloneButSharedFlat.map((id) => `LIVING_ALONE_WITH_OTHER_RESIDENTS:${id}`),
      ...planted.alarmWithoutVisit.map((id) => `ALARM_WITHOUT_VISIT:${id}`),
    ].sort();
    expect(got).toEqual(want);
  });

  it("pages a grid's priority elders the same way as the embedded database", async () => {
    const res = await sys!.gql(operation("GridPriorityElders"), { gridId: "G-0101", first: 10 });
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data!.grid.priorityElders;
    expect(conn.edges.length).toBe(Math.min(10, conn.totalCount));
    expect(conn.totalCount).toBe(await (sys!.subgraphs["elderly-care"].db.prisma as any).elderProfile.count({ where: { gridId: "G-0101", status: "ACTIVE", isPriority: true } }));
  });
});
});
