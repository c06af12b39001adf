/**
 * Codes of the hostile-input limits (./armor.ts, ./http-limits.ts), in the shape of ERROR_CODES in
 * ../errors.ts, to be merged into that registry.
 */
import type { ErrorSpec } from "../errors";

export const ARMOR_ERROR_CODES = {
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

export type ArmorErrorCode = keyof typeof ARMOR_ERROR_CODES;

export function isArmorCode(code: unknown): code is ArmorErrorCode {
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(ARMOR_ERROR_CODES, code);
}
