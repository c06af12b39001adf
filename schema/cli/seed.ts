/**
 * `npm run seed -- --citizens N [--seed S] [--department NAME…]`: empties the department databases
 * (embedded PGlite folders, or PostgreSQL where <DEPT>_DATABASE_URL is set) and loads one deterministic
 * synthetic data set into them, with progress output. Stop the running system first.
 */
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_SYNTHETIC } from "../../subgraphs/synthetic";
import { SUBGRAPHS } from "../../subgraphs/registry";
import type { Department } from "../../subgraphs/departments";
import { loadSubgraphConfig } from "../../subgraphs/kit/config";
import { openDepartment } from "../../subgraphs/kit/department";
import { ensureDatabase } from "../../subgraphs/kit/database";
import { resetDepartment, seedDepartments } from "../../subgraphs/kit/seed";

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
  return n;
};

const program = new Command("seed")
  .description("Reset the department databases and load synthetic citizens")
  .option("--citizens <n>", "number of citizens", int("citizens", 1), DEFAULT_SYNTHETIC.citizens)
  .option("--seed <n>", "random seed", int("seed", 0), DEFAULT_SYNTHETIC.seed)
  .option("--as-of <date>", "reference date of the data set (YYYY-MM-DD)", DEFAULT_SYNTHETIC.asOf.toISOString().slice(0, 10))
  .option("--department <names...>", "only these departments (default: all four)")
  .parse();

async function main() {
  const o = program.opts<{ citizens: number; seed: number; asOf: string; department?: string[] }>();
  const asOf = new Date(`${o.asOf}T00:00:00Z`);
  if (Number.isNaN(asOf.getTime())) throw new InvalidArgumentError("--as-of must be YYYY-MM-DD");
  const mods = o.department ? SUBGRAPHS.filter((m) => o.department!.includes(m.name)) : SUBGRAPHS;
  if (!mods.length) throw new Error(`no such department: ${o.department?.join(", ")}`);
  const targets = [];
  for (const mod of mods) {
    const config = loadSubgraphConfig(mod.name as Department);
    if (config.databaseUrl) await ensureDatabase(config.databaseUrl);
    const db = await openDepartment(mod, config);
    await resetDepartment(mod, db);
    console.log(`${mod.name}: ${db.kind === "postgres" ? "PostgreSQL" : `PGlite at ${config.dataDir}`}, emptied`);
    targets.push({ mod, db });
  }
  const started = Date.now();
  let lastPrint = 0;
  await seedDepartments(targets, { citizens: o.citizens, seed: o.seed, asOf }, (done) => {
    const now = Date.now();
    if (now - lastPrint > 2000 || done === o.citizens) {
      lastPrint = now;
      const secs = (now - started) / 1000;
      console.log(`  ${done.toLocaleString("en")} / ${o.citizens.toLocaleString("en")} citizens (${Math.round((100 * done) / o.citizens)}%, ${Math.round(done / Math.max(secs, 0.001))}/s)`);
    }
  });
  for (const t of targets) await t.db.close();
  console.log(`seeded ${o.citizens.toLocaleString("en")} citizens into ${targets.length} department(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
