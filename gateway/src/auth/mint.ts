/** Mints development tokens (HS256) for the built-in roles; used by `npm run token` and the tests. */
import { SignJWT } from "jose";
import type { Policy } from "../governance/policy";

import { DEPARTMENTS, departmentRecord, isDepartment } from "../../../subgraphs/departments";

export interface MintOptions {
  role: string;
  sub?: string;
  name?: string;
  org?: string;
  department?: string;
  scopes?: string[];
  grids?: string[];
  communities?: string[];
  buildings?: string[];
  /** The client application the token is issued to (`client_id` claim). */
  client?: string;
  /** jose duration, e.g. "8h", or seconds since epoch. */
  expiresIn?: string | number;
}

export async function mintToken(policy: Policy, secret: string, o: MintOptions, issuer = "citizen-graph", audience = "citizen-graph"): Promise<string> {
  const role = policy.roles[o.role];
  if (!role) throw new Error(`unknown role ${o.role}; built-in roles: ${Object.keys(policy.roles).join(", ")}`);
  if (o.role === "department-officer" && !(o.department && isDepartment(o.department))) {
    throw new Error(`department-officer needs --department (${DEPARTMENTS.join(", ")})`);
  }
  if (o.role === "citizen" && !o.sub) throw new Error("citizen needs --citizen <citizen id>");
  const scopes = o.scopes ?? (o.role === "department-officer" ? [...departmentRecord(o.department!).scopes] : role.scopes);
  const org = o.org ?? (o.role === "department-officer" ? o.department! : o.role === "property-staff" ? "property-company" : o.role === "citizen" ? "resident" : "street-office:S-01");
  return new SignJWT({
    name: o.name ?? role.label.split(" ")[0],
    org,
    roles: [o.role],
    scope: scopes.join(" "),
    area: { grids: o.grids ?? [], communities: o.communities ?? [], buildings: o.buildings ?? [] },
    ...(o.client ? { client_id: o.client } : {}),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(o.sub ?? `${o.role}-dev`)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? "8h")
    .sign(new TextEncoder().encode(secret));
}
