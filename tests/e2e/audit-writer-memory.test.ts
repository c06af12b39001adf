/**
 * The embedded access log's writer process stays small: compiled as `npm start` runs it, with its V8 flags
 * (writer-client.ts, WRITER_V8_FLAGS), its peak RSS after opening an existing log and appending 3,000
 * records of 100 citizens each, 50 in flight, stays within 200 MB (the same writer with V8's default flags
 * peaks at ≈ 230–295 MB: TurboFan re-compiling PostgreSQL's WebAssembly and a 16 MB young generation), and
 * the chain it wrote verifies.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { AccessRecord } from "../../gateway/src/audit/store";
import type * as WriterClient from "../../gateway/src/audit/writer-client";
import { accessRecord } from "../helpers/records";

const root = resolve(__dirname, "../..");
const WRITER_PEAK_BUDGET_MB = 200;
// The compiled client starts the compiled writer (writer-process.js), as the gateway of `npm start` does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { openAuditWriter, WRITER_V8_FLAGS } = require(join(root, "dist/gateway/src/audit/writer-client.js")) as typeof WriterClient;

const peakMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
const citizens = Array.from({ length: 100 }, (_, k) => `11010119500101${String(k).padStart(4, "0")}`);
const rec = (i: number): AccessRecord => accessRecord(i, { citizens, fields: ["Citizen.name", "Citizen.idNumber", "Citizen.phone", "Citizen.address"] });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-writer-mem-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`keeps the writer's peak RSS within ${WRITER_PEAK_BUDGET_MB} MB while it appends, and the chain verifies`, async () => {
  const dataDir = join(dir, "log");
  // The log is created apart from the writer (a copy of the blank cluster, subgraphs/kit/pglite-blank.ts); the writer then opens it.
  const writer = await openAuditWriter({ dataDir });
  try {
    await writer.ping();
    const pid = writer.pid!;
    expect(cmdline(pid)).toEqual(expect.arrayContaining(WRITER_V8_FLAGS));
    const total = 3000;
    let next = 1;
    const lane = async () => {
      while (next <= total) await writer.append(rec(next++));
    };
    await Promise.all(Array.from({ length: 50 }, lane));
    expect(writer.pid).toBe(pid); // the same writer did all of it
    const peak = peakMb(pid);
    console.log(`access-log writer: peak RSS ${peak.toFixed(0)} MB over ${total} appends (budget ${WRITER_PEAK_BUDGET_MB} MB)`);
    expect(peak).toBeLessThanOrEqual(WRITER_PEAK_BUDGET_MB);
    await expect(writer.verify()).resolves.toMatchObject({ ok: true, count: total });
    const { records } = await writer.query({ first: 1 });
    expect(records[0].citizens).toEqual(citizens);
    expect(records[0].callerName).toBe("网格员 王芳");
  } finally {
    await writer.close();
  }
}, 180_000);
