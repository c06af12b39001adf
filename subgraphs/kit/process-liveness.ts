/**
 * Whether a process recorded in a lock or holder file still runs. A zombie — a process that has exited but
 * whose parent has not reaped it (common in containers whose PID 1 does not reap orphans) — answers
 * `kill(pid, 0)` like a live one but holds nothing: it counts as gone. On Linux the start time (from
 * /proc/<pid>/stat) tells a reused pid from the recorded process.
 */
import { readFileSync } from "node:fs";

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses), or null. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** The process's start time (Linux: clock ticks after boot, stat field 22); null where /proc is absent. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** Whether `pid` runs: exists (or belongs to another user) and is not a zombie or dead. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = statFields(pid)?.[0];
  return state !== "Z" && state !== "X" && state !== "x";
}
