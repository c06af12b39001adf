/** Raw SQL runners over a pg pool or a PGlite instance, shared by the migrations and the access log. */
import type pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import type { SqlRunner } from "./migrate";

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
