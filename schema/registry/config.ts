/**
 * Registry configuration: the one place the schema registry reads its environment, as variable definitions
 * (the README's table is checked against them). Every field has a default that runs the embedded registry
 * (PGlite in DATA_DIR/registry) on one machine.
 */
import { join, resolve } from "node:path";
import { z } from "zod";
import { envVar, int, postgresUrl, readEnv } from "../../subgraphs/kit/contract/env";

export const REGISTRY_VARS = {
  DATA_DIR: envVar(z.string().default("data"), "data", "folder of the embedded PGlite data folders (one per department, the access log) and the development secrets"),
  REGISTRY_DATABASE_URL: envVar(postgresUrl, "unset", "PostgreSQL URL of the schema registry; unset means PGlite in `DATA_DIR/registry`"),
  REGISTRY_USAGE_WINDOW_DAYS: envVar(z.coerce.number().positive().max(3650).default(7), "7", "served operations this recent count for the breaking-change check"),
  REGISTRY_POLL_MS: envVar(int(100, 3_600_000, 5_000), "5000", "how often a gateway asks the registry for a new current supergraph (PostgreSQL also notifies at once)"),
  REGISTRY_CACHE_FILE: envVar(z.string().min(1).optional(), "`DATA_DIR/registry-supergraph.graphql`", "the last good supergraph a gateway keeps, to start and keep serving when the registry is unreachable"),
};

export interface RegistryConfig {
  /** PostgreSQL URL; undefined: PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data folder of the embedded registry. */
  dataDir: string;
  /** Served operations newer than this count for the operations check. */
  usageWindowMs: number;
  pollMs: number;
  cacheFile: string;
}

export function loadRegistryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const e = readEnv(REGISTRY_VARS, env);
  const dataDir = resolve(e.DATA_DIR);
  return {
    databaseUrl: e.REGISTRY_DATABASE_URL,
    dataDir: join(dataDir, "registry"),
    usageWindowMs: e.REGISTRY_USAGE_WINDOW_DAYS * 86_400_000,
    pollMs: e.REGISTRY_POLL_MS,
    cacheFile: resolve(e.REGISTRY_CACHE_FILE ?? join(dataDir, "registry-supergraph.graphql")),
  };
}
