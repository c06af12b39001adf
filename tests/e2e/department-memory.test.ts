/**
 * A department cannot crash the gateway with what it sends: the gateway as a process of its own (compiled,
 * with the flags and environment `npm start` gives it), one department answering 48 MB (the answers that exhausted its
 * heap before) or answers just under the per-answer limit, 8 at a time — every response is well-formed with
 * the other departments' data, and the gateway's peak RSS stays within its budget (it collects garbage
 * after large answers, GATEWAY_GC_AFTER_ANSWER_BYTES; the metrics show it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { DEPARTMENT_RECORDS, type Department } from "../../subgraphs/departments";
import { startDepartment, type RunningDepartment } from "../../subgraphs/kit/serve";
import { loadGatewayConfig } from "../../gateway/src/config";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { mintToken } from "../../gateway/src/auth/mint";
import { fixtureDir } from "../helpers/fixtures";
import { freePorts } from "../helpers/ports";
import { post, type GqlResponse } from "../helpers/system";
import { startFakeDepartment, type FakeDepartment } from "../helpers/fake-department";
import { until } from "../helpers/wait";
import { isRegisteredCode } from "../../gateway/src/errors";

const root = resolve(__dirname, "../..");
/** The gateway process's budget: its heap limit (256 MB) bounds the JavaScript heap, not RSS; this bounds RSS. */
const RSS_BUDGET_MB = 300;
const FAULTY: Department = "civil-affairs";
const MB = 1024 * 1024;

let dataDir: string;
let departments: Partial<Record<Department, RunningDepartment>> = {};
let fake: FakeDepartment;
let gw: ChildProcess;
let gatewayUrl: string;
let output = "";
let auth: Record<string, string>;
let citizens: string[];

const vm = (field: "VmRSS" | "VmHWM") => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${gw.pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cg-memory-"));
  cpSync(await fixtureDir(3000), dataDir, { recursive: true });
  const signingSecret = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(24).toString("base64url");
  for (const mod of SUBGRAPHS) {
    const dept = mod.name as Department;
    departments[dept] = await startDepartment(mod, { port: 0, dataDir: join(dataDir, dept), seedCitizens: 3000, signingSecret, logLevel: "silent" });
  }
  fake = await startFakeDepartment({ kind: "proxy" });
  fake.target = departments[FAULTY]!.url;
  const [port] = await freePorts(1);
  gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // As `npm start` starts it (glibc's mmap threshold, GATEWAY_MALLOC_MMAP_THRESHOLD).
    ...loadGatewayConfig({}).processEnv,
    NODE_OPTIONS: "",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "error",
    AUTH_JWT_SECRET: jwtSecret,
    INTERNAL_SIGNING_SECRET: signingSecret,
    RATE_LIMIT_PER_SECOND: "0",
    // The supergraph from its file: the budget is the gateway's own; an embedded (PGlite) schema registry in
    // the same process adds its WebAssembly heap (production's registry is PostgreSQL: see README, Operating it).
    SUPERGRAPH_SOURCE: "file",
    ...Object.fromEntries(DEPARTMENT_RECORDS.map((d) => [`${d.envPrefix}_URL`, d.name === FAULTY ? fake.url : departments[d.name]!.url])),
  };
  // As `npm start` runs it: compiled JavaScript, with the gateway's node flags (GATEWAY_HEAP_MB).
  gw = spawn(process.execPath, [...loadGatewayConfig({}).nodeFlags, "dist/gateway/src/main.js"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  gw.stdout!.on("data", (d) => (output += d));
  gw.stderr!.on("data", (d) => (output += d));
  await until(async () => {
    if (gw.exitCode !== null) throw new Error(`gateway exited early:\n${output}`);
    try {
      return (await fetch(gatewayUrl.replace("/graphql", "/health"))).ok;
    } catch {
      return false;
    }
  }, "the gateway process to listen", 60_000);
  const ps = departments["public-security"]!.db.prisma as any;
  citizens = (await ps.person.findMany({ take: 8, orderBy: { citizenId: "asc" }, select: { citizenId: true } })).map((p: any) => p.citizenId);
  const ca = departments["civil-affairs"]!.db.prisma as any;
  const communities = (await ca.community.findMany({ select: { id: true } })).map((c: any) => c.id);
  auth = { authorization: `Bearer ${await mintToken(loadPolicy(join(root, "schema/policy.yaml")), jwtSecret, { role: "community-officer", communities })}`, "x-purpose": "subsidy-review" };
}, 240_000);

