/**
 * Scratch PostgreSQL databases for tests. Outside CI a test may skip when no server answers; under CI=true
 * an absent server is a failure.
 */
import pg from "pg";

export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Whether a test needing PostgreSQL should run; throws under CI when the server is absent. */
export async function requirePostgres(what: string): Promise<boolean> {
  if (await postgresAvailable()) return true;
  if (process.env.CI === "true") throw new Error(`PostgreSQL is required under CI for ${what}, but ${PG_ADMIN_URL} does not answer`);
  console.warn(`SKIPPED ${what}: no PostgreSQL at ${PG_ADMIN_URL} (start it, or set TEST_POSTGRES_URL)`);
  return false;
}

export function databaseUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabases(names: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    for (const n of names) await c.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}
