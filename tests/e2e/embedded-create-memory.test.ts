/**
 * A new embedded schema registry is created apart: the gateway's process (compiled, as `npm start` runs it)
 * opens a registry folder that does not exist yet without taking on initdb's WebAssembly memory — its peak
 * RSS stays within the gateway's 300 MB budget (≈ 800 MB when initdb ran in the process itself), the registry
 * works, and a folder that cannot be created is reported with its reason, not as a crash.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");
const RSS_BUDGET_MB = 300;

/** Opens the compiled registry store on `dataDir` in a fresh node process; prints JSON of what happened. */
function openInFreshProcess(dataDir: string) {
  const script = `
    const { openRegistryStore } = require(${JSON.stringify(join(root, "dist/schema/registry/store.js"))});
    const peak = () => Number(/VmHWM:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))[1]) / 1024;
    openRegistryStore({ dataDir: process.argv[1] }).then(
      async (s) => { const version = await s.currentVersion(); await s.close(); console.log(JSON.stringify({ ok: true, version, peakMb: peak() })); },
      (e) => console.log(JSON.stringify({ ok: false, message: e.message, peakMb: peak() })),
    );`;
  const r = spawnSync(process.execPath, ["--max-old-space-size=256", "-e", script, dataDir], { encoding: "utf8", timeout: 120_000 });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { ok: boolean; version?: number | null; message?: string; peakMb: number };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-create-apart-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it(`creates a new registry in a child process: the opening process peaks within ${RSS_BUDGET_MB} MB, and reopens it`, () => {
  const dataDir = join(dir, "registry");
  const first = openInFreshProcess(dataDir);
  expect(first).toMatchObject({ ok: true, version: null });
  expect(first.peakMb).toBeLessThanOrEqual(RSS_BUDGET_MB);
  const again = openInFreshProcess(dataDir); // the existing folder: opened, not created again
  console.log(`registry store opening process: peak RSS ${first.peakMb.toFixed(0)} MB creating, ${again.peakMb.toFixed(0)} MB reopening (budget ${RSS_BUDGET_MB} MB)`);
  expect(again).toMatchObject({ ok: true, version: null });
  expect(again.peakMb).toBeLessThanOrEqual(RSS_BUDGET_MB);
}, 240_000);

it("reports a registry folder that cannot be created with its reason", () => {
  const file = join(dir, "not-a-folder");
  writeFileSync(file, "x");
  const r = openInFreshProcess(join(file, "registry"));
  expect(r.ok).toBe(false);
  expect(r.message).toMatch(/ENOTDIR|not a directory|could not be created/i);
}, 120_000);
