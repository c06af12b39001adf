/** Messages between the gateway and its access-log writer process (IPC, structured-clone serialisation). */
import type { AccessLogFilter, AccessRecord } from "./store";

export type WriterRequest =
  | { id: number; op: "append"; arg: AccessRecord }
  | { id: number; op: "query"; arg: AccessLogFilter }
  | { id: number; op: "verify"; arg?: string }
  | { id: number; op: "close"; arg?: undefined };

export type WriterReply =
  | { ready: true; kind: "pglite" | "postgres" }
  | { ready: false; error: string }
  /** A new log was created; this writer exits and the next one opens it. */
  | { ready: false; created: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };
