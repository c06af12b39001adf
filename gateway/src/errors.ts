/**
 * The one registry of client-facing error codes (`extensions.code`) of the gateway and the department
 * subgraphs. Every error a client can receive is built from this table; the README's error table is
 * checked against it by a test.
 */
import { GraphQLError } from "graphql";
import { ARMOR_ERROR_CODES } from "./plugins/armor.errors";

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
  RESERVED_NAME: { status: 400, description: "An alias starts with `_cg_`, which the gateway reserves for the ids it adds for the access log." },
  OPERATION_RESOLUTION_FAILURE: { status: 400, description: "The named operation is not in the document." },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: "A department system did not answer; the fields it owns are null, the rest is served." },
  UNAUTHENTICATED: { status: 401, description: "No token: send `Authorization: Bearer <token>`." },
  INVALID_TOKEN: { status: 401, description: "The token is malformed, wrongly signed, for another issuer/audience, or lacks sub/org/roles." },
  TOKEN_EXPIRED: { status: 401, description: "The token has expired." },
  UNAUTHORIZED_FIELD_OR_TYPE: { status: 403, description: "The caller's scopes, policies or purpose do not allow a field; it is null (filter mode) or the request is refused (reject mode). The error's path names the field." },
  PURPOSE_REQUIRED: { status: 400, description: "The operation selects personal data but the `x-purpose` header is missing." },
  UNKNOWN_PURPOSE: { status: 400, description: "`x-purpose` is not one of the purposes in schema/policy.yaml." },
  PURPOSE_NOT_ALLOWED: { status: 403, description: "The caller's role may not use personal data for the declared purpose." },
  SUBGRAPH_REQUEST_UNSIGNED: { status: 401, description: "A department system was called without the gateway's signature." },
  SUBGRAPH_REQUEST_INVALID_SIGNATURE: { status: 401, description: "The gateway signature on a department request does not match (tampered)." },
  SUBGRAPH_REQUEST_STALE: { status: 401, description: "A signed department request is too old (replay)." },
  AUDIT_UNAVAILABLE: { status: 503, description: "The access record could not be written, so the personal data was not returned (fail closed)." },
  INTERNAL_SERVER_ERROR: { status: 500, description: "An unexpected failure; details are in the server log under the request id, never in the response." },
  ...ARMOR_ERROR_CODES,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Builds a client-facing error with a registered code. */
export function apiError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export function isRegisteredCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
