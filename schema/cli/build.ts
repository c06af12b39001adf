/**
 * `npm run build`: compiles the gateway, the departments and the command-line tools to JavaScript in
 * `dist/` (tsconfig.build.json) and copies the files they read at run time beside them — SDL, policy,
 * supergraph, SQL migrations — so that production runs `node dist/...` with no TypeScript loader.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const OUT = join(ROOT, "dist");
const ASSET = /\.(graphql|yaml|sql)$/;

function assets(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === "node_modules" || f === "dist") return [];
    return statSync(p).isDirectory() ? assets(p) : ASSET.test(f) ? [p] : [];
  });
}

rmSync(OUT, { recursive: true, force: true });
execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit", cwd: ROOT });
let copied = 0;
for (const top of ["gateway", "subgraphs", "schema"]) {
  for (const file of assets(join(ROOT, top))) {
    const target = join(OUT, relative(ROOT, file));
    cpSync(file, target, { force: true });
    copied++;
  }
}
console.log(`built dist/ (${copied} SDL, policy and migration files copied)`);
