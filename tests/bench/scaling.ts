/**
 * `npm run bench:scaling`: the priority-elder page of grid G-0101 (100 rows, four departments) through our
 * gateway at 10,000 and at 1,000,000 citizens in PostgreSQL, to show how latency grows with the data.
 * The 10k databases are seeded by this script; the 1M databases must have been seeded beforehand
 * (`npm run seed -- --citizens 1000000` with the cg_1m_* URLs, see BENCHMARKS.md) or are skipped.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { Command } from "commander";
import pg from "pg";
import { operation } from "../helpers/operations";
import { freePorts } from "../helpers/ports";
import { startNode, stopAll, waitReady, installSignalHandlers, type Child } from "./processes";
import { runLoad } from "./load";

const root = resolve(__dirname, "../..");
const DEPTS = ["civil-affairs", "public-security", "elderly-care", "property-management"] as const;
const prefix = (d: string) => d.toUpperCase().replace(/-/g, "_");
const PG = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432";

const program = new Command("bench:scaling").option("--duration <s>", "measured seconds per size", "10").option("--connections <n>", "connections", "10").parse();

async function citizens(db: string): Promise<number | null> {
  const c = new pg.Client({ connectionString: `${PG}/${db}` });
  try {
    await c.connect();
    return (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM person")).rows[0].n;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const healthy = (url: string) => async () => (await fetch(url).then((r) => r.ok).catch(() => false)) as boolean;

async function measure(label: string, dbPrefix: string, o: { duration: number; connections: number }) {
  const ports = await freePorts(5);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "", LOG_LEVEL: "warn", ACCEPT_UNSIGNED: "true", GOVERNANCE: "off", PORT: String(ports[4]), DATA_DIR: resolve(root, ".bench/scaling") };
  const kids: Child[] = [];
  DEPTS.forEach((d, i) => {
    env[`${prefix(d)}_DATABASE_URL`] = `${PG}/${dbPrefix}_${d.replace(/-/g, "_")}`;
    env[`${prefix(d)}_PORT`] = String(ports[i]);
    env[`${prefix(d)}_URL`] = `http://127.0.0.1:${ports[i]}/graphql`;
  });
  DEPTS.forEach((d, i) => kids.push(startNode(d, ["--import", "tsx", `subgraphs/${d}/main.ts`], { cwd: root, env })));
  for (const [i, k] of kids.entries()) await waitReady(k, healthy(`http://127.0.0.1:${ports[i]}/health`), 300_000);
  const gw = startNode("gateway", ["--import", "tsx", "gateway/src/main.ts"], { cwd: root, env });
  await waitReady(gw, healthy(`http://127.0.0.1:${ports[4]}/health`), 60_000);
  const url = `http://127.0.0.1:${ports[4]}/graphql`;
  const body = JSON.stringify({ query: operation("GridPriorityElders"), variables: { gridId: "G-0101", first: 100 } });
  const check = (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body })).json()) as { data?: { grid?: { priorityElders?: { totalCount: number; edges: unknown[] } } }; errors?: unknown[] };
  if (check.errors) throw new Error(`${label}: ${JSON.stringify(check.errors).slice(0, 300)}`);
  const rows = check.data?.grid?.priorityElders?.edges.length ?? 0;
  await runLoad({ url, bodies: [body], headers: {}, connections: o.connections, durationS: 2 });
  const r = await runLoad({ url, bodies: [body], headers: {}, connections: o.connections, durationS: o.duration });
  await stopAll();
  return { label, rows, total: check.data?.grid?.priorityElders?.totalCount ?? 0, ...r };
}

async function main() {
  installSignalHandlers();
  const o = program.opts<{ duration: string; connections: string }>();
  const opts = { duration: Number(o.duration), connections: Number(o.connections) };
  const seedEnv = { ...process.env, NODE_OPTIONS: "" } as NodeJS.ProcessEnv;
  for (const d of DEPTS) seedEnv[`${prefix(d)}_DATABASE_URL`] = `${PG}/cg_10k_${d.replace(/-/g, "_")}`;
  if ((await citizens("cg_10k_public_security")) !== 10_000) {
    execFileSync(process.execPath, ["--import", "tsx", "schema/cli/seed.ts", "--citizens", "10000"], { cwd: root, env: seedEnv, stdio: "inherit" });
  }
  const results = [await measure("10,000 citizens", "cg_10k", opts)];
  const big = await citizens("cg_1m_public_security");
  if (big) results.push(await measure(`${big.toLocaleString("en")} citizens`, "cg_1m", opts));
  else console.log("1M databases not found: seed them first (see BENCHMARKS.md); measured 10k only");
  console.log(`\n| data set | rows on the page | priority elders in G-0101 | req/s | p50 ms | p95 ms | p99 ms | errors |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of results) console.log(`| ${r.label} | ${r.rows} | ${r.total} | ${r.rps.toFixed(1)} | ${Math.round(r.p50)} | ${Math.round(r.p95)} | ${Math.round(r.p99)} | ${r.non2xx + r.graphqlErrors + r.transportErrors} |`);
}

main().catch(async (e) => {
  console.error(e instanceof Error ? e.message : e);
  await stopAll();
  process.exit(1);
});
