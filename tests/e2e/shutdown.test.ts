/**
 * Graceful shutdown with real processes (compiled, as deployed): SIGTERM a gateway process while 30 requests
 * are in flight — held at a department by a gate the test controls, so they are provably in flight; the signal
 * goes to its whole process group, the access-log writer too — and a
 * department process while 20 requests wait on its database (a table lock the test holds). No request is
 * dropped: every one gets its complete answer; new connections are refused as soon as the shutdown starts;
 * the process exits 0; the gateway's access log holds a record of every answer (it was flushed), intact.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { startDepartment, type RunningDepartment } from "../../subgraphs/kit/serve";
import { departmentRecord } from "../../subgraphs/departments";
import { signRequest } from "../../subgraphs/kit/contract/signing";
import type { ForwardedCaller } from "../../subgraphs/kit/contract/caller";
import { mintToken } from "../../gateway/src/auth/mint";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { fixtureDir } from "../helpers/fixtures";
import { freePorts } from "../helpers/ports";
import { runCli, ROOT } from "../helpers/cli";
import { until } from "../helpers/wait";
import { connectionRefused, postOwnConnection, startGate, tracked, type Gate } from "../helpers/drain";
import { databaseUrl, describeWithPostgres, dropDatabases, PG_ADMIN_URL } from "../helpers/postgres";

interface Proc {
  proc: ChildProcess;
  out: string;
  exit: Promise<number | null>;
}

/** Starts a compiled service in a process group of its own (with its children, e.g. the access-log writer). */
function startProcess(file: string, env: NodeJS.ProcessEnv): Proc {
  // NODE_ENV as in production (Jest sets `test`, which turns off behaviour of Apollo Server's under test).
  const proc = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: "", NODE_ENV: "production", ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const p: Proc = { proc, out: "", exit: new Promise((res) => proc.once("exit", (code) => res(code))) };
  proc.stdout!.on("data", (d) => (p.out += d));
  proc.stderr!.on("data", (d) => (p.out += d));
  return p;
}

async function waitReady(p: Proc, port: number, timeoutMs: number): Promise<void> {
  await until(async () => {
    if (p.proc.exitCode !== null) throw new Error(`process exited:\n${p.out}`);
    return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
  }, `the process on ${port} to be ready`, timeoutMs);
}

const kill = (p: Proc | undefined) => {
  if (!p || p.proc.pid === undefined) return;
  try {
    process.kill(-p.proc.pid, "SIGKILL");
  } catch {
    /* gone */
  }
};

