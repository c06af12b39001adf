/**
 * Scratch PostgreSQL databases for tests. Outside CI a test may skip when no server answers; under CI=true
 * an absent server is a failure.
 */
import { execFileSync } from "node:child_process";
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

/**
 * Whether the PostgreSQL server answers, decided once when a test file loads (synchronously, so that tests
 * can be declared skipped rather than pass without running). Under CI=true an absent server throws here,
 * which fails the test file.
 */
export const POSTGRES_AVAILABLE: boolean = (() => {
  const u = new URL(PG_ADMIN_URL);
  let ok = false;
  try {
    execFileSync(process.execPath, ["-e", `require("net").connect(${Number(u.port || 5432)}, ${JSON.stringify(u.hostname)}).on("connect", () => process.exit(0)).on("error", () => process.exit(1)); setTimeout(() => process.exit(1), 2000);`], { stdio: "ignore", env: { PATH: process.env.PATH ?? "" } });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.CI === "true") throw new Error(`PostgreSQL is required under CI, but ${PG_ADMIN_URL} does not answer`);
  if (!ok) console.warn(`SKIPPED: no PostgreSQL at ${PG_ADMIN_URL} (start it, or set TEST_POSTGRES_URL); the PostgreSQL tests are reported as skipped`);
  return ok;
})();

/** `describe` when PostgreSQL answers, `describe.skip` (reported as skipped) when it does not. */
export const describeWithPostgres: jest.Describe = POSTGRES_AVAILABLE ? describe : describe.skip;

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

/** Whether Redis answers on 127.0.0.1:6379 (or TEST_REDIS_URL); decided once, like POSTGRES_AVAILABLE. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const REDIS_AVAILABLE: boolean = (() => {
  const u = new URL(REDIS_URL);
  let ok = false;
  try {
    execFileSync(process.execPath, ["-e", `require("net").connect(${Number(u.port || 6379)}, ${JSON.stringify(u.hostname)}).on("connect", () => process.exit(0)).on("error", () => process.exit(1)); setTimeout(() => process.exit(1), 2000);`], { stdio: "ignore", env: { PATH: process.env.PATH ?? "" } });
    ok = true;
  } catch {
    ok = false;
  }
  if (!ok && process.env.CI === "true") throw new Error(`Redis is required under CI, but ${REDIS_URL} does not answer`);
  if (!ok) console.warn(`SKIPPED: no Redis at ${REDIS_URL}; the scale-out tests are reported as skipped`);
  return ok;
})();
