/**
 * Configuration variables as data: each has a zod schema, its default as the README shows it, and what it
 * means. A component's configuration is read from the environment once, by one pure function built from
 * these (no files written, nothing else read), and every bad value is reported with its variable's name.
 * The README's configuration table is checked against these definitions by a test.
 */
import { z } from "zod";

export interface EnvVar<T extends z.ZodTypeAny = z.ZodTypeAny> {
  schema: T;
  /** The default as shown in the README table (`unset` when none). */
  shown: string;
  /** What it means, for the README table. */
  doc: string;
}

export const envVar = <T extends z.ZodTypeAny>(schema: T, shown: string, doc: string): EnvVar<T> => ({ schema, shown, doc });

export type EnvValues<V extends Record<string, EnvVar>> = { [K in keyof V]: z.infer<V[K]["schema"]> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Reads and validates the variables; throws a ConfigError naming every bad one and its value. */
export function readEnv<V extends Record<string, EnvVar>>(vars: V, env: NodeJS.ProcessEnv): EnvValues<V> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(vars)) {
    // An empty variable is treated as unset (shells and compose files often set NAME= to clear one).
    const raw = env[name] === "" ? undefined : env[name];
    const r = v.schema.safeParse(raw);
    if (r.success) out[name] = r.data;
    else problems.push(`${name}=${JSON.stringify(raw)}: ${r.error.issues.map((i) => i.message).join("; ")} (${v.doc})`);
  }
  if (problems.length) throw new ConfigError(problems);
  return out as EnvValues<V>;
}

export const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
export const int = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);
export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");
export const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").optional();
