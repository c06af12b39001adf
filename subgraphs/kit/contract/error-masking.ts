/**
 * Error masking, shared by the gateway and the departments: a client sees an error's message and code only
 * when the code is registered; anything else becomes INTERNAL_SERVER_ERROR with no detail, and the original
 * is logged. Stack traces, SQL and internal paths never leave the process.
 */
import type { GraphQLFormattedError } from "graphql";
import { hasCode, type ErrorSpec } from "./errors";

export interface MaskingLog {
  error(obj: unknown, msg: string): void;
}

/** Extensions a client may see besides `code` (others — stack traces, responses of other services — are dropped). */
const PUBLIC_EXTENSIONS = new Set(["code", "coordinate", "serviceName", "argument", "purpose", "operationId"]);

export function maskFormattedError(registry: Record<string, ErrorSpec>, formatted: GraphQLFormattedError, original: unknown, log: MaskingLog): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (hasCode(registry, code) && code !== "INTERNAL_SERVER_ERROR") {
    const extensions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(formatted.extensions ?? {})) if (PUBLIC_EXTENSIONS.has(k)) extensions[k] = v;
    return { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}), extensions };
  }
  log.error({ err: original ?? formatted, path: formatted.path }, "masked error");
  return { message: "Internal server error", ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: "INTERNAL_SERVER_ERROR" } };
}
