/**
 * The caller context the gateway forwards (signed) to every department: who is asking, in which role and
 * organisation, for which purpose, and the row scope the department must enforce. Nothing more.
 */
import { z } from "zod";

export const ROW_SCOPES = ["district", "grid", "community", "building", "self"] as const;
export type RowScope = (typeof ROW_SCOPES)[number];

const ids = z.array(z.string().max(200)).max(10_000);

const schema = z
  .object({
    sub: z.string().min(1).max(200),
    role: z.string().min(1).max(100),
    org: z.string().max(200),
    rowScope: z.enum(ROW_SCOPES),
    area: z.object({ grids: ids, communities: ids, buildings: ids }).strict(),
    /** For the citizen role, the caller's own citizen id. */
    citizenId: z.string().max(200).optional(),
    purpose: z.string().max(100).nullable(),
  })
  .strict();

export type ForwardedCaller = z.infer<typeof schema>;

/** The caller from its header encoding (base64url JSON), or null when it is not a well-formed caller. */
export function parseCaller(encoded: string): ForwardedCaller | null {
  try {
    const r = schema.safeParse(JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** With governance off (benchmarks only), the gateway and departments act for a district-wide system caller. */
export const SYSTEM_CALLER: ForwardedCaller = { sub: "gateway", role: "system", org: "gateway", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: null };