afterAll(async () => {
  if (gw && gw.exitCode === null) {
    gw.kill("SIGTERM");
    await until(() => gw.exitCode !== null || gw.signalCode !== null, "the gateway to stop", 10_000).catch(() => gw.kill("SIGKILL"));
  }
  await fake?.close();
  await Promise.all(Object.values(departments).map((d) => d!.app.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** The gateway's metrics (a keep-alive socket the gateway has just closed is retried, not a failure). */
async function metricsText(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(gatewayUrl.replace("/graphql", "/metrics"))).text();
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

const ask = (id: string) => post(gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { name maritalStatus } }`, variables: { id } }, auth);

/** 8 at once (8 different citizens: identical requests would share one fetch), `rounds` times; RSS sampled meanwhile. */
async function storm(rounds: number): Promise<{ responses: GqlResponse[]; peakMb: number }> {
  const responses: GqlResponse[] = [];
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, vm("VmRSS"))), 20);
  try {
    for (let r = 0; r < rounds; r++) responses.push(...(await Promise.all(citizens.map(ask))));
  } finally {
    clearInterval(sampler);
  }
  return { responses, peakMb: Math.max(peakMb, vm("VmRSS")) };
}

function expectWellFormed(res: GqlResponse, allowed: string[]) {
  expect(res.status).toBe(200);
  expect(typeof res.body.data?.citizen?.name).toBe("string");
  for (const e of res.body.errors ?? []) {
    expect(isRegisteredCode(e.extensions?.code)).toBe(true);
    expect(allowed).toContain(e.extensions?.code);
    expect(e.extensions?.serviceName).toBe(FAULTY);
  }
}

describe("a department sending too much, 8 answers at once, against the gateway process", () => {
  const figures: string[] = [];
  afterAll(() => console.log(`gateway RSS (budget ${RSS_BUDGET_MB} MB):\n${figures.join("\n")}`));

  it("answers fully before the storm", async () => {
    expect(citizens).toHaveLength(8);
    const res = await ask(citizens[0]);
    expect(res.body.errors).toBeUndefined();
    figures.push(`  idle after one request: ${vm("VmRSS").toFixed(0)} MB`);
  });

  it.each([
    ["48 MB answers, declared", { kind: "oversize", bytes: 48 * MB, declared: true }],
    ["48 MB answers, chunked", { kind: "oversize", bytes: 48 * MB, declared: false }],
    ["100 MB answers, chunked", { kind: "oversize", bytes: 100 * MB, declared: false }],
  ] as const)("%s → every response a partial result with SUBGRAPH_RESPONSE_TOO_LARGE, RSS within budget", async (label, mode) => {
    fake.mode = mode;
    const { responses, peakMb } = await storm(3);
    figures.push(`  ${label}: peak ${peakMb.toFixed(0)} MB`);
    for (const res of responses) {
      expectWellFormed(res, ["SUBGRAPH_RESPONSE_TOO_LARGE"]);
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(["SUBGRAPH_RESPONSE_TOO_LARGE"]);
    }
    expect(peakMb).toBeLessThan(RSS_BUDGET_MB);
    expect(gw.exitCode).toBeNull();
  }, 120_000);

  it("answers just under the per-answer limit (7.5 MB, valid) → answered or refused by the in-flight budget, RSS within budget", async () => {
    fake.mode = { kind: "oversize", bytes: 7.5 * MB, declared: false };
    const { responses, peakMb } = await storm(3);
    const refused = responses.filter((r) => r.body.errors?.length).length;
    figures.push(`  7.5 MB answers: peak ${peakMb.toFixed(0)} MB; ${responses.length - refused} answered, ${refused} refused by the in-flight budget`);
    for (const res of responses) expectWellFormed(res, ["SUBGRAPH_RESPONSE_TOO_LARGE"]);
    expect(responses.length - refused).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(RSS_BUDGET_MB);
  }, 120_000);

  it("kept its peak (VmHWM) within budget over the whole run, and answers fully again", async () => {
    fake.mode = { kind: "proxy" };
    await until(async () => !(await ask(citizens[1])).body.errors, "full answers again", 10_000);
    const hwm = vm("VmHWM");
    figures.push(`  high-water mark over the run: ${hwm.toFixed(0)} MB`);
    expect(hwm).toBeLessThan(RSS_BUDGET_MB);
    expect(gw.exitCode).toBeNull();
  });

  it("counts the collections after large answers (they run only above GATEWAY_GC_ABOVE_RSS_MB) and holds no answer bytes now", async () => {
    const text = await metricsText();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    const [collections, seconds] = [metric("cg_gateway_answer_collections_total"), metric("cg_gateway_answer_collection_seconds_total")];
    figures.push(`  collections after large answers: ${collections} (${(seconds * 1000).toFixed(0)} ms)`);
    expect(collections).toBeGreaterThanOrEqual(0);
    expect(seconds > 0).toBe(collections > 0);
    expect(metric("cg_department_answer_bytes_in_flight")).toBe(0);
  });
});

/**
 * The same class from the other side: a client whose query yields a 2.5 MB department answer (8 aliases of
 * 1,000 citizens, under the cost limit and not "heavy"), many times at once. Identical requests of one caller
 * share one fetch and each parses its own copy; before the copies and the requests' use of their answers
 * counted in the answer budget, 100 at once exhausted the gateway's heap (it aborted).
 */
describe("a client asking for large answers many times at once, against the gateway process", () => {
  const fields = "id name gender birthDate age ethnicity idNumber phone registrationStatus registrationStatusDate relationToHead";
  const big = (first: number) => `query { ${Array.from({ length: 8 }, (_, i) => `a${i}: citizensByStatus(status: REGISTERED, first: ${first}) { edges { cursor node { ${fields} } } }`).join(" ")} }`;
  const figures: string[] = [];
  afterAll(() => console.log(`gateway RSS (budget ${RSS_BUDGET_MB} MB), large answers asked for by a client:\n${figures.join("\n")}`));

  async function burst(queries: string[]): Promise<{ responses: GqlResponse[]; peakMb: number }> {
    let peakMb = 0;
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, vm("VmRSS"))), 20);
    try {
      const responses = await Promise.all(queries.map((query) => post(gatewayUrl, { query }, auth)));
      return { responses, peakMb: Math.max(peakMb, vm("VmRSS")) };
    } finally {
      clearInterval(sampler);
    }
  }

  function expectServed(res: GqlResponse, allowed: string[]) {
    expect(res.status).toBe(200);
    for (const e of res.body.errors ?? []) {
      expect(allowed).toContain(e.extensions?.code);
      expect(e.extensions?.serviceName).toBe("public-security");
    }
    if (!res.body.errors) expect(res.body.data!.a7.edges).toHaveLength(1000);
  }

  it("one such answer is served whole (2.5 MB of Chinese names and ids)", async () => {
    const res = await post(gatewayUrl, { query: big(1000) }, auth);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.a0.edges).toHaveLength(1000);
    expect(res.body.data!.a0.edges[0].node.name).toMatch(/^[\u4e00-\u9fff]+$/);
  });

  it("100 identical requests at once (one fetch, a copy each) → answered or SUBGRAPH_RESPONSE_TOO_LARGE, RSS within budget, alive", async () => {
    const { responses, peakMb } = await burst(Array.from({ length: 100 }, () => big(1000)));
    const refused = responses.filter((r) => r.body.errors).length;
    figures.push(`  100 identical: peak ${peakMb.toFixed(0)} MB; ${responses.length - refused} answered, ${refused} refused`);
    for (const res of responses) expectServed(res, ["SUBGRAPH_RESPONSE_TOO_LARGE"]);
    expect(responses.length - refused).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(RSS_BUDGET_MB);
    expect(gw.exitCode).toBeNull();
  }, 120_000);

  it("12 different requests at once (a fetch each) → answered, refused or timed out, RSS within budget, alive", async () => {
    const { responses, peakMb } = await burst(Array.from({ length: 12 }, (_, i) => big(1000 - i)));
    const codes = responses.flatMap((r) => (r.body.errors ?? []).map((e) => e.extensions?.code));
    figures.push(`  12 different: peak ${peakMb.toFixed(0)} MB; ${responses.filter((r) => !r.body.errors).length} answered; ${JSON.stringify(codes.reduce<Record<string, number>>((m, c) => ({ ...m, [String(c)]: (m[String(c)] ?? 0) + 1 }), {}))}`);
    for (const res of responses) {
      expect(res.status).toBe(200);
      for (const e of res.body.errors ?? []) expect(["SUBGRAPH_RESPONSE_TOO_LARGE", "SUBGRAPH_TIMEOUT"]).toContain(e.extensions?.code);
    }
    expect(peakMb).toBeLessThan(RSS_BUDGET_MB);
    expect(gw.exitCode).toBeNull();
  }, 120_000);

  it("pipelined requests on a connection the client closes early give their answers' bytes back", async () => {
    const u = new URL(gatewayUrl);
    const http = (query: string) => {
      const body = JSON.stringify({ query });
      return `POST ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\nauthorization: ${auth.authorization}\r\nx-purpose: ${auth["x-purpose"]}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const small = `query { citizensByStatus(status: REGISTERED, first: 1) { edges { node { id } } } }`;
    const medium = `query { ${Array.from({ length: 8 }, (_, i) => `a${i}: citizensByStatus(status: REGISTERED, first: 250) { edges { cursor node { id name idNumber } } }`).join(" ")} }`;
    for (let round = 0; round < 3; round++) {
      const socket = connect(Number(u.port), u.hostname);
      await new Promise<void>((r) => socket.once("connect", () => r()));
      socket.write(http(small) + http(medium) + http(medium) + http(medium));
      socket.on("data", () => {});
      socket.on("error", () => {});
      await new Promise((r) => setTimeout(r, 30));
      socket.destroy();
    }
    // The gateway goes on with requests it had read; their answers arrive after the connection is gone.
    await new Promise((r) => setTimeout(r, 4000));
    await until(async () => /^cg_department_answer_bytes_in_flight 0$/m.test(await metricsText()), "the answer budget to be free again", 10_000, 200);
  }, 90_000);

  it("holds no answer bytes once the responses have been sent, and answers whole again", async () => {
    await until(async () => {
      const text = await metricsText();
      return /^cg_department_answer_bytes_in_flight 0$/m.test(text);
    }, "the answer budget to be free again", 60_000, 200);
    // The department may still be working through the requests the gateway stopped waiting for.
    await until(async () => !(await post(gatewayUrl, { query: big(1000) }, auth)).body.errors, "a whole answer again", 90_000);
    figures.push(`  high-water mark over the whole run: ${vm("VmHWM").toFixed(0)} MB`);
    expect(vm("VmHWM")).toBeLessThan(RSS_BUDGET_MB);
  }, 120_000);
});
