/** The embedded access log's writer process: creation, a stuck writer replaced, a log it cannot open. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditWriter, type AuditWriter } from "../../gateway/src/audit/writer-client";
import type { AccessRecord } from "../../gateway/src/audit/store";
import { accessRecord } from "../helpers/records";
import { processAlive } from "../../subgraphs/kit/process-liveness";

const rec = (i: number): AccessRecord => accessRecord(i, { callerId: "worker-1", purpose: "visit", citizens: ["P00000001"], fields: ["Citizen.name"] });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-writer-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("creates a new log, and replaces a writer that stops answering: the stuck call fails, the chain goes on", async () => {
  const writer: AuditWriter = await openAuditWriter({ dataDir: join(dir, "log") }, { callTimeoutMs: 1500 });
  try {
    const first = await writer.append(rec(1));
    const pid = writer.pid!;
    process.kill(pid, "SIGSTOP"); // alive but stuck
    await expect(writer.append(rec(2))).rejects.toThrow(/did not answer within 1500 ms/);
    // The stuck writer was stopped; the next call starts a new one on the same log.
    await writer.append(rec(3));
    expect(writer.pid).not.toBe(pid);
    expect(processAlive(pid)).toBe(false);
    const v = await writer.verify();
    expect(v.ok).toBe(true);
    const { records } = await writer.query({ first: 10 });
    expect(records.map((r) => r.requestId)).not.toContain("req-2");
    expect(records.map((r) => r.requestId)).toEqual(expect.arrayContaining(["req-1", "req-3"]));
    expect(records[0].callerName).toBe("网格员 王芳");
    // What an append resolves to is the record as stored: its content, and its place in the chain.
    const stored = records.find((r) => r.requestId === "req-1")!;
    const { seq, prevHash, hash, citizens, fields, callerName } = stored;
    expect(first).toMatchObject({ seq, prevHash, hash, citizens, fields, callerName, requestId: "req-1" });
    expect(first.at.getTime()).toBe(new Date(stored.at).getTime());
    expect(first).toMatchObject({ seq: 1, prevHash: "0".repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  } finally {
    await writer.close();
  }
}, 120_000);

it("lets a slow read fail on its own: the writer is not replaced, and appends go on once it answers", async () => {
  const writer: AuditWriter = await openAuditWriter({ dataDir: join(dir, "log") }, { callTimeoutMs: 1000 });
  try {
    await writer.append(rec(1));
    const pid = writer.pid!;
    process.kill(pid, "SIGSTOP");
    await expect(writer.query({ first: 10 })).rejects.toThrow(/did not answer within 5000 ms/);
    expect(writer.pid).toBe(pid);
    process.kill(pid, "SIGCONT");
    await writer.append(rec(2));
    expect(writer.pid).toBe(pid);
    expect(await writer.verify()).toMatchObject({ ok: true, count: 2 });
  } finally {
    await writer.close();
  }
}, 120_000);

it("reports a log it cannot open with the writer's reason, and does not crash the caller", async () => {
  const file = join(dir, "not-a-folder");
  writeFileSync(file, "x");
  await expect(openAuditWriter({ dataDir: join(file, "log") })).rejects.toThrow(/could not open the log/);
}, 120_000);
