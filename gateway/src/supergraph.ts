/**
 * Where the gateway's supergraph comes from (SUPERGRAPH_SOURCE):
 * - `registry` (default): the schema registry (PostgreSQL with REGISTRY_DATABASE_URL, else embedded in
 *   DATA_DIR/registry), seeded from the SDL files on first start. Apollo Gateway gets the registry's
 *   SupergraphManager: a newly published version is loaded without a restart, the last good one is kept on
 *   disk and served when the registry is away (even at start).
 * - `file`: SUPERGRAPH_PATH, fixed until restart.
 */
import { readFileSync } from "node:fs";
import type { SupergraphManager } from "@apollo/gateway";
import pg from "pg";
import type { GatewayConfig } from "./config";
import { openRegistry, type Registry } from "../../schema/registry/registry";
import { createSupergraphSource, readCache, type SupergraphSource } from "../../schema/registry/supergraph-source";
import { withoutSecurityPurpose } from "../../schema/registry/composition";
import { announceHolder } from "../../schema/registry/holder";

export interface ServedSupergraph {
  /** What Apollo Gateway loads. */
  supergraphSdl: string | SupergraphManager;
  /** The supergraph at start (the registry's current version, its cache, or the file). */
  initialSdl: string;
  /** The registry, when the supergraph comes from one that could be opened. */
  registry?: Registry;
  source?: SupergraphSource;
  /** Tells `npm run schema` on this machine to use this gateway's HTTP API (embedded registry only). */
  announce(url: string): void;
  close(): Promise<void>;
}

/** Session advisory lock of every gateway opening one PostgreSQL registry (none for the embedded one). */
const STARTUP_LOCK_KEY = 4_137_200_012;

async function startupLock<T>(databaseUrl: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!databaseUrl) return fn();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK_KEY]);
    return await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Log {
  info(o: unknown, m: string): void;
  warn(o: unknown, m: string): void;
}

export async function openSupergraph(config: GatewayConfig, log: Log): Promise<ServedSupergraph> {
  if (config.supergraphSource === "file") {
    const sdl = readFileSync(config.supergraphPath, "utf8");
    return { supergraphSdl: withoutSecurityPurpose(sdl), initialSdl: sdl, announce: () => undefined, close: async () => undefined };
  }
  const rc = config.registry;
  let registry: Registry;
  try {
    // Gateways starting together on one empty PostgreSQL registry take turns to migrate and seed it.
    registry = await startupLock(rc.databaseUrl, async () => {
      const r = await openRegistry(rc);
      try {
        const seeded = await r.seedFromFiles();
        if (seeded) log.info({ version: seeded.version }, "schema registry seeded from the SDL files");
      } catch (e) {
        await r.close().catch(() => undefined);
        throw e;
      }
      return r;
    });
  } catch (e) {
    // The registry is away: serve its last good supergraph, as the SupergraphManager does while running.
    const cached = readCache(rc.cacheFile);
    if (!cached) throw new Error(`the schema registry cannot be opened (${(e as Error).message}) and there is no last good supergraph in ${rc.cacheFile}`);
    log.warn({ err: e, version: cached.version, cacheFile: rc.cacheFile }, "schema registry unreachable at start; serving its last good supergraph until restart");
    return { supergraphSdl: withoutSecurityPurpose(cached.sdl), initialSdl: cached.sdl, announce: () => undefined, close: async () => undefined };
  }
  const current = await registry.currentSupergraph();
  const source = createSupergraphSource(registry, {
    pollMs: rc.pollMs,
    cacheFile: rc.cacheFile,
    transform: withoutSecurityPurpose,
    onError: (err, what) => log.warn({ err }, what),
    onVersion: (version, from) => log.info({ version, from }, "serving supergraph version"),
  });
  let withdraw: (() => void) | undefined;
  return {
    supergraphSdl: source,
    initialSdl: current?.sdl ?? readFileSync(config.supergraphPath, "utf8"),
    registry,
    source,
    announce(url) {
      if (!rc.databaseUrl) withdraw = announceHolder(rc.dataDir, url);
    },
    async close() {
      withdraw?.();
      await registry.close();
    },
  };
}
