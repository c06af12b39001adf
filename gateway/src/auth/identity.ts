/**
 * Caller identity: a JWT verified with jose — HS256 with a local secret (embedded default) or a JWKS URL
 * (production). Claims: sub, name, org, roles, scope (space-separated), area {grids, communities, buildings},
 * and `exp` (required): a token lives at most `maxLifetimeS` (counted from `iat`, or from now without one),
 * and one issued in the future (beyond the allowed clock skew) is refused.
 */
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from "jose";
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { apiError } from "../errors";
import type { SharedState } from "../state/shared-state";
import { CALLER_LIMITS, callerText } from "../../../subgraphs/kit/contract/caller";

export interface Caller {
  sub: string;
  name: string;
  org: string;
  role: string;
  scopes: string[];
  area: { grids: string[]; communities: string[]; buildings: string[] };
  /** The client application the token was issued to (`client_id` claim, RFC 9068), if any. */
  client?: string;
}

export interface IdentityOptions {
  hs256Secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  knownRoles: string[];
  /** Longest accepted token lifetime, seconds (exp − iat, and exp − now). */
  maxLifetimeS: number;
  /** Clock difference tolerated between the identity provider and the gateway, seconds. */
  clockSkewS: number;
  /** The current time (tests); default: the system clock. */
  now?: () => number;
  /**
   * State shared by every gateway process (Redis when scaled out): verified tokens remembered for all, and
   * revoked subjects refused by all.
   */
  state?: SharedState;
  /** Verified tokens remembered (by the token's hash, until it expires, at most VERIFIED_TTL_MS); 0 turns it off. */
  cacheSize?: number;
}

/** A remembered verification is re-done after this long even if the token lives longer (JWKS keys rotate). */
const VERIFIED_TTL_MS = 5 * 60_000;

// Within what the departments accept of a caller (and the access log stores): anything else is INVALID_TOKEN.
const ids = z.array(callerText).max(CALLER_LIMITS.ids).default([]);
const claims = z.object({
  sub: callerText.pipe(z.string().min(1)),
  name: callerText.default(""),
  org: callerText.pipe(z.string().min(1)),
  roles: z.array(z.string().max(100)).min(1).max(50),
  scope: z.string().max(4000).default(""),
  area: z.object({ grids: ids, communities: ids, buildings: ids }).default({ grids: [], communities: [], buildings: [] }),
  client_id: z.string().regex(/^[\p{L}\p{N}._@/+:-]{1,100}$/u).optional(),
});

const unauthenticated = (code: "UNAUTHENTICATED" | "INVALID_TOKEN" | "TOKEN_EXPIRED", message: string) =>
  apiError(code, message, { http: { status: 401, headers: new Map([["www-authenticate", 'Bearer realm="citizen-graph"']]) } });

