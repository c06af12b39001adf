/**
 * The access log: an append-only, hash-chained record of every response that carried citizens' personal data.
 * Embedded PGlite in a data folder by default, PostgreSQL when a URL is given. Appends are serialised (a promise
 * queue in process and, on PostgreSQL, a transaction-scoped advisory lock across processes), so seq stays
 * contiguous and the chain never forks. `verify()` recomputes the chain to detect altered or deleted records.
 */
import { openMigrated } from "../../../subgraphs/kit/sql-runner";
import type { SqlRunner } from "../../../subgraphs/kit/migrate";
import { join } from "node:path";
import { GENESIS_HASH, hashRecord } from "./hash";
import { claimFolder, liveOwner, releaseFolder } from "./folder-owner";

export interface AccessRecord { requestId: string; clientRequestId?: string | null; at: Date; callerId: string; callerName: string; organisation: string; role: string; purpose: string | null; citizens: string[]; fields: string[]; }
export interface StoredAccessRecord extends AccessRecord { seq: number; prevHash: string; hash: string; }
/** from is inclusive, to exclusive; afterSeq is the keyset cursor (the seq of the last record of the previous page). */
export interface AccessLogFilter { citizenId?: string; callerId?: string; from?: Date; to?: Date; afterSeq?: number; first: number; }
export type VerifyResult = { ok: true; count: number; headHash: string } | { ok: false; count: number; firstBadSeq: number; reason: string };
export interface AuditStore {
  kind: "pglite" | "postgres" | "disabled";
  /** Appends durably (committed) before resolving; throws if it cannot. Concurrent calls are serialised so the chain never forks. */
  append(rec: AccessRecord): Promise<StoredAccessRecord>;
  /** Ascending seq, keyset-paginated by afterSeq; total = count matching the filter (ignoring afterSeq). */
  query(filter: AccessLogFilter): Promise<{ records: StoredAccessRecord[]; hasNext: boolean; total: number }>;
  /** Recomputes the whole chain in seq order (streamed in batches). With expectHeadHash, that hash must be in the chain. */
  verify(expectHeadHash?: string): Promise<VerifyResult>;
  /** Resolves when the log can take appends (its database answers and is not read-only), for /readyz; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
export interface AuditStoreOptions {
  databaseUrl?: string;
  dataDir: string;
}

export const MAX_PAGE_SIZE = 1000;
const MIGRATIONS_DIR = join(__dirname, "migrations");
/** Advisory lock key shared by every gateway process appending to one PostgreSQL access log. */
const APPEND_LOCK_KEY = 4_137_200_001;
const VERIFY_BATCH = 5000;
const COLUMNS = "seq, request_id, at, caller_id, caller_name, organisation, role, purpose, citizens, fields, prev_hash, hash, client_request_id";
type Row = Record<string, unknown>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Refuses text PostgreSQL would not store verbatim (NUL, lone surrogates): the stored record must hash as appended. */
function text(name: string, v: unknown): string {
  if (typeof v !== "string" || v.includes("\u0000") || LONE_SURROGATE.test(v)) throw new TypeError(`access record ${name} must be valid Unicode text without NUL characters`);
  return v;
}
function normalise(r: AccessRecord): AccessRecord {
  if (!(r.at instanceof Date) || Number.isNaN(r.at.getTime())) throw new TypeError("access record at must be a valid Date");
  if (!Array.isArray(r.citizens) || !Array.isArray(r.fields)) throw new TypeError("access record citizens and fields must be arrays");
  return {
    requestId: text("requestId", r.requestId), clientRequestId: r.clientRequestId === null || r.clientRequestId === undefined ? null : text("clientRequestId", r.clientRequestId), at: new Date(r.at.getTime()), callerId: text("callerId", r.callerId),
    callerName: text("callerName", r.callerName), organisation: text("organisation", r.organisation), role: text("role", r.role),
    purpose: r.purpose === null ? null : text("purpose", r.purpose),
    citizens: r.citizens.map((c) => text("citizens[]", c)), fields: r.fields.map((f) => text("fields[]", f)),
  };
}

function toStored(r: Row): StoredAccessRecord {
  return {
    seq: Number(r.seq), requestId: String(r.request_id), clientRequestId: r.client_request_id === null || r.client_request_id === undefined ? null : String(r.client_request_id), at: r.at instanceof Date ? r.at : new Date(String(r.at)),
    callerId: String(r.caller_id), callerName: String(r.caller_name), organisation: String(r.organisation), role: String(r.role),
    purpose: r.purpose === null ? null : String(r.purpose), citizens: (r.citizens as string[]) ?? [], fields: (r.fields as string[]) ?? [],
    prevHash: String(r.prev_hash), hash: String(r.hash),
  };
}

export async function openAuditStore(opts: AuditStoreOptions): Promise<AuditStore> {
  // PGlite is single-process: never open a folder another running process has open (./folder-owner.ts).
  const embedded = !opts.databaseUrl;
  if (embedded) {
    const other = liveOwner(opts.dataDir);
    if (other && other.pid !== process.pid) throw new Error(`${opts.dataDir} is open in process ${other.pid}; PGlite allows one process at a time`);
  }
  // Appends touch the tail of the table and its indexes: small shared buffers keep the embedded log's memory low.
  const conn = await openMigrated({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, poolSize: 4, pgliteSharedBuffersMb: 16 }, MIGRATIONS_DIR);
  const { kind, runner } = conn;
  if (embedded) claimFolder(opts.dataDir);
  const closeDriver = async () => {
    await conn.close();
    if (embedded) releaseFolder(opts.dataDir);
  };

  /**
   * The chain's head as last committed by this process. Only for PGlite: one process owns an embedded log
   * (the writer), so after the first read the head is known and a group is a single INSERT (atomic on its
   * own) instead of BEGIN, SELECT, INSERT, COMMIT. PostgreSQL may have other gateway processes appending,
   * so there the head is read under the advisory lock in every transaction.
   */
  let head: { seq: number; hash: string } | undefined;

  function rowsOf(group: AccessRecord[], from: { seq: number; hash: string }) {
    const stored: StoredAccessRecord[] = [];
    const params: unknown[] = [];
    const rows: string[] = [];
    let { seq, hash: prevHash } = from;
    for (const rec of group) {
      seq++;
      const hash = hashRecord(prevHash, { ...rec, seq });
      const base = params.length;
      params.push(seq, rec.requestId, rec.at, rec.callerId, rec.callerName, rec.organisation, rec.role, rec.purpose, rec.citizens, rec.fields, prevHash, hash, rec.clientRequestId ?? null);
      rows.push(`(${Array.from({ length: 13 }, (_, i) => `$${base + i + 1}`).join(", ")})`);
      stored.push({ ...rec, seq, prevHash, hash });
      prevHash = hash;
    }
    return { stored, sql: `INSERT INTO access_log (${COLUMNS}) VALUES ${rows.join(", ")}`, params };
  }

  const readHead = async (q: SqlRunner["query"]) => {
    const [last] = await q("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1", []);
    return last ? { seq: Number(last.seq), hash: String(last.hash) } : { seq: 0, hash: GENESIS_HASH };
  };

  async function insertGroup(group: AccessRecord[]): Promise<StoredAccessRecord[]> {
    if (kind === "pglite") {
      const from = head ?? (await readHead(runner.query));
      const { stored, sql, params } = rowsOf(group, from);
      head = undefined; // unknown until this INSERT is known to have committed (or not)
      await runner.query(sql, params);
      const last = stored[stored.length - 1];
      head = { seq: last.seq, hash: last.hash };
      return stored;
    }
    let out: StoredAccessRecord[] = [];
    await runner.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK_KEY]);
      const { stored, sql, params } = rowsOf(group, await readHead(tx.query));
      await tx.query(sql, params);
      out = stored;
    });
    return out;
  }

  // Group commit: appends that arrive while a transaction is running are written together in the next
  // one. Each append still resolves only after its own record is committed (fail closed holds), and a
  // failed group rejects only its own appends.
  type Pending = { rec: AccessRecord; resolve: (s: StoredAccessRecord) => void; reject: (e: unknown) => void };
  const GROUP_MAX = 200;
  let pending: Pending[] = [];
  let flushing: Promise<void> | null = null;
  let closed = false;

  function drain(): Promise<void> {
    if (flushing) return flushing;
    flushing = (async () => {
      while (pending.length) {
        const group = pending.slice(0, GROUP_MAX);
        pending = pending.slice(GROUP_MAX);
        try {
          const stored = await insertGroup(group.map((g) => g.rec));
          group.forEach((g, i) => g.resolve(stored[i]));
        } catch (e) {
          group.forEach((g) => g.reject(e));
        }
      }
    })().finally(() => {
      flushing = null;
      if (pending.length) void drain();
    });
    return flushing;
  }

  return {
    kind,
    async append(rec) {
      if (closed) throw new Error("audit store is closed");
      const r = normalise(rec);
      return new Promise<StoredAccessRecord>((resolve, reject) => {
        pending.push({ rec: r, resolve, reject });
        void drain();
      });
    },

    async query(f) {
      if (!Number.isInteger(f.first) || f.first < 0 || f.first > MAX_PAGE_SIZE) throw new RangeError(`first must be an integer from 0 to ${MAX_PAGE_SIZE}`);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (cond: string, v: unknown) => where.push(cond.replace("?", `$${params.push(v)}`));
      if (f.citizenId !== undefined) add("citizens @> ARRAY[?::text]", f.citizenId);
      if (f.callerId !== undefined) add("caller_id = ?", f.callerId);
      if (f.from !== undefined) add("at >= ?", f.from);
      if (f.to !== undefined) add("at < ?", f.to);
      const clause = (w: string[]) => (w.length ? `WHERE ${w.join(" AND ")}` : "");
      const [{ n }] = await runner.query(`SELECT count(*) AS n FROM access_log ${clause(where)}`, params);
      if (f.afterSeq !== undefined) add("seq > ?", f.afterSeq);
      const rows = await runner.query(`SELECT ${COLUMNS} FROM access_log ${clause(where)} ORDER BY seq LIMIT $${params.length + 1}`, [...params, f.first + 1]);
      return { records: rows.slice(0, f.first).map(toStored), hasNext: rows.length > f.first, total: Number(n) };
    },

    async verify(expectHeadHash) {
      let prev = GENESIS_HASH;
      let count = 0;
      let sawExpected = expectHeadHash === undefined || expectHeadHash === GENESIS_HASH;
      const bad = (firstBadSeq: number, reason: string): VerifyResult => ({ ok: false, count, firstBadSeq, reason });
      for (;;) {
        const rows = await runner.query(`SELECT ${COLUMNS} FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [count, VERIFY_BATCH]);
        if (rows.length === 0) break;
        for (const row of rows) {
          const r = toStored(row);
          const want = count + 1;
          if (r.seq !== want) return bad(want, r.seq === want + 1 ? `record ${want} is missing` : `records ${want} to ${r.seq - 1} are missing`);
          if (hashRecord(r.prevHash, r) !== r.hash) return bad(r.seq, `record ${r.seq} was altered`);
          if (r.prevHash !== prev) {
            return r.seq === 1
              ? bad(1, "record 1 was altered (it does not start from the genesis hash)")
              : bad(r.seq - 1, `record ${r.seq - 1} was altered and re-hashed (record ${r.seq} does not link to its hash)`);
          }
          if (r.hash === expectHeadHash) sawExpected = true;
          prev = r.hash;
          count++;
        }
      }
      if (!sawExpected) {
        return bad(count + 1, `the expected head ${expectHeadHash} is not in the log (it ends at record ${count}, head ${prev}): records were deleted from the end or the chain was rewritten`);
      }
      return { ok: true, count, headHash: prev };
    },

    async ping() {
      if (closed) throw new Error("audit store is closed");
      const [row] = await runner.query("SELECT pg_is_in_recovery() AS ro", []);
      // A standby (or a database being recovered) cannot take appends.
      if (row?.ro === true) throw new Error("the access-log database is read-only");
    },

    async close() {
      if (closed) return;
      closed = true;
      while (flushing) await flushing;
      await closeDriver();
    },
  };
}
