/**
 * Error masking: clients see only registered codes (gateway/src/errors.ts) and their messages. Anything
 * else becomes INTERNAL_SERVER_ERROR with no detail, logged under the request id. Stack traces never
 * leave the process.
 */
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { isRegisteredCode } from "../errors";

export function createErrorFormatter(log: { error(obj: unknown, msg: string): void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const ext = { ...(formatted.extensions ?? {}) };
    delete ext.stacktrace;
    delete ext.exception;
    if (isRegisteredCode(ext.code) && ext.code !== "INTERNAL_SERVER_ERROR") return { ...formatted, extensions: ext };
    log.error({ err: unwrapResolverError(error) ?? formatted, path: formatted.path }, "masked error");
    return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}
