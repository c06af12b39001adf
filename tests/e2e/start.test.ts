/**
 * End to end: `npm start`'s program starts four subgraph processes and the gateway on a fresh data folder
 * (migrating and seeding each department on first start), answers over real HTTP, and stops cleanly on
 * Ctrl-C (SIGINT).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePorts } from "../helpers/ports";
import { post } from "../helpers/system";
import { operation } from "../helpers/operations";

const root = resolve(__dirname, "../..");
const run = promisify(execFile);

/** Runs one of the package's CLIs (npm run token / audit:verify) against this system's data folder. */
async function cli(file: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", file, ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: "", DATA_DIR: dataDir } });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}
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
  ports = await freePorts(5);
  const [gw, ca, ps, ec, pm] = ports;
  gateway = `http://127.0.0.1:${gw}/graphql`;
  proc = spawn(process.execPath, ["--import", "tsx", "gateway/src/cli/start-all.ts"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      DATA_DIR: dataDir,
      SEED_CITIZENS: "1500",
      LOG_LEVEL: "warn",
      PORT: String(gw),
      CIVIL_AFFAIRS_PORT: String(ca),
      PUBLIC_SECURITY_PORT: String(ps),
      ELDERLY_CARE_PORT: String(ec),
      PROPERTY_MANAGEMENT_PORT: String(pm),
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
  const token = await cli("gateway/src/auth/token-cli.ts", ["--role", "grid-worker", "--grid", "G-0101"]);
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
    for (const d of ["civil-affairs", "public-security", "elderly-care", "property-management"]) expect(existsSync(join(dataDir, d))).toBe(true);
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

  it("serves a grid's priority elders", async () => {
    const res = await post(gateway, { query: operation("GridPriorityElders"), variables: { gridId: "G-0101", first: 5 } }, auth);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.grid.priorityElders.edges.length).toBeGreaterThan(0);
  });

  it("runs the gateway with its heap limit and the access log in a writer process of its own", () => {
    const gw = processesMentioning(dataDir).filter((c) => c.includes("gateway/src/main.ts"));
    expect(gw.length).toBe(1);
    expect(gw[0]).toContain("--max-old-space-size=256");
    expect(processesMentioning(join(dataDir, "gateway-audit")).filter((c) => c.includes("writer-process"))).toHaveLength(1);
  });

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
    const ok = await cli("gateway/src/audit/verify-cli.ts", []);
    expect(ok.out).toMatch(/intact: [1-9]\d* records/);
    expect(ok.code).toBe(0);
    const db = new PGlite(join(dataDir, "gateway-audit"));
    await db.exec(`ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET purpose = 'statistics' WHERE seq = 1;`);
    await db.close();
    const bad = await cli("gateway/src/audit/verify-cli.ts", []);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("TAMPERED");
  }, 60_000);
});