describe("SIGTERM to a gateway process under load", () => {
  const secret = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(24).toString("base64url");
  let dataDir: string;
  const departments: RunningDepartment[] = [];
  let gate: Gate;
  let gateway: Proc;
  let port: number;
  let subjects: string[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cg-drain-"));
    cpSync(await fixtureDir(3000), dataDir, { recursive: true });
    for (const mod of SUBGRAPHS) departments.push(await startDepartment(mod, { port: 0, dataDir: join(dataDir, departmentRecord(mod.name).folder), signingSecret: secret, logLevel: "silent" }));
    const elderly = departments.find((d) => d.config.department === "elderly-care")!;
    gate = await startGate(elderly.url);
    [port] = await freePorts(1);
    gateway = startProcess("dist/gateway/src/main.js", {
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      INTERNAL_SIGNING_SECRET: secret,
      AUTH_JWT_SECRET: jwtSecret,
      SUBGRAPH_COALESCE: "off",
      SHUTDOWN_TIMEOUT_MS: "30000",
      ...Object.fromEntries(departments.map((d) => [`${departmentRecord(d.config.department).envPrefix}_URL`, d.config.department === "elderly-care" ? gate.url : d.url])),
    });
    await waitReady(gateway, port, 60_000);
    const ps = departments.find((d) => d.config.department === "public-security")!.db.prisma as any;
    subjects = ((await ps.person.findMany({ where: { gridId: "G-0101", status: "REGISTERED" }, orderBy: { citizenId: "asc" }, take: 30 })) as { citizenId: string }[]).map((p) => p.citizenId);
  }, 240_000);

  afterAll(async () => {
    kill(gateway);
    gate?.open();
    await gate?.close();
    await Promise.all(departments.map((d) => d.app.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("finishes all 30 requests in flight, refuses new connections, flushes the access log and exits 0", async () => {
    expect(subjects).toHaveLength(30);
    const token = await mintToken(loadPolicy(join(ROOT, "schema/policy.yaml")), jwtSecret, { role: "grid-worker", sub: "drain-worker", grids: ["G-0101"] });
    const headers = { authorization: `Bearer ${token}`, "x-purpose": "welfare-check" };
    const query = `query($id: ID!) { citizen(id: $id) { name elderProfile { careLevel } } }`;
    const inFlight = subjects.map((id) => tracked(postOwnConnection(`http://127.0.0.1:${port}/graphql`, { query, variables: { id } }, headers)));
    // Every request has reached the (gated) elderly-care department: all 30 are in flight at the gateway.
    await until(() => gate.received >= 30, "30 requests to be held at the department", 30_000);

    // As a service manager stopping a unit does (systemd's default): SIGTERM to every process of the gateway at
    // once, its access-log writer included — which must wait for the gateway's last records.
    process.kill(-gateway.proc.pid!, "SIGTERM");
    await until(() => connectionRefused(port), "the gateway to refuse new connections", 10_000);
    expect(inFlight.filter((r) => r.settled())).toHaveLength(0);
    expect(gateway.proc.exitCode).toBeNull();

    gate.open();
    const answers = await Promise.all(inFlight.map((r) => r.promise));
    for (const [i, a] of answers.entries()) {
      expect([a.status, a.body.errors]).toEqual([200, undefined]);
      expect(typeof a.body.data.citizen.name).toBe("string");
      expect(a.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers.connection).toBe("close");
      void i;
    }
    expect(await gateway.exit).toBe(0);
    expect(gateway.out).toMatch(/shutting down/);

    // Every answer's access record was written before the gateway exited; the chain is intact.
    const verify = await runCli("schema/cli/audit-verify.ts", [], { DATA_DIR: dataDir });
    expect(verify.out).toMatch(/access log intact: 30 records/);
    expect(verify.code).toBe(0);
  }, 120_000);
});

describeWithPostgres("SIGTERM to a department process under load", () => {
  const secret = randomBytes(24).toString("base64url");
  const dbName = `cg_test_${process.pid}_drain`;
  const caller: ForwardedCaller = { sub: "steward", role: "data-steward", org: "x", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: "data-quality" };
  let dataDir: string;
  let dept: Proc;
  let port: number;
  let locker: pg.Client | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cg-drain-dept-"));
    await dropDatabases([dbName]);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    [port] = await freePorts(1);
    dept = startProcess("dist/subgraphs/civil-affairs/main.js", {
      CIVIL_AFFAIRS_PORT: String(port),
      CIVIL_AFFAIRS_DATABASE_URL: databaseUrl(dbName),
      DATA_DIR: dataDir,
      SEED_CITIZENS: "200",
      PG_POOL_SIZE: "30",
      LOG_LEVEL: "info",
      INTERNAL_SIGNING_SECRET: secret,
      SHUTDOWN_TIMEOUT_MS: "30000",
    });
    await waitReady(dept, port, 180_000);
  }, 240_000);

  afterAll(async () => {
    kill(dept);
    await locker?.end().catch(() => undefined);
    await dropDatabases([dbName]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("finishes the 20 requests waiting on its database, refuses new connections, exits 0", async () => {
    // The test holds the communities table: the department's queries wait for it.
    locker = new pg.Client({ connectionString: databaseUrl(dbName) });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE community IN ACCESS EXCLUSIVE MODE");
    const body = JSON.stringify({ query: "{ communities { id name } }" });
    const inFlight = Array.from({ length: 20 }, () => tracked(postOwnConnection(`http://127.0.0.1:${port}/graphql`, body, signRequest(secret, { audience: "civil-affairs", method: "POST", target: "/graphql", caller, body }))));
    // All 20 have arrived: the department counts them in flight (waiting on the lock or for a pooled connection).
    const inFlightAtDepartment = async () => Number(/^cg_http_requests_in_flight (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1]);
    await until(async () => (await inFlightAtDepartment()) === 20, "20 requests in flight at the department", 30_000);

    dept.proc.kill("SIGTERM");
    await until(() => connectionRefused(port), "the department to refuse new connections", 10_000);
    expect(inFlight.filter((r) => r.settled())).toHaveLength(0);
    expect(dept.proc.exitCode).toBeNull();

    await locker.query("ROLLBACK");
    const answers = await Promise.all(inFlight.map((r) => r.promise));
    for (const a of answers) {
      expect([a.status, a.body.errors]).toEqual([200, undefined]);
      expect(a.body.data.communities.length).toBeGreaterThan(0);
    }
    expect(await dept.exit).toBe(0);
    expect(dept.out).toMatch(/shutting down/);
  }, 120_000);
});
