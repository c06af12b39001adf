/**
 * `npm start`: starts every department of subgraphs/departments.ts and the gateway as separate processes on
 * the embedded default (seeding each department on first start), waits until each answers, prints the
 * endpoint and an example query, and supervises: a service that dies is restarted with backoff (1 s, 2 s,
 * 4 s … up to 30 s; the delay resets after a minute of running) while the others keep serving. Ctrl-C
 * (SIGINT) or SIGTERM stops everything: the gateway first (it finishes its requests in flight, flushes the
 * access log and exits), then the departments (each finishing its own); a service that has not exited
 * `SHUTDOWN_TIMEOUT_MS` + 5 s after being asked is killed. A second Ctrl-C kills everything at once.
 *
 * Runs the compiled JavaScript when started from `dist/` (`npm start` after `npm run build`), TypeScript
 * through tsx otherwise (development).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEPARTMENT_RECORDS } from "../../../subgraphs/departments";
import { loadSubgraphConfig, withSubgraphSecrets } from "../../../subgraphs/kit/config";
import { loadGatewayConfig, withSecrets } from "../config";

const compiled = __filename.endsWith(".js");
/** The repository root (dist/ sits inside it when compiled). */
const root = resolve(__dirname, compiled ? "../../../.." : "../../..");
const codeRoot = compiled ? join(root, "dist") : root;

interface Service {
  name: string;
  file: string;
  env: NodeJS.ProcessEnv;
  nodeFlags: string[];
  health: string;
  proc?: ChildProcess;
  restarts: number;
  startedAt: number;
}

const services: Service[] = [];
let stopping = false;
/** How long a service gets to stop before it is killed (its own deadline, SHUTDOWN_TIMEOUT_MS, plus a margin). */
let killAfterMs = 30_000;

function entry(relative: string): string {
  const file = join(codeRoot, compiled ? relative.replace(/\.ts$/, ".js") : relative);
  if (!existsSync(file)) throw new Error(`missing ${file}${compiled ? " (run `npm run build`)" : ""}`);
  return file;
}

function launch(s: Service): void {
  // Each child runs in its own process group (a terminal's Ctrl-C reaches only this supervisor, which then
  // stops the children in order) and holds an IPC channel, so it also stops if the supervisor dies.
  const args = compiled ? [...s.nodeFlags, s.file] : [...s.nodeFlags, "--import", "tsx", s.file];
  const proc = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...s.env }, stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  s.proc = proc;
  s.startedAt = Date.now();
  proc.on("exit", (code, signal) => {
    if (stopping) return;
    // A service that ran for a minute starts its backoff again from 1 s.
    if (Date.now() - s.startedAt > 60_000) s.restarts = 0;
    const delay = Math.min(30_000, 1000 * 2 ** s.restarts);
    s.restarts++;
    console.error(`${s.name} exited (${signal ?? code}); restarting in ${delay / 1000} s — the other services keep serving`);
    setTimeout(() => {
      if (!stopping) launch(s);
    }, delay).unref();
  });
}

async function waitHealthy(s: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(s.health);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${s.name} did not become healthy at ${s.health} within ${timeoutMs / 1000}s`);
}

function stopOne(s: Service): Promise<void> {
  return new Promise<void>((res) => {
    const proc = s.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return res();
    proc.once("exit", () => res());
    proc.kill("SIGTERM");
    setTimeout(() => {
      console.error(`${s.name} did not stop within ${killAfterMs / 1000} s; killing it`);
      proc.kill("SIGKILL");
    }, killAfterMs).unref();
  });
}

function killAll(): void {
  for (const s of services) if (s.proc && s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill("SIGKILL");
  process.exit(1);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return killAll();
  stopping = true;
  console.log("stopping: the gateway finishes its requests in flight, then the departments stop…");
  // The gateway first, so that it finishes its in-flight requests while the departments still answer.
  const gateway = services.filter((s) => s.name === "gateway");
  await Promise.all(gateway.map(stopOne));
  await Promise.all(services.filter((s) => s.name !== "gateway").map(stopOne));
  process.exit(code);
}

async function main() {
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  // One read of each component's configuration; the development secrets are created once, here, before
  // the services that share them start.
  const gw = withSecrets(loadGatewayConfig());
  killAfterMs = gw.shutdownTimeoutMs + 5000;
  for (const w of gw.warnings) console.warn(`warning: ${w}`);
  const urls: Record<string, string> = {};
  for (const d of DEPARTMENT_RECORDS) {
    const c = withSubgraphSecrets(loadSubgraphConfig(d.name));
    urls[`${d.envPrefix}_URL`] = `http://${c.host}:${c.port}/graphql`;
    services.push({ name: d.name, file: entry(`subgraphs/${d.folder}/main.ts`), env: { [`${d.envPrefix}_PORT`]: String(c.port) }, nodeFlags: [], health: `http://${c.host}:${c.port}/readyz`, restarts: 0, startedAt: 0 });
  }
  services.forEach(launch);
  console.log(`starting ${DEPARTMENT_RECORDS.length} department subgraphs (${DEPARTMENT_RECORDS.map((d) => `${d.name} ${d.label}`).join(", ")}; first start migrates and seeds each database)…`);
  await Promise.all(services.map((s) => waitHealthy(s, 600_000)));
  const endpoint = `http://${gw.host}:${gw.port}/graphql`;
  const gateway: Service = { name: "gateway", file: entry("gateway/src/main.ts"), env: { ...urls, ...gw.processEnv }, nodeFlags: gw.nodeFlags, health: endpoint.replace(/graphql$/, "readyz"), restarts: 0, startedAt: 0 };
  services.push(gateway);
  launch(gateway);
  await waitHealthy(gateway, 120_000);
  console.log(`
Citizen Graph is up.
  GraphQL endpoint: ${endpoint}
  Example (one person's file across all departments), as grid worker of G-0101 on a welfare check:

  TOKEN=$(npm run -s token -- --role grid-worker --grid G-0101)
  curl -s ${endpoint} -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" -H 'x-purpose: welfare-check' \\
    -d '{"query":"{ citizen(id: \\"P00000001\\") { name age household { address } subsidies { type monthlyAmount } elderProfile { careLevel livingArrangement } residences(currentOnly: true) { unit { address } } } }"}'

  More examples: schema/operations/*.graphql. Press Ctrl-C to stop.
`);
}

main().catch((err) => {
  console.error(String(err instanceof Error ? err.message : err));
  void stopAll(1);
});
