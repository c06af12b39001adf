/**
 * The benchmarks run the services as shipped: compiled JavaScript from dist/ (`npm run build`). When dist/
 * is missing or older than a source file it is rebuilt first, so a benchmark never measures stale code.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestSource(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir)) {
    if (f === "node_modules" || f === "generated" || f === "dist") continue;
    const p = join(dir, f);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestSource(p) : /\.(ts|graphql|yaml|sql)$/.test(f) ? s.mtimeMs : 0);
  }
  return newest;
}

/** Builds dist/ when it is missing or stale; returns a note for the report. */
export function ensureBuilt(root: string, log: (s: string) => void): string {
  const marker = join(root, "dist/gateway/src/main.js");
  const sources = Math.max(...["gateway", "subgraphs", "schema"].map((d) => newestSource(join(root, d))));
  if (existsSync(marker) && statSync(marker).mtimeMs >= sources) return "compiled JavaScript from dist/ (npm run build)";
  log(existsSync(marker) ? "dist/ is older than the sources: npm run build…" : "no dist/: npm run build…");
  const t0 = Date.now();
  execFileSync(process.execPath, ["--import", "tsx", join(root, "schema/cli/build.ts")], { cwd: root, stdio: "inherit" });
  return `compiled JavaScript from dist/ (built by this run in ${((Date.now() - t0) / 1000).toFixed(0)} s)`;
}

/** `node` arguments that run a service entry point (path relative to the root, .ts) compiled from dist/. */
export const compiledEntry = (root: string, relative: string) => join(root, "dist", relative.replace(/\.ts$/, ".js"));
