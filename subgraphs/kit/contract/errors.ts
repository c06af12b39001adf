/**
 * The base of the error-code registry: the codes a department system itself returns, and how every
 * client-facing error is built. The gateway's registry (gateway/src/errors.ts) extends this one; the
 * README's error table is checked against the union.
 */
import { GraphQLError } from "graphql";

export interface ErrorSpec {
  /** HTTP status when the error rejects a whole request. */
  status: number;
  /** What it means, for the README table. */
  description: string;
}

export const DEPARTMENT_ERROR_CODES = {
  BAD_USER_INPUT: { status: 400, description: "An argument or variable is malformed or out of range (the message says which), including text with NUL characters or unpaired UTF-16 surrogates." },
  INVALID_CURSOR: { status: 400, description: "The `after` cursor was not produced by this API for this list (cursors are opaque and cannot be edited)." },
  INVALID_PAGE_SIZE: { status: 400, description: "`first` is negative or above the maximum page size (1000)." },
  GRAPHQL_PARSE_FAILED: { status: 400, description: "The request is not valid GraphQL syntax." },
  GRAPHQL_VALIDATION_FAILED: { status: 400, description: "The operation does not match the supergraph schema (also: introspection while it is off)." },
  SUBGRAPH_REQUEST_UNSIGNED: { status: 401, description: "A department system was called without the gateway's signature." },
  SUBGRAPH_REQUEST_INVALID_SIGNATURE: { status: 401, description: "The gateway signature on a department request does not match its method, target, caller or body (tampered)." },
  SUBGRAPH_REQUEST_STALE: { status: 401, description: "A signed department request is too old or from the future (`SIGNATURE_MAX_SKEW_MS`)." },
  SUBGRAPH_REQUEST_REPLAYED: { status: 401, description: "A signed department request was received before (its nonce was already used): a replay." },
  BAD_REQUEST: { status: 400, description: "The HTTP request is malformed (no query, wrong content type, bad JSON, an unreadable request line or header, a missing or invalid Host header, a malformed persisted-query extension)." },
  REQUEST_HEADERS_TOO_LARGE: { status: 431, description: "The request headers are larger than the server accepts." },
  SHUTTING_DOWN: { status: 503, description: "The service is shutting down and did not start this request (it arrived on a connection opened before); retry it — another instance answers. Sent with `Retry-After: 1` and `Connection: close`." },
  INTERNAL_SERVER_ERROR: { status: 500, description: "An unexpected failure; details are in the server log under the request id, never in the response." },
} as const satisfies Record<string, ErrorSpec>;

export type DepartmentErrorCode = keyof typeof DEPARTMENT_ERROR_CODES;

/**
 * The body of a refusal made before GraphQL runs (HTTP level): `{ errors: [{ message, extensions: { code } }] }`,
 * with `data: null` where the client is a GraphQL executor that expects it (the gateway calling a department).
 */
export function errorBody(code: string, message: string, opts: { data?: null } = {}): { data?: null; errors: { message: string; extensions: { code: string } }[] } {
  return { ...("data" in opts ? { data: null } : {}), errors: [{ message, extensions: { code } }] };
}

/** Builds a client-facing GraphQL error with a registered code. */
export function apiError<C extends string>(code: C, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const hasCode = (registry: Record<string, ErrorSpec>, code: unknown): boolean => typeof code === "string" && Object.prototype.hasOwnProperty.call(registry, code);
