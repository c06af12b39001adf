/**
 * The access-log writer: a child process of the gateway that owns the embedded (PGlite) access log.
 * The gateway talks to it over the IPC channel (see writer-client.ts). Keeping the embedded database out
 * of the gateway process keeps the gateway small and fast, and gives the hash chain one writer.
 * It exits when the gateway disconnects (the gateway stopped or died) or asks it to close.
 */
import { openAuditStore, type AuditStore, type AuditStoreOptions } from "./store";
import { batcher, type ChainPlace, type WriterAnswer, type WriterBatch, type WriterReply, type WriterRequest } from "./writer-protocol";

function send(msg: WriterReply): void {
  if (process.connected) process.send!(msg);
}

/** Sends a last message and exits once it is handed to the channel (exiting at once could lose it). */
function sendAndExit(msg: WriterReply, code: number): void {
  if (!process.connected) process.exit(code);
  process.send!(msg, undefined, {}, () => process.exit(code));
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? "{}") as AuditStoreOptions;
  const graceMs = Number(process.argv[3]) > 0 ? Number(process.argv[3]) : 30_000;
  // A new log is a copy of a blank cluster (initdb's ~500 MB of WebAssembly memory is never this process's:
  // subgraphs/kit/pglite-blank.ts); this writer opens the existing folder.
  let store: AuditStore;
  try {
    store = await openAuditStore(opts);
  } catch (e) {
    return sendAndExit({ ready: false, error: e instanceof Error ? e.message : String(e) }, 1);
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= store.close().then(() => process.exit(0), () => process.exit(1)));
  process.on("disconnect", () => void close());
  // The gateway decides when to stop: Ctrl-C reaches the whole process group, and a service manager may send
  // SIGTERM to every process of the gateway at once — the gateway still has requests in flight whose records
  // must be written. It closes the writer once they are done (or the IPC channel closes when it exits); a
  // writer whose gateway does not do so within its grace period closes by itself.
  process.on("SIGTERM", () => {
    if (!process.connected) return void close();
    setTimeout(() => void close(), graceMs).unref();
  });
  process.on("SIGINT", () => undefined);
  const answer = batcher<WriterAnswer>((answers) => send({ answers }));
  const handle = (m: WriterRequest) => {
    const reply = (p: Promise<unknown>) =>
      p.then(
        (value) => answer({ id: m.id, ok: true, value }),
        (e: unknown) => answer({ id: m.id, ok: false, error: { name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) } }),
      );
    switch (m.op) {
      case "append":
        // The gateway has the record: only its place in the chain goes back (not its citizens again).
        void reply(store.append(m.arg).then(({ seq, prevHash, hash }): ChainPlace => ({ seq, prevHash, hash })));
        break;
      case "query":
        void reply(store.query(m.arg));
        break;
      case "verify":
        void reply(store.verify(m.arg));
        break;
      case "ping":
        void reply(store.ping());
        break;
      case "close":
        // Answer, and exit once the answer has left (close() waits for the store).
        void reply(Promise.resolve(null)).then(() => setImmediate(close));
        break;
    }
  };
  process.on("message", (m: WriterBatch) => m.requests.forEach(handle));
  send({ ready: true, kind: store.kind });
}

void main();
