/**
 * Scaled out on real parts: two gateway processes (compiled, as deployed) behind no load balancer but the
 * test itself, sharing one Redis (rate limits, revocations) and one PostgreSQL access log, in front of the
 * same departments. A rate limit spent on one is spent on both; a revocation reaches both; the access log
 * stays one verifiable chain while both append to it at once; a department's circuit breaker opened on one
 * is open on the other.
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
import { openAuditStore } from "../../gateway/src/audit/store";
import { mintToken } from "../../gateway/src/auth/mint";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { fixtureDir } from "../helpers/fixtures";
import { freePorts } from "../helpers/ports";
import { post } from "../helpers/system";
import { runCli, ROOT } from "../helpers/cli";
import { until } from "../helpers/wait";
import { databaseUrl, dropDatabases, PG_ADMIN_URL, POSTGRES_AVAILABLE, REDIS_AVAILABLE, REDIS_URL } from "../helpers/postgres";

const describeScaled = POSTGRES_AVAILABLE && REDIS_AVAILABLE ? describe : describe.skip;

describeScaled("two gateway processes sharing Redis and PostgreSQL", () => {
  const secret = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(24).toString("base64url");
  const prefix = `cgtest${process.pid}:`;
  const dbName = `cg_test_${process.pid}_scale`;
  const policy = loadPolicy(join(ROOT, "schema/policy.yaml"));
  let dataDir: string;
  let departments: RunningDepartment[] = [];
  let gateways: { proc: ChildProcess; url: string; out: string }[] = [];
  let env: NodeJS.ProcessEnv;
  let subject: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cg-scale-"));
    cpSync(await fixtureDir(3000), dataDir, { recursive: true });
    for (const mod of SUBGRAPHS) departments.push(await startDepartment(mod, { port: 0, dataDir: join(dataDir, departmentRecord(mod.name).folder), signingSecret: secret, logLevel: "silent" }));
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    for (const n of [dbName, `${dbName}_registry`]) {
      await admin.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${n}"`);
    }
    await admin.end();
    const ports = await freePorts(2);
    env = {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      INTERNAL_SIGNING_SECRET: secret,
      AUTH_JWT_SECRET: jwtSecret,
      AUDIT_DATABASE_URL: databaseUrl(dbName),
      // Both gateways on one schema registry (an empty one: the first to start seeds it, the other waits).
      REGISTRY_DATABASE_URL: databaseUrl(`${dbName}_registry`),
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_SECOND: "1",
      RATE_LIMIT_BURST: "6",
      SUBGRAPH_BREAKER_COOLDOWN_MS: "10000",
      ...Object.fromEntries(departments.map((d) => [`${departmentRecord(d.config.department).envPrefix}_URL`, d.url])),
    };
    gateways = ports.map((port) => {
      const proc = spawn(process.execPath, ["dist/gateway/src/main.js"], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
      const g = { proc, url: `http://127.0.0.1:${port}/graphql`, out: "" };
      proc.stdout!.on("data", (d) => (g.out += d));
      proc.stderr!.on("data", (d) => (g.out += d));
      return g;
    });
    for (const g of gateways) {
      await until(async () => {
        if (g.proc.exitCode !== null) throw new Error(`gateway exited:\n${g.out}`);
        return fetch(g.url.replace(/graphql$/, "health")).then((r) => r.ok, () => false);
      }, "both gateways to answer", 60_000);
    }
    const ps = departments.find((d) => d.config.department === "public-security")!.db.prisma as any;
    subject = (await ps.person.findFirst({ where: { gridId: "G-0101", status: "REGISTERED" }, orderBy: { citizenId: "asc" } })).citizenId;
  }, 240_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => new Promise<void>((res) => (g.proc.exitCode !== null ? res() : (g.proc.once("exit", () => res()), g.proc.kill("SIGTERM"))))));
    await Promise.all(departments.map((d) => d.app.close()));
    await dropDatabases([dbName, `${dbName}_registry`]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const token = (sub: string) => mintToken(policy, jwtSecret, { role: "grid-worker", sub, grids: ["G-0101"] });
  const ask = (i: number, headers: Record<string, string>) => post(gateways[i % 2].url, { query: `query($id: ID!) { citizen(id: $id) { name } }`, variables: { id: subject } }, headers);

  it("spends one caller's rate limit on both gateways", async () => {
    const headers = { authorization: `Bearer ${await token("limited-worker")}`, "x-purpose": "welfare-check" };
    // 10 requests at once, 5 to each gateway. With a bucket per process each would let all 5 through; with
    // one shared bucket (burst 6, 1 per second) at most 6 pass, plus one per second the burst took to arrive.
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(i, headers)));
    const elapsedS = (Date.now() - started) / 1000;
    const passed = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    expect(passed + refused.length).toBe(10);
    expect(passed).toBeGreaterThanOrEqual(6);
    expect(passed).toBeLessThanOrEqual(6 + Math.floor(elapsedS));
    expect(passed).toBeLessThan(10);
    for (const res of refused) {
      expect(res.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // Another caller has a bucket of its own.
    expect((await ask(0, { authorization: `Bearer ${await token("other-worker")}`, "x-purpose": "welfare-check" })).status).toBe(200);
  });

  it("keeps one verifiable access log while both gateways append to it at once", async () => {
    const callers = await Promise.all(Array.from({ length: 6 }, (_, i) => token(`log-worker-${i}`)));
    const results = await Promise.all(callers.map((t, i) => ask(i, { authorization: `Bearer ${t}`, "x-purpose": "welfare-check", "x-request-id": `scale-${i}` })));
    expect(results.map((r) => r.status)).toEqual(callers.map(() => 200));
    const store = await openAuditStore({ databaseUrl: databaseUrl(dbName), dataDir: "/nonexistent" });
    try {
      const { records } = await store.query({ citizenId: subject, first: 1000 });
      for (let i = 0; i < 6; i++) expect(records.filter((r) => r.clientRequestId === `scale-${i}`)).toHaveLength(1);
      expect(await store.verify()).toEqual(expect.objectContaining({ ok: true }));
    } finally {
      await store.close();
    }
  });

  it("a revocation reaches both gateways at once", async () => {
    const t = await token("revoked-worker");
    const headers = { authorization: `Bearer ${t}`, "x-purpose": "welfare-check" };
    expect((await ask(0, headers)).status).toBe(200);
    expect((await ask(1, headers)).status).toBe(200);
    const cli = await runCli("schema/cli/revoke.ts", ["--sub", "revoked-worker"], { REDIS_URL, REDIS_KEY_PREFIX: prefix });
    expect(cli.code).toBe(0);
    for (const i of [0, 1]) {
      const res = await ask(i, headers);
      expect([res.status, res.body.errors?.[0]?.extensions?.code]).toEqual([401, "INVALID_TOKEN"]);
    }
  });

  // Last: it stops a department for good.
  it("a department's breaker opened on one gateway is open on the other, which never asked it", async () => {
    const readyz = async (i: number) => (await fetch(gateways[i].url.replace(/graphql$/, "readyz")).then((r) => r.json())) as { departments?: Record<string, { breaker: string }> };
    expect((await readyz(1)).departments?.["property-management"]?.breaker).toBe("closed");
    const pm = departments.find((d) => d.config.department === "property-management")!;
    departments = departments.filter((d) => d !== pm);
    await pm.app.close();
    // A caller per request: this test is about breakers, not the (tight) rate limit of this suite.
    const headers = async (i: number) => ({ authorization: `Bearer ${await token(`breaker-worker-${i}`)}`, "x-purpose": "welfare-check" });
    const codes: string[] = [];
    for (let i = 0; i < 10 && !codes.includes("SUBGRAPH_CIRCUIT_OPEN"); i++) {
      const res = await post(gateways[0].url, { query: `{ building(id: "B-01-001") { name } }` }, await headers(i));
      codes.push(...(res.body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code ?? ""));
    }
    expect(codes).toContain("SUBGRAPH_CIRCUIT_OPEN");
    // Gateway 1 learns it from gateway 0 through Redis (within the breaker's cool-down), without a request.
    await until(async () => (await readyz(1)).departments?.["property-management"]?.breaker === "open", "gateway 1's breaker to open", 1500);
    const res = await post(gateways[1].url, { query: `{ building(id: "B-01-001") { name } }` }, await headers(99));
    expect(res.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toEqual(["SUBGRAPH_CIRCUIT_OPEN"]);
  });
});
