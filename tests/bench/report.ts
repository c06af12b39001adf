/**
 * The report: a table per gateway × workload, ratios to stock Apollo, the three targets of the performance
 * issue, and the "Gateway throughput" section of BENCHMARKS.md.
 */
import { cpus, totalmem } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GatewayName } from "./gateways";
import type { LoadResult } from "./load";
import { all, atLeastTimes, atMost, failures, mark, notJudged, overheadAtMost, symbol, ratio, type Figure, type Verdict } from "./verdict";

export interface Row {
  gateway: GatewayName;
  label: string;
  workload: string;
  result?: LoadResult;
  /** Peak RSS of the gateway's largest process during warm-up and measurement, MB. */
  peakRssMb?: number;
  /** Peak RSS of all the gateway's node processes together during warm-up and measurement, MB. */
  treePeakRssMb?: number;
  /** Verification before measuring: null when fine. */
  verifyProblem?: string | null;
  /** Failed / sampled requests after the measured run. */
  sample?: { sampled: number; failed: number; example?: string };
  /** Share of the machine's CPU used by processes outside the benchmark during the measured run. */
  foreignCpu?: number;
  /** CPU milliseconds per request: the gateway process, the four subgraphs, the harness (load generator). */
  cpuMs?: { gateway: number; gatewayMain?: number; subgraphs: number; harness: number; /** In the registry's order of subgraphs. */ bySubgraph?: number[] };
  /** Why there is no measurement. */
  notAvailable?: string;
  /** Why the measurement cannot be used (e.g. served 0 requests in a slice): a failed run, never a verdict. */
  problem?: string;
  /** Peak RSS of the gateway's main process (the one serving HTTP) under load, MB. */
  gatewayRssMb?: number;
}

/** Foreign CPU share above which a row is flagged as disturbed. */
export const FOREIGN_CPU_WARN = 0.05;

export interface GatewayInfo {
  name: GatewayName;
  label: string;
  startupSeconds?: number;
  idleRssMb?: number;
  peakRssMb?: number;
  /** Peak of all the gateway's node processes together under load (ours: gateway + access-log writer), MB. */
  treePeakRssMb?: number;
  processes?: number;
  notAvailable?: string;
}

export interface RunInfo {
  date: string;
  command: string;
  citizens: number;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Measured slices per gateway and workload (interleaved). */
  rounds?: number;
  workloads: { name: string; title: string }[];
  gateways: GatewayInfo[];
  rows: Row[];
  dataNote: string;
  /** Every request of a workload identical (no rotation through variable sets). */
  sameRequest: boolean;
  /** Share of the machine's CPU used by other processes in the second before the run. */
  foreignAtStart?: number;
  /** "isolation": measurement 1, the departments replaced by the answer server; "departments": the real departments (PGlite). */
  mode?: "isolation" | "departments";
  /** How the services ran (compiled from dist/). */
  buildNote?: string;
  /** Measurement 1: the answer server's counters over the whole run. */
  replay?: { hits: number; misses: number; missExamples: string[]; keys: Record<string, number>; recordedAt: string; file: string };
}

export const sectionTitle = (run: RunInfo) => (run.mode === "isolation" ? "Measurement 1: gateway in isolation" : "Gateway throughput");

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? "–" : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? "–" : n < 10 ? n.toFixed(1) : fmt(n));
const pct = (n: number) => `${n >= 0 ? "+" : ""}${(n * 100).toFixed(1)} %`;

export const errorCount = (r: Row) => (r.result ? r.result.non2xx + r.result.graphqlErrors + r.result.transportErrors : 0);

function find(rows: Row[], g: GatewayName, w: string) {
  return rows.find((r) => r.gateway === g && r.workload === w && r.result);
}

export function resultTable(run: RunInfo): string {
  const lines = [
    `| gateway | workload | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MB: gateway process | all its processes | CPU ms/req: gateway | ${run.mode === "isolation" ? "answer server" : "subgraphs"} |`,
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of run.rows) {
    if (!r.result) {
      lines.push(`| ${r.gateway} | ${r.workload} | not available: ${(r.notAvailable ?? "no result").replace(/\s+/g, " ").replace(/\|/g, "\\|")} | | | | | | | | |`);
      continue;
    }
    const errs = errorCount(r);
    const errText = errs ? `${fmt(errs)} of ${fmt(r.result.requests)}` : "0";
    const flag = r.problem ? " **FAILED**" : r.verifyProblem ? " ⚠" : "";
    lines.push(`| ${r.gateway}${flag} | ${r.workload} | ${fmt(r.result.rps, 1)} | ${ms(r.result.p50)} | ${ms(r.result.p95)} | ${ms(r.result.p99)} | ${errText} | ${fmt(r.gatewayRssMb ?? r.peakRssMb)} | ${fmt(r.treePeakRssMb)} | ${ms(r.cpuMs?.gateway)} | ${ms(r.cpuMs?.subgraphs)} |`);
  }
  return lines.join("\n");
}

