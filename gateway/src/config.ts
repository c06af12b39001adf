/**
 * Gateway configuration: the one place the gateway reads its environment. Every field has a doc comment
 * and a default that runs the embedded system on one machine.
 */
import { join, resolve } from "node:path";
import { loadOrCreateSecret, secretFile } from "../../subgraphs/kit/contract/secrets";
import { LIMIT_DEFAULTS, type LimitOptions } from "./plugins/limits";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

const schema = z.object({
  /** Port of the one public endpoint. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface to listen on. */
  HOST: z.string().default("127.0.0.1"),
  /** Path of the composed supergraph. */
  SUPERGRAPH_PATH: z.string().default(join(__dirname, "../../schema/supergraph.graphql")),
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Serve schema introspection (off in production; tools use the supergraph file instead). */
  INTROSPECTION: bool.default(false),
  /** Largest accepted request body, bytes. */
  BODY_LIMIT: z.coerce.number().int().min(1024).default(256 * 1024),
  /** Per-subgraph request timeout, milliseconds. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Keep-alive connections per department (requests beyond them wait for a free one). */
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(32),
  /** Share one answer between identical in-flight subgraph queries of the same caller (on/off). */
  SUBGRAPH_COALESCE: z.enum(["on", "off"]).default("on"),
  /** Folder of the embedded default's data (PGlite folders, development secrets). */
  DATA_DIR: z.string().default("data"),
  /** HS256 secret for caller tokens; default: a random secret kept in DATA_DIR/secrets. */
  AUTH_JWT_SECRET: z.string().min(16).optional(),
  /** JWKS URL of the identity provider (production); when set, HS256 tokens are not accepted. */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** Expected `iss` claim. */
  AUTH_ISSUER: z.string().default("citizen-graph"),
  /** Expected `aud` claim. */
  AUTH_AUDIENCE: z.string().default("citizen-graph"),
  /** Longest token lifetime accepted, seconds (tokens must carry `exp`). */
  AUTH_MAX_TOKEN_LIFETIME: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(24 * 3600),
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, seconds. */
  AUTH_CLOCK_SKEW: z.coerce.number().int().min(0).max(600).default(60),
  /** Shared secret with which the gateway signs subgraph requests; default: kept in DATA_DIR/secrets. */
  INTERNAL_SIGNING_SECRET: z.string().min(16).optional(),
  /** filter: unauthorized fields come back null with an error; reject: the whole request is refused. */
  AUTHZ_MODE: z.enum(["filter", "reject"]).default("filter"),
  /** The role → purpose → sensitivity policy. */
  POLICY_PATH: z.string().default(join(__dirname, "../../schema/policy.yaml")),
  /** on: identity, authorization, purpose, masking and access log; off: none of them (benchmarks only). */
  GOVERNANCE: z.enum(["on", "off"]).default("on"),
  /** Deepest selection nesting of an operation. */
  MAX_DEPTH: z.coerce.number().int().min(1).default(LIMIT_DEFAULTS.maxDepth),
  /** Most aliases in an operation. */
  MAX_ALIASES: z.coerce.number().int().min(0).default(LIMIT_DEFAULTS.maxAliases),
  /** Highest estimated cost of an operation. */
  MAX_COST: z.coerce.number().int().min(1).default(LIMIT_DEFAULTS.maxCost),
  /** Most lexical tokens in a query document. */
  MAX_TOKENS: z.coerce.number().int().min(1).default(LIMIT_DEFAULTS.maxTokens),
  /** Most directives in an operation. */
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(LIMIT_DEFAULTS.maxDirectives),
  /** Most operations in one batched request; 0 or 1 turns batching off. */
  MAX_BATCH: z.coerce.number().int().min(0).default(LIMIT_DEFAULTS.maxBatch),
  /** PostgreSQL URL of the access log; default: PGlite in DATA_DIR/gateway-audit. */
  AUDIT_DATABASE_URL: z.string().optional(),
});

export type GatewayConfig = {
  port: number;
  host: string;
  supergraphPath: string;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
  introspection: boolean;
  bodyLimit: number;
  subgraphTimeoutMs: number;
  subgraphConnections: number;
  coalesceSubgraphRequests: boolean;
  /** Routing URL overrides by subgraph name, from <NAME>_URL (e.g. ELDERLY_CARE_URL). */
  subgraphUrls: Record<string, string>;
  dataDir: string;
  auth: { hs256Secret?: string; jwksUrl?: string; issuer: string; audience: string; maxLifetimeS: number; clockSkewS: number };
  signingSecret: string;
  authzMode: "filter" | "reject";
  governance: boolean;
  /** Hostile-input limits (MAX_DEPTH, MAX_ALIASES, MAX_COST, MAX_TOKENS, MAX_DIRECTIVES, MAX_BATCH). */
  limits: LimitOptions;
  policyPath: string;
  audit: { databaseUrl?: string; dataDir: string };
};

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = schema.parse(env);
  const subgraphUrls: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^([A-Z_]+)_URL$/.exec(k);
    if (m && v && !k.endsWith("DATABASE_URL") && !k.endsWith("JWKS_URL")) subgraphUrls[m[1].toLowerCase().replace(/_/g, "-")] = v;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    supergraphPath: resolve(e.SUPERGRAPH_PATH),
    logLevel: e.LOG_LEVEL,
    introspection: e.INTROSPECTION,
    bodyLimit: e.BODY_LIMIT,
    subgraphTimeoutMs: e.SUBGRAPH_TIMEOUT_MS,
    subgraphConnections: e.SUBGRAPH_CONNECTIONS,
    coalesceSubgraphRequests: e.SUBGRAPH_COALESCE === "on",
    subgraphUrls,
    dataDir: resolve(e.DATA_DIR),
    auth: {
      hs256Secret: e.AUTH_JWKS_URL ? undefined : loadOrCreateSecret(e.AUTH_JWT_SECRET, secretFile(e.DATA_DIR, "jwt-hs256")),
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      maxLifetimeS: e.AUTH_MAX_TOKEN_LIFETIME,
      clockSkewS: e.AUTH_CLOCK_SKEW,
    },
    signingSecret: loadOrCreateSecret(e.INTERNAL_SIGNING_SECRET, secretFile(e.DATA_DIR, "internal-signing")),
    authzMode: e.AUTHZ_MODE,
    governance: e.GOVERNANCE === "on",
    limits: { maxDepth: e.MAX_DEPTH, maxAliases: e.MAX_ALIASES, maxCost: e.MAX_COST, maxTokens: e.MAX_TOKENS, maxDirectives: e.MAX_DIRECTIVES, maxBatch: e.MAX_BATCH },
    policyPath: resolve(e.POLICY_PATH),
    audit: { databaseUrl: e.AUDIT_DATABASE_URL, dataDir: join(resolve(e.DATA_DIR), "gateway-audit") },
  };
}
