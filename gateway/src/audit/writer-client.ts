/**
 * The embedded access log, kept in its own process: an AuditStore whose calls go over IPC to the writer
 * (writer-process.ts). Appends still resolve only once the writer has committed them, so fail-closed
 * holds; if the writer dies, calls in flight reject (the gateway answers AUDIT_UNAVAILABLE) and the next
 * call starts a new writer on the same data folder.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { AuditStore, AuditStoreOptions } from "./store";
import { siblingEntry } from "../../../subgraphs/kit/sibling-entry";
import { batcher, type ChainPlace, type WriterAnswer, type WriterBatch, type WriterReply, type WriterRequest } from "./writer-protocol";

const ENTRY = siblingEntry(__filename, "writer-process");
const START_TIMEOUT_MS = 60_000;
/**
 * V8 flags of the writer process. The writer's own JavaScript is small and its objects short-lived, and
 * almost all its work is PostgreSQL compiled to WebAssembly (9 MB). Baseline (Liftoff) code only, without
 * TurboFan re-compiling the hot functions, and a 1 MB young generation keep the writer at ≈ 135 MB after
 * opening and ≈ 175 MB after 40,000 appends instead of ≈ 215 and ≈ 260–295 MB, for ≈ 10–15 % more of the
 * writer's CPU per append (BENCHMARKS.md, "The access-log writer's memory").
 */
export const WRITER_V8_FLAGS = ["--liftoff-only", "--max-semi-space-size=1"];
/** Longest wait for one answer of the writer (an append is one small transaction; verify reads the chain). */
const CALL_TIMEOUT_MS = 120_000;
/** Reads get this many times the call deadline. */
const READ_DEADLINE_FACTOR = 5;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; child: ChildProcess; timer: NodeJS.Timeout };
type Payload<R> = R extends { op: infer O; arg?: infer A } ? { op: O; arg?: A } : never;

export interface AuditWriter extends AuditStore {
  /** The writer's process id (for measurements and tests), while one runs. */
  readonly pid: number | undefined;
  /** Calls sent to the writer and not answered yet (the access log's queue depth, for metrics and tests). */
  readonly pendingCalls: number;
}

