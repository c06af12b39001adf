/**
 * Gateway configuration: the one place the gateway reads its environment. Every field has a doc comment
 * and a default that runs the embedded system on one machine.
 */
import { join, resolve } from "node:path";
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
});

export type GatewayConfig = {
  port: number;
  host: string;
  supergraphPath: string;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
  introspection: boolean;
  bodyLimit: number;
  subgraphTimeoutMs: number;
  /** Routing URL overrides by subgraph name, from <NAME>_URL (e.g. ELDERLY_CARE_URL). */
  subgraphUrls: Record<string, string>;
};

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = schema.parse(env);
  const subgraphUrls: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^([A-Z_]+)_URL$/.exec(k);
    if (m && v && !k.endsWith("DATABASE_URL") && k !== "JWKS_URL") subgraphUrls[m[1].toLowerCase().replace(/_/g, "-")] = v;
  }
  return {
    port: e.PORT,
    host: e.HOST,
    supergraphPath: resolve(e.SUPERGRAPH_PATH),
    logLevel: e.LOG_LEVEL,
    introspection: e.INTROSPECTION,
    bodyLimit: e.BODY_LIMIT,
    subgraphTimeoutMs: e.SUBGRAPH_TIMEOUT_MS,
    subgraphUrls,
  };
}
