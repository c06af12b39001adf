/**
 * `npm run bench [-- --quick]`: gateway throughput against stock Apollo Gateway and Hive Gateway.
 *
 * Seeds (once per size) a PGlite data set under .bench/, starts the four department subgraphs as child
 * processes, then each gateway as its own process on its own port — ours as shipped, ours with
 * GOVERNANCE=off, stock Apollo, Hive Gateway, Hive Gateway with the Rust query planner — and measures every
 * workload with autocannon in interleaved slices (each gateway warmed up, then every gateway in turn for
 * several rounds, the order rotating): req/s, p50/p95/p99 latency, errors, CPU and peak RSS. Prints a table, ratios to stock Apollo and the targets of the performance issue,
 * and (for a full run) writes them into BENCHMARKS.md. Every child process is stopped at the end, on
 * failure and on Ctrl-C; the exit code is 1 when a gateway could not start.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { DEPARTMENTS } from "../../subgraphs/departments";
import { freePorts } from "../helpers/ports";
import { installSignalHandlers, isRunning, startNode, stopAll, stopChild, tail, waitReady, type Child } from "./processes";
import { RssSampler } from "./rss";
import { cpuMsOf, cpuWindow } from "./cpu";
import { getStatus, postJson } from "./http";
import { mergeLoads, runLoad, sampleErrors, verifyOnce, type LoadResult } from "./load";
import { GATEWAY_NAMES, gatewaySpec, type GatewayName } from "./gateways";
import { writePeerSupergraph } from "./supergraph";
import { bodiesOf, buildWorkloads, callerCursors, discoverFacts, type DataFacts, type Workload } from "./workloads";
import { compiledEntry, ensureBuilt } from "./build";
import type { RecordingFile } from "./replay-server";
import { runProblem } from "./verdict";
import { consoleReport, FOREIGN_CPU_WARN, markdownSection, runFailures, sectionTitle, writeBenchmarks, type GatewayInfo, type Row, type RunInfo } from "./report";

const root = join(__dirname, "../..");
const JWT_SECRET = "bench-jwt-secret-do-not-use-in-production";
const SIGNING_SECRET = "bench-internal-signing-secret-do-not-use";

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name} must be a number ≥ ${min}`);
  return n;
};

const program = new Command("bench")
  .description("Gateway throughput: ours vs stock Apollo Gateway vs Hive Gateway, on the same subgraphs")
  .option("--quick", "small and short: 5,000 citizens, 20 connections, 1 s warm-up + 2 s per run (about 2 minutes, seeding included)")
  .option("--citizens <n>", "citizens in the data set (default 20,000; quick 5,000)", int("citizens", 100))
  .option("--duration <s>", "measured seconds per gateway × workload (default 15; quick 2)", int("duration", 1))
  .option("--warmup <s>", "warm-up seconds before each measured run (default 3; quick 1)", int("warmup", 0))
  .option("--connections <n>", "concurrent connections (default 50; quick 20)", int("connections", 1))
  .addOption(new Option("--only <gateways...>", "only these gateways").choices([...GATEWAY_NAMES]))
  .option("--workloads <names...>", "only these workloads (priority-elders, priority-elders-same, person-file, household, deep-nested)")
  .option("--same-request", "send one identical request per workload (no rotation through distinct variables)")
  .option("--write", "write BENCHMARKS.md even for a quick or partial run")
  .option("--no-write", "do not write BENCHMARKS.md")
  .option("--cpu-prof", "write V8 CPU profiles of the gateways and the subgraphs to .bench/profiles/ (summary: npm run bench:profile)")
  .option("--verbose", "echo the output of every child process")
  .option("--isolation", "measurement 1, gateway in isolation: the departments are replaced by an answer server replaying their recorded answers (recorded once per data set and sources, under .bench/replay/)")
  .option("--production", "measurement 2, the system in its production shape: departments on PostgreSQL, gateway governed with its access log on PostgreSQL, beside the embedded default (PGlite); 1 and 50 connections")
  .option("--monolith", "measurement 3, the price of federation: the federated system on PostgreSQL beside a monolith over one database (with --production: one run)")
  .option("--sizes <list>", "with --production/--monolith: data sizes in citizens, comma-separated (default 10000; PostgreSQL databases <prefix>_10k_* are seeded when missing, up to 100k)", "10000")
  .option("--db-prefix <p>", "with --production/--monolith: prefix of the PostgreSQL databases (<prefix>_10k_civil_affairs, …)", "cg")
  .option("--record", "with --isolation: record the answers again even when a recording exists")
  .option("--from-results <file>", "run nothing: print (and with --write, write into BENCHMARKS.md) the report of a saved .bench/results-*.json")
  .parse();

interface Opts {
  quick?: boolean;
  citizens?: number;
  duration?: number;
  warmup?: number;
  connections?: number;
  only?: GatewayName[];
  workloads?: string[];
  write?: boolean;
  cpuProf?: boolean;
  sameRequest?: boolean;
  verbose?: boolean;
  fromResults?: string;
  isolation?: boolean;
  record?: boolean;
  production?: boolean;
  monolith?: boolean;
  sizes: string;
  dbPrefix: string;
}

const t0 = Date.now();
const log = (s: string) => console.log(s.startsWith("\n") ? `\n[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s.slice(1)}` : `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

/** Environment for children: this one, minus every setting the services read (each child gets its own). */
function baseEnv(): NodeJS.ProcessEnv {
  const strip = /^(PORT|HOST|DATA_DIR|GOVERNANCE|AUTHZ_MODE|LOG_LEVEL|SUPERGRAPH_PATH|POLICY_PATH|INTROSPECTION|SEED|SEED_CITIZENS|BODY_LIMIT|SUBGRAPH_TIMEOUT_MS|PG_POOL_SIZE|SIGNATURE_MAX_SKEW_MS|ACCEPT_UNSIGNED|INTERNAL_SIGNING_SECRET|NODE_OPTIONS|NODE_ENV|FORK|CONFIG_PATH|AUTH_\w+|AUDIT_\w+|MAX_\w+|HIVE_\w+|APOLLO_\w+|\w+_URL|\w+_PORT)$/;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !strip.test(k)));
}

