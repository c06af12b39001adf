/**
 * The one registry of client-facing error codes (`extensions.code`) of the gateway and the department
 * subgraphs. Every error a client can receive is built from this table; the README's error table is
 * checked against it by a test.
 */
import { GraphQLError } from "graphql";

export interface ErrorSpec {
  /** HTTP status when the error rejects a whole request. */
  status: number;
  /** What it means, for the README table. */
  description: string;
}

export const ERROR_CODES = {
  BAD_USER_INPUT: { status: 400, description: "An argument is malformed or out of range (see the message for which)." },
  INVALID_CURSOR: { status: 400, description: "The `after` cursor was not produced by this API or belongs to another list." },
  INVALID_PAGE_SIZE: { status: 400, description: "`first` is negative or above the maximum page size (1000)." },
  GRAPHQL_PARSE_FAILED: { status: 400, description: "The request is not valid GraphQL syntax." },
  GRAPHQL_VALIDATION_FAILED: { status: 400, description: "The operation does not match the supergraph schema." },
  BAD_REQUEST: { status: 400, description: "The HTTP request is malformed (no query, wrong content type, bad JSON)." },
  PERSISTED_QUERY_NOT_FOUND: { status: 200, description: "Automatic persisted query hash unknown: resend with the query text." },
  OPERATION_RESOLUTION_FAILURE: { status: 400, description: "The named operation is not in the document." },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: "A department system did not answer; the fields it owns are null, the rest is served." },
  INTERNAL_SERVER_ERROR: { status: 500, description: "An unexpected failure; details are in the server log under the request id, never in the response." },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Builds a client-facing error with a registered code. */
export function apiError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export function isRegisteredCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
