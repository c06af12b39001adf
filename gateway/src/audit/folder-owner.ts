/**
 * Who has the embedded (PGlite) access log open. PGlite is single-process, and the `postmaster.pid` it
 * leaves in its folder names no real process (its pid is always -42) and stays behind when the process is
 * killed. So whoever opens the log records itself in `cg-owner.json` beside it: its pid, the start time of
 * that process (so a reused pid is not mistaken for it) and the folder (so a copied folder is not taken for
 * the original). A lock is *live* when that process still runs; otherwise it is stale (a crash) and the
 * folder may be opened — PGlite recovers it from its write-ahead log.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { processAlive as alive, processStartTime as startTime } from "../../../subgraphs/kit/process-liveness";

export interface FolderOwner {
  pid: number;
  /** The process's start time (Linux: clock ticks after boot, /proc/<pid>/stat field 22); null elsewhere. */
  started: string | null;
  folder: string;
  at: string;
}

const FILE = "cg-owner.json";

/** The recorded owner of the folder, if any (whether it still runs or not). */
export function recordedOwner(dir: string): FolderOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(join(dir, FILE), "utf8")) as FolderOwner;
    return typeof o.pid === "number" && typeof o.folder === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}

/** The process that has the folder open now, or undefined if none (never opened, closed, or crashed). */
export function liveOwner(dir: string): FolderOwner | undefined {
  const o = recordedOwner(dir);
  if (!o || o.folder !== resolve(dir) || !alive(o.pid)) return undefined;
  // The pid runs, but is it the same process? (After a crash and a reboot or a long time, pids are reused.)
  if (o.started !== null && startTime(o.pid) !== null && startTime(o.pid) !== o.started) return undefined;
  return o;
}

/** Whether the folder holds PGlite's lock file (left behind by a process that did not close it). */
export const hasLockFile = (dir: string) => existsSync(join(dir, "postmaster.pid"));

/** Records this process as the folder's owner; throws if another live process has it open. */
export function claimFolder(dir: string): void {
  const other = liveOwner(dir);
  if (other && other.pid !== process.pid) throw new Error(`${dir} is open in process ${other.pid} (since ${other.at}); PGlite allows one process at a time`);
  const me: FolderOwner = { pid: process.pid, started: startTime(process.pid), folder: resolve(dir), at: new Date().toISOString() };
  writeFileSync(join(dir, FILE), JSON.stringify(me));
}

/** Removes this process's record (after closing the folder). */
export function releaseFolder(dir: string): void {
  if (recordedOwner(dir)?.pid === process.pid) rmSync(join(dir, FILE), { force: true });
}