function ensurePrismaClients(): void {
  if (DEPARTMENTS.every((d) => existsSync(join(root, "subgraphs", d, "generated")))) return;
  log("generating the Prisma clients (npm run generate)…");
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "subgraphs/kit/prisma-cli.ts"), "generate"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run generate failed");
}

async function main(): Promise<number> {
  const o = program.opts<Opts>();
  if (o.fromResults) {
    const run = JSON.parse(readFileSync(o.fromResults, "utf8")) as RunInfo;
    log(consoleReport(run));
    const failed = runFailures(run);
    if (failed.length) {
      log(`FAILED RUN — no verdict can be drawn from it:\n${failed.map((f) => `  - ${f}`).join("\n")}`);
      return 1;
    }
    if (o.write) {
      writeBenchmarks(join(root, "BENCHMARKS.md"), markdownSection(run, root), sectionTitle(run));
      log(`BENCHMARKS.md: "${sectionTitle(run)}" section written`);
    }
    return 0;
  }
  if (o.production || o.monolith) return systemMain(o);
  const quick = !!o.quick;
  const citizens = o.citizens ?? (quick ? 5000 : 20_000);
  const durationS = o.duration ?? (quick ? 2 : 15);
  const warmupS = o.warmup ?? (quick ? 1 : 3);
  const connections = o.connections ?? (quick ? 20 : 50);
  const gatewayNames = o.only?.length ? GATEWAY_NAMES.filter((g) => o.only!.includes(g)) : [...GATEWAY_NAMES];
  const partial = quick || !!o.sameRequest || !!o.only?.length || !!o.workloads?.length || o.citizens !== undefined || o.duration !== undefined || o.connections !== undefined;
  const write = o.write ?? !partial;
  const sampleSize = quick ? 3 : 10;
  installSignalHandlers();
  const foreignAtStart = await waitQuiet(1);
  if (foreignAtStart > FOREIGN_CPU_WARN) log(`warning: other processes use ${(foreignAtStart * 100).toFixed(0)} % of the machine's CPU — they will skew the figures (measurements are interleaved, so every gateway meets them alike)`);

  ensurePrismaClients();
  // Loaded after the clients exist: the department modules import them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { prepareData } = require("./data") as typeof import("./data");
  const { SUBGRAPHS } = require("../../subgraphs/registry") as typeof import("../../subgraphs/registry");
  const { loadPolicy } = require("../../gateway/src/governance/policy") as typeof import("../../gateway/src/governance/policy");
  const { mintToken } = require("../../gateway/src/auth/mint") as typeof import("../../gateway/src/auth/mint");
  /* eslint-enable @typescript-eslint/no-require-imports */

  const benchDir = join(root, ".bench");
  mkdirSync(benchDir, { recursive: true });
  const buildNote = ensureBuilt(root, log);
  const isolation = !!o.isolation;
  // Measurement 1 reuses a recording of the real departments' answers when one exists for the same data
  // set, sources and gateways (then the departments are not started at all).
  const recordingPath = isolation ? join(benchDir, "replay", `answers-${citizens}-${recordingHash(!!o.sameRequest)}.json`) : "";
  const found = isolation && !o.record && existsSync(recordingPath) ? (JSON.parse(readFileSync(recordingPath, "utf8")) as RecordingFile) : undefined;
  // A recording serves any subset of the gateways it was recorded through.
  const cached = found && gatewayNames.every((g) => (found.meta.gateways as string[] | undefined)?.includes(g)) ? found : undefined;
  const data = cached ? undefined : await prepareData(root, citizens, undefined, log);
  const scratchDir = join(benchDir, `run-${process.pid}`);
  rmSync(scratchDir, { recursive: true, force: true });
  mkdirSync(scratchDir, { recursive: true });
  const env = baseEnv();
  let failedToStart = false;

  try {
    // 1. The four department subgraphs (compiled, PGlite) — or, for measurement 1, the answer server.
    const urls: Record<string, string> = {};
    let subgraphs: Child[] = [];
    let replay: Child | undefined;
    let replayControl = "";
    const departmentUrls: Record<string, string> = {};
    if (!cached) {
      const ports = await freePorts(SUBGRAPHS.length);
      SUBGRAPHS.forEach((mod, i) => {
        const prefix = mod.name.toUpperCase().replace(/-/g, "_");
        departmentUrls[mod.name] = `http://127.0.0.1:${ports[i]}/graphql`;
        const profDir = join(benchDir, "profiles", `subgraph-${mod.name}`);
        if (o.cpuProf) mkdirSync(profDir, { recursive: true });
        const prof = o.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [];
        subgraphs.push(
          startNode(mod.name, [...prof, compiledEntry(root, `subgraphs/${mod.name}/main.ts`)], {
            cwd: root,
            echo: o.verbose,
            env: { ...env, DATA_DIR: data!.dir, [`${prefix}_PORT`]: String(ports[i]), HOST: "127.0.0.1", LOG_LEVEL: "warn", ACCEPT_UNSIGNED: "true", INTERNAL_SIGNING_SECRET: SIGNING_SECRET, SEED_CITIZENS: String(citizens), NODE_ENV: "production" },
          }),
        );
      });
      log(`subgraphs: starting ${SUBGRAPHS.map((m) => m.name).join(", ")}…`);
      await Promise.all(subgraphs.map((c, i) => waitReady(c, async () => (await getStatus(departmentUrls[SUBGRAPHS[i].name].replace(/graphql$/, "health"))) === 200, 180_000)));
      log(`subgraphs: ready (${Object.values(departmentUrls).join(", ")})`);
    }
    if (isolation) {
      const ports = await freePorts(SUBGRAPHS.length);
      const args = [join(__dirname, "replay-server.ts"), ...(cached ? ["--replay", recordingPath] : ["--record", recordingPath, ...SUBGRAPHS.map((m) => ["--upstream", `${m.name}=${departmentUrls[m.name]}`]).flat()]), ...SUBGRAPHS.map((m, i) => ["--port", `${m.name}=${ports[i]}`]).flat()];
      mkdirSync(join(benchDir, "replay"), { recursive: true });
      replay = startNode("replay-server", ["--import", "tsx", ...args], { cwd: root, echo: o.verbose, env });
      SUBGRAPHS.forEach((m, i) => (urls[m.name] = `http://127.0.0.1:${ports[i]}/graphql`));
      replayControl = `http://127.0.0.1:${ports[0]}/__replay`;
      await waitReady(replay, async () => replay!.output.some((l) => l.startsWith("replay-server ready")), 60_000);
      log(`answer server: ${cached ? `replaying ${cached.answers.length} recorded answers from ${relative(root, recordingPath)} (recorded ${String(cached.meta.recordedAt ?? "earlier")})` : "recording the departments' answers"} on ${Object.values(urls).join(", ")}`);
    } else Object.assign(urls, departmentUrls);

    // 2. The records the workloads use, the peers' supergraph, our token.
    const facts = cached ? (cached.meta.facts as DataFacts) : await discoverFacts(departmentUrls);
    // Quick runs leave out the identical-request variant of the priority-elder page (time).
    const workloads = buildWorkloads(facts, !!o.sameRequest).filter((w) => (o.workloads?.length ? o.workloads.includes(w.name) : !(quick && w.name === "priority-elders-same")));
    if (!workloads.length) throw new Error(`no such workload: ${o.workloads?.join(", ")}`);
    for (const w of workloads) log(`workload ${w.name}: ${w.title}`);
    const peerSupergraphPath = writePeerSupergraph(join(root, "schema/supergraph.graphql"), join(benchDir, "supergraph-peers.graphql"), urls);
    const policy = loadPolicy(join(root, "schema/policy.yaml"));
    const authorization = `Bearer ${await mintToken(policy, JWT_SECRET, { role: "community-officer", communities: facts.communities, expiresIn: "24h" })}`;

    // 3. Every gateway, started side by side (an idle gateway uses no CPU); then each workload is measured
    //    in interleaved slices — every gateway in turn, several rounds, the order rotating — so that the
    //    drift of this shared machine falls on every gateway alike.
    const rows: Row[] = [];
    const gateways: GatewayInfo[] = [];
    const running: Running[] = [];
    const callerCursorMaps: Record<string, Record<string, Record<string, string>>> = {};
    // One gateway started, checked and its caller's cursors learnt; undefined when it is not available.
    const startGateway = async (name: GatewayName, port: number): Promise<Running | undefined> => {
      const spec = gatewaySpec(name, { root, port, urls, peerSupergraphPath, scratchDir, jwtSecret: JWT_SECRET, signingSecret: SIGNING_SECRET, authorization });
      const info: GatewayInfo = { name, label: spec.label };
      gateways.push(info);
      const unavailable = (reason: string) => {
        info.notAvailable = reason;
        for (const w of workloads) rows.push({ gateway: name, label: spec.label, workload: w.name, notAvailable: reason });
        failedToStart = true;
      };
      if (spec.unavailable) {
        log(`\n${name}: not available — ${spec.unavailable}`);
        unavailable(spec.unavailable);
        return undefined;
      }
      log(`${name}: ${spec.label}, port ${port}`);
      const url = `http://127.0.0.1:${port}/graphql`;
      const t0 = Date.now();
      const profDir = join(benchDir, "profiles", name);
      if (o.cpuProf) mkdirSync(profDir, { recursive: true });
      const args = o.cpuProf ? [`--cpu-prof`, `--cpu-prof-dir=${profDir}`, ...spec.args] : spec.args;
      const child = startNode(name, args, { cwd: root, echo: o.verbose, env: { ...env, ...spec.env } });
      const sampler = new RssSampler(child.pid).start();
      try {
        await waitReady(child, async () => (await postJson(url, JSON.stringify({ query: "{ __typename }" }), spec.headers, 5000)).status < 500, 120_000);
      } catch (e) {
        const reason = `did not start: ${(e instanceof Error ? e.message : String(e)).split("\n").slice(0, 6).join(" ").replace(/\s+/g, " ").slice(0, 600)}`;
        log(`${name}: ${reason}`);
        unavailable(reason);
        sampler.stop();
        await stopChild(child);
        return undefined;
      }
      info.startupSeconds = (Date.now() - t0) / 1000;
      info.idleRssMb = sampler.nowMb();
      sampler.takePeakMb();
      log(`${name}: ready in ${info.startupSeconds.toFixed(1)} s${parallelStart ? " (started beside the others)" : ""}, RSS ${info.idleRssMb.toFixed(0)} MB`);
      // Cursors are bound to the caller: a gateway with its own caller (ours governed) pages with its own.
      const saved = (cached?.meta.cursors as Record<string, Record<string, Record<string, string>>> | undefined)?.[name];
      const cursors: Record<string, Record<string, string>> = saved ?? {};
      if (!saved) {
        for (const w of buildWorkloads(facts, !!o.sameRequest)) {
          const m = await callerCursors(url, spec.headers, facts, w);
          if (m) cursors[w.name] = m;
        }
      }
      callerCursorMaps[name] = cursors;
      return { name, label: spec.label, url, headers: spec.headers, child, sampler, info, cursors };
    };
    // Quick runs start the gateways side by side (time); full runs one after another, so that each
    // startup time is measured alone.
    const parallelStart = quick;
    const ports = await freePorts(gatewayNames.length);
    const started = parallelStart
      ? await Promise.all(gatewayNames.map((name, i) => startGateway(name, ports[i])))
      : await gatewayNames.reduce<Promise<(Running | undefined)[]>>(async (acc, name, i) => [...(await acc), await startGateway(name, ports[i])], Promise.resolve([]));
    // Reports keep the gateways in their fixed order, whatever order they became ready in.
    gateways.sort((a, b) => gatewayNames.indexOf(a.name as GatewayName) - gatewayNames.indexOf(b.name as GatewayName));
    for (const r of started) if (r) running.push(r);
    if (isolation && !cached && running.length) {
      // Recording: every request body of every workload once through every gateway (several at a time),
      // so that the answer server holds each subgraph request these gateways make for them.
      log(`\nrecording: every request of every workload through every gateway…`);
      const allWorkloads = buildWorkloads(facts, !!o.sameRequest);
      for (const r of running) {
        for (const w of allWorkloads) {
          const bodies = bodiesOf(w, r.cursors?.[w.name]);
          let next = 0;
          let failed = 0;
          await Promise.all(
            Array.from({ length: Math.min(8, bodies.length) }, async () => {
              while (next < bodies.length) {
                const v = await verifyOnce(r.url, bodies[next++], r.headers, w.check);
                if (!v.ok) failed++;
              }
            }),
          );
          if (failed) log(`  ${r.name} × ${w.name}: ${failed} of ${bodies.length} requests failed while recording`);
        }
      }
      const stats = (await (await fetch(`${replayControl}/stats`)).json()) as { recorded: number; differing: number; upstreamErrors: number };
      const saved = await postJson(`${replayControl}/save`, JSON.stringify({ facts, cursors: callerCursorMaps, citizens, gateways: gatewayNames, dataDir: data ? relative(root, data.dir) : undefined, recordedAt: new Date().toISOString(), sameRequest: !!o.sameRequest }));
      await postJson(`${replayControl}/freeze`, "");
      log(`recorded ${stats.recorded} distinct subgraph requests (${stats.upstreamErrors} non-200 answers; ${stats.differing} asked again with another answer, the first kept) → ${relative(root, recordingPath)} (${saved.text}); the departments are stopped, the answer server replays from now on`);
      await Promise.all(subgraphs.map((c) => stopChild(c)));
      subgraphs = [];
    }
    if (running.length) {
      // The subgraphs' JIT and database caches are cold at first: warm them (not measured).
      const warmS = quick ? 1 : Math.max(3, warmupS * 2);
      log(`\nwarming the subgraphs: every workload for ${warmS} s through ${running[0].name} (not measured)`);
      for (const w of workloads) await runLoad({ url: running[0].url, bodies: bodiesOf(w, running[0].cursors?.[w.name]), headers: running[0].headers, connections, durationS: warmS });
    }
    const rounds = quick ? 1 : 3;
    for (const w of workloads) {
      log(`\n${w.name}: ${rounds} round(s) of ${Math.max(1, Math.round(durationS / rounds))} s per gateway`);
      rows.push(...(await measureInterleaved(running, w, { connections, durationS, warmupS, sampleSize, rounds }, replay ? [replay.pid] : subgraphs.map((c) => c.pid))));
    }
    for (const r of running) {
      r.info.peakRssMb = r.sampler.overallPeakMb();
      r.info.treePeakRssMb = Math.max(0, ...rows.filter((x) => x.gateway === r.name && x.treePeakRssMb !== undefined).map((x) => x.treePeakRssMb!));
      r.info.processes = r.sampler.processCount();
      r.sampler.stop();
    }
    await Promise.all(running.map((r) => stopChild(r.child, r.name.startsWith("ours") ? 8000 : 3000)));

    // 4. Report.
    const run: RunInfo = {
      date: new Date().toISOString().slice(0, 10),
      sameRequest: !!o.sameRequest,
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      citizens,
      connections,
      durationS,
      warmupS,
      rounds,
      workloads: workloads.map((w) => ({ name: w.name, title: w.title })),
      gateways,
      rows,
      foreignAtStart,
      dataNote: !data ? "answers recorded from it earlier" : data.seededSeconds !== undefined ? `seeded in ${data.seededSeconds.toFixed(0)} s by this run` : "seeded by an earlier run and reused",
      mode: isolation ? "isolation" : "departments",
      buildNote,
      replay: replay ? { ...((await (await fetch(`${replayControl}/stats`)).json()) as { hits: number; misses: number; missExamples: string[]; keys: Record<string, number> }), recordedAt: String(cached?.meta.recordedAt ?? "by this run"), file: relative(root, recordingPath) } : undefined,
    };
    log(consoleReport(run));
    const resultsPath = join(benchDir, `results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(resultsPath, JSON.stringify({ ...run, facts }, null, 2));
    log(`\nresults: ${relative(root, resultsPath)}`);
    const failed = runFailures(run);
    if (failed.length) {
      log(`\nFAILED RUN — no verdict can be drawn from it:\n${failed.map((f) => `  - ${f}`).join("\n")}\nBENCHMARKS.md not written.`);
      failedToStart = true;
    } else if (write) {
      writeBenchmarks(join(root, "BENCHMARKS.md"), markdownSection(run, root), sectionTitle(run));
      log(`BENCHMARKS.md: "${sectionTitle(run)}" section written`);
    } else {
      log("BENCHMARKS.md not written (quick or partial run; pass --write to write it anyway)");
    }
  } finally {
    await stopAll();
    rmSync(scratchDir, { recursive: true, force: true });
  }
  log("done");
  return failedToStart ? 1 : 0;
}

/** Measurements 2 and 3 (tests/bench/system.ts). */
async function systemMain(o: Opts): Promise<number> {
  installSignalHandlers();
  ensurePrismaClients();
  const buildNote = ensureBuilt(root, log);
  log(`services: ${buildNote}`);
  const profileDir = o.cpuProf ? join(root, ".bench/profiles", `system-${new Date().toISOString().replace(/[:.]/g, "-")}`) : undefined;
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    log(`CPU profiles of the gateway and the departments: ${relative(root, profileDir)} (summary: npm run bench:profile -- ${relative(root, profileDir)})`);
  }
  const { runSystem } = (require("./system") as typeof import("./system"));
  const quick = !!o.quick;
  const durationS = o.duration ?? (quick ? 5 : 24);
  const r = await runSystem({
    root,
    production: !!o.production,
    monolith: !!o.monolith,
    sizes: o.sizes.split(",").map((x) => Number(x.trim().replace(/k$/i, "000").replace(/m$/i, "000000"))),
    connections: o.connections !== undefined ? [o.connections] : [1, 50],
    durationS,
    warmupS: o.warmup ?? (quick ? 1 : 3),
    rounds: quick ? 1 : 2,
    pgUrl: process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432",
    dbPrefix: o.dbPrefix,
    env: baseEnv(),
    log,
    verbose: o.verbose,
    profileDir,
  });
  const title = o.production && o.monolith ? "Measurements 2 and 3: production shape and the price of federation" : o.production ? "Measurement 2: the system in its production shape" : "Measurement 3: the price of federation";
  const out = join(root, ".bench", `system-${new Date().toISOString().replace(/[:.]/g, "-")}.md`);
  writeFileSync(out, `## ${title}\n\n${r.markdown}`);
  writeFileSync(out.replace(/\.md$/, ".json"), JSON.stringify(r.rows, null, 2));
  log(`\n${r.markdown}\nreport: ${relative(root, out)}`);
  if (r.failed.length) {
    log(`\nFAILED RUN — no verdict can be drawn from it:\n${r.failed.map((f: string) => `  - ${f}`).join("\n")}`);
    return 1;
  }
  if (o.write) {
    writeBenchmarks(join(root, "BENCHMARKS.md"), `## ${title}\n\n${r.markdown}`, title);
    log(`BENCHMARKS.md: "${title}" section written`);
  }
  return 0;
}

/** Files whose content decides which subgraph requests the gateways send and what the departments answer. */
function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const f of readdirSync(dir).sort()) {
    if (f === "node_modules" || f === "generated" || f === "dist") continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) hashTree(h, p);
    else if (/\.(ts|graphql|yaml|sql|json)$/.test(f)) h.update(p.slice(root.length)).update(readFileSync(p));
  }
}

