/** The access-log subgraph, served in the gateway process: auditors search, citizens see their own history. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { LocalGraphQLDataSource } from "@apollo/gateway";
import { checkPageSize, cursorScope, decodeCursor } from "../../../subgraphs/kit/pagination";
import type { CursorCodec } from "../../../subgraphs/kit/contract/cursor";
import { apiError } from "../errors";
import type { GovernedContext } from "../governance/executor";
import { purposeLabel, type Policy } from "../governance/policy";
import type { AuditStore, StoredAccessRecord } from "./store";

export const AUDIT_SUBGRAPH = "access-log";

function date(name: string, v: string | null | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  // PostgreSQL's timestamps end where JavaScript's do not: stay within years 1–9999.
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) throw apiError("BAD_USER_INPUT", `${name} must be an ISO 8601 date or time between the years 1 and 9999.`, { argument: name });
  return d;
}

const isSeq = (k: string) => /^[1-9]\d{0,15}$/.test(k);

export function createAuditDataSource(store: () => AuditStore, policy: Policy, cursors: CursorCodec): LocalGraphQLDataSource {
  const typeDefs = parse(readFileSync(join(__dirname, "schema.graphql"), "utf8"));
  async function page(ctx: GovernedContext, list: string, filter: { citizenId?: string; callerId?: string; from?: Date; to?: Date }, first: number | undefined, after: string | null | undefined, view: (r: StoredAccessRecord) => StoredAccessRecord) {
    const n = checkPageSize(first);
    const scope = cursorScope(list, filter, ctx.caller ? { sub: ctx.caller.sub, role: ctx.caller.role, purpose: ctx.purpose } : null);
    const cursor = decodeCursor(cursors, scope, after, isSeq);
    const { records, hasNext, total } = await store().query({ ...filter, first: n, afterSeq: cursor ? Number(cursor) : undefined });
    const edges = records.map((r) => ({ cursor: cursors.encode(scope, String(r.seq)), node: view(r) }));
    return { edges, pageInfo: { hasNextPage: hasNext, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: total };
  }
  const resolvers = {
    Query: {
      accessLog: (_: unknown, a: { citizenId?: string; callerId?: string; from?: string; to?: string; first?: number; after?: string }, ctx: GovernedContext) =>
        page(ctx, "accessLog", { citizenId: a.citizenId ?? undefined, callerId: a.callerId ?? undefined, from: date("from", a.from), to: date("to", a.to) }, a.first, a.after, (r) => r),
      myAccessHistory: (_: unknown, a: { first?: number; after?: string }, ctx: GovernedContext) => {
        const me = ctx.caller?.sub;
        if (!me) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
        // A citizen sees only themselves in each record, never the other people the caller looked at — and so
        // not the record's chain hash either, which covers the full list and would let them test guesses of it.
        return page(ctx, "myAccessHistory", { citizenId: me }, a.first, a.after, (r) => ({ ...r, citizens: [me], hash: null as unknown as string, prevHash: "" }));
      },
    },
    AccessRecord: {
      at: (r: StoredAccessRecord) => r.at.toISOString(),
      purposeLabel: (r: StoredAccessRecord) => purposeLabel(policy, r.purpose),
    },
  };
  return new LocalGraphQLDataSource(buildSubgraphSchema([{ typeDefs, resolvers }]));
}
