/**
 * The caller context the gateway forwards (signed) to every department: who is asking, in which role and
 * organisation, for which purpose, and the row scope the department must enforce. Nothing more.
 */
import { z } from "zod";

export const ROW_SCOPES = ["district", "grid", "community", "building", "self"] as const;
export type RowScope = (typeof ROW_SCOPES)[number];

/** Limits of the caller context, shared by the gateway's token check (a token outside them is INVALID_TOKEN). */
export const CALLER_LIMITS = { text: 200, ids: 10_000 } as const;
const clean = (max: number) => z.string().max(max).refine((s) => !s.includes("\u0000") && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s), "not clean text");
export const callerText = clean(CALLER_LIMITS.text);
const ids = z.array(callerText).max(CALLER_LIMITS.ids);

const schema = z
  .object({
    sub: callerText.pipe(z.string().min(1)),
    role: callerText.pipe(z.string().min(1)),
    org: callerText,
    rowScope: z.enum(ROW_SCOPES),
    area: z.object({ grids: ids, communities: ids, buildings: ids }).strict(),
    /** For the citizen role, the caller's own citizen id. */
    citizenId: callerText.optional(),
    purpose: callerText.nullable(),
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
