/**
 * Error masking: clients see only registered codes (../errors.ts) and their messages; anything else becomes
 * INTERNAL_SERVER_ERROR with no detail, logged under the request id. Stack traces never leave the process.
 * Paths are the client's: a path through the gateway's internal `_entities` fetches is cut back to the
 * part the client wrote.
 */
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { ERROR_CODES } from "../errors";
import { maskFormattedError, type MaskingLog } from "../../../subgraphs/kit/contract/error-masking";

function clientPath(path: GraphQLFormattedError["path"]): GraphQLFormattedError["path"] {
  if (!path) return path;
  const i = path.findIndex((p) => p === "_entities" || (typeof p === "string" && p.startsWith("_cg_")));
  return i < 0 ? path : path.slice(0, i);
}

export function createErrorFormatter(log: MaskingLog) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const path = clientPath(formatted.path);
    const masked = maskFormattedError(ERROR_CODES, { ...formatted, ...(path ? { path } : {}) }, unwrapResolverError(error), log);
    if (masked.path && masked.path.length === 0) {
      const { path: _omit, ...rest } = masked;
      return rest;
    }
    return masked;
  };
}
