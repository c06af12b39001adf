/**
 * Operation usage the gateway records: per operation hash, client name and version, contract, declared
 * purpose and hour, how many times it was served and which `Type.field` coordinates it touched. Counts,
 * never data. Writes are batched in memory and flushed as one upsert per batch.
 */
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import { readGovernance } from "../../gateway/src/governance/requirements";
import type { SensitivityClass } from "../../gateway/src/governance/policy";

export interface UsageEntry {
  operationHash: string;
  operationName: string;
  clientName: string;
  clientVersion: string;
  /** `Type.field` coordinates the operation touched. */
  fields: string[];
  /** The declared purpose (x-purpose), null when none. */
  purpose: string | null;
  at: Date;
  /** The contract it was served through (undefined: the full graph). */
  contract?: string;
  /** How many servings this entry stands for (default 1). */
  count?: number;
}

export interface UsageRecorder {
  /** Queues entries; they are written within `flushMs` (or at once when `maxPending` are queued). */
  recordUsage(entries: UsageEntry[]): void;
  /** Writes everything queued; resolves when it is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const HOUR = 3_600_000;
const FULL_GRAPH = "";
const NO_PURPOSE = "";
const bucketOf = (at: Date) => new Date(Math.floor(at.getTime() / HOUR) * HOUR);

type Aggregate = { e: UsageEntry; bucket: Date; count: number };

async function write(db: SqlRunner, rows: Aggregate[]): Promise<void> {
  const CHUNK = 200;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const params: unknown[] = [];
    const values = rows.slice(i, i + CHUNK).map(({ e, bucket, count }) => {
      const b = params.length;
      params.push(e.operationHash, e.operationName, e.clientName, e.clientVersion, e.contract ?? FULL_GRAPH, e.purpose ?? NO_PURPOSE, [...new Set(e.fields)].sort(), bucket, count);
      return `(${Array.from({ length: 9 }, (_, k) => `$${b + k + 1}`).join(", ")})`;
    });
    await db.query(
      `INSERT INTO operation_usage (operation_hash, operation_name, client_name, client_version, contract, purpose, fields, bucket, count) VALUES ${values.join(", ")}
       ON CONFLICT (operation_hash, client_name, client_version, contract, purpose, bucket)
       DO UPDATE SET count = operation_usage.count + EXCLUDED.count, fields = EXCLUDED.fields, operation_name = EXCLUDED.operation_name`, params);
  }
}

export function createUsageRecorder(db: SqlRunner, opts: { flushMs?: number; maxPending?: number; onError?: (e: unknown) => void } = {}): UsageRecorder {
  const flushMs = opts.flushMs ?? 1000;
  const maxPending = opts.maxPending ?? 1000;
  let pending = new Map<string, Aggregate>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = [...pending.values()];
    pending = new Map();
    writing = writing.then(() => (batch.length ? write(db, batch) : undefined)).catch((e) => opts.onError?.(e));
    return writing;
  };

  return {
    recordUsage(entries) {
      if (closed) return;
      for (const e of entries) {
        const bucket = bucketOf(e.at);
        const key = JSON.stringify([e.operationHash, e.clientName, e.clientVersion, e.contract ?? FULL_GRAPH, e.purpose ?? NO_PURPOSE, bucket.getTime()]);
        const a = pending.get(key);
        if (a) a.count += e.count ?? 1;
        else pending.set(key, { e, bucket, count: e.count ?? 1 });
      }
      if (pending.size >= maxPending) void flush();
      else if (!timer && pending.size) timer = setTimeout(() => void flush(), flushMs);
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}

export interface ServedOperation {
  operationHash: string;
  operationName: string;
  client: string;
  clientVersion: string;
  contract: string | null;
  fields: string[];
  count: number;
  lastSeen: string;
}

/** Operations served since a time, per operation, client version and contract (purposes summed). */
export async function servedSince(db: SqlRunner, since: Date, client?: string): Promise<ServedOperation[]> {
  const rows = await db.query(
    `SELECT operation_hash, max(operation_name) AS operation_name, client_name, client_version, contract, max(fields) AS fields, sum(count) AS n, max(bucket) AS last
     FROM operation_usage WHERE bucket >= $1 AND ($2::text IS NULL OR client_name = $2)
     GROUP BY operation_hash, client_name, client_version, contract ORDER BY client_name, client_version, operation_hash`, [bucketOf(since), client ?? null]);
  return rows.map((r) => ({
    operationHash: String(r.operation_hash), operationName: String(r.operation_name), client: String(r.client_name), clientVersion: String(r.client_version),
    contract: r.contract ? String(r.contract) : null, fields: (r.fields as string[]) ?? [], count: Number(r.n),
    lastSeen: (r.last instanceof Date ? r.last : new Date(String(r.last))).toISOString(),
  }));
}

export interface PersonalDataUse {
  client: string;
  clientVersion: string;
  contract: string | null;
  field: string;
  class: SensitivityClass;
  /** Servings per declared purpose ("(none)" when none was declared). */
  purposes: Record<string, number>;
  count: number;
}

/**
 * ★ The personal-data usage report: for each client (version) and contract, which PERSONAL and SENSITIVE
 * fields it read, under which declared purposes, how often — classified by the current supergraph.
 */
export async function personalDataReport(db: SqlRunner, supergraphSdl: string, since: Date): Promise<PersonalDataUse[]> {
  const rules = readGovernance(supergraphSdl).rules;
  const rows = await db.query(
    `SELECT client_name, client_version, contract, purpose, fields, sum(count) AS n FROM operation_usage WHERE bucket >= $1
     GROUP BY client_name, client_version, contract, purpose, fields`, [bucketOf(since)]);
  const out = new Map<string, PersonalDataUse>();
  for (const r of rows) {
    for (const field of (r.fields as string[]) ?? []) {
      const cls = rules.get(field)?.sensitivity?.class;
      if (cls !== "PERSONAL" && cls !== "SENSITIVE") continue;
      const key = JSON.stringify([r.client_name, r.client_version, r.contract, field]);
      const u = out.get(key) ?? { client: String(r.client_name), clientVersion: String(r.client_version), contract: r.contract ? String(r.contract) : null, field, class: cls, purposes: {}, count: 0 };
      const purpose = r.purpose ? String(r.purpose) : "(none)";
      u.purposes[purpose] = (u.purposes[purpose] ?? 0) + Number(r.n);
      u.count += Number(r.n);
      out.set(key, u);
    }
  }
  return [...out.values()].sort((a, b) => a.client.localeCompare(b.client) || a.clientVersion.localeCompare(b.clientVersion) || String(a.contract).localeCompare(String(b.contract)) || a.field.localeCompare(b.field));
}
