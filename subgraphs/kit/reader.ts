/**
 * The departments' reads without the ORM: a parameterised statement (built with `Prisma.sql`, so every value
 * stays a bound parameter) sent straight to the department's driver, the pg pool or PGlite. Prisma's raw
 * query path compiled each call in its WebAssembly query compiler and converted every argument and every
 * value of every row (≈ 20 % of a department's CPU per request in a profile) for nothing our reads need.
 *
 * Values come back as Prisma gives them for our column types, whatever the process's time zone: DATE and
 * TIMESTAMP (without time zone, as Prisma's DateTime maps) as UTC `Date`s, bigint (counts, row numbers) as
 * numbers; Date parameters are sent as UTC ISO text. tests/integration/loader-rows.test.ts checks every
 * lookup against `findMany` on both drivers, in a time zone other than UTC.
 *
 * On PostgreSQL each distinct statement text is a named prepared statement on each pooled connection, so the
 * server parses and plans it once per connection rather than once per call.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";

/** A statement with `$1…` placeholders and its values (what `Prisma.sql` builds). */
export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

export type Reader = <T>(statement: SqlStatement) => Promise<T[]>;

const OID = { INT8: 20, DATE: 1082, TIMESTAMP: 1114 } as const;

const PARSERS: Record<number, (text: string) => unknown> = {
  [OID.INT8]: Number,
  [OID.DATE]: (s) => new Date(`${s}T00:00:00Z`),
  [OID.TIMESTAMP]: (s) => new Date(`${s.replace(" ", "T")}Z`),
};

const param = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

const names = new Map<string, string>();
/** A stable prepared-statement name per statement text (pg keeps them per connection). */
function statementName(text: string): string {
  let n = names.get(text);
  if (!n) {
    n = `cg_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (names.size < 10_000) names.set(text, n);
  }
  return n;
}

const pgTypes = { getTypeParser: ((oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as never)) as typeof pg.types.getTypeParser };

export function pgReader(pool: pg.Pool): Reader {
  return async <T>(s: SqlStatement) => (await pool.query({ name: statementName(s.text), text: s.text, values: s.values.map(param), types: pgTypes })).rows as T[];
}

export function pgliteReader(lite: PGlite): Reader {
  return async <T>(s: SqlStatement) => (await lite.query<T>(s.text, s.values.map(param), { parsers: PARSERS })).rows;
}
