/**
 * Builds the seeded PGlite fixtures once, before parallel test workers would race to build them. Runs in
 * a child process so that no database or client state lingers in Jest's own process.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, ["--import", "tsx", "tests/helpers/build-fixtures.ts"], {
    cwd: resolve(__dirname, "../.."),
    env: { ...process.env, NODE_OPTIONS: "" },
    stdio: "inherit",
  });
}