export async function openAuditWriter(opts: AuditStoreOptions, limits: { callTimeoutMs?: number; shutdownGraceMs?: number } = {}): Promise<AuditWriter> {
  let child: ChildProcess | undefined;
  let starting: Promise<ChildProcess> | undefined;
  let kind: AuditStore["kind"] = "pglite";
  let nextId = 1;
  let closed = false;
  const callTimeoutMs = limits.callTimeoutMs ?? CALL_TIMEOUT_MS;
  const pending = new Map<number, Pending>();
  /** Set while a stopped writer may still be running: no new writer opens the log folder before it is gone. */
  let replacing: Promise<void> | undefined;

  /** Stops a writer that failed, and holds the next start until it has exited. */
  function stopWriter(c: ChildProcess, why: string): void {
    if (child === c) child = undefined;
    failPending(c, why);
    if (c.exitCode === null && c.signalCode === null) {
      const gone: Promise<void> = new Promise<void>((r) => {
        c.once("exit", () => r());
        setTimeout(r, 30_000).unref(); // a process that cannot even be killed is not waited for forever
      }).then(() => {
        if (replacing === gone) replacing = undefined;
      });
      replacing = gone;
      c.kill("SIGKILL");
    }
  }

  /** Removes a call from the pending ones (and its deadline); undefined if it was already settled. */
  function take(id: number): Pending | undefined {
    const p = pending.get(id);
    if (!p) return undefined;
    pending.delete(id);
    clearTimeout(p.timer);
    return p;
  }

  /** Rejects the calls sent to one writer (others, to a newer writer, are left alone). */
  function failPending(c: ChildProcess, why: string): void {
    for (const [id, p] of pending) if (p.child === c) take(id)?.reject(new Error(why));
  }

  function settle(a: WriterAnswer): void {
    const p = take(a.id);
    if (!p) return;
    if (a.ok) p.resolve(a.value);
    else p.reject(Object.assign(new Error(a.error.message), { name: a.error.name }));
  }

  /** Requests of one event-loop turn go to a writer as one message. */
  const outboxes = new WeakMap<ChildProcess, (r: WriterRequest) => void>();
  function outbox(c: ChildProcess): (r: WriterRequest) => void {
    let o = outboxes.get(c);
    if (!o) {
      o = batcher<WriterRequest>((requests) => {
        if (!c.connected) return failPending(c, "the access-log writer is gone");
        c.send({ requests } satisfies WriterBatch, (err) => {
          if (err) for (const r of requests) take(r.id)?.reject(err);
        });
      });
      outboxes.set(c, o);
    }
    return o;
  }

  /** One writer at a time: concurrent callers share the start in progress. */
  function start(): Promise<ChildProcess> {
    if (starting) return starting;
    const p: Promise<ChildProcess> = (replacing ?? Promise.resolve()).then(spawnWriter).finally(() => {
      if (starting === p) starting = undefined;
    });
    starting = p;
    return p;
  }

  function spawnWriter(): Promise<ChildProcess> {
    return new Promise<ChildProcess>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(e);
      };
      const c = fork(ENTRY.file, [JSON.stringify(opts), String(limits.shutdownGraceMs ?? 30_000)], {
        execArgv: [...ENTRY.execArgv, ...WRITER_V8_FLAGS],
        serialization: "advanced",
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const timer = setTimeout(() => {
        c.kill("SIGKILL");
        fail(new Error("the access-log writer did not start"));
      }, START_TIMEOUT_MS);
      // fork() reports a process that could not be started (EAGAIN, EMFILE, ENOENT…) as 'error' with no
      // 'exit'; unhandled, that would crash the gateway.
      c.on("error", (e) => {
        fail(new Error(`the access-log writer could not be started: ${e.message}`));
        stopWriter(c, "the access-log writer failed");
      });
      c.on("message", (m: WriterReply) => {
        if ("ready" in m) {
          clearTimeout(timer);
          if (!m.ready) return fail(new Error(`the access-log writer could not open the log: ${m.error}`));
          if (settled) return;
          settled = true;
          kind = m.kind;
          child = c;
          return resolve(c);
        }
        m.answers.forEach(settle);
      });
      c.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (child === c) child = undefined;
        failPending(c, `the access-log writer exited (${signal ?? code}) before answering`);
        fail(new Error(`the access-log writer exited (${signal ?? code})`));
      });
    });
  }

  async function call<T>(msg: Payload<WriterRequest>): Promise<T> {
    if (closed) throw new Error("audit store is closed");
    const c = child ?? (await start());
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      // A writer that is alive but stuck must not hold requests (and their memory) forever: the call fails
      // (AUDIT_UNAVAILABLE, no personal data returned) and a writer stuck on an append is replaced on the
      // next call. Reads (an auditor's search, a verification of a long chain) may be slow: they get a
      // longer deadline and only fail themselves.
      // A ping (readiness) only fails itself too: the caller has its own, shorter deadline.
      const read = msg.op === "query" || msg.op === "verify" || msg.op === "ping";
      const deadlineMs = read ? callTimeoutMs * READ_DEADLINE_FACTOR : callTimeoutMs;
      const timer = setTimeout(() => {
        if (!take(id)) return;
        reject(new Error(`the access-log writer did not answer within ${deadlineMs} ms`));
        if (!read) stopWriter(c, "the access-log writer was stopped: it did not answer");
      }, deadlineMs);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, child: c, timer });
      outbox(c)({ id, ...msg } as WriterRequest);
    });
  }

  await start();
  return {
    get kind() {
      return kind;
    },
    get pid() {
      return child?.pid;
    },
    get pendingCalls() {
      return pending.size;
    },
    // The writer answers an append with the record's place in the chain only: the record itself is here.
    append: async (rec) => ({ ...rec, ...(await call<ChainPlace>({ op: "append", arg: rec })) }),
    query: (filter) => call({ op: "query", arg: filter }),
    verify: (expectHeadHash) => call({ op: "verify", arg: expectHeadHash }),
    ping: () => call({ op: "ping" }),
    async close() {
      if (closed) return;
      // A writer being started right now is closed too, once it is up.
      const c = child ?? (starting ? await starting.catch(() => undefined) : undefined);
      if (c) {
        const exited = new Promise<void>((r) => c.once("exit", () => r()));
        await call({ op: "close" }).catch(() => undefined);
        closed = true;
        await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 10_000).unref())]);
        if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      }
      closed = true;
    },
  };
}
