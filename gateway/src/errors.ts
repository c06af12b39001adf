/**
 * The one registry of client-facing error codes (`extensions.code`) of the gateway and the department
 * subgraphs: the departments' base (subgraphs/kit/contract/errors.ts) plus the gateway's own codes. Every
 * error a client can receive is built from this table; the README's error table is checked against it.
 */
import type { GraphQLError } from "graphql";
import { apiError as buildError, DEPARTMENT_ERROR_CODES, hasCode, type ErrorSpec } from "../../subgraphs/kit/contract/errors";

export type { ErrorSpec };

/** Codes of the hostile-input limits (plugins/limits, plugins/http-limits, plugins/cost, plugins/batching, plugins/csrf). */
export const LIMIT_ERROR_CODES = {
  QUERY_TOO_DEEP: { status: 400, description: "The operation nests selections deeper than the depth limit (`MAX_DEPTH`)." },
  TOO_MANY_ALIASES: { status: 400, description: "The operation uses more aliases than allowed (`MAX_ALIASES`)." },
  TOO_MANY_DIRECTIVES: { status: 400, description: "The operation uses more directives than allowed (`MAX_DIRECTIVES`)." },
  TOO_MANY_TOKENS: { status: 400, description: "The query document is longer than allowed (`MAX_TOKENS` lexical tokens)." },
  QUERY_TOO_COMPLEX: { status: 400, description: "The operation's estimated cost, with list fields multiplied by their page size, is above `MAX_COST`." },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The request body is larger than `BODY_LIMIT` bytes." },
  BATCHING_DISABLED: { status: 400, description: "The body is a batch (JSON array) of operations, and batching is off (`MAX_BATCH` 0 or 1)." },
  BATCH_TOO_LARGE: { status: 400, description: "The batch holds more operations than `MAX_BATCH`." },
  CSRF_BLOCKED: { status: 400, description: "Blocked as a potential cross-site request forgery: send `content-type: application/json` or a non-empty `apollo-require-preflight` header." },
} as const satisfies Record<string, ErrorSpec>;

/** Codes of the schema registry (schema/registry: CLI, HTTP API) and of safelist enforcement. */
export const REGISTRY_ERROR_CODES = {
  COMPOSITION_FAILED: { status: 422, description: "The subgraphs do not compose into a supergraph; the report names each error's subgraph, type and field." },
  BREAKING_CHANGE: { status: 409, description: "The change breaks a registered client operation or one the gateway served within the usage window; the report names the client, operation and field." },
  APPROVAL_REQUIRED: { status: 409, description: "The change downgrades a sensitivity class, weakens a mask, scope or policy, takes over another department's field, reads another department's personal data through `@requires`/`@provides`, or newly exposes a field in a contract: a data steward must approve it first (`npm run schema -- approve`)." },
  POLICY_LINT_FAILED: { status: 422, description: "The schema breaks a governance rule: a personal field without sensitivity class or owner, a missing description, a naming convention, or contract tags that do not match the class." },
  UNKNOWN_SUBGRAPH: { status: 404, description: "No subgraph of that name has been published to the registry." },
  UNKNOWN_VERSION: { status: 404, description: "No supergraph or subgraph version with that number is in the registry." },
  UNKNOWN_CONTRACT: { status: 404, description: "No contract of that name is configured in the registry." },
  FORBIDDEN: { status: 403, description: "The caller's role may not do this: data stewards may do everything, a department officer may check and publish only its own department's subgraph." },
  PERSISTED_DOCUMENT_NOT_FOUND: { status: 400, description: "The request's `documentId` is not the id of a registered operation (`npm run schema -- operations`)." },
  OPERATION_NOT_REGISTERED: { status: 403, description: "The client is in safelist mode and the operation (by id) is not registered for its name and version." },
  REGISTRY_UNAVAILABLE: { status: 503, description: "The schema registry's database could not be reached." },
} as const satisfies Record<string, ErrorSpec>;

