/**
 * Soak: the compiled gateway process in front of the four departments (in this process, on a pre-seeded copy
 * of the embedded data), governed (tokens, purposes, masking, the access log in its writer process), under a
 * steady mixed load for a long time. Reports every response that was not a clean answer (non-2xx, GraphQL
 * errors, socket errors) and the gateway's resident memory over time: growth is the median of the last third
 * of the samples minus the median of the first third (after a warm-up slice), so a leak shows and a spike
 * does not.
 *
 * `npm run soak [-- --minutes 10 --connections 16]` prints the figures (BENCHMARKS.md keeps them); the test
 * suite runs a short one (tests/e2e/soak.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { startDepartment, type RunningDepartment } from "../../subgraphs/kit/serve";
import { departmentRecord } from "../../subgraphs/departments";
import { mintToken } from "../../gateway/src/auth/mint";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { loadGatewayConfig } from "../../gateway/src/config";
import { fixtureDir } from "../helpers/fixtures";
import { freePorts } from "../helpers/ports";
import { runLoad } from "./load";

const ROOT = resolve(__dirname, "../..");

export interface SoakOptions {
  durationS: number;
  /** Length of one measured slice (a memory sample after each). */
  sliceS: number;
  connections: number;
  citizens?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  graphqlErrors: number;
  transportErrors: number;
  example?: string;
  /** Gateway RSS after each slice, MB (the warm-up slice first). */
  rssMb: number[];
  /** Median of the last third minus median of the first third of the samples after warm-up, MB. */
  rssGrowthMb: number;
  gatewayExited: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const secret = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(24).toString("base64url");
  const dataDir = mkdtempSync(join(tmpdir(), "cg-soak-"));
  const departments: RunningDepartment[] = [];
  let gateway: ChildProcess | undefined;
  try {
    cpSync(await fixtureDir(o.citizens ?? 3000), dataDir, { recursive: true });
    for (const mod of SUBGRAPHS) departments.push(await startDepartment(mod, { port: 0, dataDir: join(dataDir, departmentRecord(mod.name).folder), signingSecret: secret, logLevel: "silent" }));
    const [port] = await freePorts(1);
    const url = `http://127.0.0.1:${port}/graphql`;
    let out = "";
    const launch = loadGatewayConfig({});
    gateway = spawn(process.execPath, [...launch.nodeFlags, "dist/gateway/src/main.js"], {
      cwd: ROOT,
      env: { ...process.env, ...launch.processEnv, NODE_OPTIONS: "", NODE_ENV: "production", PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "warn", INTERNAL_SIGNING_SECRET: secret, AUTH_JWT_SECRET: jwtSecret, RATE_LIMIT_PER_SECOND: "0", ...Object.fromEntries(departments.map((d) => [`${departmentRecord(d.config.department).envPrefix}_URL`, d.url])) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    gateway.stdout!.on("data", (d) => (out = (out + d).slice(-10_000)));
    gateway.stderr!.on("data", (d) => (out = (out + d).slice(-10_000)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (gateway.exitCode !== null) throw new Error(`the gateway exited:\n${out}`);
      if (await fetch(url.replace(/graphql$/, "readyz")).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error("the gateway did not become ready");
      await new Promise((r) => setTimeout(r, 200));
    }
    const ps = departments.find((d) => d.config.department === "public-security")!.db.prisma as any;
    const ids = ((await ps.person.findMany({ where: { gridId: "G-0101", status: "REGISTERED" }, orderBy: { citizenId: "asc" }, take: 50 })) as { citizenId: string }[]).map((p) => p.citizenId);
    const token = await mintToken(loadPolicy(join(ROOT, "schema/policy.yaml")), jwtSecret, { role: "grid-worker", sub: "soak-worker", grids: ["G-0101"] });
    // A mix: one person's file across departments (personal: recorded), a grid's elders (a list), public lookups.
    const bodies = [
      ...ids.map((id) => JSON.stringify({ query: `query($id: ID!) { citizen(id: $id) { name age household { address } elderProfile { careLevel } } }`, variables: { id } })),
      ...Array.from({ length: 10 }, () => JSON.stringify({ query: `{ grid(id: "G-0101") { priorityElders(first: 10) { totalCount edges { node { careLevel citizen { name } } } } } }` })),
      ...Array.from({ length: 10 }, () => JSON.stringify({ query: `{ communities { id name } }` })),
    ];
    const headers = { authorization: `Bearer ${token}`, "x-purpose": "welfare-check" };
    const slices = Math.max(2, Math.round(o.durationS / o.sliceS));
    const results = [];
    const samples: number[] = [];
    for (let i = 0; i < slices; i++) {
      const r = await runLoad({ url, bodies, headers, connections: o.connections, durationS: o.sliceS });
      results.push(r);
      if (gateway.exitCode !== null) break;
      samples.push(rssMb(gateway.pid!));
      log(`slice ${i + 1}/${slices}: ${r.requests} requests, ${r.rps.toFixed(0)}/s, p95 ${r.p95} ms, non-2xx ${r.non2xx}, GraphQL errors ${r.graphqlErrors}, socket errors ${r.transportErrors}, gateway RSS ${samples.at(-1)!.toFixed(0)} MB`);
    }
    const measured = samples.slice(1);
    const third = Math.max(1, Math.floor(measured.length / 3));
    const latencies = results.flatMap((r) => r.latencies ?? []).sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? NaN;
    const seconds = results.reduce((a, r) => a + r.seconds, 0);
    const requests = results.reduce((a, r) => a + r.requests, 0);
    return {
      requests,
      seconds,
      rps: requests / seconds,
      p50: pct(50),
      p95: pct(95),
      p99: pct(99),
      non2xx: results.reduce((a, r) => a + r.non2xx, 0),
      graphqlErrors: results.reduce((a, r) => a + r.graphqlErrors, 0),
      transportErrors: results.reduce((a, r) => a + r.transportErrors, 0),
      example: results.find((r) => r.example)?.example,
      rssMb: samples,
      rssGrowthMb: median(measured.slice(-third)) - median(measured.slice(0, third)),
      gatewayExited: gateway.exitCode !== null,
    };
  } finally {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((r) => gateway!.once("exit", r));
      gateway.kill("SIGTERM");
      await exited;
    }
    await Promise.all(departments.map((d) => d.app.close()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  const minutes = arg("minutes", 10);
  const connections = arg("connections", 16);
  console.log(`soak: ${minutes} min, ${connections} connections, 30 s slices (the first is the warm-up)…`);
  runSoak({ durationS: minutes * 60, sliceS: 30, connections, log: console.log }).then(
    (r) => {
      console.log(`
| figure | value |
| --- | --- |
| duration | ${r.seconds.toFixed(0)} s |
| requests | ${r.requests} (${r.rps.toFixed(0)}/s) |
| latency p50 / p95 / p99 | ${r.p50} / ${r.p95} / ${r.p99} ms |
| non-2xx (5xx among them) / GraphQL errors / socket errors | ${r.non2xx} / ${r.graphqlErrors} / ${r.transportErrors} |
| gateway RSS first → last | ${r.rssMb[0]?.toFixed(0)} → ${r.rssMb.at(-1)?.toFixed(0)} MB (max ${Math.max(...r.rssMb).toFixed(0)} MB) |
| RSS growth (median last third − first third) | ${r.rssGrowthMb.toFixed(1)} MB |
${r.example ? `\nfirst failure: ${r.example}` : ""}`);
      const failed = r.non2xx > 0 || r.transportErrors > 0 || r.graphqlErrors > 0 || r.gatewayExited;
      process.exitCode = failed ? 1 : 0;
    },
    (e) => {
      console.error(`soak failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 2;
    },
  );
}
