/** Access records for the access-log tests. */
import type { AccessRecord } from "../../gateway/src/audit/store";

const T0 = Date.parse("2026-03-01T08:00:00.123Z");

/** The i-th record of a test log: two callers alternating, Chinese text, some without a purpose. */
export function accessRecord(i: number, over: Partial<AccessRecord> = {}): AccessRecord {
  return {
    requestId: `req-${i}`,
    at: new Date(T0 + i * 60_000),
    callerId: i % 2 ? "worker-1" : "worker-2",
    callerName: "网格员 王芳",
    organisation: "安和街道",
    role: "grid-worker",
    purpose: i % 3 ? "走访" : null,
    citizens: [`P0000000${i % 4}`, "P00000009"],
    fields: ["Citizen.name", "Citizen.phone"],
    ...over,
  };
}