/** Cache key of a recording: the sources of the gateway, the departments, the schema and the workloads, and the lock file. */
function recordingHash(sameRequest: boolean): string {
  const h = createHash("sha256");
  for (const d of ["gateway", "subgraphs", "schema", "tests/bench/operations"]) hashTree(h, join(root, d));
  for (const f of ["tests/bench/workloads.ts", "package-lock.json"]) h.update(readFileSync(join(root, f)));
  h.update(String(sameRequest));
  return h.digest("hex").slice(0, 12);
}

/** Waits (up to `maxS` seconds) until other processes use less than FOREIGN_CPU_WARN of the machine for a second. */
async function waitQuiet(maxS: number): Promise<number> {
  let foreign = 1;
  for (let i = 0; i < maxS; i++) {
    const w = cpuWindow();
    await new Promise((r) => setTimeout(r, 1000));
    foreign = w.end().foreign;
    if (foreign < FOREIGN_CPU_WARN) break;
  }
  return foreign;
}

interface MeasureOptions {
  connections: number;
  durationS: number;
  warmupS: number;
  sampleSize: number;
  /** Measured slices per gateway; the order of gateways rotates every round. */
  rounds: number;
}

interface Running {
  name: GatewayName;
  label: string;
  url: string;
  headers: Record<string, string>;
  child: Child;
  sampler: RssSampler;
  info: GatewayInfo;
  /** Per workload, the cursors of this gateway's caller for the pool's cursors (workloads.callerCursors). */
  cursors?: Record<string, Record<string, string>>;
}

