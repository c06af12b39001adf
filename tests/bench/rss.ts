/**
 * Resident memory of a gateway: VmRSS of the node processes in its process tree, read from /proc every
 * 250 ms. The whole tree is walked, so a launcher (npx, a forking CLI) cannot hide the node process that
 * really serves; helpers that are not node (tsx's esbuild service) are walked through but not counted.
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

/** RSS of the node processes among a process and all its descendants, in kB. */
export function treeRssKb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (isNode(p) ? rssKb(p) : 0), 0);
}

export class RssSampler {
  private timer?: NodeJS.Timeout;
  private peak = 0;
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
    const kb = treeRssKb(this.pid);
    if (kb > this.peak) this.peak = kb;
    if (kb > this.overall) this.overall = kb;
    return kb;
  }

  /** Current RSS, MB. */
  nowMb(): number {
    return this.sample() / 1024;
  }

  /** Peak since the last reset (MB), then starts a new window. */
  takePeakMb(): number {
    this.sample();
    const mb = this.peak / 1024;
    this.peak = 0;
    return mb;
  }

  /** Peak over the sampler's whole life, MB. */
  overallPeakMb(): number {
    return this.overall / 1024;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
