/**
 * Applies a department's SQL migrations (prisma/migrations/NNNN_name/migration.sql) in order, once each,
 * recording a checksum so that an edited, already-applied migration is refused rather than silently skipped.
 * The same runner serves PGlite and PostgreSQL.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface SqlRunner {
  exec(sql: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  transaction(fn: (tx: SqlRunner) => Promise<void>): Promise<void>;
}

export class MigrationChecksumError extends Error {
  constructor(readonly migration: string) {
    super(`migration ${migration} was changed after it was applied; add a new migration instead`);
  }
}

export async function applyMigrations(db: SqlRunner, dir: string): Promise<string[]> {
  await db.exec(
    `CREATE TABLE IF NOT EXISTS _cg_migrations (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const rows = await db.query(`SELECT id, checksum FROM _cg_migrations`);
  const applied = new Map(rows.map((r) => [String(r.id), String(r.checksum)]));
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort() : [];
  const done: string[] = [];
  for (const name of names) {
    const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
    const sum = createHash("sha256").update(sql).digest("hex");
    const prev = applied.get(name);
    if (prev !== undefined) {
      if (prev !== sum) throw new MigrationChecksumError(name);
      continue;
    }
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query(`INSERT INTO _cg_migrations (id, checksum) VALUES ($1, $2)`, [name, sum]);
    });
    done.push(name);
  }
  return done;
}
