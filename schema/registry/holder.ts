/**
 * The embedded registry (PGlite in a folder) can be open in one process only. A gateway serving it writes
 * a holder file beside the folder with its pid and URL; `npm run schema` then goes through that gateway's
 * HTTP API instead of opening the folder. A holder whose process is gone is stale and ignored.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { processAlive as alive, processStartTime } from "../../subgraphs/kit/process-liveness";

export const holderFile = (registryDataDir: string): string => `${registryDataDir}.holder.json`;

/** The URL of the live gateway holding the embedded registry, or null (none, or a stale holder). */
export function registryHolder(registryDataDir: string): string | null {
  const file = holderFile(registryDataDir);
  if (!existsSync(file)) return null;
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown; url?: unknown; started?: unknown };
    if (typeof h.pid !== "number" || typeof h.url !== "string" || h.pid === process.pid || !alive(h.pid)) return null;
    // A reused pid is not the gateway that wrote the file.
    const started = processStartTime(h.pid);
    if (typeof h.started === "string" && started !== null && started !== h.started) return null;
    return h.url;
  } catch {
    // unreadable: treated as stale
  }
  return null;
}

/** Announces this process as the holder; returns the function that withdraws it. */
export function announceHolder(registryDataDir: string, url: string): () => void {
  const file = holderFile(registryDataDir);
  writeFileSync(file, JSON.stringify({ pid: process.pid, started: processStartTime(process.pid), url }));
  return () => {
    try {
      const h = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown };
      if (h.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