export function createIdentity(opts: IdentityOptions) {
  const key = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : new TextEncoder().encode(opts.hs256Secret ?? "");
  if (!opts.jwksUrl && !opts.hs256Secret) throw new Error("identity: set a JWKS URL or an HS256 secret");
  // Verifying a JWT costs more than the rest of a small request's governance; a caller sends the same token
  // many times. Only successful verifications are kept, per token (per caller), bounded, never past `exp`.
  // Each entry lives until its token's `exp` (at most VERIFIED_TTL_MS): the cache's own ttl ends it.
  const known = new Set(opts.knownRoles);
  const nowMs = opts.now ?? Date.now;
  const verified = opts.cacheSize === 0 ? undefined : new LRUCache<string, Verified>({ max: opts.cacheSize ?? 10_000, perf: { now: nowMs }, ttlResolution: 0 });
  return async function authenticate(authorization: string | undefined): Promise<Caller> {
    if (!authorization) throw unauthenticated("UNAUTHENTICATED", "Sign in: send `Authorization: Bearer <token>`.");
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw unauthenticated("INVALID_TOKEN", "The Authorization header must be `Bearer <token>`.");
    // Keyed by the token's hash: fixed-size keys, and no bearer tokens kept in memory or in Redis.
    const key = verified || opts.state ? createHash("sha256").update(m[1]).digest("base64") : "";
    let found = verified?.get(key) ?? (opts.state ? await shared(key) : undefined);
    if (!found) {
      found = await verify(m[1]);
      const ttl = Math.min(found.exp * 1000 - nowMs(), VERIFIED_TTL_MS);
      if (verified && ttl > 0) verified.set(key, found, { ttl });
      if (opts.state && ttl > 0) await opts.state.set(`token:${key}`, JSON.stringify(found), ttl).catch(() => undefined);
    }
    if (opts.state) {
      // Revocation is checked on every request, cached or not: a revoked subject is refused by every gateway at once.
      const before = await opts.state.revokedBefore(found.caller.sub);
      if (before !== undefined && (found.iat ?? 0) <= before) throw unauthenticated("INVALID_TOKEN", "The token has been revoked; sign in again.");
    }
    return found.caller;
  };

  /** A verification another gateway (or this one) remembered in the shared state. */
  async function shared(key: string): Promise<Verified | undefined> {
    const text = await opts.state!.get(`token:${key}`).catch(() => undefined);
    if (!text) return undefined;
    const v = JSON.parse(text) as Verified;
    if (v.exp * 1000 <= nowMs()) return undefined;
    const c = v.caller;
    const caller: Caller = Object.freeze({ ...c, scopes: Object.freeze([...c.scopes]) as string[], area: Object.freeze({ grids: Object.freeze([...c.area.grids]) as string[], communities: Object.freeze([...c.area.communities]) as string[], buildings: Object.freeze([...c.area.buildings]) as string[] }) });
    const found = { caller, exp: v.exp, iat: v.iat };
    const ttl = Math.min(v.exp * 1000 - nowMs(), VERIFIED_TTL_MS);
    if (verified && ttl > 0) verified.set(key, found, { ttl });
    return found;
  }

  async function verify(token: string): Promise<Verified> {
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: opts.jwksUrl ? ["RS256", "ES256", "EdDSA", "PS256"] : ["HS256"],
        requiredClaims: ["exp"],
        clockTolerance: opts.clockSkewS,
        currentDate: new Date(nowMs()),
      });
      payload = result.payload;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated("TOKEN_EXPIRED", "The token has expired; sign in again.");
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === "exp") throw unauthenticated("INVALID_TOKEN", "The token has no expiry (exp); tokens must expire.");
      throw unauthenticated("INVALID_TOKEN", "The token is not valid.");
    }
    const now = Math.floor(nowMs() / 1000);
    const exp = payload.exp as number;
    const iat = typeof payload.iat === "number" ? payload.iat : undefined;
    if (iat !== undefined && iat > now + opts.clockSkewS) throw unauthenticated("INVALID_TOKEN", "The token was issued in the future.");
    if (exp - (iat ?? now) > opts.maxLifetimeS || exp - now > opts.maxLifetimeS + opts.clockSkewS) {
      throw unauthenticated("INVALID_TOKEN", `The token lives longer than the ${opts.maxLifetimeS} s this gateway accepts.`);
    }
    const c = claims.safeParse(payload);
    if (!c.success) throw unauthenticated("INVALID_TOKEN", "The token lacks required claims (sub, org, roles).");
    const role = c.data.roles.find((r) => known.has(r));
    if (!role) throw unauthenticated("INVALID_TOKEN", "The token carries no known role.");
    const { grids, communities, buildings } = c.data.area;
    // Shared by every request carrying this token while it is remembered: frozen, so no request can alter it.
    const caller: Caller = Object.freeze({
      sub: c.data.sub, name: c.data.name, org: c.data.org, role, ...(c.data.client_id ? { client: c.data.client_id } : {}),
      scopes: Object.freeze(c.data.scope.split(/\s+/).filter(Boolean)) as string[],
      area: Object.freeze({ grids: Object.freeze(grids) as string[], communities: Object.freeze(communities) as string[], buildings: Object.freeze(buildings) as string[] }),
    });
    return { caller, exp, iat };
  }
}

export type Authenticate = ReturnType<typeof createIdentity>;

/** A verified token: the caller it names, its expiry and issue time (seconds). */
interface Verified {
  caller: Caller;
  exp: number;
  iat?: number;
}
