/**
 * The embedded access log, kept in its own process: an AuditStore whose calls go over IPC to the writer
 * (writer-process.ts). Appends still resolve only once the writer has committed them, so fail-closed
 * holds; if the writer dies, calls in flight reject (the gateway answers AUDIT_UNAVAILABLE) and the next
 * call starts a new writer on the same data folder.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { AuditStore, AuditStoreOptions } from "./store";
import type { WriterReply, WriterRequest } from "./writer-protocol";

const ENTRY = join(__dirname, `writer-process${__filename.endsWith(".ts") ? ".ts" : ".js"}`);
const START_TIMEOUT_MS = 60_000;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Payload<R> = R extends { op: infer O; arg?: infer A } ? { op: O; arg?: A } : never;

export interface AuditWriter extends AuditStore {
  /** The writer's process id (for measurements and tests), while one runs. */
  readonly pid: number | undefined;
}

export async function openAuditWriter(opts: AuditStoreOptions): Promise<AuditWriter> {
  let child: ChildProcess | undefined;
  let starting: Promise<ChildProcess> | undefined;
  let kind: AuditStore["kind"] = "pglite";
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();

  function start(): Promise<ChildProcess> {
    let created = false;
    return (starting ??= new Promise<ChildProcess>((resolve, reject) => {
      const c = fork(ENTRY, [JSON.stringify(opts)], {
        execArgv: ENTRY.endsWith(".ts") ? ["--import", "tsx"] : [],
        serialization: "advanced",
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const timer = setTimeout(() => {
        c.kill("SIGKILL");
        reject(new Error("the access-log writer did not start"));
      }, START_TIMEOUT_MS);
      c.on("message", (m: WriterReply) => {
        if ("ready" in m) {
          clearTimeout(timer);
          if (!m.ready && "created" in m) {
            created = true;
            return;
          }
          if (!m.ready) return reject(new Error(`the access-log writer could not open the log: ${m.error}`));
          kind = m.kind;
          child = c;
          return resolve(c);
        }
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      });
      c.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (child === c) child = undefined;
        starting = undefined;
        if (created && code === 0) {
          created = false;
          start().then(resolve, reject);
          return;
        }
        reject(new Error(`the access-log writer exited (${signal ?? code})`));
        for (const [id, p] of pending) {
          pending.delete(id);
          p.reject(new Error(`the access-log writer exited (${signal ?? code}) before answering`));
        }
      });
    }).catch((e: unknown) => {
      starting = undefined;
      throw e;
    }));
  }

  async function call<T>(msg: Payload<WriterRequest>): Promise<T> {
    if (closed) throw new Error("audit store is closed");
    const c = child ?? (await start());
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      c.send({ id, ...msg } as WriterRequest, (err) => {
        if (err && pending.delete(id)) reject(err);
      });
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
    append: (rec) => call({ op: "append", arg: rec }),
    query: (filter) => call({ op: "query", arg: filter }),
    verify: (expectHeadHash) => call({ op: "verify", arg: expectHeadHash }),
    async close() {
      if (closed) return;
      const c = child;
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
