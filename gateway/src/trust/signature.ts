/**
 * Gateway → subgraph trust. The gateway signs every subgraph request: HMAC-SHA256 over the timestamp,
 * the forwarded caller context and a hash of the body. Subgraphs refuse unsigned, tampered or stale
 * requests. The caller context travels base64url-encoded JSON in `x-cg-caller`.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const HEADER_TIMESTAMP = "x-cg-timestamp";
export const HEADER_CALLER = "x-cg-caller";
export const HEADER_SIGNATURE = "x-cg-signature";

/** What a subgraph learns about the caller: enough for row scope and logs, nothing more. */
export interface ForwardedCaller {
  sub: string;
  role: string;
  org: string;
  rowScope: "district" | "grid" | "community" | "building" | "self";
  area: { grids: string[]; communities: string[]; buildings: string[] };
  /** For the citizen role, the caller's own citizen id. */
  citizenId?: string;
  purpose: string | null;
}

function mac(secret: string, ts: string, caller: string, body: string): string {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  return createHmac("sha256", secret).update(`${ts}\n${caller}\n${bodyHash}`).digest("base64url");
}

export function signRequest(secret: string, caller: ForwardedCaller, body: string, now = Date.now()): Record<string, string> {
  const ts = String(now);
  const enc = Buffer.from(JSON.stringify(caller), "utf8").toString("base64url");
  return { [HEADER_TIMESTAMP]: ts, [HEADER_CALLER]: enc, [HEADER_SIGNATURE]: mac(secret, ts, enc, body) };
}

export type VerifyOutcome = { ok: true; caller: ForwardedCaller } | { ok: false; code: "SUBGRAPH_REQUEST_UNSIGNED" | "SUBGRAPH_REQUEST_INVALID_SIGNATURE" | "SUBGRAPH_REQUEST_STALE"; message: string };

export function verifyRequest(secret: string, headers: Record<string, string | string[] | undefined>, body: string, maxSkewMs: number, now = Date.now()): VerifyOutcome {
  const one = (h: string) => {
    const v = headers[h];
    return Array.isArray(v) ? v[0] : v;
  };
  const ts = one(HEADER_TIMESTAMP);
  const caller = one(HEADER_CALLER);
  const sig = one(HEADER_SIGNATURE);
  if (!ts || !caller || !sig) return { ok: false, code: "SUBGRAPH_REQUEST_UNSIGNED", message: "Department systems accept requests only from the gateway." };
  const expected = Buffer.from(mac(secret, ts, caller, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE", message: "The request signature does not match." };
  }
  if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > maxSkewMs) return { ok: false, code: "SUBGRAPH_REQUEST_STALE", message: "The request is too old or from the future." };
  try {
    return { ok: true, caller: JSON.parse(Buffer.from(caller, "base64url").toString("utf8")) as ForwardedCaller };
  } catch {
    return { ok: false, code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE", message: "The caller context is malformed." };
  }
}
