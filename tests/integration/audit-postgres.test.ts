/**
 * The access log on the real PostgreSQL server: append/verify, the append-only trigger, tamper detection, and
 * two stores (two gateway processes) appending concurrently to one database keeping one chain.
 */
import pg from "pg";
import { openAuditStore, type AccessRecord, type AuditStore } from "../../gateway/src/audit/store";
import { GENESIS_HASH } from "../../gateway/src/audit/hash";
import { databaseUrl, describeWithPostgres, dropDatabases, PG_ADMIN_URL } from "../helpers/postgres";

const NAME = `cg_test_${process.pid}_audit`;
const URL_ = databaseUrl(NAME);
const T0 = Date.parse("2026-03-01T08:00:00.123Z");

const rec = (i: number, caller = "worker-1"): AccessRecord => ({
  requestId: `req-${i}`, at: new Date(T0 + i * 1000), callerId: caller, callerName: "网格员 张伟", organisation: "安和街道",
  role: "grid-worker", purpose: i % 2 ? "入户走访" : null, citizens: [`P0000000${i % 3}`, "欧阳娜娜"], fields: ["Citizen.name"],
});

let admin: pg.Client | undefined;
let db: pg.Client | undefined;
let store: AuditStore | undefined;

describeWithPostgres("access log on PostgreSQL", () => {
beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${NAME}"`);
  store = await openAuditStore({ databaseUrl: URL_, dataDir: "/nonexistent-unused" });
  db = new pg.Client({ connectionString: URL_ });
  await db.connect();
});

afterAll(async () => {
  await store?.close();
  await db?.end();
  await admin?.end();
  await dropDatabases([NAME]);
});

/** Each test starts from an empty log (as the superuser: the trigger refuses TRUNCATE otherwise). */
beforeEach(async () => {
  await db!.query("ALTER TABLE access_log DISABLE TRIGGER USER; TRUNCATE access_log; ALTER TABLE access_log ENABLE TRIGGER USER;");
});

const tamper = (sql: string) => db!.query(`ALTER TABLE access_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE access_log ENABLE TRIGGER USER;`);

describe("access log store (PostgreSQL)", () => {
  it("appends, queries and verifies a chain", async () => {
    expect(store!.kind).toBe("postgres");
    expect(await store!.verify()).toEqual({ ok: true, count: 0, headHash: GENESIS_HASH });
    const first = await store!.append(rec(1));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    for (let i = 2; i <= 10; i++) await store!.append(rec(i, i % 2 ? "worker-1" : "worker-2"));
    const page = await store!.query({ citizenId: "欧阳娜娜", first: 4, afterSeq: 4 });
    expect(page.records.map((r) => r.seq)).toEqual([5, 6, 7, 8]);
    expect(page).toMatchObject({ total: 10, hasNext: true });
    expect(page.records[0]).toMatchObject({ ...rec(5), seq: 5 });
    expect((await store!.query({ callerId: "worker-2", from: new Date(T0 + 4000), to: new Date(T0 + 8000), first: 10 })).records.map((r) => r.seq)).toEqual([4, 6]);
    const v = await store!.verify();
    expect(v).toMatchObject({ ok: true, count: 10 });
    expect(await store!.verify((v as { headHash: string }).headHash)).toMatchObject({ ok: true });
  });

  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    await store!.append(rec(1));
    await expect(db!.query("UPDATE access_log SET role = 'x'")).rejects.toThrow(/append-only/);
    await expect(db!.query("DELETE FROM access_log")).rejects.toThrow(/append-only/);
    await expect(db!.query("TRUNCATE access_log")).rejects.toThrow(/append-only/);
    expect(await store!.verify()).toMatchObject({ ok: true, count: 1 });
  });

  it("detects an altered record, a deleted one and a truncated tail", async () => {
    for (let i = 1; i <= 20; i++) await store!.append(rec(i));
    const { headHash } = (await store!.verify()) as { headHash: string };
    await tamper("UPDATE access_log SET caller_name = '李四' WHERE seq = 17");
    expect(await store!.verify()).toEqual({ ok: false, count: 16, firstBadSeq: 17, reason: "record 17 was altered" });
    await tamper("DELETE FROM access_log WHERE seq IN (5, 17)");
    expect(await store!.verify()).toEqual({ ok: false, count: 4, firstBadSeq: 5, reason: "record 5 is missing" });
    await tamper("DELETE FROM access_log WHERE seq >= 5");
    expect(await store!.verify()).toMatchObject({ ok: true, count: 4 });
    expect(await store!.verify(headHash)).toMatchObject({ ok: false, count: 4, firstBadSeq: 5 });
  });

  it("keeps one chain when two stores append concurrently to one database", async () => {
    const other = await openAuditStore({ databaseUrl: URL_, dataDir: "/nonexistent-unused" });
    try {
      const all = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? store! : other).append(rec(i + 1, i % 2 ? "gateway-a" : "gateway-b"))),
      );
      expect(all.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(await other.verify()).toMatchObject({ ok: true, count: 60 });
      expect((await store!.query({ callerId: "gateway-b", first: 100 })).total).toBe(30);
    } finally {
      await other.close();
    }
  });
});
});
