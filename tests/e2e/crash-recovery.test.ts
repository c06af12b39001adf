/**
 * Right after a crash — kill -9 of the gateway and of its access-log writer — `npm run audit:verify` runs
 * without manual steps: the lock PGlite left behind belongs to a process that no longer runs, so it is stale.
 * While the writer runs, verification still refuses (PGlite is single-process). No answered request's record
 * is lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { startDepartment, type RunningDepartment } from "../../subgraphs/kit/serve";
import { departmentRecord } from "../../subgraphs/departments";
import { mintToken } from "../../gateway/src/auth/mint";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { fixtureDir } from "../helpers/fixtures";
import { freePorts } from "../helpers/ports";
import { post } from "../helpers/system";
import { runCli, ROOT } from "../helpers/cli";
import { until } from "../helpers/wait";
import { processAlive } from "../../subgraphs/kit/process-liveness";

/** Pids of running processes whose command line contains every one of `texts`. */
function pidsOf(...texts: string[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (texts.every((t) => cmd.includes(t))) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe("audit:verify after kill -9 of the gateway and its access-log writer", () => {
  const secret = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(24).toString("base64url");
  let dataDir: string;
  const departments: RunningDepartment[] = [];
  let gateway: ChildProcess;
  let out = "";
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cg-crash-"));
    cpSync(await fixtureDir(3000), dataDir, { recursive: true });
    for (const mod of SUBGRAPHS) departments.push(await startDepartment(mod, { port: 0, dataDir: join(dataDir, departmentRecord(mod.name).folder), signingSecret: secret, logLevel: "silent" }));
    const [port] = await freePorts(1);
    url = `http://127.0.0.1:${port}/graphql`;
    gateway = spawn(process.execPath, ["dist/gateway/src/main.js"], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: "", PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn", INTERNAL_SIGNING_SECRET: secret, AUTH_JWT_SECRET: jwtSecret, ...Object.fromEntries(departments.map((d) => [`${departmentRecord(d.config.department).envPrefix}_URL`, d.url])) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    gateway.stdout!.on("data", (d) => (out += d));
    gateway.stderr!.on("data", (d) => (out += d));
    await until(async () => {
      if (gateway.exitCode !== null) throw new Error(`gateway exited:\n${out}`);
      return fetch(url.replace(/graphql$/, "readyz")).then((r) => r.ok, () => false);
    }, "the gateway to be ready", 60_000);
  }, 240_000);

  afterAll(async () => {
    if (gateway.exitCode === null && gateway.signalCode === null) gateway.kill("SIGKILL");
    for (const pid of pidsOf("writer-process.js", dataDir)) process.kill(pid, "SIGKILL");
    await Promise.all(departments.map((d) => d.app.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses while the writer runs, verifies every answered record once both are killed", async () => {
    const token = await mintToken(loadPolicy(join(ROOT, "schema/policy.yaml")), jwtSecret, { role: "grid-worker", sub: "crash-worker", grids: ["G-0101"] });
    const ps = departments.find((d) => d.config.department === "public-security")!.db.prisma as any;
    const people = (await ps.person.findMany({ where: { gridId: "G-0101", status: "REGISTERED" }, orderBy: { citizenId: "asc" }, take: 5 })) as { citizenId: string }[];
    for (const p of people) {
      const res = await post(url, { query: `query($id: ID!) { citizen(id: $id) { name } }`, variables: { id: p.citizenId } }, { authorization: `Bearer ${token}`, "x-purpose": "welfare-check" });
      expect([res.status, res.body.errors]).toEqual([200, undefined]);
    }
    const log = join(dataDir, "gateway-audit");
    const [writer] = pidsOf("writer-process.js", dataDir);
    expect(writer).toBeGreaterThan(0);

    // A live writer holds the log: verification refuses (exit 2) and names it.
    const refused = await runCli("schema/cli/audit-verify.ts", [], { DATA_DIR: dataDir });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`is open in process ${writer}`);

    const gatewayGone = new Promise((r) => gateway.once("exit", r));
    gateway.kill("SIGKILL");
    process.kill(writer, "SIGKILL");
    await gatewayGone;
    await until(() => !processAlive(writer), "the writer to be gone", 10_000);
    expect(existsSync(join(log, "postmaster.pid"))).toBe(true); // the lock PGlite left behind

    const verified = await runCli("schema/cli/audit-verify.ts", [], { DATA_DIR: dataDir });
    // One assertion over the whole result, so a failure shows what the command printed on stderr.
    expect(verified).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^access log intact: 5 records, head [0-9a-f]{64}$/m),
      stderr: expect.stringContaining(`left open by process ${writer}, which no longer runs`),
    });
  }, 120_000);
});
