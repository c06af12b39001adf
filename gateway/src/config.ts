/**
 * Gateway configuration: the one place the gateway reads its environment, once, purely (nothing is written:
 * development secrets are created by `withSecrets`, called by the entry points). Every variable is defined in
 * GATEWAY_VARS with its default and meaning; a bad value stops the start with a message naming it, and
 * `<NAME>_URL` variables that name no subgraph are reported.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { DEPARTMENT_RECORDS } from "../../subgraphs/departments";
import { loadOrCreateSecret, secretFile } from "../../subgraphs/kit/contract/secrets";
import { SUBGRAPH_VARS } from "../../subgraphs/kit/config";
import type { TracingConfig } from "../../subgraphs/kit/tracing";
import { bool, envVar, int, logLevel, postgresUrl, readEnv } from "../../subgraphs/kit/contract/env";
import { loadRegistryConfig, type RegistryConfig } from "../../schema/registry/config";
import { LIMIT_DEFAULTS, type LimitOptions } from "./plugins/limits";

export const GATEWAY_VARS = {
  PORT: envVar(int(0, 65535, 4000), "4000", "gateway port"),
  HOST: envVar(z.string().default("127.0.0.1"), "127.0.0.1", "interface the gateway and subgraphs listen on"),
  SUPERGRAPH_SOURCE: envVar(z.enum(["registry", "file"]).default("registry"), "registry", "where the gateway's supergraph comes from: `registry` — the schema registry's current version, swapped live when a new one is published (seeded from the SDL files on first start), with the registry's HTTP API, contract endpoints, safelists and usage records; `file` — `SUPERGRAPH_PATH`, fixed until restart, none of those"),
  SUPERGRAPH_PATH: envVar(z.string().default(join(__dirname, "../../schema/supergraph.graphql")), "schema/supergraph.graphql", "composed supergraph the gateway serves with `SUPERGRAPH_SOURCE=file` (and the fallback of an empty registry)"),
  SUBGRAPH_TIMEOUT_MS: envVar(int(100, 600_000, 5_000), "5000", "deadline for one fetch from a department — waiting for a connection, every attempt and retry, the whole answer; past it the department's fields are null with `SUBGRAPH_TIMEOUT` (per department: `<NAME>_TIMEOUT_MS`)"),
  SUBGRAPH_RETRIES: envVar(int(0, 10, 2), "2", "more attempts of a department query (never a mutation) after its connection was refused, reset or closed or it answered HTTP 5xx, with short random pauses (50 ms doubling per retry, at most 1 s), within `SUBGRAPH_TIMEOUT_MS`; then `SUBGRAPH_UNAVAILABLE`"),
  SUBGRAPH_BREAKER_FAILURES: envVar(int(1, 10_000, 5), "5", "consecutive failed fetches from a department (unreachable, timed out, HTTP 5xx, not a GraphQL response) that open its circuit breaker: its fields are then null with `SUBGRAPH_CIRCUIT_OPEN` at once, nothing is sent"),
  SUBGRAPH_BREAKER_COOLDOWN_MS: envVar(int(100, 600_000, 2_000), "2000", "how long a department's open breaker fails fast before one request probes it (half-open); an answer closes it, a failure opens it again"),
  SUBGRAPH_MAX_RESPONSE_BYTES: envVar(int(1024, 1024 * 1024 * 1024, 8 * 1024 * 1024), "8388608", "largest answer accepted from a department, bytes (declared or counted while it arrives); larger → its fields are null with `SUBGRAPH_RESPONSE_TOO_LARGE`"),
  SUBGRAPH_RESPONSE_BUDGET_BYTES: envVar(int(1024, 16 * 1024 * 1024 * 1024, 8 * 1024 * 1024), "8388608", "department answer bytes one gateway process holds at once (all departments): an answer's bytes count from its first byte until the response of the request that used it has been sent, and each request that uses a shared answer (identical requests in flight together) counts them again; an answer, or a request's copy, that would take it over is refused with `SUBGRAPH_RESPONSE_TOO_LARGE` (a partial result). While a request holds an answer it costs the gateway about ten times the answer's size (the text, the parse, the merged and governed result, the serialised response), so this bounds the gateway's memory however many departments send, or clients ask for, large answers at once; keep it at least `SUBGRAPH_MAX_RESPONSE_BYTES`"),
  SUBGRAPH_CONNECTIONS: envVar(int(1, 1024, 32), "32", "keep-alive connections per department; requests beyond them wait for a free one"),
  SUBGRAPH_COALESCE: envVar(z.enum(["on", "off"]).default("on"), "on", "identical subgraph queries in flight at the same time for the same caller (same signed caller context) share one answer; nothing is kept after it arrives; `off` sends every one"),
  INTROSPECTION: envVar(bool.default(false), "false", "serve schema introspection (tools can read `schema/supergraph.graphql` instead)"),
  BODY_LIMIT: envVar(int(1024, 64 * 1024 * 1024, 256 * 1024), "262144", "largest request body accepted by the gateway, bytes; larger → 413 `PAYLOAD_TOO_LARGE`"),
  MAX_DEPTH: envVar(int(1, 1000, LIMIT_DEFAULTS.maxDepth), String(LIMIT_DEFAULTS.maxDepth), "deepest selection nesting of an operation (a fragment spread counts as a level); deeper → `QUERY_TOO_DEEP`"),
  MAX_ALIASES: envVar(int(0, 10_000, LIMIT_DEFAULTS.maxAliases), String(LIMIT_DEFAULTS.maxAliases), "most aliased fields in an operation → `TOO_MANY_ALIASES`"),
  MAX_COST: envVar(int(1, Number.MAX_SAFE_INTEGER, LIMIT_DEFAULTS.maxCost), String(LIMIT_DEFAULTS.maxCost), "highest estimated cost of an operation: a field costs 1 (with a selection 2), children weigh 1.5× per level, a list multiplies its subtree by its page size (`first`, at most 1000; a list without paging arguments by 2) → `QUERY_TOO_COMPLEX`"),
  HEAVY_COST: envVar(int(1, Number.MAX_SAFE_INTEGER, 1_000_000), "1000000", "operations estimated above this cost are heavy: at most `MAX_HEAVY_OPERATIONS` run at once per gateway, 16 more wait, beyond that → 429 `RATE_LIMITED` (keeps many large answers from being merged at once)"),
  MAX_HEAVY_OPERATIONS: envVar(int(1, 1000, 2), "2", "heavy operations (see `HEAVY_COST`) one gateway process runs at once"),
  MAX_TOKENS: envVar(int(1, 1_000_000, LIMIT_DEFAULTS.maxTokens), String(LIMIT_DEFAULTS.maxTokens), "most lexical tokens in a query document; parsing stops there → `TOO_MANY_TOKENS`"),
  MAX_DIRECTIVES: envVar(int(0, 10_000, LIMIT_DEFAULTS.maxDirectives), String(LIMIT_DEFAULTS.maxDirectives), "most directives in an operation → `TOO_MANY_DIRECTIVES`"),
  MAX_BATCH: envVar(int(0, 1000, LIMIT_DEFAULTS.maxBatch), String(LIMIT_DEFAULTS.maxBatch), "most operations in one batched request (JSON array); `0` or `1` turns batching off (`BATCHING_DISABLED`), more → `BATCH_TOO_LARGE`"),
  GOVERNANCE: envVar(z.enum(["on", "off"]).default("on"), "on", "`off` disables identity, authorization, masking and the access log — for benchmarks only"),
  LOG_LEVEL: envVar(logLevel, "info", "pino log level of every service"),
  DATA_DIR: envVar(z.string().default("data"), "data", "folder of the embedded PGlite data folders (one per department, the access log) and the development secrets"),
  AUTH_JWT_SECRET: envVar(z.string().min(16).optional(), "random, in `DATA_DIR/secrets/jwt-hs256.key`", "HS256 secret of caller tokens (embedded default)"),
  AUTH_JWKS_URL: envVar(z.string().url().optional(), "unset", "JWKS of the identity provider (production); when set, HS256 tokens are refused"),
  AUTH_ISSUER: envVar(z.string().default("citizen-graph"), "citizen-graph", "expected `iss` claim"),
  AUTH_AUDIENCE: envVar(z.string().default("citizen-graph"), "citizen-graph", "expected `aud` claim"),
  AUTH_MAX_TOKEN_LIFETIME: envVar(int(60, 7 * 24 * 3600, 24 * 3600), "86400", "longest accepted token lifetime, seconds (`exp` − `iat`, and `exp` − now); tokens without `exp` are refused"),
  AUTH_CLOCK_SKEW: envVar(int(0, 600, 60), "60", "clock difference tolerated on `exp`, `nbf` and `iat`, seconds"),
  AUTHZ_MODE: envVar(z.enum(["filter", "reject"]).default("filter"), "filter", "`filter`: unauthorized fields are null with an error; `reject`: the whole request is refused"),
  POLICY_PATH: envVar(z.string().default(join(__dirname, "../../schema/policy.yaml")), "schema/policy.yaml", "the role → purpose → sensitivity policy"),
  INTERNAL_SIGNING_SECRET: envVar(z.string().min(16).optional(), "random, in `DATA_DIR/secrets/internal-signing.key`", "secret the gateway signs department requests with (same value for gateway and departments)"),
  AUDIT_DATABASE_URL: envVar(postgresUrl, "unset", "PostgreSQL URL of the access log, in its own database; unset means PGlite in `DATA_DIR/gateway-audit`"),
  REDIS_URL: envVar(z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").optional(), "unset", "Redis shared by all gateway processes (rate limits, verified tokens, revocations); unset: kept in the process (one gateway)"),
  REDIS_KEY_PREFIX: envVar(z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default("cg:"), "cg:", "prefix of every Redis key the gateways write (several deployments can share one Redis)"),
  RATE_LIMIT_PER_SECOND: envVar(int(0, 100_000, 50), "50", "requests per second a caller (token subject) may make, shared by all gateway processes through Redis; over it → 429 `RATE_LIMITED` with `Retry-After`; `0` turns it off (benchmarks)"),
  RATE_LIMIT_BURST: envVar(int(1, 1_000_000, 100), "100", "requests a caller may make at once before the per-second rate applies"),
  SHUTDOWN_TIMEOUT_MS: SUBGRAPH_VARS.SHUTDOWN_TIMEOUT_MS,
  METRICS_TOKEN: SUBGRAPH_VARS.METRICS_TOKEN,
  TRACING: SUBGRAPH_VARS.TRACING,
  OTEL_EXPORTER_OTLP_ENDPOINT: SUBGRAPH_VARS.OTEL_EXPORTER_OTLP_ENDPOINT,
  GATEWAY_HEAP_MB: envVar(int(0, 65_536, 256), "256", "V8 old-space limit `npm start` gives the gateway process (`--max-old-space-size`); `0` leaves V8's default. Deployments starting the gateway themselves should pass the same flag"),
  GATEWAY_GC_AFTER_ANSWER_BYTES: envVar(int(0, 1024 * 1024 * 1024, 4 * 1024 * 1024).refine((n) => n === 0 || n >= 1024 * 1024, "0 (never) or at least 1048576"), "4194304", "a department answer at least this large (read, or abandoned over a limit) asks the gateway for one full garbage collection once it has been cut to what was asked (`npm start` starts the gateway with `--expose-gc` for it; `0`: never, and no flag; else at least 1 MB). It runs only while the gateway's RSS is at least `GATEWAY_GC_ABOVE_RSS_MB`, and collections take at most a fifth of the gateway's time however many large answers arrive. The answer's copies are garbage by then, but V8 collects large garbage late: with 8 answers of 7.5 MB at once (`tests/e2e/department-memory`) the gateway peaked at 253–299 MB without it, 223–241 MB with it"),
  GATEWAY_GC_ABOVE_RSS_MB: envVar(int(0, 65_536, 192), "192", "RSS of the gateway process from which a large answer's end collects garbage (`GATEWAY_GC_AFTER_ANSWER_BYTES`); below it V8 decides alone"),
  GATEWAY_MALLOC_MMAP_THRESHOLD: envVar(int(0, 32 * 1024 * 1024, 128 * 1024), "131072", "glibc's mmap threshold for the gateway process, bytes (`MALLOC_MMAP_THRESHOLD_` in the environment `npm start` gives it): a block this large or larger — a department answer's buffers — gets a mapping of its own, returned to the system when freed; `0` leaves glibc's dynamic threshold, which after the first large answer keeps blocks of up to that answer's size in its heap, where they fragment (measured: 25–40 MB more peak RSS under large answers). Deployments starting the gateway themselves should set the same variable"),
  GATEWAY_SEMI_SPACE_MB: envVar(int(0, 1024, 0), "0", "V8 young-generation semi-space size for the gateway (`--max-semi-space-size`; `0`: V8's default, 16); 32 cuts gateway CPU ≈ 9 % but costs 25–45 MB of peak RSS"),
};

/** Gateway variables named after each department (shown in the README as `<NAME>_…`). */
export const GATEWAY_DEPARTMENT_VARS = {
  TIMEOUT_MS: envVar(z.coerce.number().int().min(100).max(600_000).optional(), "`SUBGRAPH_TIMEOUT_MS`", "deadline of one department's fetches, e.g. `PROPERTY_MANAGEMENT_TIMEOUT_MS=2000`; a `<NAME>_TIMEOUT_MS` naming no department is reported at start and ignored"),
};

