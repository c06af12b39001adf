/**
 * Pre-seeded PGlite data folders, built once per data-set size and copied by each test (seeding is the
 * slow part). Cached under the OS temp folder, keyed by size, seed, migrations and generator sources,
 * so a change to either rebuilds it.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { loadSubgraphConfig } from "../../subgraphs/kit/config";
import { openDepartment } from "../../subgraphs/kit/department";
import { seedDepartments } from "../../subgraphs/kit/seed";
import { DEFAULT_SYNTHETIC } from "../../subgraphs/synthetic";
import type { Department } from "../../subgraphs/departments";

const root = resolve(__dirname, "../..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? (f === "generated" ? [] : filesUnder(p)) : [p];
  });
}

function sourceHash(): string {
  const h = createHash("sha256");
  const files = [...filesUnder(join(root, "subgraphs/synthetic")), ...SUBGRAPHS.flatMap((m) => filesUnder(join(m.dir, "prisma")))].sort();
  for (const f of files) h.update(f).update(readFileSync(f));
  return h.digest("hex").slice(0, 12);
}

export async function fixtureDir(citizens: number, seed = DEFAULT_SYNTHETIC.seed): Promise<string> {
  const dir = join(tmpdir(), `cg-fixture-${citizens}-${seed}-${sourceHash()}`);
  if (existsSync(join(dir, "READY"))) return dir;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const targets = [];
  for (const mod of SUBGRAPHS) {
    const config = { ...loadSubgraphConfig(mod.name as Department, {}), dataDir: join(building, mod.name) };
    targets.push({ mod, db: await openDepartment(mod, config) });
  }
  await seedDepartments(targets, { ...DEFAULT_SYNTHETIC, citizens, seed });
  for (const t of targets) await t.db.close();
  writeFileSync(join(building, "READY"), new Date().toISOString());
  if (existsSync(join(dir, "READY"))) {
    rmSync(building, { recursive: true, force: true });
  } else {
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(building, dir);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another worker won the race
    }
  }
  return dir;
}
