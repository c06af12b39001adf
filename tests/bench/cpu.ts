/**
 * Interference check: CPU time the machine spent outside the benchmark's own process tree (the harness,
 * its load generator, the subgraphs and the gateway) during a measured run. Other work on a 2-core machine
 * skews every figure, so the report flags runs where it was noticeable.
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { processTree } from "./rss";

/** Busy jiffies of the whole machine, from the first line of /proc/stat. */
function machineBusy(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return user + nice + system + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

/** utime + stime of a process (all its threads), in jiffies. */
function processBusy(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function ownBusy(): Map<number, number> {
  return new Map(processTree(process.pid).map((p) => [p, processBusy(p)]));
}

export interface CpuUsage {
  seconds: number;
  /** Share of the whole machine (all cores) used by processes outside the benchmark, 0–1. */
  foreign: number;
  /** CPU milliseconds used by each process of the benchmark's tree. */
  msByPid: Map<number, number>;
}

const HZ = 100; // USER_HZ on Linux

/** Starts measuring; `end()` returns what the machine and each benchmark process spent since. */
export function cpuWindow(): { end(): CpuUsage } {
  const t0 = process.hrtime.bigint();
  const m0 = machineBusy();
  const own0 = ownBusy();
  return {
    end() {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m1 = machineBusy();
      const msByPid = new Map<number, number>();
      let own = 0;
      for (const [pid, busy] of ownBusy()) {
        const d = busy - (own0.get(pid) ?? 0);
        own += d;
        msByPid.set(pid, (d * 1000) / HZ);
      }
      const capacity = seconds * cpus().length * HZ;
      return { seconds, foreign: capacity > 0 ? Math.max(0, (m1 - m0 - own) / capacity) : 0, msByPid };
    },
  };
}

/** CPU milliseconds of the given processes and their descendants. */
export function cpuMsOf(usage: CpuUsage, pids: number[]): number {
  let ms = 0;
  for (const pid of new Set(pids.flatMap((p) => processTree(p)))) ms += usage.msByPid.get(pid) ?? 0;
  return ms;
}