/** A metric of each gateway divided by stock Apollo's, per workload. */
export function ratioTable(run: RunInfo, metric: (r: Row) => number | undefined = (r) => r.result?.rps, reference: GatewayName = "apollo-stock"): string {
  const names = run.gateways.map((g) => g.name);
  const lines = [`| workload | ${names.join(" | ")} |`, `| --- | ${names.map(() => "---:").join(" | ")} |`];
  const fig = (g: GatewayName, w: string): Figure => {
    const row = run.rows.find((r) => r.gateway === g && r.workload === w);
    return { what: g, value: row?.result && !row.problem ? metric(row) : undefined, problem: row?.problem };
  };
  for (const w of run.workloads) {
    const cells = names.map((g) => {
      const r = ratio(fig(g, w.name), fig(reference, w.name));
      return r.ok ? `${r.value.toFixed(2)}×` : "– (no usable figure)";
    });
    lines.push(`| ${w.name} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

const gatewayCpu = (r: Row) => r.cpuMs?.gateway;

export type Target = Verdict;

/** The row's figure for a verdict: its value, or why it has none (not started, exited, served nothing). */
function figure(run: RunInfo, g: GatewayName, w: string, what: string, metric: (r: Row) => number | undefined): Figure {
  const row = run.rows.find((r) => r.gateway === g && r.workload === w);
  if (!row) return { what, value: undefined, problem: "not measured in this run" };
  if (!row.result) return { what, value: undefined, problem: (row.notAvailable ?? "no result").split("\n")[0] };
  if (row.problem) return { what, value: undefined, problem: row.problem };
  return { what, value: metric(row) };
}

const inRun = (run: RunInfo, g: GatewayName) => run.gateways.some((x) => x.name === g);
const hasWorkload = (run: RunInfo, w: string) => run.workloads.some((x) => x.name === w);

/**
 * The targets of the performance issue, judged on this run. A target whose gateways or workload were not
 * selected (--only, --workloads) is "not judged"; one whose gateway was in the run but has no usable
 * figure (did not start, exited, served 0 requests in a slice, zero reference) is FAILED — never a verdict.
 */
export function targets(run: RunInfo, o: { workload?: string } = {}): Verdict[] {
  const out: Verdict[] = [];
  const w = o.workload ?? "priority-elders";
  const rps = (g: GatewayName, wl: string) => figure(run, g, wl, `${g} req/s (${wl})`, (r) => r.result?.rps);
  {
    const text = `Ours (governance on) ≥ 3× stock Apollo and ≥ 1.0× Hive Gateway with the Rust planner, ${w}`;
    if (!hasWorkload(run, w) || !inRun(run, "ours")) out.push(notJudged(text, `${!hasWorkload(run, w) ? `workload ${w}` : "ours"} not selected for this run`));
    else {
      const parts = [
        inRun(run, "apollo-stock") ? atLeastTimes("vs stock Apollo", rps("ours", w), rps("apollo-stock", w), 3) : notJudged("vs stock Apollo", "apollo-stock not selected"),
        inRun(run, "hive-rust") ? atLeastTimes("vs Hive (Rust planner)", rps("ours", w), rps("hive-rust", w), 1) : notJudged("vs Hive (Rust planner)", "hive-rust not selected"),
      ];
      out.push(all(text, parts));
    }
  }
  {
    const text = "Governance overhead (throughput lost with governance on vs off) ≤ 10 %, every workload";
    if (!inRun(run, "ours") || !inRun(run, "ours-ungoverned")) out.push(notJudged(text, "ours and ours-ungoverned are not both in this run"));
    else out.push(all(text, run.workloads.map((x) => overheadAtMost(x.name, rps("ours", x.name), rps("ours-ungoverned", x.name), 0.1))));
  }
  {
    const text = "Memory under load, ours as shipped, every workload: gateway process ≤ 300 MB and the whole gateway tree (with its access-log writer) ≤ 400 MB";
    if (!inRun(run, "ours")) out.push(notJudged(text, "ours not selected for this run"));
    else {
      const parts = run.workloads.flatMap((x) => [
        atMost(`${x.name} gateway process`, figure(run, "ours", x.name, "peak RSS", (r) => r.gatewayRssMb ?? r.peakRssMb), 300, "MB"),
        atMost(`${x.name} tree`, figure(run, "ours", x.name, "peak RSS", (r) => r.treePeakRssMb), 400, "MB"),
      ]);
      out.push(all(text, parts));
    }
  }
  return out;
}

const atStart = (run: RunInfo) =>
  run.foreignAtStart !== undefined ? `other processes used ${(run.foreignAtStart * 100).toFixed(1)} % of the machine's CPU in the second before the run` : "not checked before the run";

/** A paragraph on CPU per request: gateway vs subgraphs, and what governance adds where. */
function whereTimeGoes(run: RunInfo): string[] {
  if (run.mode === "isolation") return [];
  const w = run.workloads.find((x) => x.name === "priority-elders")?.name ?? run.workloads[0]?.name;
  if (!w) return [];
  const parts = run.gateways.flatMap((g) => {
    const c = find(run.rows, g.name, w)?.cpuMs;
    return c ? [`${g.name} ${ms(c.gateway)} + ${ms(c.subgraphs)}`] : [];
  });
  if (!parts.length) return [];
  const on = find(run.rows, "ours", w)?.cpuMs;
  const off = find(run.rows, "ours-ungoverned", w)?.cpuMs;
  const gov = on && off ? ` Governance on adds ${ms(on.gateway - off.gateway)} ms per request in the gateway and ${ms(on.subgraphs - off.subgraphs)} ms in the subgraphs (which verify the signed caller context and apply its row scope).` : "";
  return [
    `Where the time goes (\`${w}\`, CPU ms per request, gateway + the four subgraphs): ${parts.join("; ")}. The gateway, the subgraphs and the load generator share ${cpus().length} cores, so req/s is roughly ${cpus().length * 1000} ms ÷ (the sum + the load generator's share): the subgraphs' work bounds every gateway's throughput, and the gateway's own CPU per request (table above) is what differs between gateways.${gov}`,
    "",
  ];
}


export function versionsOf(root: string, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const p = join(root, "node_modules", n, "package.json");
    out[n] = existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as { version: string }).version : "not installed";
  }
  return out;
}

export const VERSIONED = [
  "@apollo/gateway",
  "@apollo/server",
  "@as-integrations/fastify",
  "fastify",
  "mercurius",
  "graphql",
  "@electric-sql/pglite",
  "@graphql-hive/gateway",
  "@graphql-hive/gateway-runtime",
  "@graphql-hive/router-runtime",
  "@graphql-hive/router-query-planner",
  "autocannon",
  "tsx",
];

export function machine(): string {
  const c = cpus();
  return `${c.length} CPU${c.length === 1 ? "" : "s"} (${c[0]?.model?.trim() ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function markdownSection(run: RunInfo, root: string): string {
  const v = versionsOf(root, VERSIONED);
  const t = targets(run);
  const problems = run.rows.filter((r) => r.verifyProblem || (r.sample && r.sample.failed) || errorCount(r) || (r.foreignCpu ?? 0) > FOREIGN_CPU_WARN);
  const na = run.gateways.filter((g) => g.notAvailable);
  const measured = run.rows.filter((r) => r.result);
  const maxForeign = Math.max(0, ...measured.map((r) => r.foreignCpu ?? 0));
  const disturbed = measured.filter((r) => (r.foreignCpu ?? 0) > FOREIGN_CPU_WARN);
  const setup =
    run.mode === "isolation"
      ? `Setup (measurement 1, gateway in isolation): the four departments are replaced by an answer server (tests/bench/replay-server.ts, one node process, one port per department) that replays, for each exact subgraph request, the answer the real department gave: the real departments (compiled, PGlite, ${run.citizens.toLocaleString("en")} synthetic citizens, \`ACCEPT_UNSIGNED=true\` for the peers) were started once, every request body of every workload was sent once through every gateway with the answer server forwarding and recording (${run.replay?.file ?? "?"}, recorded ${run.replay?.recordedAt ?? "?"}; ${Object.values(run.replay?.keys ?? {}).reduce((a, b) => a + b, 0).toLocaleString("en")} distinct requests), then the departments were stopped. Requests are keyed by department, canonical body (query, variables with sorted keys, operation name) and, for our signed requests, the forwarded caller context (the department's answer depends on the caller's row scope; signature, timestamp and nonce are ignored); a request it has not recorded is an error (HTTP 502, REPLAY_MISS), never a guess — in this run: ${run.replay?.hits.toLocaleString("en") ?? "?"} answered, ${run.replay?.misses ?? "?"} unrecorded. Every gateway runs as its own node process on its own port (ours ${run.buildNote ?? ""}) against the same answer server (all started side by side; an idle gateway uses no CPU). Ours as shipped writes an access-log record per personal-data response into its embedded access log (PGlite, in its access-log writer process, as shipped; counted in its CPU and its process tree).` +
        ` Load: autocannon in the harness process, ${run.connections} connections; per workload each gateway gets ${run.warmupS} s of warm-up, then ${run.durationS} s are measured per gateway in interleaved slices (${run.rounds ?? 1} round(s), the order rotating), so that drift of this shared machine falls on every gateway alike; all on 127.0.0.1. CPU ms/req: CPU time (user + system, /proc) of the gateway's process tree and of the answer server during the measured slices ÷ requests served. RSS: VmRSS sampled every 250 ms under load: the gateway's own process, and all its node processes together (ours: with its access-log writer).` +
        ` Load conditions: ${atStart(run)}; processes outside the benchmark used at most ${(maxForeign * 100).toFixed(1)} % of the machine's CPU during any measured slice` +
        (disturbed.length ? ` (**disturbed** above 5 %: ${disturbed.length} of ${measured.length} rows)` : "") +
        ". Figures compare gateways within this run; they are not capacity figures."
      : "";
  return [
    `## ${sectionTitle(run)}`,
    "",
    "```sh",
    run.command,
    "```",
    "",
    `Measured ${run.date} on ${machine()}. Versions: ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(", ")}.`,
    "",
    setup ||
      (    `Setup: the four department subgraphs (Fastify + mercurius, PGlite, ${run.citizens.toLocaleString("en")} synthetic citizens; ${run.dataNote}) run as child processes with` +
      " `ACCEPT_UNSIGNED=true`, and every gateway runs as its own node process on its own port against the same subgraphs and the same supergraph (all started side by side; an idle gateway uses no CPU)" +
      ` (peers: \`.bench/supergraph-peers.graphql\`, routing URLs of the run, \`for: SECURITY\` removed). Load: autocannon in the harness process,` +
      ` ${run.connections} connections; first every workload runs unmeasured for ${Math.max(3, run.warmupS * 2)} s through the first gateway (warm subgraphs for all); then per workload each gateway gets ${run.warmupS} s of warm-up, and ${run.durationS} s are measured per gateway in interleaved slices (${run.rounds ?? 1} round(s): every gateway in turn, the order rotating each round), so that drift of this shared machine falls on every gateway alike; all on 127.0.0.1 — the load generator,` +
      " the gateway and the four subgraphs share the machine's cores, so figures compare gateways within this run; they are not capacity figures." +
      " Ours (governance on) gets a community-officer token for every community with `x-purpose: subsidy-review`, and writes an access-log record per response" +
      " (PGlite, in the gateway's access-log writer process); governance off and the peers send no token. Errors: non-2xx responses, 2xx responses with GraphQL errors and socket errors, counted on every" +
      ` response of the measured run (each workload is also verified per gateway before measuring, with its first and last variable set, and ${run.rows.find((r) => r.sample)?.sample?.sampled ?? 0} requests are checked one by one after it). RSS: VmRSS of the gateway's` +
      " node processes, sampled every 250 ms, peak over warm-up and measurement, of the largest process (ours as shipped also runs its embedded access log in a writer process of its own; both are counted in its CPU and listed below). CPU ms/req: CPU time (user + system, from /proc) of the gateway process" +
      " and of the four subgraph processes during the measured run, divided by the requests served — where the time goes." +
      ` Quiet machine check: ${atStart(run)}; processes outside the benchmark used at most ${(maxForeign * 100).toFixed(1)} % of the machine's CPU during any measured run` +
      (disturbed.length ? ` (**disturbed**: ${disturbed.map((r) => `${r.gateway} × ${r.workload}`).join(", ")})` : "") +
      "."),
    "",
    run.sameRequest
      ? "Workloads (`--same-request`: one identical request per workload on every connection — gateways that coalesce identical in-flight subgraph fetches, as Hive Gateway does by default, serve most requests from other requests' subgraph responses):"
      : "Workloads (each rotates through distinct variable sets, more than the connections, so that requests in flight differ as in real traffic; with one identical request on every connection, `--same-request`, Hive Gateway's default coalescing of identical in-flight subgraph fetches serves most requests from other requests' subgraph responses):",
    "",
    ...run.workloads.map((w) => `- \`${w.name}\`: ${w.title}`),
    "",
    "Gateways:",
    "",
    ...run.gateways.map((g) => `- \`${g.name}\`: ${g.label}${g.notAvailable ? ` — **not available**: ${g.notAvailable}` : `; ready in ${fmt(g.startupSeconds, 1)} s, idle RSS ${fmt(g.idleRssMb)} MB, largest process at most ${fmt(g.peakRssMb)} MB from start to end${g.processes && g.processes > 1 ? `; ${g.processes} node processes, together at most ${fmt(g.treePeakRssMb)} MB under load` : ""}`}`),
    "",
    resultTable(run),
    "",
    "Throughput relative to stock Apollo (req/s ÷ stock Apollo's req/s, same workload):",
    "",
    ratioTable(run),
    "",
    "Gateway CPU per request relative to stock Apollo (the gateway's own cost — for ours as shipped including its access-log writer process — lower is leaner; the subgraphs are left out):",
    "",
    ratioTable(run, gatewayCpu),
    "",
    ...whereTimeGoes(run),
    "Targets of the performance issue:",
    "",
    "| target | result | measured |",
    "| --- | --- | --- |",
    ...t.map((x) => `| ${x.target} | ${mark(x.status)} | ${x.detail} |`),
    "",
    ...(problems.length || na.length
      ? [
          "Problems seen:",
          "",
          ...na.map((g) => `- \`${g.name}\`: not available — ${g.notAvailable}`),
          ...problems.map(
            (r) =>
              `- \`${r.gateway}\` × \`${r.workload}\`: ${[r.verifyProblem ? `verification: ${r.verifyProblem}` : "", errorCount(r) ? `${errorCount(r)} failed responses in the measured run (${r.result?.example ?? ""})` : "", r.sample?.failed ? `${r.sample.failed}/${r.sample.sampled} sampled responses failed (${r.sample.example ?? ""})` : "", (r.foreignCpu ?? 0) > FOREIGN_CPU_WARN ? `disturbed: other processes used ${((r.foreignCpu ?? 0) * 100).toFixed(0)} % of the machine's CPU during the measured run` : ""].filter(Boolean).join("; ")}`,
          ),
          "",
        ]
      : []),
  ].join("\n");
}

/** Replaces the "## Gateway throughput" section (up to the next `## ` heading) of BENCHMARKS.md. */
export function writeBenchmarks(path: string, section: string, title = "Gateway throughput"): void {
  const text = readFileSync(path, "utf8");
  const start = text.indexOf(`## ${title}\n`);
  let out: string;
  if (start < 0) {
    out = `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  } else {
    const rest = text.slice(start + 3);
    const next = rest.search(/^## /m);
    const tailText = next < 0 ? "" : rest.slice(next);
    out = `${text.slice(0, start)}${section.trimEnd()}\n${tailText ? `\n${tailText}` : ""}`;
  }
  writeFileSync(path, out);
}

/** The console version: the table, ratios and targets. */
export function consoleReport(run: RunInfo): string {
  return [
    "",
    resultTable(run),
    "",
    "req/s relative to stock Apollo:",
    ratioTable(run),
    "",
    "gateway CPU per request relative to stock Apollo (lower is leaner):",
    ratioTable(run, gatewayCpu),
    "",
    ...targets(run).map((x) => `${symbol(x.status)} ${x.target}: ${x.detail}`),
    ...runFailures(run).map((f) => `FAILED RUN: ${f}`),
    "",
    `${atStart(run)}; CPU used by other processes during measured runs: at most ${(Math.max(0, ...run.rows.map((r) => r.foreignCpu ?? 0)) * 100).toFixed(1)} % of the machine`,
  ].join("\n");
}

/** Why this run is a failed run (no verdict may be drawn from it), as messages; empty when it is usable. */
export function runFailures(run: RunInfo): string[] {
  const rows = run.rows.filter((r) => r.problem || (!r.result && !run.gateways.find((g) => g.name === r.gateway)?.notAvailable)).map((r) => `${r.gateway} × ${r.workload}: ${r.problem ?? r.notAvailable ?? "no result"}`);
  const gws = run.gateways.filter((g) => g.notAvailable).map((g) => `${g.name}: ${g.notAvailable!.split("\n")[0]}`);
  const replay = run.replay && run.replay.misses > 0 ? [`the answer server was asked ${run.replay.misses} request(s) it had not recorded (e.g. ${run.replay.missExamples[0] ?? "?"}): record again with --record`] : [];
  return [...gws, ...rows, ...replay, ...failures(targets(run))];
}
