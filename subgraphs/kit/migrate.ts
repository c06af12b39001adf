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

/**
 * Serialises migrations across processes: several gateway replicas (or departments) starting at once on one
 * empty PostgreSQL database would otherwise race to create the same tables. Transaction-scoped, taken in
 * every migration transaction (PGlite, single-process, has the function too).
 */
const MIGRATION_LOCK_KEY = 4_137_200_020;

export async function applyMigrations(db: SqlRunner, dir: string): Promise<string[]> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS _cg_migrations (id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort() : [];
  const done: string[] = [];
  for (const name of names) {
    const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
    const sum = createHash("sha256").update(sql).digest("hex");
    let applied = false;
    await db.transaction(async (tx) => {
      // Under the lock, whether it is applied is decided once: by us now, or by whoever held it before (READ
      // COMMITTED, so the check after the wait sees their commit whatever the server's default isolation).
      await tx.exec(`SET TRANSACTION ISOLATION LEVEL READ COMMITTED`);
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [MIGRATION_LOCK_KEY]);
      const [prev] = await tx.query(`SELECT checksum FROM _cg_migrations WHERE id = $1`, [name]);
      if (prev) {
        if (String(prev.checksum) !== sum) throw new MigrationChecksumError(name);
        return;
      }
      await tx.exec(sql);
      await tx.query(`INSERT INTO _cg_migrations (id, checksum) VALUES ($1, $2)`, [name, sum]);
      applied = true;
    });
    if (applied) done.push(name);
  }
  return done;
}