/** `<NAME>_URL` names that are not subgraph routing URLs. */
const OTHER_URLS = new Set(["AUTH_JWKS_URL", "AUDIT_DATABASE_URL", "REGISTRY_DATABASE_URL"]);
/** The in-process subgraphs, which have no routing URL to override. */
const IN_PROCESS = new Set(["INSIGHTS", "ACCESS_LOG"]);

export type GatewayConfig = {
  port: number;
  host: string;
  supergraphPath: string;
  /** `registry`: the schema registry's current supergraph, live; `file`: supergraphPath. */
  supergraphSource: "registry" | "file";
  /** The schema registry (used with supergraphSource `registry`). */
  registry: RegistryConfig;
  logLevel: z.infer<typeof logLevel>;
  introspection: boolean;
  bodyLimit: number;
  subgraphTimeoutMs: number;
  /** Deadline overrides by subgraph name, from <NAME>_TIMEOUT_MS (e.g. ELDERLY_CARE_TIMEOUT_MS). */
  subgraphTimeouts: Record<string, number>;
  /** More attempts of a failed department query (SUBGRAPH_RETRIES). */
  subgraphRetries: number;
  /** Per-department circuit breakers (SUBGRAPH_BREAKER_FAILURES, SUBGRAPH_BREAKER_COOLDOWN_MS). */
  breaker: { failures: number; cooldownMs: number };
  /** Largest department answer, and the answer bytes in flight in the process (SUBGRAPH_MAX_RESPONSE_BYTES, SUBGRAPH_RESPONSE_BUDGET_BYTES). */
  subgraphMaxResponseBytes: number;
  subgraphResponseBudgetBytes: number;
  /** Answer size from which the gateway collects garbage once done with it (GATEWAY_GC_AFTER_ANSWER_BYTES; 0: never). */
  gcAfterAnswerBytes: number;
  /** RSS from which those collections run (GATEWAY_GC_ABOVE_RSS_MB). */
  gcAboveRssBytes: number;
  subgraphConnections: number;
  coalesceSubgraphRequests: boolean;
  /** Routing URL overrides by subgraph name, from <NAME>_URL (e.g. ELDERLY_CARE_URL). */
  subgraphUrls: Record<string, string>;
  dataDir: string;
  /** HS256 secret (undefined until `withSecrets` when it comes from the data folder; never with JWKS). */
  auth: { hs256Secret?: string; jwksUrl?: string; issuer: string; audience: string; maxLifetimeS: number; clockSkewS: number };
  /** The department signing secret (undefined until `withSecrets` when it comes from the data folder). */
  signingSecret?: string;
  authzMode: "filter" | "reject";
  governance: boolean;
  /** Hostile-input limits (MAX_DEPTH, MAX_ALIASES, MAX_COST, MAX_TOKENS, MAX_DIRECTIVES, MAX_BATCH). */
  limits: LimitOptions;
  /** Admission of heavy operations (HEAVY_COST, MAX_HEAVY_OPERATIONS). */
  heavy: { cost: number; max: number; waiting: number };
  policyPath: string;
  audit: { databaseUrl?: string; dataDir: string };
  /** Where state shared by gateway processes lives (REDIS_URL), and the per-caller rate limit. */
  redisUrl?: string;
  redisKeyPrefix: string;
  rateLimit: { perSecond: number; burst: number };
  /** Longest wait for requests in flight on shutdown (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Bearer token that reads /metrics (METRICS_TOKEN); unset: loopback only. */
  metricsToken?: string;
  /** OpenTelemetry tracing (TRACING, OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracing: TracingConfig;
  /** Node flags for the gateway process (GATEWAY_HEAP_MB, GATEWAY_SEMI_SPACE_MB, GATEWAY_GC_AFTER_ANSWER_BYTES). */
  nodeFlags: string[];
  /** Environment for the gateway process set by whoever starts it (GATEWAY_MALLOC_MMAP_THRESHOLD). */
  processEnv: Record<string, string>;
  /** Things worth a warning at start (e.g. a <NAME>_URL naming no subgraph). */
  warnings: string[];
};

