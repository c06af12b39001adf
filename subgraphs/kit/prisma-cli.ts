/**
 * Runs the Prisma CLI for every department without native engines.
 *   tsx subgraphs/kit/prisma-cli.ts generate            generate all four clients
 *   tsx subgraphs/kit/prisma-cli.ts migration <dept> <name>   write a new migration (diff from the applied ones)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";
import { DEPARTMENTS } from "../departments";

const root = resolve(__dirname, "../..");
const prismaBin = join(root, "node_modules/.bin/prisma");
const env = {
  ...process.env,
  // `prisma` checks that these files exist before it starts; nothing is executed (see toolchain notes).
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
  PRISMA_SCHEMA_URL: "postgresql://unused@localhost/unused",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};

function prisma(args: string[], capture = false): string {
  const r = spawnSync(prismaBin, args, { env, cwd: root, encoding: "utf8", stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit" });
  if (r.status !== 0) {
    console.error(`prisma ${args.join(" ")} failed`);
    process.exit(r.status ?? 1);
  }
  return r.stdout ?? "";
}

const schemaOf = (dept: string) => join(root, "subgraphs", dept, "prisma/schema.prisma");
const migrationsOf = (dept: string) => join(root, "subgraphs", dept, "prisma/migrations");

const [cmd, dept, name] = process.argv.slice(2);
if (cmd === "generate") {
  for (const d of DEPARTMENTS) prisma(["generate", "--schema", schemaOf(d)]);
} else if (cmd === "migration") {
  if (!dept || !(DEPARTMENTS as readonly string[]).includes(dept) || !name) {
    console.error(`usage: npm run db:migration -- <${DEPARTMENTS.join("|")}> <name>`);
    process.exit(2);
  }
  const dir = migrationsOf(dept);
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort() : [];
  // Build the "from" side: the datamodel every applied migration represents is the previous schema in git;
  // a scratch copy keeps this simple and engine-free.
  const tmp = mkdtempSync(join(tmpdir(), "cg-mig-"));
  let from = ["--from-empty"];
  if (existing.length > 0) {
    const prev = spawnSync("git", ["show", `HEAD:subgraphs/${dept}/prisma/schema.prisma`], { cwd: root, encoding: "utf8" });
    if (prev.status === 0) {
      writeFileSync(join(tmp, "schema.prisma"), prev.stdout);
      from = ["--from-schema-datamodel", join(tmp, "schema.prisma")];
    }
  }
  const sql = prisma(["migrate", "diff", "--config", join(__dirname, "prisma.config.ts"), ...from, "--to-schema-datamodel", schemaOf(dept), "--script"], true);
  rmSync(tmp, { recursive: true, force: true });
  if (!sql.trim() || /This is an empty migration/.test(sql)) {
    console.log("no changes");
    process.exit(0);
  }
  const id = String(existing.length + 1).padStart(4, "0");
  const out = join(dir, `${id}_${name}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "migration.sql"), sql);
  console.log(`wrote ${out}/migration.sql`);
} else {
  console.error("usage: prisma-cli.ts generate | migration <dept> <name>");
  process.exit(2);
}
