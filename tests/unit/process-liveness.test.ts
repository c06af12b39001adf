/**
 * A lock or holder file names a process; it is live only while that process runs. A zombie (exited, not yet
 * reaped — containers whose PID 1 does not reap orphans keep them) still answers kill(pid, 0) but holds
 * nothing, so a crashed access-log writer left as a zombie must not block `audit:verify`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { processAlive, processStartTime } from "../../subgraphs/kit/process-liveness";
import { liveOwner } from "../../gateway/src/audit/folder-owner";
import { announceHolder, holderFile, registryHolder } from "../../schema/registry/holder";
import { until } from "../helpers/wait";

/** Starts a shell whose background child exits and is never reaped (its parent execs `sleep`). */
async function zombie(): Promise<{ pid: number; stop: () => void }> {
  const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  const pid = await new Promise<number>((r) => parent.stdout!.once("data", (d) => r(Number(String(d).trim()))));
  await until(() => {
    try {
      process.kill(pid, 0); // still "exists" to kill(0) …
    } catch {
      return false;
    }
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8")); // … as a zombie
  }, "the child to become a zombie", 10_000);
  return { pid, stop: () => parent.kill("SIGKILL") };
}

describe("process liveness", () => {
  it("counts this process as alive and a pid nobody has as gone", () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-42)).toBe(false); // PGlite's postmaster.pid always says -42
  });

  it("counts a zombie as gone, for the access log's lock and the registry's holder file", async () => {
    const z = await zombie();
    const dir = mkdtempSync(join(tmpdir(), "cg-zombie-"));
    try {
      expect(processAlive(z.pid)).toBe(false);
      writeFileSync(join(dir, "cg-owner.json"), JSON.stringify({ pid: z.pid, started: processStartTime(z.pid), folder: resolve(dir), at: new Date().toISOString() }));
      expect(liveOwner(dir)).toBeUndefined();
      const registryDir = join(dir, "registry");
      writeFileSync(holderFile(registryDir), JSON.stringify({ pid: z.pid, url: "http://127.0.0.1:1/" }));
      expect(registryHolder(registryDir)).toBeNull();
    } finally {
      z.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ignores a holder file whose pid now belongs to another process (pid reuse)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-holder-"));
    try {
      const registryDir = join(dir, "registry");
      // A holder recorded by an earlier process that had the pid the parent of this process has now.
      writeFileSync(holderFile(registryDir), JSON.stringify({ pid: process.ppid, started: "1", url: "http://127.0.0.1:1/" }));
      expect(registryHolder(registryDir)).toBeNull();
      writeFileSync(holderFile(registryDir), JSON.stringify({ pid: process.ppid, started: processStartTime(process.ppid), url: "http://127.0.0.1:1/" }));
      expect(registryHolder(registryDir)).toBe("http://127.0.0.1:1/");
      const withdraw = announceHolder(registryDir, "http://127.0.0.1:2/");
      withdraw();
      expect(registryHolder(registryDir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
