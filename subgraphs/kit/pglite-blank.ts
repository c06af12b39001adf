/**
 * A new embedded (PGlite) database is a copy of one blank cluster. PostgreSQL's initdb, run inside PGlite's
 * WebAssembly, costs ≈ 6 s of CPU per database on our 2-core machines, and every department, the access-log
 * writer and the schema registry each start with one; copying a blank cluster made once costs ≈ 0.2 s.
 *
 * The blank is made by initdb in a short-lived child process (./pglite-create.ts: initdb's WebAssembly
 * memory, ≈ 500 MB touched and never given back, is not the caller's) and kept beside the installed PGlite,
 * in `node_modules/.cache/citizen-graph/`, one per PGlite version (so an upgrade makes a new one). Where
 * that folder cannot be written, the database is created by initdb in a child process as before.
 * Every new database is copied into a sibling folder first and renamed into place, so a process killed
 * mid-copy leaves no half-made database behind.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { siblingEntry } from "./sibling-entry";

const CREATE_ENTRY = siblingEntry(__filename, "pglite-create");

/** Runs initdb for `dataDir` in a child process; rejects with its reason when it fails. */
export function initdbApart(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    const c = fork(CREATE_ENTRY.file, [dataDir], { execArgv: CREATE_ENTRY.execArgv, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    c.stderr!.on("data", (d: Buffer) => void (stderr = (stderr + d.toString("utf8")).slice(-2000)));
    c.on("error", (e) => reject(new Error(`the embedded database in ${dataDir} could not be created: ${e.message}`)));
    c.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`the embedded database in ${dataDir} could not be created (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").pop() ?? ""}`)),
    );
  });
}

/** The installed PGlite's folder and version. */
function installedPglite(): { dir: string; version: string } {
  const entry = require.resolve("@electric-sql/pglite");
  const marker = `${sep}node_modules${sep}@electric-sql${sep}pglite${sep}`;
  const at = entry.lastIndexOf(marker);
  const dir = at >= 0 ? entry.slice(0, at + marker.length - 1) : dirname(dirname(entry));
  const version = String((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: unknown }).version ?? "unknown");
  return { dir, version };
}

/** Where the blank cluster of the installed PGlite is kept (`node_modules/.cache/citizen-graph/pglite-<version>-blank`). */
export function blankClusterDir(): string {
  const { dir, version } = installedPglite();
  const nodeModules = dir.slice(0, dir.lastIndexOf(`${sep}@electric-sql${sep}`));
  return join(nodeModules, ".cache", "citizen-graph", `pglite-${version.replace(/[^\w.-]/g, "_")}-blank`);
}

const unique = () => `${process.pid}-${randomBytes(4).toString("hex")}`;
const isCluster = (dir: string) => existsSync(join(dir, "PG_VERSION"));

/** A lock older than this was left by a process that died while making the blank. */
const STALE_LOCK_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The blank cluster, made now if there is none yet. Processes starting together (the four departments of
 * `npm start`) make it once: the one that takes the lock (a folder, created atomically) runs initdb, the
 * others wait for the blank. Should the lock's holder die, its lock goes stale and another takes over; and
 * should two ever build at once, the first rename wins and the other's copy is dropped.
 */
async function ensureBlank(blank: string): Promise<void> {
  if (isCluster(blank)) return;
  mkdirSync(dirname(blank), { recursive: true });
  const lock = `${blank}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    await sleep(100);
    if (isCluster(blank)) return;
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    } catch {
      // the lock went away meanwhile: take it on the next turn
    }
  }
  const building = `${blank}.building-${unique()}`;
  try {
    if (isCluster(blank)) return;
    await initdbApart(building);
    try {
      renameSync(building, blank);
    } catch (e) {
      if (!isCluster(blank)) throw e;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Creates a new embedded database in `dataDir` (which must not hold one): a copy of the blank cluster, or,
 * when no blank can be kept, initdb in a child process. Says which it did. `blank` is for tests.
 */
export async function createEmbeddedDatabase(dataDir: string, blank = blankClusterDir()): Promise<"copy" | "initdb"> {
  const occupied = existsSync(dataDir) && readdirSync(dataDir).length > 0;
  // Someone else's files: leave them where they are, as initdb would.
  if (occupied) return initdbApart(dataDir).then(() => "initdb");
  try {
    await ensureBlank(blank);
  } catch {
    // The cache folder cannot be written (read-only install, full disk).
    return initdbApart(dataDir).then(() => "initdb");
  }
  const copying = `${dataDir}.creating-${unique()}`;
  try {
    cpSync(blank, copying, { recursive: true });
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(copying, dataDir);
  } finally {
    rmSync(copying, { recursive: true, force: true });
  }
  return "copy";
}

/**
 * A database copied from the blank did not open: the blank is damaged (say, the machine stopped before its
 * files reached the disk). Drops the blank (the next new database makes another) and the copy, and creates
 * the database by initdb in a child process instead.
 */
export async function recreateWithoutBlank(dataDir: string, blank = blankClusterDir()): Promise<void> {
  rmSync(blank, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  await initdbApart(dataDir);
}
