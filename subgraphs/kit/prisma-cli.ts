/**
 * Runs the Prisma CLI for every department without native engines.
 *   tsx subgraphs/kit/prisma-cli.ts generate                  generate all four clients
 *   tsx subgraphs/kit/prisma-cli.ts migration <dept> <name>   write the next migration: the difference between
 *                                                             the department's existing migrations and its schema
 *
 * A migration is diffed against the migrations themselves, not against git: every existing
 * prisma/migrations/NNNN_name/migration.sql (the folders the runtime applies, in its order) is replayed in a
 * fresh in-memory PGlite shadow database by Prisma's WebAssembly schema engine (`migrate diff
 * --from-migrations`, see prisma.config.ts), and that database is compared with prisma/schema.prisma. So the
 * result is the same whatever is committed and on any branch: a migration written but not yet committed is
 * not written twice, and a committed schema change without a migration is not missed.
 *
 * Tests and tools may point the migration command at other folders (the department name still picks the
 * usage check): CG_PRISMA_SCHEMA (a schema.prisma file) and CG_PRISMA_MIGRATIONS (a migrations folder).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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

/** Runs prisma; returns its exit status and standard output (standard error goes to ours). */
function run(args: string[], capture = false): { status: number; stdout: string } {
  const r = spawnSync(prismaBin, args, { env, cwd: root, encoding: "utf8", stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit" });
  return { status: r.status ?? 1, stdout: r.stdout ?? "" };
}

function prisma(args: string[]): void {
  const r = run(args);
  if (r.status !== 0) {
    console.error(`prisma ${args.join(" ")} failed`);
    process.exit(r.status);
  }
}

const schemaOf = (dept: string) => join(root, "subgraphs", dept, "prisma/schema.prisma");
const migrationsOf = (dept: string) => join(root, "subgraphs", dept, "prisma/migrations");

/** The migration folders the runtime applies (kit/migrate.ts), in its order. */
const migrationFolders = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort() : []);

type Diff = { sql: string | null } | { failed: number };

/**
 * The SQL that brings a database migrated with every migration in `dir` to `schema` (null: nothing to do),
 * or prisma's exit status when it failed (its message is already on stderr). Prisma reads a migrations
 * folder only with a migration_lock.toml, which this project does not keep: the engine gets a scratch copy
 * with one, holding only the folders the runtime would apply.
 */
function diffFromMigrations(dir: string, folders: string[], schema: string): Diff {
  const scratch = mkdtempSync(join(tmpdir(), "cg-mig-"));
  try {
    for (const f of folders) {
      mkdirSync(join(scratch, f));
      copyFileSync(join(dir, f, "migration.sql"), join(scratch, f, "migration.sql"));
    }
    writeFileSync(join(scratch, "migration_lock.toml"), 'provider = "postgresql"\n');
    const from = folders.length > 0 ? ["--from-migrations", scratch] : ["--from-empty"];
    // --exit-code: 0 the same, 2 a difference (printed), anything else an error.
    const r = run(["migrate", "diff", "--config", join(__dirname, "prisma.config.ts"), ...from, "--to-schema-datamodel", schema, "--script", "--exit-code"], true);
    return r.status === 0 ? { sql: null } : r.status === 2 ? { sql: r.stdout } : { failed: r.status };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const [cmd, dept, name] = process.argv.slice(2);
if (cmd === "generate") {
  for (const d of DEPARTMENTS) prisma(["generate", "--schema", schemaOf(d)]);
} else if (cmd === "migration") {
  if (!dept || !(DEPARTMENTS as readonly string[]).includes(dept) || !name) {
    console.error(`usage: npm run db:migration -- <${DEPARTMENTS.join("|")}> <name>`);
    process.exit(2);
  }
  const dir = process.env.CG_PRISMA_MIGRATIONS || migrationsOf(dept);
  const existing = migrationFolders(dir);
  const diff = diffFromMigrations(dir, existing, process.env.CG_PRISMA_SCHEMA || schemaOf(dept));
  if ("failed" in diff) {
    console.error(`prisma migrate diff failed (exit ${diff.failed})`);
    process.exit(diff.failed);
  }
  const sql = diff.sql;
  if (sql === null || !sql.trim() || /This is an empty migration/.test(sql)) {
    console.log("no changes");
    process.exit(0);
  }
  const next = existing.reduce((n, f) => Math.max(n, Number(f.slice(0, 4))), 0) + 1;
  const out = join(dir, `${String(next).padStart(4, "0")}_${name}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "migration.sql"), sql);
  console.log(`wrote ${out}/migration.sql`);
} else {
  console.error("usage: prisma-cli.ts generate | migration <dept> <name>");
  process.exit(2);
}
