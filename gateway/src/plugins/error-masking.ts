/**
 * Error masking: clients see only registered codes (../errors.ts) and their messages; anything else becomes
 * INTERNAL_SERVER_ERROR with no detail, logged under the request id (`reqId`, as every log line of a request:
 * Apollo's formatter knows no request, so the errors of a GraphQL request are logged by the companion
 * Apollo plugin, which does). Stack traces never leave the process.
 * Paths are the client's: a path through the gateway's internal `_entities` fetches is cut back to the
 * part the client wrote.
 */
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { hasCode } from "../../../subgraphs/kit/contract/errors";
import { ERROR_CODES } from "../errors";
import { maskFormattedError, type MaskingLog } from "../../../subgraphs/kit/contract/error-masking";

function clientPath(path: GraphQLFormattedError["path"]): GraphQLFormattedError["path"] {
  if (!path) return path;
  const i = path.findIndex((p) => p === "_entities" || (typeof p === "string" && p.startsWith("_cg_")));
  return i < 0 ? path : path.slice(0, i);
}

/** Errors already logged with their request id (the formatter then masks them without logging again). */
const logged = new WeakSet<object>();
const silent: MaskingLog = { error: () => undefined };

/**
 * Logs, under the request's id, each error of a GraphQL request that the formatter will mask (a code that is
 * not registered, or INTERNAL_SERVER_ERROR).
 */
export function createErrorLogPlugin(log: { error(o: unknown, m: string): void }): ApolloServerPlugin<{ requestId?: string }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const e of errors as readonly GraphQLError[]) {
            const code = e.extensions?.code;
            if (hasCode(ERROR_CODES, code) && code !== "INTERNAL_SERVER_ERROR") continue;
            log.error({ err: unwrapResolverError(e), path: e.path, reqId: contextValue?.requestId }, "masked error");
            logged.add(e);
          }
        },
      };
    },
  };
}

export function createErrorFormatter(log: MaskingLog) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const path = clientPath(formatted.path);
    const masked = maskFormattedError(ERROR_CODES, { ...formatted, ...(path ? { path } : {}) }, unwrapResolverError(error), error && typeof error === "object" && logged.has(error) ? silent : log);
    if (masked.path && masked.path.length === 0) {
      const { path: _omit, ...rest } = masked;
      return rest;
    }
    return masked;
  };
}
