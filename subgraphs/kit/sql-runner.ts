/** Raw SQL runners over a pg pool or a PGlite instance, shared by the migrations and the access log. */
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations, type SqlRunner } from "./migrate";
import { createEmbeddedDatabase, recreateWithoutBlank } from "./pglite-blank";

type Row = Record<string, unknown>;
const nested = () => Promise.reject(new Error("nested transaction"));

export function pgRunner(pool: pg.Pool): SqlRunner {
  return {
    exec: async (sql) => void (await pool.query(sql)),
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    transaction: async (fn) => {
      const c = await pool.connect();
      try {
        await c.query("BEGIN");
        await fn({ exec: async (sql) => void (await c.query(sql)), query: async (sql, params) => (await c.query(sql, params)).rows, transaction: nested });
        await c.query("COMMIT");
      } catch (e) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
  };
}

export function pgliteRunner(lite: PGlite): SqlRunner {
  return {
    exec: async (sql) => void (await lite.exec(sql)),
    query: async (sql, params) => (await lite.query(sql, params)).rows as Row[],
    transaction: (fn) =>
      lite.transaction(async (tx) => {
        await fn({ exec: async (sql) => void (await tx.exec(sql)), query: async (sql, params) => (await tx.query(sql, params)).rows as Row[], transaction: nested });
      }) as Promise<void>,
  };
}

export interface SqlConnection {
  kind: "pglite" | "postgres";
  runner: SqlRunner;
  /** The driver, for a Prisma adapter: a pg pool or a PGlite instance. */
  driver: { pool: pg.Pool } | { lite: PGlite };
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL (when a URL is given) or PGlite in `dataDir`, and applies the migrations in
 * `migrationsDir`; the connection is closed again if a migration fails.
 */
export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** PGlite's PostgreSQL shared_buffers, MB (PostgreSQL's default is 128). Its WebAssembly memory grows to hold them and never shrinks. */
  pgliteSharedBuffersMb?: number;
  /** PGlite only: where the blank cluster new databases are copied from (./pglite-blank.ts; tests). */
  blankDir?: string;
}

/** PGlite's own start parameters (its defaults), plus the given settings. */
function pgliteStartParams(settings: Record<string, string>): string[] | undefined {
  if (!Object.keys(settings).length) return undefined;
  return [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
}

export async function openMigrated(opts: OpenOptions, migrationsDir: string): Promise<SqlConnection> {
  let conn: SqlConnection;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on("error", () => undefined); // an idle connection dropped: the next query reports it
    conn = { kind: "postgres", runner: pgRunner(pool), driver: { pool }, close: () => pool.end() };
  } else {
    mkdirSync(opts.dataDir, { recursive: true });
    // A new database is a copy of a blank cluster made once, never initdb in this process (./pglite-blank.ts).
    const made = existsSync(join(opts.dataDir, "PG_VERSION")) ? undefined : await createEmbeddedDatabase(opts.dataDir, opts.blankDir);
    const startParams = pgliteStartParams(opts.pgliteSharedBuffersMb ? { shared_buffers: `${opts.pgliteSharedBuffersMb}MB` } : {});
    const open = async () => {
      const lite = new PGlite(opts.dataDir, startParams ? { startParams } : {});
      await lite.waitReady;
      return lite;
    };
    let lite: PGlite;
    try {
      lite = await open();
    } catch (e) {
      if (made !== "copy") throw e;
      await recreateWithoutBlank(opts.dataDir, opts.blankDir); // the blank it was copied from is damaged
      lite = await open();
    }
    conn = { kind: "pglite", runner: pgliteRunner(lite), driver: { lite }, close: () => lite.close() };
  }
  try {
    await applyMigrations(conn.runner, migrationsDir);
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
  return conn;
}
