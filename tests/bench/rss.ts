/**
 * Resident memory of a gateway: VmRSS of the node processes in its process tree, read from /proc every
 * 250 ms. The whole tree is walked, so a launcher (npx, a forking CLI) cannot hide the node process that
 * really serves; helpers that are not node (tsx's esbuild service) are walked through but not counted.
 * Two figures: the largest single process (the per-process target) and all of the tree together (our
 * gateway's access-log writer is a second process).
 */
import { basename } from "node:path";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

function isNode(pid: number): boolean {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)).startsWith("node");
  } catch {
    return false;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Direct children of `pid`, from /proc/<pid>/task/<tid>/children, or by scanning /proc for the parent id. */
function childrenOf(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  try {
    const tids = readdirSync(tasks);
    if (tids.length && existsSync(`${tasks}/${tids[0]}/children`)) {
      return tids.flatMap((t) => {
        try {
          return readFileSync(`${tasks}/${t}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number);
        } catch {
          return [];
        }
      });
    }
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** A process and all its descendants. */
export function processTree(pid: number): number[] {
  const seen = new Set<number>();
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    stack.push(...childrenOf(p));
  }
  return [...seen];
}

/** RSS of the node processes among a process and all its descendants, in kB: the largest one and the sum. */
export function treeRssKb(pid: number): { largest: number; total: number } {
  const each = processTree(pid).map((p) => (isNode(p) ? rssKb(p) : 0));
  return { largest: Math.max(0, ...each), total: each.reduce((a, b) => a + b, 0) };
}

export class RssSampler {
  private timer?: NodeJS.Timeout;
  private peak = 0;
  private peakTotal = 0;
  private peakMain = 0;
  private overall = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private sample(): number {
    const { largest: kb, total } = treeRssKb(this.pid);
    const main = isNode(this.pid) ? rssKb(this.pid) : kb;
    if (main > this.peakMain) this.peakMain = main;
    if (kb > this.peak) this.peak = kb;
    if (kb > this.overall) this.overall = kb;
    if (total > this.peakTotal) this.peakTotal = total;
    return kb;
  }

  /** Current RSS of the largest process, MB. */
  nowMb(): number {
    return this.sample() / 1024;
  }

  /** Peak of the largest process since the last reset (MB), then starts a new window. */
  takePeakMb(): number {
    return this.takePeaksMb().largest;
  }

  /** Peaks of the largest process, of all the tree together and of the started process itself since the last reset (MB), then starts a new window. */
  takePeaksMb(): { largest: number; total: number; main: number } {
    this.sample();
    const r = { largest: this.peak / 1024, total: this.peakTotal / 1024, main: this.peakMain / 1024 };
    this.peak = 0;
    this.peakTotal = 0;
    this.peakMain = 0;
    return r;
  }

  /** Peak of the largest process over the sampler's whole life, MB. */
  overallPeakMb(): number {
    return this.overall / 1024;
  }

  /** Node processes in the tree now. */
  processCount(): number {
    return processTree(this.pid).filter(isNode).length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
