/**
 * The gateway's supergraph from the registry: an Apollo Gateway `SupergraphManager`. It serves the current
 * supergraph (only stored versions are current, and only versions that passed every check are stored),
 * asks for a newer one every `pollMs` — and, on PostgreSQL, is told at once by LISTEN/NOTIFY — and hands it
 * to the gateway with `update(sdl)`, which swaps it without a restart (in-flight requests finish on the old
 * one). The last good supergraph is kept in `cacheFile`: the gateway starts from it when the registry is
 * unreachable, and keeps serving what it has while the registry is away.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SupergraphManager, SupergraphSdlHook } from "@apollo/gateway";

type SupergraphSdlHookOptions = Parameters<SupergraphSdlHook>[0];
import type { Registry } from "./registry";
import { sha256, type RegistryStore } from "./store";

/** What the source reads: the registry's store (or anything answering the same three questions). */
export type SupergraphFeed = Pick<RegistryStore, "current" | "currentVersion"> & Partial<Pick<RegistryStore, "listen">>;

export interface SupergraphSourceOptions {
  /** How often to ask for a new current version, ms. */
  pollMs: number;
  /** Where the last good supergraph is kept. */
  cacheFile: string;
  /** Turns the stored supergraph into what the gateway loads (e.g. composition.withoutSecurityPurpose). */
  transform?: (supergraphSdl: string) => string;
  /** Told about every failure to reach the registry or to load a version (the source keeps serving). */
  onError?: (error: unknown, what: string) => void;
  /** Told about every version served. */
  onVersion?: (version: number, from: "registry" | "cache") => void;
}

export interface SupergraphSource extends SupergraphManager {
  /** The version being served (null before initialize). */
  readonly version: number | null;
  /** Asks the registry now; resolves true when a new version was handed to the gateway. */
  refresh(): Promise<boolean>;
}

const HEADER = /^# Last good supergraph from the schema registry: version (\d+)\n/;
const header = (v: number) => `# Last good supergraph from the schema registry: version ${v}\n`;

export function readCache(cacheFile: string): { version: number; sdl: string } | null {
  if (!existsSync(cacheFile)) return null;
  const text = readFileSync(cacheFile, "utf8");
  const m = HEADER.exec(text);
  return m ? { version: Number(m[1]), sdl: text.slice(m[0].length) } : null;
}

function writeCache(cacheFile: string, version: number, sdl: string) {
  mkdirSync(dirname(cacheFile), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, header(version) + sdl);
  renameSync(tmp, cacheFile); // atomic: a crash never leaves half a supergraph
}

export function createSupergraphSource(registry: Registry | SupergraphFeed, opts: SupergraphSourceOptions): SupergraphSource {
  const feed: SupergraphFeed = "store" in registry ? registry.store : registry;
  const transform = opts.transform ?? ((s: string) => s);
  const report = (e: unknown, what: string) => opts.onError?.(e, what);
  let version: number | null = null;
  let update: SupergraphSdlHookOptions["update"] | undefined;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let checking: Promise<boolean> | undefined;
  let stopped = false;
  /** A version the gateway refused to load: not offered again. */
  let refused: number | null = null;

  async function fetchCurrent() {
    const s = await feed.current();
    if (s && sha256(s.sdl) !== s.sha256) throw new Error(`supergraph version ${s.version} does not match its stored hash`);
    return s;
  }

  async function check(): Promise<boolean> {
    if (stopped || !update) return false;
    let latest: number | null;
    try {
      latest = await feed.currentVersion();
    } catch (e) {
      report(e, "registry unreachable; serving the last good supergraph");
      return false;
    }
    if (latest === null || latest === version || latest === refused) return false;
    try {
      const s = await fetchCurrent();
      if (!s || s.version === version) return false;
      try {
        update(transform(s.sdl));
      } catch (e) {
        refused = s.version;
        report(e, `the gateway could not load supergraph version ${s.version}; still serving ${version}`);
        return false;
      }
      version = s.version;
      writeCache(opts.cacheFile, s.version, s.sdl);
      opts.onVersion?.(s.version, "registry");
      return true;
    } catch (e) {
      report(e, "registry unreachable; serving the last good supergraph");
      return false;
    }
  }

  const refresh = () => (checking ??= check().finally(() => (checking = undefined)));

  return {
    get version() {
      return version;
    },
    refresh,
    async initialize(hooks) {
      update = hooks.update;
      let sdl: string;
      try {
        const s = await fetchCurrent();
        if (!s) throw new Error("the registry has no supergraph yet (seed it first)");
        version = s.version;
        sdl = s.sdl;
        writeCache(opts.cacheFile, s.version, s.sdl);
        opts.onVersion?.(s.version, "registry");
      } catch (e) {
        const cached = readCache(opts.cacheFile);
        if (!cached) throw new Error(`no supergraph: the registry cannot serve one (${(e as Error).message}) and there is no last good supergraph in ${opts.cacheFile}`);
        report(e, `registry unreachable at start; serving the last good supergraph (version ${cached.version}) from ${opts.cacheFile}`);
        version = cached.version;
        sdl = cached.sdl;
        opts.onVersion?.(cached.version, "cache");
      }
      timer = setInterval(() => void refresh(), opts.pollMs);
      timer.unref();
      if (feed.listen) {
        unlisten = await feed.listen(() => void refresh()).catch((e) => {
          report(e, "LISTEN failed; polling only");
          return undefined;
        });
      }
      return {
        supergraphSdl: transform(sdl),
        cleanup: async () => {
          stopped = true;
          if (timer) clearInterval(timer);
          await unlisten?.();
          await checking;
        },
      };
    },
  };
}
