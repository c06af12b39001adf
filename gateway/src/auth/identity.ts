/**
 * Caller identity: a JWT verified with jose — HS256 with a local secret (embedded default) or a JWKS URL
 * (production). Claims: sub, name, org, roles, scope (space-separated), area {grids, communities, buildings}.
 */
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from "jose";
import { z } from "zod";
import { apiError } from "../errors";

export interface Caller {
  sub: string;
  name: string;
  org: string;
  role: string;
  scopes: string[];
  area: { grids: string[]; communities: string[]; buildings: string[] };
}

export interface IdentityOptions {
  hs256Secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  knownRoles: string[];
}

const ids = z.array(z.string()).default([]);
const claims = z.object({
  sub: z.string().min(1),
  name: z.string().default(""),
  org: z.string().min(1),
  roles: z.array(z.string()).min(1),
  scope: z.string().default(""),
  area: z.object({ grids: ids, communities: ids, buildings: ids }).default({ grids: [], communities: [], buildings: [] }),
});

const unauthenticated = (code: "UNAUTHENTICATED" | "INVALID_TOKEN" | "TOKEN_EXPIRED", message: string) =>
  apiError(code, message, { http: { status: 401, headers: new Map([["www-authenticate", 'Bearer realm="citizen-graph"']]) } });

export function createIdentity(opts: IdentityOptions) {
  const key = opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : new TextEncoder().encode(opts.hs256Secret ?? "");
  if (!opts.jwksUrl && !opts.hs256Secret) throw new Error("identity: set a JWKS URL or an HS256 secret");
  return async function authenticate(authorization: string | undefined): Promise<Caller> {
    if (!authorization) throw unauthenticated("UNAUTHENTICATED", "Sign in: send `Authorization: Bearer <token>`.");
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw unauthenticated("INVALID_TOKEN", "The Authorization header must be `Bearer <token>`.");
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(m[1], key as Parameters<typeof jwtVerify>[1], {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: opts.jwksUrl ? ["RS256", "ES256", "EdDSA", "PS256"] : ["HS256"],
      });
      payload = verified.payload;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated("TOKEN_EXPIRED", "The token has expired; sign in again.");
      throw unauthenticated("INVALID_TOKEN", "The token is not valid.");
    }
    const c = claims.safeParse(payload);
    if (!c.success) throw unauthenticated("INVALID_TOKEN", "The token lacks required claims (sub, org, roles).");
    const role = c.data.roles.find((r) => opts.knownRoles.includes(r));
    if (!role) throw unauthenticated("INVALID_TOKEN", "The token carries no known role.");
    return { sub: c.data.sub, name: c.data.name, org: c.data.org, role, scopes: c.data.scope.split(/\s+/).filter(Boolean), area: c.data.area };
  };
}

export type Authenticate = ReturnType<typeof createIdentity>;
