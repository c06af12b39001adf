/** Validation of what callers send the registry (CLI arguments, HTTP bodies): refused with BAD_USER_INPUT. */
import { z } from "zod";
import { RegistryError } from "./errors";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Text PostgreSQL stores verbatim: no NUL characters, no unpaired surrogates (Chinese text round-trips exactly). */
export const cleanText = (max: number) => z.string().max(max).refine((s) => !s.includes("\u0000") && !LONE_SURROGATE.test(s), "must be valid Unicode text without NUL characters");

export const subgraphName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "a subgraph name: lower-case letters, digits and -");
export const routingUrl = z.string().max(2000).regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, "a URL such as http://host:port/graphql");
export const sdlText = cleanText(2_000_000).pipe(z.string().min(1, "the SDL is empty"));
/** Client names and versions: the labels the gateway accepts (its client-name headers and a token's client_id claim), so every client the gateway names can be safelisted. */
export const CLIENT_LABEL = /^[\p{L}\p{N}._@/+:-]{1,100}$/u;
export const clientName = z.string().regex(CLIENT_LABEL, "a client name: 1–100 letters, digits or . _ @ / + : -");
export const clientVersion = z.string().regex(CLIENT_LABEL, "a client version: 1–100 letters, digits or . _ @ / + : -");
export const reasonText = cleanText(2000).pipe(z.string().trim().min(1, "give a reason"));
export const version = z.coerce.number().int().min(1);

/** Parses with a schema or refuses with BAD_USER_INPUT naming what is wrong. */
export function input<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `${what}.${issue.path.join(".")}` : what;
  throw new RegistryError("BAD_USER_INPUT", `${where}: ${issue?.message ?? "invalid"}`);
}
