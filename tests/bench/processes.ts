/**
 * Child processes of the benchmark: started in their own process group with an IPC channel (so services
 * that watch for it stop when the harness dies), their output kept in a small ring buffer for error
 * reports, and all of them stopped at the end, on failure and on Ctrl-C.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Last lines the process wrote (stdout and stderr). */
  output: string[];
  exited: Promise<number | string>;
}

const children = new Set<Child>();
const OUTPUT_LINES = 40;

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Echo the child's output to this process's stderr. */
  echo?: boolean;
}

/** Starts `node <args>` (the current Node binary). */
export function startNode(name: string, args: string[], opts: StartOptions): Child {
  const proc = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true });
  if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${process.execPath}`);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      output.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (output.length > OUTPUT_LINES) output.shift();
      if (opts.echo) process.stderr.write(`[${name}] ${line}\n`);
    }
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<number | string>((res) => proc.once("exit", (code, signal) => res(signal ?? code ?? 0)));
  const child: Child = { name, proc, pid: proc.pid, output, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

export const isRunning = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

function killGroup(c: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-c.pid, signal); // the whole process group: includes anything the child started
  } catch {
    try {
      c.proc.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(c: Child, graceMs = 8000): Promise<void> {
  if (!isRunning(c)) return;
  killGroup(c, "SIGTERM");
  const timer = setTimeout(() => killGroup(c, "SIGKILL"), graceMs);
  await c.exited;
  clearTimeout(timer);
  // Anything the child left behind in its group.
  try {
    process.kill(-c.pid, "SIGKILL");
  } catch {
    /* group empty */
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

/** Polls `probe` until it resolves true; fails early when the child exits, or after `timeoutMs`. */
export async function waitReady(c: Child, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(c)) throw new Error(`${c.name} exited (${c.proc.signalCode ?? c.proc.exitCode}) before it was ready:\n${tail(c)}`);
    try {
      if (await probe()) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${c.name} was not ready within ${timeoutMs / 1000} s:\n${tail(c)}`);
}

export const tail = (c: Child, n = 15) => c.output.slice(-n).map((l) => `    ${l}`).join("\n") || "    (no output)";

let installed = false;

/** Stops every child on Ctrl-C / SIGTERM (then exits 130 / 143), and kills leftovers when this process exits. */
export function installSignalHandlers(onSignal?: () => void): void {
  if (installed) return;
  installed = true;
  const handle = (signal: NodeJS.Signals, code: number) => {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every benchmark process…`);
      onSignal?.();
      void stopAll().finally(() => process.exit(code));
    });
  };
  handle("SIGINT", 130);
  handle("SIGTERM", 143);
  process.on("exit", () => {
    for (const c of children) if (isRunning(c)) killGroup(c, "SIGKILL");
  });
}
