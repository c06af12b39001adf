/**
 * Subgraph configuration: the one place a department service reads its environment.
 * Every field has a default that runs the embedded system on one machine.
 */
import { resolve } from "node:path";
import { z } from "zod";
import type { Department } from "../departments";
import { loadOrCreateSecret, secretFile } from "./contract/secrets";

const envPrefix = (dept: Department) => dept.toUpperCase().replace(/-/g, "_");

/** Default port of each department service (the gateway listens on 4000). */
export const DEFAULT_PORTS: Record<Department, number> = {
  "civil-affairs": 4001,
  "public-security": 4002,
  "elderly-care": 4003,
  "property-management": 4004,
};

const shared = z.object({
  /** Folder holding one PGlite data folder per department (embedded default). */
  DATA_DIR: z.string().default("data"),
  /** Citizens generated when an empty database is seeded on first start. */
  SEED_CITIZENS: z.coerce.number().int().min(1).max(5_000_000).default(5000),
  /** Seed of the synthetic data generator. */
  SEED: z.coerce.number().int().default(20261101),
  /** Interface to listen on. */
  HOST: z.string().default("127.0.0.1"),
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** PostgreSQL pool size per department when a database URL is set. */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Secret shared with the gateway, which signs every request; default: kept in DATA_DIR/secrets. */
  INTERNAL_SIGNING_SECRET: z.string().min(16).optional(),
  /** Largest accepted age of a signed request, milliseconds. */
  SIGNATURE_MAX_SKEW_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Benchmarks only: treat unsigned requests as a district-wide caller, so peer gateways can be measured. */
  ACCEPT_UNSIGNED: z.enum(["true", "false"]).default("false"),
});

export interface SubgraphConfig {
  department: Department;
  /** Port of this department's service. Env: <DEPT>_PORT. */
  port: number;
  host: string;
  /** PostgreSQL URL; when absent the embedded PGlite database under dataDir is used. Env: <DEPT>_DATABASE_URL. */
  databaseUrl?: string;
  /** PGlite folder of this department. */
  dataDir: string;
  seedCitizens: number;
  seed: number;
  logLevel: z.infer<typeof shared>["LOG_LEVEL"];
  pgPoolSize: number;
  signingSecret: string;
  signatureMaxSkewMs: number;
  acceptUnsigned: boolean;
}

export function loadSubgraphConfig(dept: Department, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const s = shared.parse(env);
  const p = envPrefix(dept);
  const port = z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORTS[dept]).parse(env[`${p}_PORT`] || undefined);
  const databaseUrl = env[`${p}_DATABASE_URL`] || undefined;
  return {
    department: dept,
    port,
    host: s.HOST,
    databaseUrl,
    dataDir: resolve(s.DATA_DIR, dept),
    seedCitizens: s.SEED_CITIZENS,
    seed: s.SEED,
    logLevel: s.LOG_LEVEL,
    pgPoolSize: s.PG_POOL_SIZE,
    signingSecret: loadOrCreateSecret(s.INTERNAL_SIGNING_SECRET, secretFile(s.DATA_DIR, "internal-signing")),
    signatureMaxSkewMs: s.SIGNATURE_MAX_SKEW_MS,
    acceptUnsigned: s.ACCEPT_UNSIGNED === "true",
  };
}

export { envPrefix };
