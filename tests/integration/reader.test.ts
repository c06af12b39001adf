/**
 * The departments' plain-SQL reads (subgraphs/kit/reader.ts) give the values Prisma gives, whatever the
 * process's time zone: run in Asia/Shanghai (UTC+8, where these systems run), a DATE comes back as UTC
 * midnight, a TIMESTAMP as that instant in UTC, a Date parameter is stored as its UTC instant, bigint as a
 * number, text[] and Chinese text exactly — on PGlite and on PostgreSQL, where each statement is a named
 * prepared statement reused on the connection (three rounds of two statements on one connection).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PG_ADMIN_URL, POSTGRES_AVAILABLE } from "../helpers/postgres";

const ROOT = join(__dirname, "../..");

it("reads convert dates, timestamps and bigint in UTC on both drivers, in UTC+8", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "tests/helpers/reader-probe.ts"), POSTGRES_AVAILABLE ? PG_ADMIN_URL : ""], {
    cwd: ROOT,
    env: { ...process.env, TZ: "Asia/Shanghai", NODE_OPTIONS: "" },
    encoding: "utf8",
    timeout: 60_000,
  });
  const result = JSON.parse(out) as Record<string, unknown>;
  expect(result.offset).toBe(-480);
  const row = { d: "2020-01-02T00:00:00.000Z", t: "2020-01-02T03:04:05.678Z", n: 5, nType: "number", a: ["甲", "乙"], echoed: "2021-06-06T07:08:09.123Z", s: "张三·" };
  expect(result.pglite).toEqual([row, row, row]);
  if (POSTGRES_AVAILABLE) expect(result.postgres).toEqual([row, row, row]);
}, 90_000);
