/**
 * Starts the whole system in process for tests: four department subgraphs (each on its own port, PGlite in
 * a scratch folder or PostgreSQL) and the gateway in front of them, all over real HTTP.
 */
import { mkdtempSync, rmSync, cpSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { startDepartment, type RunningDepartment } from "../../subgraphs/kit/serve";
import type { Department } from "../../subgraphs/departments";
import { buildGateway } from "../../gateway/src/app";
import { loadGatewayConfig } from "../../gateway/src/config";
import type { ServedSupergraph } from "../../gateway/src/supergraph";
import { fixtureDir } from "./fixtures";
import { randomBytes } from "node:crypto";
import { mintToken, type MintOptions } from "../../gateway/src/auth/mint";
import { loadPolicy } from "../../gateway/src/governance/policy";
import type { AuditStore } from "../../gateway/src/audit/store";

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
  headers: Headers;
}

export interface System {
  gatewayUrl: string;
  subgraphs: Record<Department, RunningDepartment>;
  /** POSTs to the gateway; by default as a community officer of every community, purpose subsidy-review. */
  /** The headers `gql` sends by default (a community officer of every community, purpose subsidy-review). */
  officer: Record<string, string>;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  /** A token for a built-in role, signed with this system's secret. */
  token(o: MintOptions): Promise<string>;
  /** Headers for a role: Authorization plus x-purpose when given. */
  as(o: MintOptions, purpose?: string): Promise<Record<string, string>>;
  audit: AuditStore;
  signingSecret: string;
  /** Where the gateway's supergraph comes from (the registry with `gateway: { supergraphSource: "registry" }`). */
  supergraph: ServedSupergraph;
  /** The gateway's data folder (the embedded registry lives in it). */
  dataDir: string;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Copy of a pre-seeded PGlite fixture of this many citizens (default 3000). */
  citizens?: number;
  /** PostgreSQL URL per department (instead of PGlite). */
  databaseUrls?: Partial<Record<Department, string>>;
  /** Gateway settings to override (e.g. authzMode). */
  gateway?: Partial<import("../../gateway/src/config").GatewayConfig>;
  /** Access-log store to use instead of the system's own (failure injection). */
  audit?: AuditStore;
  /** Receives the gateway's log lines (its level then defaults to info). */
  logStream?: { write(line: string): void };
  /** The departments' circuit breakers as the gateway should see them (readiness and metrics tests). */
  breakers?: () => import("../../gateway/src/plugins/metrics").BreakerLike[];
  /** Where the gateway reaches some departments instead of their own URL (fault injection: a fake in front of them). */
  subgraphUrls?: Partial<Record<Department, string>>;
  /** Tracing on in the gateway and the departments (spans go where `useSpanExporterForTests` says; default off). */
  tracing?: boolean;
  /** A different signing secret for some departments (misconfiguration injection). */
  subgraphSecrets?: Partial<Record<Department, string>>;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GqlResponse> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: GqlResponse["body"];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { errors: [{ message: text }] };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Tracing on; with `useSpanExporterForTests` the spans go to the test's exporter rather than standard output. */
const TRACING_ON = { mode: "console", endpoint: "http://127.0.0.1:4318/v1/traces" } as const;

export async function startSystem(opts: SystemOptions = {}): Promise<System> {
  const citizens = opts.citizens ?? 3000;
  const dataDir = mkdtempSync(join(tmpdir(), "cg-system-"));
  if (!opts.databaseUrls) cpSync(await fixtureDir(citizens), dataDir, { recursive: true });
  const subgraphs = {} as Record<Department, RunningDepartment>;
  const signingSecret = randomBytes(24).toString("base64url");
  const jwtSecret = randomBytes(24).toString("base64url");
  try {
    await Promise.all(
      SUBGRAPHS.map(async (mod) => {
        const dept = mod.name as Department;
        subgraphs[dept] = await startDepartment(mod, {
          port: 0,
          dataDir: join(dataDir, dept),
          databaseUrl: opts.databaseUrls?.[dept],
          seedCitizens: citizens,
          signingSecret: opts.subgraphSecrets?.[dept] ?? signingSecret,
          logLevel: (process.env.TEST_LOG_LEVEL as "silent") ?? "silent",
          ...(opts.tracing ? { tracing: TRACING_ON } : {}),
        });
      }),
    );
  } catch (e) {
    await Promise.all(Object.values(subgraphs).map((s) => s.app.close()));
    throw e;
  }
  const base = loadGatewayConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: jwtSecret, INTERNAL_SIGNING_SECRET: signingSecret, SUPERGRAPH_SOURCE: "file" });
  const { app, audit, supergraph } = await buildGateway({
    ...base,
    ...opts.gateway,
    port: 0,
    ...(opts.tracing ? { tracing: TRACING_ON } : {}),
    logLevel: (process.env.TEST_LOG_LEVEL as "silent") ?? (opts.logStream ? "info" : "silent"),
    subgraphUrls: { ...Object.fromEntries(Object.entries(subgraphs).map(([k, v]) => [k, v.url])), ...opts.gateway?.subgraphUrls, ...opts.subgraphUrls },
  }, { audit: opts.audit, breakers: opts.breakers, logStream: opts.logStream });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const addr = app.server.address();
  const gatewayUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/graphql`;
  const policy = loadPolicy(base.policyPath);
  const token = (o: MintOptions) => mintToken(policy, jwtSecret, o);
  const as = async (o: MintOptions, purpose?: string) => ({ authorization: `Bearer ${await token(o)}`, ...(purpose ? { "x-purpose": purpose } : {}) });
  const communities = ((await (subgraphs["civil-affairs"].db.prisma as any).community.findMany({ select: { id: true } })) as { id: string }[]).map((c) => c.id);
  const officer = await as({ role: "community-officer", communities }, "subsidy-review");
  return {
    gatewayUrl,
    subgraphs,
    token,
    as,
    audit,
    signingSecret,
    supergraph,
    dataDir,
    officer,
    gql: (query, variables, headers) => post(gatewayUrl, { query, variables }, headers ?? officer) as Promise<GqlResponse<any>>,
    async stop() {
      await app.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.app.close()));
      if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
