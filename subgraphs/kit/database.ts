/**
 * Opens a department database: embedded PGlite in its own folder, or PostgreSQL when a URL is configured.
 * Both run the same migrations and the same Prisma client (driver adapters, no native engine).
 */
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { openMigrated } from "./sql-runner";
import { pgliteReader, pgReader, type Reader } from "./reader";

export interface QueryStats {
  /** SQL statements sent (by the Prisma client and by `read`) since the counter was last reset. */
  statements: number;
}

/** The minimal surface of a generated PrismaClient this kit relies on. */
export interface PrismaLike {
  $on(event: "query", cb: (e: { query: string }) => void): void;
  $disconnect(): Promise<void>;
}

export interface DepartmentDb<C> {
  prisma: C;
  kind: "pglite" | "postgres";
  stats: QueryStats;
  /** Runs a parameterised read on the driver directly (./reader.ts): the departments' lookups and pages. */
  read: Reader;
  /** Runs raw SQL (several statements allowed, no parameters). */
  exec(sql: string): Promise<void>;
  /** Resolves when the database answers a trivial query (`SELECT 1`), for readiness; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  migrationsDir: string;
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
}

type ClientFactory<C> = (adapter: SqlDriverAdapterFactory | PrismaPGlite) => C;

export async function openDepartmentDb<C extends PrismaLike>(opts: OpenOptions, createClient: ClientFactory<C>): Promise<DepartmentDb<C>> {
  const conn = await openMigrated(opts, opts.migrationsDir);
  const [adapter, reader] = "pool" in conn.driver ? [new PrismaPg(conn.driver.pool), pgReader(conn.driver.pool)] : [new PrismaPGlite(conn.driver.lite), pgliteReader(conn.driver.lite)];
  const prisma = createClient(adapter);
  const stats: QueryStats = { statements: 0 };
  prisma.$on("query", () => {
    stats.statements++;
  });
  return {
    prisma,
    kind: conn.kind,
    stats,
    read(statement) {
      stats.statements++;
      return reader(statement);
    },
    exec: conn.runner.exec,
    async ping() {
      await conn.runner.query("SELECT 1", []);
    },
    async close() {
      await prisma.$disconnect();
      await conn.close();
    },
  };
}

/** Creates the PostgreSQL database named in `url` if it does not exist yet (connects to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await c.end();
  }
}
