/**
 * Where the access log lives, from the environment. Kept in one small function so that it can move into
 * gateway/src/config.ts unchanged.
 */
import { resolve } from "node:path";
import { z } from "zod";
import type { AuditStoreOptions } from "./store";

const schema = z.object({
  /** PostgreSQL URL of the access log (its own database); unset or empty means embedded PGlite. */
  AUDIT_DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), "AUDIT_DATABASE_URL must be a postgresql:// URL"),
  /** Folder of the embedded PGlite data folders; the access log is `<DATA_DIR>/gateway-audit`. */
  DATA_DIR: z.string().default("data"),
});

export function auditStoreOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AuditStoreOptions {
  const e = schema.parse(env);
  return { databaseUrl: e.AUDIT_DATABASE_URL, dataDir: resolve(e.DATA_DIR || "data", "gateway-audit") };
}
