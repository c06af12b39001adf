/**
 * The benchmark's data set: one PGlite data folder per department under `.bench/`, seeded once per size
 * with the project's own generator and loader, and reused while the size, the seed, the generator and the
 * migrations stay the same (they are part of the folder name).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { loadSubgraphConfig } from "../../subgraphs/kit/config";
import { openDepartment } from "../../subgraphs/kit/department";
import { seedDepartments } from "../../subgraphs/kit/seed";
import { DEFAULT_SYNTHETIC } from "../../subgraphs/synthetic";
import type { Department } from "../../subgraphs/departments";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? (f === "generated" ? [] : filesUnder(p)) : [p];
  });
}

/** Hash of what determines the data: the generator's sources and every department's migrations. */
function dataSourceHash(root: string): string {
  const h = createHash("sha256");
  const files = [...filesUnder(join(root, "subgraphs/synthetic")), ...SUBGRAPHS.flatMap((m) => filesUnder(join(m.dir, "prisma/migrations")))].sort();
  for (const f of files) h.update(f.slice(root.length)).update(readFileSync(f));
  return h.digest("hex").slice(0, 10);
}

export interface BenchData {
  /** DATA_DIR for the subgraphs (holds one folder per department). */
  dir: string;
  citizens: number;
  seed: number;
  /** Seconds spent seeding in this run; undefined when the folder was reused. */
  seededSeconds?: number;
}

export async function prepareData(root: string, citizens: number, seed = DEFAULT_SYNTHETIC.seed, log: (s: string) => void = console.log): Promise<BenchData> {
  const benchDir = join(root, ".bench");
  const dir = join(benchDir, `data-${citizens}-${seed}-${dataSourceHash(root)}`);
  if (existsSync(join(dir, "READY"))) {
    log(`data: reusing ${dir.slice(root.length + 1)} (${citizens.toLocaleString("en")} citizens)`);
    return { dir, citizens, seed };
  }
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  log(`data: seeding ${citizens.toLocaleString("en")} citizens into ${dir.slice(root.length + 1)} (once per size)…`);
  const started = Date.now();
  const targets = [];
  try {
    for (const mod of SUBGRAPHS) {
      const config = { ...loadSubgraphConfig(mod.name as Department, {}), dataDir: join(building, mod.name) };
      targets.push({ mod, db: await openDepartment(mod, config) });
    }
    let lastPrint = Date.now();
    await seedDepartments(targets, { ...DEFAULT_SYNTHETIC, citizens, seed }, (done) => {
      if (done > 0 && Date.now() - lastPrint > 5000) {
        lastPrint = Date.now();
        log(`  ${done.toLocaleString("en")} / ${citizens.toLocaleString("en")} citizens`);
      }
    });
  } finally {
    for (const t of targets) await t.db.close();
  }
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(join(building, "READY"), JSON.stringify({ citizens, seed, seededAt: new Date().toISOString(), seconds }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  log(`data: seeded in ${seconds.toFixed(1)} s`);
  return { dir, citizens, seed, seededSeconds: seconds };
}
