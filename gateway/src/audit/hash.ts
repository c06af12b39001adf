/**
 * Canonical hashing of access records. Each record's hash covers its own content, its seq and the hash of the
 * record before it, so altering, deleting or reordering any record breaks the chain from that point on.
 */
import { createHash } from "node:crypto";

/** prev_hash of record 1. */
export const GENESIS_HASH = "0".repeat(64);

/** The hashed fields of a record (what `AccessRecord` carries, plus its position in the chain). */
export interface HashableRecord {
  seq: number;
  requestId: string;
  at: Date;
  callerId: string;
  callerName: string;
  organisation: string;
  role: string;
  purpose: string | null;
  citizens: readonly string[];
  fields: readonly string[];
  /** The client's own x-request-id, when it sent one (records from before this field hash without it). */
  clientRequestId?: string | null;
}

/** Code-unit order: deterministic and independent of locale. */
const sorted = (xs: readonly string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The exact bytes that are hashed: a JSON array in a fixed field order (UTF-8). */
export function canonicalRecord(prevHash: string, r: HashableRecord): string {
  return JSON.stringify([
    r.seq,
    prevHash,
    r.requestId,
    r.at.toISOString(),
    r.callerId,
    r.callerName,
    r.organisation,
    r.role,
    r.purpose,
    sorted(r.citizens),
    sorted(r.fields),
    // Appended only when present, so records written before the field existed verify unchanged.
    ...(r.clientRequestId !== null && r.clientRequestId !== undefined ? [["clientRequestId", r.clientRequestId]] : []),
  ]);
}

/** sha256 hex of the canonical record. */
export function hashRecord(prevHash: string, record: HashableRecord): string {
  return createHash("sha256").update(canonicalRecord(prevHash, record), "utf8").digest("hex");
}
