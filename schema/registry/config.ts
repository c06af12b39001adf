/**
 * Registry configuration: the one place the schema registry reads its environment. Every field has a
 * default that runs the embedded registry (PGlite in DATA_DIR/registry) on one machine.
 */
import { join, resolve } from "node:path";
import { z } from "zod";

const schema = z.object({
  /** Folder of the embedded default's data; the registry's PGlite folder is DATA_DIR/registry. */
  DATA_DIR: z.string().default("data"),
  /** PostgreSQL URL of the registry (production); unset means embedded PGlite. */
  REGISTRY_DATABASE_URL: z.string().min(1).optional(),
  /** How far back served operations count for the breaking-change check, days. */
  REGISTRY_USAGE_WINDOW_DAYS: z.coerce.number().positive().max(3650).default(7),
  /** How often a gateway asks the registry for a new current supergraph, milliseconds. */
  REGISTRY_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** Where a gateway keeps the last good supergraph, to start (and keep serving) when the registry is unreachable. */
  REGISTRY_CACHE_FILE: z.string().min(1).optional(),
});

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
  const e = schema.parse(env);
  const dataDir = resolve(e.DATA_DIR);
  return {
    databaseUrl: e.REGISTRY_DATABASE_URL,
    dataDir: join(dataDir, "registry"),
    usageWindowMs: e.REGISTRY_USAGE_WINDOW_DAYS * 86_400_000,
    pollMs: e.REGISTRY_POLL_MS,
    cacheFile: resolve(e.REGISTRY_CACHE_FILE ?? join(dataDir, "registry-supergraph.graphql")),
  };
}