/** A gateway configuration whose secrets are known. */
export type ResolvedGatewayConfig = GatewayConfig & { signingSecret: string };

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  // Every variable is checked in one pass (all bad values reported together), <NAME>_TIMEOUT_MS included.
  const timeoutVars = Object.fromEntries(DEPARTMENT_RECORDS.map((d) => [`${d.envPrefix}_TIMEOUT_MS`, GATEWAY_DEPARTMENT_VARS.TIMEOUT_MS]));
  const e = readEnv({ ...timeoutVars, ...GATEWAY_VARS } as typeof GATEWAY_VARS, env);
  const known = new Set<string>(DEPARTMENT_RECORDS.map((d) => d.envPrefix));
  const subgraphUrls: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    const m = /^([A-Z0-9_]+)_URL$/.exec(k);
    if (!m || !v || OTHER_URLS.has(k) || k.endsWith("_DATABASE_URL")) continue;
    if (IN_PROCESS.has(m[1])) warnings.push(`${k} is ignored: that subgraph runs inside the gateway`);
    else if (!known.has(m[1])) warnings.push(`${k} names no subgraph (known: ${[...known].map((p) => `${p}_URL`).join(", ")}); ignored`);
    else subgraphUrls[m[1].toLowerCase().replace(/_/g, "-")] = v;
  }
  // <NAME>_TIMEOUT_MS: each department's own deadline.
  const subgraphTimeouts: Record<string, number> = {};
  for (const d of DEPARTMENT_RECORDS) {
    const ms = (e as unknown as Record<string, number | undefined>)[`${d.envPrefix}_TIMEOUT_MS`];
    if (ms !== undefined) subgraphTimeouts[d.name] = ms;
  }
  for (const [k, v] of Object.entries(env)) {
    const m = /^([A-Z0-9_]+)_TIMEOUT_MS$/.exec(k);
    if (!m || !v || k in GATEWAY_VARS || k in timeoutVars) continue;
    if (IN_PROCESS.has(m[1])) warnings.push(`${k} is ignored: that subgraph runs inside the gateway`);
    else warnings.push(`${k} names no department (known: ${[...known].map((p) => `${p}_TIMEOUT_MS`).join(", ")}); ignored`);
  }
  const dataDir = resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    supergraphPath: resolve(e.SUPERGRAPH_PATH),
    supergraphSource: e.SUPERGRAPH_SOURCE,
    registry: loadRegistryConfig(env),
    logLevel: e.LOG_LEVEL,
    introspection: e.INTROSPECTION,
    bodyLimit: e.BODY_LIMIT,
    subgraphTimeoutMs: e.SUBGRAPH_TIMEOUT_MS,
    subgraphTimeouts,
    subgraphRetries: e.SUBGRAPH_RETRIES,
    breaker: { failures: e.SUBGRAPH_BREAKER_FAILURES, cooldownMs: e.SUBGRAPH_BREAKER_COOLDOWN_MS },
    subgraphMaxResponseBytes: e.SUBGRAPH_MAX_RESPONSE_BYTES,
    subgraphResponseBudgetBytes: e.SUBGRAPH_RESPONSE_BUDGET_BYTES,
    gcAfterAnswerBytes: e.GATEWAY_GC_AFTER_ANSWER_BYTES,
    gcAboveRssBytes: e.GATEWAY_GC_ABOVE_RSS_MB * 1024 * 1024,
    subgraphConnections: e.SUBGRAPH_CONNECTIONS,
    coalesceSubgraphRequests: e.SUBGRAPH_COALESCE === "on",
    subgraphUrls,
    dataDir,
    auth: { hs256Secret: e.AUTH_JWKS_URL ? undefined : e.AUTH_JWT_SECRET, jwksUrl: e.AUTH_JWKS_URL, issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE, maxLifetimeS: e.AUTH_MAX_TOKEN_LIFETIME, clockSkewS: e.AUTH_CLOCK_SKEW },
    signingSecret: e.INTERNAL_SIGNING_SECRET,
    authzMode: e.AUTHZ_MODE,
    governance: e.GOVERNANCE === "on",
    limits: { maxDepth: e.MAX_DEPTH, maxAliases: e.MAX_ALIASES, maxCost: e.MAX_COST, maxTokens: e.MAX_TOKENS, maxDirectives: e.MAX_DIRECTIVES, maxBatch: e.MAX_BATCH },
    heavy: { cost: e.HEAVY_COST, max: e.MAX_HEAVY_OPERATIONS, waiting: 16 },
    policyPath: resolve(e.POLICY_PATH),
    audit: { databaseUrl: e.AUDIT_DATABASE_URL, dataDir: join(dataDir, "gateway-audit") },
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    rateLimit: { perSecond: e.RATE_LIMIT_PER_SECOND, burst: e.RATE_LIMIT_BURST },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    tracing: { mode: e.TRACING, endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
    nodeFlags: [...(e.GATEWAY_HEAP_MB > 0 ? [`--max-old-space-size=${e.GATEWAY_HEAP_MB}`] : []), ...(e.GATEWAY_SEMI_SPACE_MB > 0 ? [`--max-semi-space-size=${e.GATEWAY_SEMI_SPACE_MB}`] : []), ...(e.GATEWAY_GC_AFTER_ANSWER_BYTES > 0 ? ["--expose-gc"] : [])],
    processEnv: e.GATEWAY_MALLOC_MMAP_THRESHOLD > 0 ? { MALLOC_MMAP_THRESHOLD_: String(e.GATEWAY_MALLOC_MMAP_THRESHOLD) } : {},
    warnings,
  };
}

/**
 * The configuration with its development secrets: those not given in the environment are read from
 * `DATA_DIR/secrets/`, and created there (random, mode 0600) the first time. Called by the entry points.
 */
export function withSecrets(config: GatewayConfig): ResolvedGatewayConfig {
  return {
    ...config,
    auth: { ...config.auth, hs256Secret: config.auth.jwksUrl ? undefined : loadOrCreateSecret(config.auth.hs256Secret, secretFile(config.dataDir, "jwt-hs256")) },
    signingSecret: loadOrCreateSecret(config.signingSecret, secretFile(config.dataDir, "internal-signing")),
  };
}
