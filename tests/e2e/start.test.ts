/**
 * End to end: `npm start`'s program (compiled) starts every department's process and the gateway on a fresh
 * data folder (migrating and seeding each department on first start), answers over real HTTP, restarts a
 * department that dies, and stops cleanly on Ctrl-C (SIGINT).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { PGlite } from "@electric-sql/pglite";
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePorts } from "../helpers/ports";
import { post } from "../helpers/system";
import { operation } from "../helpers/operations";
import { runCli } from "../helpers/cli";
import { until } from "../helpers/wait";
import { DEPARTMENT_RECORDS } from "../../subgraphs/departments";

const root = resolve(__dirname, "../..");

/** Runs one of the package's CLIs (npm run token / audit:verify) against this system's data folder. */
const cli = (file: string, args: string[]) => runCli(file, args, { DATA_DIR: dataDir });
/** Command lines of running processes whose command line or environment mentions `text`. */
function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ");
      if (cmd.includes(text) || readFileSync(`/proc/${d}/environ`, "utf8").includes(text)) out.push(cmd);
    } catch {
      /* gone */
    }
  }
  return out;
}
let auth: Record<string, string>;
let proc: ChildProcess;
let output = "";
let gateway: string;
let dataDir: string;
let ports: number[];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cg-e2e-"));
  ports = await freePorts(1 + DEPARTMENT_RECORDS.length);
  const [gw, ...departmentPorts] = ports;
  gateway = `http://127.0.0.1:${gw}/graphql`;
  // What `npm start` runs after `npm run build` (npm test builds first): the compiled JavaScript.
  proc = spawn(process.execPath, ["dist/gateway/src/cli/start-all.js"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir,
      SEED_CITIZENS: "1500",
      LOG_LEVEL: "warn",
      PORT: String(gw),
      ...Object.fromEntries(DEPARTMENT_RECORDS.map((d, i) => [`${d.envPrefix}_PORT`, String(departmentPorts[i])])),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  await new Promise<void>((res, rej) => {
    const t = setInterval(() => {
      if (output.includes("Citizen Graph is up")) {
        clearInterval(t);
        res();
      } else if (proc.exitCode !== null) {
        clearInterval(t);
        rej(new Error(`start-all exited early:\n${output}`));
      }
    }, 200);
  });
  const token = await cli("schema/cli/token.ts", ["--role", "grid-worker", "--grid", "G-0101"]);
  expect(token.code).toBe(0);
  auth = { authorization: `Bearer ${token.out.trim()}`, "x-purpose": "welfare-check" };
}, 240_000);

afterAll(() => {
  if (proc && proc.exitCode === null) proc.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("prints the endpoint and an example query", () => {
    expect(output).toContain(gateway);
    expect(output).toContain("curl");
  });

  it("created one embedded database folder per department", () => {
    for (const d of DEPARTMENT_RECORDS) expect(existsSync(join(dataDir, d.folder))).toBe(true);
  });

  it("answers the example query printed at start, across all four departments", async () => {
    const refused = await post(gateway, { query: operation("PersonFile"), variables: { id: "P00000001" } });
    expect(refused.status).toBe(401);
    const res = await post(gateway, { query: operation("PersonFile"), variables: { id: "P00000001" } }, auth);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const c = res.body.data!.citizen;
    expect(c.name).toMatch(/^[\u4e00-\u9fff]+$/);
    expect(c.residences.length).toBeGreaterThan(0);
  });

  it("serves the schema registry's supergraph, and `npm run schema` reaches the registry through the running gateway", async () => {
    // The embedded registry is open in the gateway; the CLI finds the gateway from the holder file and uses its API.
    expect(existsSync(join(dataDir, "registry.holder.json"))).toBe(true);
    const steward = await cli("schema/cli/token.ts", ["--role", "data-steward"]);
    const history = await runCli("schema/cli/index.ts", ["history", "--json"], { DATA_DIR: dataDir, CG_TOKEN: steward.out.trim() });
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout).versions[0]).toMatchObject({ version: 1, reason: "seed" });
  });

  it("serves a grid's priority elders", async () => {
    const res = await post(gateway, { query: operation("GridPriorityElders"), variables: { gridId: "G-0101", first: 5 } }, auth);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.grid.priorityElders.edges.length).toBeGreaterThan(0);
  });

  it("runs compiled JavaScript with no TypeScript loader: the gateway with its heap limit and mmap threshold, the access log in a writer process of its own", () => {
    const all = processesMentioning(dataDir);
    expect(all.filter((c) => /tsx/.test(c))).toEqual([]);
    const gw = all.filter((c) => c.includes("dist/gateway/src/main.js"));
    expect(gw.length).toBe(1);
    expect(gw[0]).toContain("--max-old-space-size=256");
    expect(gw[0]).toContain("--expose-gc");
    // …and glibc's fixed mmap threshold in its environment (GATEWAY_MALLOC_MMAP_THRESHOLD; its writer inherits
    // it), the departments and the supervisor without it.
    const fixed = processesMentioning("MALLOC_MMAP_THRESHOLD_=131072").filter((c) => all.includes(c));
    expect(fixed).toContain(gw[0]);
    expect(fixed.filter((c) => c !== gw[0] && !c.includes("writer-process.js"))).toEqual([]);
    expect(processesMentioning(join(dataDir, "gateway-audit")).filter((c) => c.includes("writer-process.js"))).toHaveLength(1);
    for (const d of DEPARTMENT_RECORDS) expect(all.filter((c) => c.includes(`dist/subgraphs/${d.folder}/main.js`))).toHaveLength(1);
  });

  it("restarts a department that dies, while the others keep serving", async () => {
    const victim = DEPARTMENT_RECORDS.find((d) => d.name === "elderly-care")!;
    const pidOf = () => {
      for (const d of readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
          const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
          if (cmd.includes(`dist/subgraphs/${victim.folder}/main.js`) && readFileSync(`/proc/${d}/environ`, "utf8").includes(dataDir)) return Number(d);
        } catch {
          /* gone */
        }
      }
      return undefined;
    };
    const before = pidOf()!;
    process.kill(before, "SIGKILL");
    const during = await post(gateway, { query: `{ communities { id } grid(id: "G-0101") { priorityElders(first: 1) { totalCount } } }` }, auth);
    expect(during.body.data!.communities.length).toBeGreaterThan(0);
    await until(async () => {
      const r = await post(gateway, { query: `{ grid(id: "G-0101") { priorityElders(first: 1) { totalCount } } }` }, auth);
      return (r.body.data?.grid?.priorityElders?.totalCount ?? 0) > 0;
    }, "elderly care to answer again", 60_000);
    expect(pidOf()).not.toBe(before);
    expect(output).toMatch(/elderly-care exited \(SIGKILL\); restarting/);
  }, 90_000);

  it("stops every process cleanly on Ctrl-C", async () => {
    const exited = new Promise<number | null>((res) => proc.once("exit", (code) => res(code)));
    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    for (const p of ports) {
      await expect(fetch(`http://127.0.0.1:${p}/health`)).rejects.toThrow();
    }
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 30_000);

  it("left an intact access log that npm run audit:verify checks, and catches a tampered record", async () => {
    const ok = await cli("schema/cli/audit-verify.ts", []);
    expect(ok.out).toMatch(/intact: [1-9]\d* records/);
    expect(ok.code).toBe(0);
    const db = new PGlite(join(dataDir, "gateway-audit"));
    await db.exec(`ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET purpose = 'statistics' WHERE seq = 1;`);
    await db.close();
    const bad = await cli("schema/cli/audit-verify.ts", []);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("TAMPERED");
  }, 60_000);
});
