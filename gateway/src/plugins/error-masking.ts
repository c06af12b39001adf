/**
 * Error masking: clients see only registered codes (gateway/src/errors.ts) and their messages. Anything
 * else becomes INTERNAL_SERVER_ERROR with no message detail; a department that cannot be reached becomes
 * SUBGRAPH_UNAVAILABLE naming the department. Stack traces never leave the process.
 */
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { isRegisteredCode } from "../errors";

const UNREACHABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|fetch failed|network|timed out|aborted/i;

export function createErrorFormatter(log: { error(obj: unknown, msg: string): void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const ext = { ...(formatted.extensions ?? {}) };
    delete ext.stacktrace;
    delete ext.exception;
    const code = ext.code;
    const service = typeof ext.serviceName === "string" ? ext.serviceName : undefined;
    if (isRegisteredCode(code) && code !== "INTERNAL_SERVER_ERROR") {
      return { ...formatted, extensions: ext };
    }
    const original = unwrapResolverError(error) as Error | undefined;
    const message = `${formatted.message} ${original?.message ?? ""}`;
    if (service && UNREACHABLE.test(message)) {
      return { message: `The ${service} system is not answering.`, path: formatted.path, extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: service } };
    }
    if (!service && UNREACHABLE.test(message) && /subquery|fetch/i.test(message)) {
      return { message: "A department system is not answering.", path: formatted.path, extensions: { code: "SUBGRAPH_UNAVAILABLE" } };
    }
    log.error({ err: original ?? formatted, path: formatted.path }, "masked error");
    return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}
