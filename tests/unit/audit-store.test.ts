/** The access log on embedded PGlite: append/query, hash-chain verification, tamper detection, the CLI. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { openAuditStore, type AccessRecord, type AuditStore } from "../../gateway/src/audit/store";
import { GENESIS_HASH, hashRecord } from "../../gateway/src/audit/hash";
import { accessRecord } from "../helpers/records";
import { runCli } from "../helpers/cli";

const T0 = Date.parse("2026-03-01T08:00:00.123Z");

const rec = accessRecord;

let dir: string;
let store: AuditStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "cg-audit-"));
  store = await openAuditStore({ dataDir: join(dir, "gateway-audit") });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function appendN(n: number) {
  for (let i = 1; i <= n; i++) await store.append(rec(i));
}

/** Runs SQL on the store's folder as the superuser would, with the store closed (PGlite is single-process). */
async function asSuperuser(sql: string) {
  await store.close();
  const lite = new PGlite(join(dir, "gateway-audit"));
  await lite.exec(sql);
  await lite.close();
  store = await openAuditStore({ dataDir: join(dir, "gateway-audit") });
}

describe("access log store (PGlite)", () => {
  it("appends a chained record and returns it as stored", async () => {
    const a = await store.append(rec(1));
    const b = await store.append(rec(2));
    expect(store.kind).toBe("pglite");
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    expect(b.hash).toBe(hashRecord(a.hash, { ...rec(2), seq: 2 }));
    expect(hashRecord(a.hash, { ...rec(2), seq: 2, citizens: [...rec(2).citizens].reverse() })).toBe(b.hash);
    expect(hashRecord(a.hash, { ...rec(2), seq: 3 })).not.toBe(b.hash);
  });

  it("queries by citizen, by caller and by time range, with keyset pagination and totals", async () => {
    await appendN(12);
    const byCitizen = await store.query({ citizenId: "P00000001", first: 10 });
    expect(byCitizen.records.map((r) => r.seq)).toEqual([1, 5, 9]);
    expect(byCitizen).toMatchObject({ total: 3, hasNext: false });
    expect((await store.query({ citizenId: "P00000009", first: 50 })).total).toBe(12);
    const byCaller = await store.query({ callerId: "worker-2", first: 10 });
    expect(byCaller.records.map((r) => r.seq)).toEqual([2, 4, 6, 8, 10, 12]);
    const range = await store.query({ from: new Date(T0 + 3 * 60_000), to: new Date(T0 + 6 * 60_000), first: 10 });
    expect(range.records.map((r) => r.seq)).toEqual([3, 4, 5]);
    const both = await store.query({ callerId: "worker-1", from: new Date(T0 + 4 * 60_000), first: 10 });
    expect(both.records.map((r) => r.seq)).toEqual([5, 7, 9, 11]);

    const p1 = await store.query({ first: 5 });
    expect(p1.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(p1).toMatchObject({ hasNext: true, total: 12 });
    const p3 = await store.query({ first: 5, afterSeq: 10 });
    expect(p3.records.map((r) => r.seq)).toEqual([11, 12]);
    expect(p3).toMatchObject({ hasNext: false, total: 12 });
    expect((await store.query({ first: 2, afterSeq: 10 })).hasNext).toBe(false);
    await expect(store.query({ first: -1 })).rejects.toThrow(RangeError);
  });

  it("verifies an intact chain and an empty one", async () => {
    expect(await store.verify()).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH });
    await appendN(7);
    const head = (await store.query({ afterSeq: 6, first: 1 })).records[0].hash;
    expect(await store.verify()).toEqual({ ok: true, count: 7, headHash: head });
    expect(await store.verify(head)).toMatchObject({ ok: true, count: 7 });
  });

  it("refuses plain UPDATE, DELETE and TRUNCATE", async () => {
    await appendN(3);
    await store.close();
    const lite = new PGlite(join(dir, "gateway-audit"));
    await expect(lite.exec("UPDATE access_log SET caller_name = 'x' WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(lite.exec("DELETE FROM access_log WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(lite.exec("TRUNCATE access_log")).rejects.toThrow(/append-only/);
    expect((await lite.query("SELECT count(*)::int AS n FROM access_log")).rows).toEqual([{ n: 3 }]);
    await lite.close();
    store = await openAuditStore({ dataDir: join(dir, "gateway-audit") });
    expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
  });

  it("detects a record altered with the trigger disabled", async () => {
    await appendN(20);
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET purpose = '核查' WHERE seq = 17; ALTER TABLE access_log ENABLE TRIGGER USER;");
    expect(await store.verify()).toEqual({ ok: false, count: 16, firstBadSeq: 17, reason: "record 17 was altered" });
  });

  it("detects an altered array and a re-hashed record", async () => {
    await appendN(10);
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET citizens = array_remove(citizens, 'P00000009') WHERE seq = 4;");
    expect(await store.verify()).toMatchObject({ ok: false, firstBadSeq: 4, reason: "record 4 was altered" });
    const r4 = (await store.query({ afterSeq: 3, first: 1 })).records[0];
    await asSuperuser(`UPDATE access_log SET hash = '${hashRecord(r4.prevHash, r4)}' WHERE seq = 4;`);
    const res = await store.verify();
    expect(res).toMatchObject({ ok: false, firstBadSeq: 4 });
    expect(!res.ok && res.reason).toMatch(/record 4 was altered and re-hashed/);
  });

  it("keeps the client's request id beside the gateway's, covered by the hash, and detects it altered or removed", async () => {
    await store.append(rec(1));
    const b = await store.append(rec(2, { clientRequestId: "客户端-42" }));
    await store.append(rec(3, { clientRequestId: null }));
    expect(b.clientRequestId).toBe("客户端-42");
    expect((await store.query({ afterSeq: 1, first: 1 })).records[0]).toMatchObject({ requestId: "req-2", clientRequestId: "客户端-42" });
    expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET client_request_id = 'forged' WHERE seq = 2; ALTER TABLE access_log ENABLE TRIGGER USER;");
    expect(await store.verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET client_request_id = NULL WHERE seq = 2; ALTER TABLE access_log ENABLE TRIGGER USER;");
    expect(await store.verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it("refuses a client request id that is not clean text", async () => {
    await expect(store.append(rec(1, { clientRequestId: "a\u0000b" }))).rejects.toThrow(/clientRequestId/);
  });

  it("detects a deleted middle record and names the gap", async () => {
    await appendN(20);
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; DELETE FROM access_log WHERE seq = 9;");
    expect(await store.verify()).toEqual({ ok: false, count: 8, firstBadSeq: 9, reason: "record 9 is missing" });
  });

  it("detects deleted first records", async () => {
    await appendN(5);
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; DELETE FROM access_log WHERE seq <= 2;");
    expect(await store.verify()).toMatchObject({ ok: false, count: 0, firstBadSeq: 1, reason: "records 1 to 2 are missing" });
  });

  it("catches truncation of the tail only against an expected head", async () => {
    await appendN(10);
    const { headHash } = (await store.verify()) as { headHash: string };
    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; DELETE FROM access_log WHERE seq > 7;");
    expect(await store.verify()).toMatchObject({ ok: true, count: 7 });
    const res = await store.verify(headHash);
    expect(res).toMatchObject({ ok: false, count: 7, firstBadSeq: 8 });
    expect(!res.ok && res.reason).toContain(headHash);
    // Appending after the truncation re-uses seq 8..10 but cannot reproduce the old head.
    for (let i = 8; i <= 10; i++) await store.append(rec(i, { requestId: `forged-${i}` }));
    expect(await store.verify(headHash)).toMatchObject({ ok: false });
  });

  it("accepts an expected head that has been followed by newer records", async () => {
    await appendN(3);
    const { headHash } = (await store.verify()) as { headHash: string };
    await store.append(rec(4));
    expect(await store.verify(headHash)).toMatchObject({ ok: true, count: 4 });
  });

  it("serialises 50 concurrent appends into one contiguous, valid chain", async () => {
    const stored = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(rec(i + 1))));
    expect(stored.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await store.verify()).toMatchObject({ ok: true, count: 50 });
    expect(new Set(stored.map((s) => s.prevHash)).size).toBe(50);
  });

  it("continues the chain from the stored head after reopening", async () => {
    await store.append(rec(1));
    await store.append(rec(2));
    await store.close();
    store = await openAuditStore({ dataDir: join(dir, "gateway-audit") });
    const third = await store.append(rec(3));
    expect(third.seq).toBe(3);
    expect(await store.verify()).toMatchObject({ ok: true, count: 3 });
  });

  it("keeps appending after a refused record", async () => {
    await store.append(rec(1));
    await expect(store.append(rec(2, { callerName: "bad\u0000name" }))).rejects.toThrow(TypeError);
    await expect(store.append(rec(2, { at: new Date(NaN) }))).rejects.toThrow(TypeError);
    expect((await store.append(rec(3))).seq).toBe(2);
    expect(await store.verify()).toMatchObject({ ok: true, count: 2 });
  });

  it("round-trips Chinese text and awkward array elements exactly", async () => {
    const odd = ["欧阳娜娜", "NULL", "", "a,b", "{x}", 'q"uote', "back\\slash", " spaced ", "𠀀𝌆"];
    const input = rec(1, { callerName: "李 小龙·阿依古丽", organisation: "北京市朝阳区民政局", purpose: "高龄津贴核查（2026年）", citizens: odd, fields: ["Citizen.姓名", "Household.住址"] });
    await store.append(input);
    await store.close();
    store = await openAuditStore({ dataDir: join(dir, "gateway-audit") });
    const [got] = (await store.query({ citizenId: "欧阳娜娜", first: 1 })).records;
    expect(got).toMatchObject({ ...input, seq: 1 });
    expect(got.at.toISOString()).toBe("2026-03-01T08:01:00.123Z");
    expect((await store.query({ citizenId: "NULL", first: 1 })).total).toBe(1);
    expect(await store.verify()).toMatchObject({ ok: true, count: 1 });
  });
});

describe("npm run audit:verify", () => {
  const cli = (dataDir: string, ...args: string[]) => runCli("schema/cli/audit-verify.ts", args, { DATA_DIR: dataDir, AUDIT_DATABASE_URL: "" });

  it("reports a missing log as empty and intact", async () => {
    const out = await cli(join(dir, "nothing-here"));
    expect(out).toMatchObject({ code: 0, stdout: `access log intact: 0 records, head ${GENESIS_HASH}\n` });
  });

  it("exits 0 on an intact log and 1 on a tampered one", async () => {
    await appendN(5);
    const { headHash } = (await store.verify()) as { headHash: string };
    await store.close();
    const ok = await cli(dir, "--expect-head", headHash);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`intact: 5 records, head ${headHash}`);

    await asSuperuser("ALTER TABLE access_log DISABLE TRIGGER USER; UPDATE access_log SET role = 'admin' WHERE seq = 3;");
    await store.close();
    const bad = await cli(dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("ACCESS LOG TAMPERED: record 3 was altered");
  });
});
