/**
 * The monolith's database: one PostgreSQL database holding all four departments' tables, one schema per
 * department (`civil_affairs`, `public_security`, `elderly_care`, `property_management`), copied from the
 * departments' own databases (same rows, same indexes) with pg_dump | psql, each department's `public`
 * schema renamed after it is loaded. Built once per data set (the name says which) and then reused.
 */
import { execSync } from "node:child_process";
import pg from "pg";
import { DEPARTMENT_RECORDS } from "../../../subgraphs/departments";

export const schemaOf = (department: string) => department.replace(/-/g, "_");

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Citizens in a department database (public_security.person), or null when it does not exist. */
export async function citizensIn(serverUrl: string, db: string, table = "person"): Promise<number | null> {
  try {
    return (await query<{ n: number }>(`${serverUrl}/${db}`, `SELECT count(*)::int AS n FROM ${table}`))[0].n;
  } catch {
    return null;
  }
}

/**
 * Makes `monolithDb` from the department databases `<prefix>_<department>` unless it already holds them
 * (a READY marker table with the source databases' citizen count). Returns seconds spent (0 when reused).
 */
export async function ensureMonolith(serverUrl: string, prefix: string, monolithDb: string, log: (s: string) => void): Promise<number> {
  const citizens = await citizensIn(serverUrl, `${prefix}_public_security`);
  if (!citizens) throw new Error(`${prefix}_public_security has no citizens: seed the department databases first`);
  try {
    const ready = await query<{ citizens: number; source: string }>(`${serverUrl}/${monolithDb}`, "SELECT citizens, source FROM public.monolith_ready");
    if (ready[0]?.citizens === citizens && ready[0]?.source === prefix) return 0;
  } catch {
    /* not built */
  }
  const t0 = Date.now();
  log(`monolith: building ${monolithDb} from ${prefix}_* (${citizens.toLocaleString("en")} citizens)…`);
  await query(`${serverUrl}/postgres`, `DROP DATABASE IF EXISTS "${monolithDb}" WITH (FORCE)`);
  await query(`${serverUrl}/postgres`, `CREATE DATABASE "${monolithDb}"`);
  const u = new URL(serverUrl);
  const conn = `-h ${u.hostname} -p ${u.port || 5432} -U ${decodeURIComponent(u.username || "postgres")}`;
  for (const d of DEPARTMENT_RECORDS) {
    const schema = schemaOf(d.name);
    execSync(`pg_dump ${conn} --no-owner --no-privileges -d ${prefix}_${schema} | psql ${conn} -q -v ON_ERROR_STOP=0 -d ${monolithDb} > /dev/null`, { stdio: ["ignore", "ignore", "pipe"], shell: "/bin/sh" });
    await query(`${serverUrl}/${monolithDb}`, `ALTER SCHEMA public RENAME TO ${schema}; CREATE SCHEMA public;`);
    log(`  ${d.name} → schema ${schema}`);
  }
  await query(`${serverUrl}/${monolithDb}`, `ANALYZE; CREATE TABLE public.monolith_ready (citizens int, source text); INSERT INTO public.monolith_ready VALUES (${citizens}, '${prefix}')`);
  const s = (Date.now() - t0) / 1000;
  log(`monolith: built in ${s.toFixed(0)} s`);
  return s;
}
