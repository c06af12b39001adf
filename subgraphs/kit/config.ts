/**
 * Department configuration: the one place a department service reads its environment, once, purely
 * (`withSubgraphSecrets` creates the development secret, called by the entry points). Every variable is
 * defined in SUBGRAPH_VARS with its default and meaning; per-department ones are named by the department
 * record's prefix (`CIVIL_AFFAIRS_PORT`, …).
 */
import { resolve } from "node:path";
import { z } from "zod";
import { departmentRecord, type Department } from "../departments";
import { loadOrCreateSecret, secretFile } from "./contract/secrets";
import { envVar, int, logLevel, postgresUrl, readEnv } from "./contract/env";
import type { TracingConfig } from "./tracing";

/** Where OTLP/HTTP spans go by default: a collector on the same host. */
const DEFAULT_OTLP_ENDPOINT = "http://127.0.0.1:4318/v1/traces";

export const SUBGRAPH_VARS = {
  DATA_DIR: envVar(z.string().default("data"), "data", "folder of the embedded PGlite data folders, one per department"),
  SEED_CITIZENS: envVar(int(1, 5_000_000, 5000), "5000", "citizens generated when a department starts on an empty database"),
  SEED: envVar(z.coerce.number().int().default(20261101), "20261101", "seed of the synthetic data generator"),
  HOST: envVar(z.string().default("127.0.0.1"), "127.0.0.1", "interface the gateway and subgraphs listen on"),
  LOG_LEVEL: envVar(logLevel, "info", "pino log level of every service"),
  PG_POOL_SIZE: envVar(int(1, 200, 10), "10", "PostgreSQL connections per department"),
  INTERNAL_SIGNING_SECRET: envVar(z.string().min(16).optional(), "random, in `DATA_DIR/secrets/internal-signing.key`", "secret the gateway signs department requests with (same value for gateway and departments)"),
  SIGNATURE_MAX_SKEW_MS: envVar(int(1000, 600_000, 30_000), "30000", "oldest (and furthest in the future) signed request a department accepts; nonces are remembered for twice this long to refuse replays"),
  SHUTDOWN_TIMEOUT_MS: envVar(int(0, 600_000, 25_000), "25000", "on SIGTERM/SIGINT a service stops accepting connections and waits this long for requests in flight before cutting them (exit 1; 0 when all finished); keep it below the orchestrator's grace period (Kubernetes: `terminationGracePeriodSeconds`, 40 s in the manifest)"),
  METRICS_TOKEN: envVar(z.string().min(16, "must be at least 16 characters").optional(), "unset", "bearer token Prometheus sends to read `/metrics` of the gateway and the departments (`Authorization: Bearer …`); unset: `/metrics` answers only connections from the same host (loopback) that no proxy forwarded"),
  TRACING: envVar(z.enum(["off", "otlp", "console"]).default("off"), "off", "OpenTelemetry tracing of the gateway and the departments (W3C `traceparent` passed from the client through the gateway to the departments): `off` — nothing is recorded or sent; `otlp` — spans go over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`; `console` — each span is printed on standard output. Spans carry operation names, request ids, departments and outcomes, never variables, query text or citizen ids"),
  OTEL_EXPORTER_OTLP_ENDPOINT: envVar(z.string().url().default(DEFAULT_OTLP_ENDPOINT), DEFAULT_OTLP_ENDPOINT, "OTLP/HTTP traces endpoint (an OpenTelemetry Collector, Jaeger, Tempo…) with `TRACING=otlp`"),
  ACCEPT_UNSIGNED: envVar(z.enum(["true", "false"]).default("false"), "false", "departments: `true` serves requests without any signing header as a district-wide caller — for benchmarks against peer gateways only"),
};

/** Variables named after each department (shown in the README as `<DEPT>_…`). */
export const DEPARTMENT_VARS = {
  PORT: envVar(int(0, 65535, 0), "4001–4004", "port of a department (`CIVIL_AFFAIRS_PORT`, `PUBLIC_SECURITY_PORT`, …; defaults from `subgraphs/departments.ts`)"),
  DATABASE_URL: envVar(postgresUrl, "unset", "PostgreSQL URL of a department (e.g. `PUBLIC_SECURITY_DATABASE_URL=postgresql://user@db/public_security`); unset means embedded PGlite"),
};

export interface SubgraphConfig {
  department: Department;
  /** Port of this department's service. Env: <DEPT>_PORT. */
  port: number;
  host: string;
  /** PostgreSQL URL; when absent the embedded PGlite database under dataDir is used. Env: <DEPT>_DATABASE_URL. */
  databaseUrl?: string;
  /** PGlite folder of this department. */
  dataDir: string;
  /** Folder of the development secrets. */
  secretsDataDir: string;
  seedCitizens: number;
  seed: number;
  logLevel: z.infer<typeof logLevel>;
  pgPoolSize: number;
  /** Undefined until `withSubgraphSecrets` when it comes from the data folder. */
  signingSecret?: string;
  signatureMaxSkewMs: number;
  acceptUnsigned: boolean;
  /** Longest wait for requests in flight on shutdown (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Bearer token that reads /metrics (METRICS_TOKEN); unset: loopback only. */
  metricsToken?: string;
  /** OpenTelemetry tracing (TRACING, OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracing: TracingConfig;
}

export type ResolvedSubgraphConfig = SubgraphConfig & { signingSecret: string };

export function loadSubgraphConfig(dept: Department, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const s = readEnv(SUBGRAPH_VARS, env);
  const record = departmentRecord(dept);
  const own = readEnv({ [`${record.envPrefix}_PORT`]: DEPARTMENT_VARS.PORT, [`${record.envPrefix}_DATABASE_URL`]: DEPARTMENT_VARS.DATABASE_URL }, env);
  const port = (own[`${record.envPrefix}_PORT`] as number) || record.port;
  return {
    department: dept,
    port: env[`${record.envPrefix}_PORT`] === "0" ? 0 : port,
    host: s.HOST,
    databaseUrl: own[`${record.envPrefix}_DATABASE_URL`] as string | undefined,
    dataDir: resolve(s.DATA_DIR, record.folder),
    secretsDataDir: s.DATA_DIR,
    seedCitizens: s.SEED_CITIZENS,
    seed: s.SEED,
    logLevel: s.LOG_LEVEL,
    pgPoolSize: s.PG_POOL_SIZE,
    signingSecret: s.INTERNAL_SIGNING_SECRET,
    signatureMaxSkewMs: s.SIGNATURE_MAX_SKEW_MS,
    acceptUnsigned: s.ACCEPT_UNSIGNED === "true",
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    metricsToken: s.METRICS_TOKEN,
    tracing: { mode: s.TRACING, endpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT },
  };
}

/** The configuration with the shared signing secret, read from (or first created in) `DATA_DIR/secrets/`. */
export function withSubgraphSecrets(config: SubgraphConfig): ResolvedSubgraphConfig {
  return { ...config, signingSecret: loadOrCreateSecret(config.signingSecret, secretFile(config.secretsDataDir, "internal-signing")) };
}
