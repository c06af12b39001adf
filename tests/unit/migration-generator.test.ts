/**
 * The migration generator (`npm run db:migration -- <department> <name>`, subgraphs/kit/prisma-cli.ts) diffs
 * the Prisma schema against the department's existing migrations (replayed in a scratch PGlite), not against
 * git. Runs on a temporary copy of one department's prisma folder (CG_PRISMA_SCHEMA / CG_PRISMA_MIGRATIONS),
 * so neither subgraphs/ nor git is touched. Each run starts Prisma's WebAssembly schema engine: ~15 s.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");
const DEPT = "elderly-care";
const realPrisma = join(root, "subgraphs", DEPT, "prisma");
const RUN_TIMEOUT = 150_000;

function generate(dir: string, name: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "subgraphs/kit/prisma-cli.ts", "migration", DEPT, name], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: "", CG_PRISMA_SCHEMA: join(dir, "schema.prisma"), CG_PRISMA_MIGRATIONS: join(dir, "migrations") },
    encoding: "utf8",
    timeout: RUN_TIMEOUT,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The statements of a migration, without comments and with whitespace collapsed. */
function statements(sql: string): string[] {
  return sql
    .split("\n")
    .filter((l) => !l.trim().startsWith("--"))
    .join("\n")
    .split(";")
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter(Boolean);
}

const folders = (dir: string) => readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort();

describe("migration generator", () => {
  let dir: string;
  let realBefore: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cg-miggen-"));
    cpSync(realPrisma, dir, { recursive: true });
    realBefore = folders(join(realPrisma, "migrations"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    // The real department folder is never written to.
    expect(folders(join(realPrisma, "migrations"))).toEqual(realBefore);
  });

  it(
    "reports no changes when the schema equals its migrations",
    () => {
      const r = generate(dir, "nothing");
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe("no changes");
      expect(folders(join(dir, "migrations"))).toEqual(realBefore);
    },
    RUN_TIMEOUT,
  );

  it(
    "writes the next migration with exactly the added column, then has nothing more to add",
    () => {
      const schemaPath = join(dir, "schema.prisma");
      const schema = readFileSync(schemaPath, "utf8");
      expect(schema).toMatch(/^model Visit \{$/m);
      writeFileSync(schemaPath, schema.replace(/^model Visit \{$/m, 'model Visit {\n  cgTestNote String? @map("cg_test_note")'));

      const existing = folders(join(dir, "migrations"));
      const next = String(Math.max(...existing.map((f) => Number(f.slice(0, 4)))) + 1).padStart(4, "0");
      const r = generate(dir, "visit_test_note");
      expect(r.status).toBe(0);
      const file = join(dir, "migrations", `${next}_visit_test_note`, "migration.sql");
      expect(r.stdout.trim()).toBe(`wrote ${join(dir, "migrations", `${next}_visit_test_note`)}/migration.sql`);
      expect(existsSync(file)).toBe(true);
      expect(statements(readFileSync(file, "utf8"))).toEqual(['ALTER TABLE "visit" ADD COLUMN "cg_test_note" TEXT']);
      expect(folders(join(dir, "migrations"))).toEqual([...existing, `${next}_visit_test_note`]);

      // The new migration is now part of what the schema is diffed against (no git involved).
      const again = generate(dir, "again");
      expect(again.status).toBe(0);
      expect(again.stdout.trim()).toBe("no changes");
    },
    2 * RUN_TIMEOUT,
  );
});
