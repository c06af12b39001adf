/**
 * Refusals of the schema registry: a registered code (gateway/src/errors.ts, the one registry of codes),
 * a readable message and, for check refusals, the structured report. Anything else is an internal error
 * whose details stay in the server log.
 */
import { ERROR_CODES, type ErrorCode } from "../../gateway/src/errors";

export class RegistryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Structured detail for the client (a check report, the pending approvals). */
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = "RegistryError";
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const isRegistryError = (e: unknown): e is RegistryError => e instanceof RegistryError;

/** What a client sees of any failure: registered code and message; unexpected errors say nothing more. */
export function publicError(e: unknown): { code: ErrorCode; message: string; status: number; detail?: unknown } {
  if (isRegistryError(e)) return { code: e.code, message: e.message, status: e.status, ...(e.detail === undefined ? {} : { detail: e.detail }) };
  const code = (e as { extensions?: { code?: unknown } })?.extensions?.code;
  if (typeof code === "string" && Object.prototype.hasOwnProperty.call(ERROR_CODES, code)) {
    const c = code as ErrorCode;
    return { code: c, message: (e as Error).message, status: ERROR_CODES[c].status };
  }
  return { code: "INTERNAL_SERVER_ERROR", message: "An unexpected failure; see the registry's log.", status: 500 };
}
