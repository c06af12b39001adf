/**
 * `npm start`: starts the four department subgraphs and the gateway as separate processes on the embedded
 * default (seeding each department on first start), waits until each answers, prints the endpoint and an
 * example query. Ctrl-C (SIGINT) or SIGTERM stops everything cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { SUBGRAPHS } from "../../../subgraphs/registry";
import { DEFAULT_PORTS, envPrefix } from "../../../subgraphs/kit/config";
import type { Department } from "../../../subgraphs/departments";
import { loadGatewayConfig } from "../config";
import { gatewayNodeFlags } from "../node-flags";

const root = resolve(__dirname, "../../..");
const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

function run(name: string, file: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  // Each child runs in its own process group (a terminal's Ctrl-C reaches only this supervisor, which then
  // stops the children in order) and holds an IPC channel, so it also stops if the supervisor dies.
  const proc = spawn(process.execPath, [...nodeFlags, "--import", "tsx", file], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    detached: true,
  });
  children.push({ name, proc });
  proc.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  return proc;
}

async function waitHealthy(name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} did not become healthy at ${url} within ${timeoutMs / 1000}s`);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((res) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return res();
          proc.once("exit", () => res());
          proc.kill("SIGTERM");
          setTimeout(() => proc.kill("SIGKILL"), 10_000).unref();
        }),
    ),
  );
  process.exit(code);
}

async function main() {
  process.once("SIGINT", () => void stopAll(0));
  process.once("SIGTERM", () => void stopAll(0));
  const host = process.env.HOST ?? "127.0.0.1";
  // Create the development secrets once, before the services that share them start.
  loadGatewayConfig();
  const urls: Record<string, string> = {};
  for (const mod of SUBGRAPHS) {
    const dept = mod.name as Department;
    const port = Number(process.env[`${envPrefix(dept)}_PORT`] || DEFAULT_PORTS[dept]);
    urls[`${envPrefix(dept)}_URL`] = `http://${host}:${port}/graphql`;
    run(dept, join(root, "subgraphs", dept, "main.ts"), { [`${envPrefix(dept)}_PORT`]: String(port) });
  }
  console.log("starting the four department subgraphs (first start migrates and seeds each database)…");
  await Promise.all(SUBGRAPHS.map((mod) => waitHealthy(mod.name, urls[`${envPrefix(mod.name as Department)}_URL`].replace(/graphql$/, "health"), 600_000)));
  const gw = loadGatewayConfig();
  run("gateway", join(root, "gateway/src/main.ts"), urls, gatewayNodeFlags());
  const endpoint = `http://${gw.host}:${gw.port}/graphql`;
  await waitHealthy("gateway", endpoint.replace(/graphql$/, "health"), 120_000);
  console.log(`
Citizen Graph is up.
  GraphQL endpoint: ${endpoint}
  Example (one person's file across all four departments), as grid worker of G-0101 on a welfare check:

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
