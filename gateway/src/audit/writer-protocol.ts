/** Messages between the gateway and its access-log writer process (IPC, structured-clone serialisation). */
import type { AccessLogFilter, AccessRecord } from "./store";

export type WriterRequest =
  | { id: number; op: "append"; arg: AccessRecord }
  | { id: number; op: "query"; arg: AccessLogFilter }
  | { id: number; op: "verify"; arg?: string }
  | { id: number; op: "ping"; arg?: undefined }
  | { id: number; op: "close"; arg?: undefined };

/** What the writer answers to an append: where the record went in the chain. */
export type ChainPlace = { seq: number; prevHash: string; hash: string };

export type WriterAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string } };

export type WriterReply =
  | { ready: true; kind: "pglite" | "postgres" | "disabled" }
  | { ready: false; error: string }
  | { answers: WriterAnswer[] };

/**
 * Requests and answers travel in batches: everything queued in one turn of the event loop goes as one
 * IPC message (under load, one message carries the records of several concurrent responses).
 */
export interface WriterBatch {
  requests: WriterRequest[];
}

/** Collects items and hands them over together on the next turn of the event loop. */
export function batcher<T>(flush: (items: T[]) => void): (item: T) => void {
  let queue: T[] = [];
  return (item) => {
    queue.push(item);
    if (queue.length > 1) return;
    setImmediate(() => {
      const items = queue;
      queue = [];
      flush(items);
    });
  };
}