export const ERROR_CODES = {
  ...DEPARTMENT_ERROR_CODES,
  EXPECTATION_FAILED: { status: 417, description: "The request's `Expect` header asks for something other than `100-continue`." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "The body's content type is not one GraphQL requests use: send `application/json`." },
  NOT_FOUND: { status: 404, description: "No such endpoint: GraphQL is served at `/graphql` and `/contracts/<name>/graphql` (the registry's API under `/registry/`, health at `/healthz` and `/readyz`, metrics at `/metrics`)." },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, description: "Automatic persisted queries are off (their cache would be shared by all callers): send the query text." },
  RESERVED_NAME: { status: 400, description: "An alias starts with `_cg_`, which the gateway reserves for the ids it adds for the access log." },
  OPERATION_RESOLUTION_FAILURE: { status: 400, description: "The operation to run cannot be chosen: `operationName` is not in the document (or empty), several operations and no name, or the operation is a mutation or subscription, which this graph does not have." },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: "A department system did not answer (connection refused or reset, or HTTP 5xx — queries are retried first); the fields it owns are null, the rest is served. `extensions.serviceName` names it." },
  SUBGRAPH_TIMEOUT: { status: 200, description: "A department system did not answer within its deadline (`SUBGRAPH_TIMEOUT_MS`, `<NAME>_TIMEOUT_MS`); the fields it owns are null, the rest is served. `extensions.serviceName` names it." },
  SUBGRAPH_CIRCUIT_OPEN: { status: 200, description: "A department system failed repeatedly and is not asked for a few seconds (its circuit breaker is open: `SUBGRAPH_BREAKER_FAILURES`, `SUBGRAPH_BREAKER_COOLDOWN_MS`); the fields it owns are null at once, the rest is served. `extensions.serviceName` names it." },
  SUBGRAPH_BAD_RESPONSE: { status: 200, description: "A department system answered with something that is not a usable GraphQL response (not JSON, malformed errors or entities, an HTTP 4xx refusal such as a signing misconfiguration); the fields it owns are null, the rest is served. `extensions.serviceName` names it." },
  SUBGRAPH_RESPONSE_TOO_LARGE: { status: 200, description: "A department system's answer was larger than the gateway accepts (`SUBGRAPH_MAX_RESPONSE_BYTES`), or would have taken the answers in flight over the gateway's budget (`SUBGRAPH_RESPONSE_BUDGET_BYTES`); the fields it owns are null, the rest is served. `extensions.serviceName` names it." },
  UNAUTHENTICATED: { status: 401, description: "No token: send `Authorization: Bearer <token>`." },
  INVALID_TOKEN: { status: 401, description: "The token is malformed, wrongly signed, for another issuer/audience, lacks sub/org/roles/exp, was issued in the future, or lives longer than `AUTH_MAX_TOKEN_LIFETIME`." },
  TOKEN_EXPIRED: { status: 401, description: "The token has expired." },
  UNAUTHORIZED_FIELD_OR_TYPE: { status: 403, description: "The caller's scopes, policies or purpose do not allow a field; it is null (filter mode) or the request is refused (reject mode). The error's path names the field." },
  PURPOSE_REQUIRED: { status: 400, description: "The operation selects personal data but the `x-purpose` header is missing." },
  UNKNOWN_PURPOSE: { status: 400, description: "`x-purpose` is not one of the purposes in schema/policy.yaml." },
  PURPOSE_NOT_ALLOWED: { status: 403, description: "The caller's role may not use personal data for the declared purpose." },
  RATE_LIMITED: { status: 429, description: "Too many requests of this kind at once (e.g. cross-department findings, which scan the district): retry after the `Retry-After` seconds or a few seconds." },
  AUDIT_UNAVAILABLE: { status: 503, description: "The access record could not be written, so the personal data was not returned (fail closed)." },
  ...LIMIT_ERROR_CODES,
  ...REGISTRY_ERROR_CODES,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type LimitErrorCode = keyof typeof LIMIT_ERROR_CODES;
export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

/** Builds a client-facing error with a registered code. */
export const apiError = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError => buildError(code, message, extra);

export const isRegisteredCode = (code: unknown): code is ErrorCode => hasCode(ERROR_CODES, code);
export const isLimitCode = (code: unknown): code is LimitErrorCode => hasCode(LIMIT_ERROR_CODES, code);