type CpuMs = NonNullable<Row["cpuMs"]>;

async function measureInterleaved(running: Running[], w: Workload, o: MeasureOptions, subgraphPids: number[]): Promise<Row[]> {
  const alive = running.filter((r) => isRunning(r.child));
  const rows: Row[] = running.filter((r) => !isRunning(r.child)).map((r) => ({ gateway: r.name, label: r.label, workload: w.name, notAvailable: `the gateway exited:\n${tail(r.child)}` }));
  const acc = new Map<string, { parts: LoadResult[]; cpu: CpuMs; foreign: number; peak: number; treePeak: number; mainPeak: number; verify: string | null; bytes: number }>();
  const bodiesBy = new Map(alive.map((r) => [r.name, bodiesOf(w, r.cursors?.[w.name])]));
  for (const r of alive) {
    const bodies = bodiesBy.get(r.name)!;
    // The first and the last variable set, verified before measuring; then this gateway's warm-up.
    let v = await verifyOnce(r.url, bodies[0], r.headers, w.check);
    if (v.ok && bodies.length > 1) v = await verifyOnce(r.url, bodies[bodies.length - 1], r.headers, w.check);
    if (!v.ok) log(`  ${r.name}: verification failed — ${v.problem}`);
    acc.set(r.name, { parts: [], cpu: { gateway: 0, gatewayMain: 0, subgraphs: 0, harness: 0, bySubgraph: subgraphPids.map(() => 0) }, foreign: 0, peak: 0, treePeak: 0, mainPeak: 0, verify: v.ok ? null : (v.problem ?? "failed"), bytes: v.bytes });
    r.sampler.takePeaksMb();
    if (o.warmupS > 0) await runLoad({ url: r.url, bodies, headers: r.headers, connections: o.connections, durationS: o.warmupS });
  }
  const sliceS = Math.max(1, Math.round(o.durationS / o.rounds));
  for (let round = 0; round < o.rounds; round++) {
    const order = alive.map((_, i) => alive[(i + round) % alive.length]);
    for (const r of order) {
      if (!isRunning(r.child)) continue;
      const a = acc.get(r.name)!;
      r.sampler.takePeaksMb();
      const cpu = cpuWindow();
      const result = await runLoad({ url: r.url, bodies: bodiesBy.get(r.name)!, headers: r.headers, connections: o.connections, durationS: sliceS });
      const usage = cpu.end();
      const peaks = r.sampler.takePeaksMb();
      a.parts.push(result);
      a.cpu.gateway += cpuMsOf(usage, [r.child.pid]);
      a.cpu.gatewayMain! += usage.msByPid.get(r.child.pid) ?? 0;
      a.cpu.subgraphs += cpuMsOf(usage, subgraphPids);
      a.cpu.harness += usage.msByPid.get(process.pid) ?? 0;
      subgraphPids.forEach((p, i) => (a.cpu.bySubgraph![i] += cpuMsOf(usage, [p])));
      a.foreign = Math.max(a.foreign, usage.foreign);
      a.peak = Math.max(a.peak, peaks.largest);
      a.treePeak = Math.max(a.treePeak, peaks.total);
      a.mainPeak = Math.max(a.mainPeak, peaks.main);
    }
  }
  for (const r of alive) {
    const a = acc.get(r.name)!;
    if (!a.parts.length) {
      rows.push({ gateway: r.name, label: r.label, workload: w.name, notAvailable: `the gateway exited:\n${tail(r.child)}` });
      continue;
    }
    const result = mergeLoads(a.parts);
    // A gateway that served nothing in a slice (e.g. stalled under --cpu-prof on a busy machine) is a failed
    // measurement: its figures are kept for the record but never judged.
    const problem = runProblem(a.parts, result.rps) ?? undefined;
    if (problem) log(`  ${r.name}: FAILED — ${problem}`);
    const per = (ms: number) => (result.requests ? ms / result.requests : NaN);
    const cpuMs: CpuMs = { gateway: per(a.cpu.gateway), gatewayMain: per(a.cpu.gatewayMain!), subgraphs: per(a.cpu.subgraphs), harness: per(a.cpu.harness), bySubgraph: a.cpu.bySubgraph!.map(per) };
    const sample = await sampleErrors(r.url, bodiesBy.get(r.name)!, r.headers, o.sampleSize);
    const errors = result.non2xx + result.graphqlErrors + result.transportErrors;
    log(
      `  ${r.name.padEnd(16)} ${result.rps.toFixed(1).padStart(8)} req/s  p50 ${result.p50.toFixed(1)} ms  p95 ${result.p95.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  errors ${errors}/${result.requests}  peak RSS ${a.peak.toFixed(0)} MB  CPU/request: gateway ${cpuMs.gateway.toFixed(1)} ms (main process ${cpuMs.gatewayMain!.toFixed(1)}), subgraphs ${cpuMs.subgraphs.toFixed(1)} ms [${cpuMs.bySubgraph!.map((x) => x.toFixed(1)).join(" + ")}]  (${(a.bytes / 1024).toFixed(1)} KB/response)`,
    );
    if (errors) log(`    e.g. ${result.example}`);
    if (sample.failed) log(`    ${sample.failed}/${sample.sampled} sampled requests failed, e.g. ${sample.example}`);
    if (a.foreign > FOREIGN_CPU_WARN) log(`    warning: other processes used ${(a.foreign * 100).toFixed(0)} % of the machine's CPU during a slice of this run`);
    rows.push({ gateway: r.name, label: r.label, workload: w.name, result, problem, peakRssMb: a.peak, gatewayRssMb: a.mainPeak, treePeakRssMb: a.treePeak, verifyProblem: a.verify, sample, foreignCpu: a.foreign, cpuMs });
  }
  return rows;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stopAll();
    process.exit(1);
  },
);
