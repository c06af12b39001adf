/** Resolvers of the elderly-care subgraph (schema.graphql is the source of truth). */
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { Prisma, type ElderProfile, type ServiceOrder, type Visit, type AlarmCall } from "./generated/client";
import { isoDate, isoTime } from "../kit/format";
import { checkPageSize, cursorScope, decodeCursor, toConnection } from "../kit/pagination";
import { apiError } from "../kit/contract/errors";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";
import * as L from "./loaders";
import { filterSql, scopeSql, UNANSWERED_SHOWN, type ElderDetails, type ElderFilter, type ParentColumn } from "./elder-query";
import { selectedBelow } from "../kit/lookahead";
import type { GraphQLResolveInfo } from "graphql";
import { inScope } from "../kit/scope";

type C = Ctx<Client>;
type Ref = { id: string };
interface PageArgs {
  filter?: ElderFilter | null;
  first?: number | null;
  after?: string | null;
}

/** One page of elders under a parent (a grid, a community or, with parent null, the whole district). */
async function elderConnection(ctx: C, list: string, parent: ParentColumn, parentId: string, args: PageArgs, priorityOnly: boolean, info?: GraphQLResolveInfo) {
  const first = checkPageSize(args.first);
  const scope = cursorScope(list, { filter: args.filter ?? null, priorityOnly }, ctx.caller);
  const after = decodeCursor(ctx.cursors, scope, args.after);
  const filter = args.filter ?? {};
  const where = filterSql(filter, priorityOnly, ctx.caller);
  const key = { filter, priorityOnly, caller: ctx.caller };
  const rows = await L.elderPages(ctx, parent, where, key, after, first + 1, info && detailsOf(info)).load(parentId);
  return toConnection(ctx.cursors, scope, rows, first, (r) => r.citizenId, (r) => r, () => L.elderCounts(ctx, parent, where, key).load(parentId));
}

/** Which details of its elders a page's request selects (fetched with the page, elder-query.ts). */
function detailsOf(info: GraphQLResolveInfo): ElderDetails {
  const f = selectedBelow(info, ["edges", "node"]);
  return { contacts: f.has("emergencyContacts"), lastVisit: f.has("lastVisit"), unansweredAlarms: f.has("unansweredAlarmCalls") };
}

/** Whether the caller's row scope covers this citizen, by the elder profile's address. */
async function covered(ctx: C, id: string): Promise<boolean> {
  if (ctx.caller?.rowScope === "district") return true;
  const p = await L.profileByCitizen(ctx).load(id);
  return !!p && inScope(ctx.caller, p);
}

export const resolvers: GraphQLResolverMap<C> = {
  Query: {
    priorityElders: (_: unknown, args: PageArgs, ctx: C, info: GraphQLResolveInfo) => elderConnection(ctx, "priorityElders", null, "", args, true, info),
    elders: (_: unknown, args: PageArgs, ctx: C, info: GraphQLResolveInfo) => elderConnection(ctx, "elders", null, "", args, false, info),
    eldersWithUnvisitedAlarms: async (_: unknown, args: { days?: number; first?: number; after?: string }, ctx: C) => {
      const days = args.days ?? 30;
      if (!Number.isInteger(days) || days < 1 || days > 365) throw apiError("BAD_USER_INPUT", "days must be from 1 to 365.", { argument: "days" });
      const first = checkPageSize(args.first);
      const scope = cursorScope("eldersWithUnvisitedAlarms", { days }, ctx.caller);
      const after = decodeCursor(ctx.cursors, scope, args.after);
      const gap = Prisma.sql`FROM alarm_call a WHERE NOT EXISTS (
          SELECT 1 FROM visit v WHERE v.citizen_id = a.citizen_id
            AND v.visited_at >= a.raised_at AND v.visited_at <= a.raised_at + make_interval(days => ${days}::int))`;
      const cursor = Prisma.sql` AND a.citizen_id IN (SELECT citizen_id FROM elder_profile WHERE ${scopeSql(ctx.caller)})${after ? Prisma.sql` AND a.citizen_id > ${after}` : Prisma.empty}`;
      const ids = await ctx.db.read<{ id: string }>(Prisma.sql`SELECT DISTINCT a.citizen_id AS id ${gap}${cursor} ORDER BY 1 LIMIT ${first + 1}`);
      const profiles = await Promise.all(ids.map((r) => L.profileByCitizen(ctx).load(r.id)));
      const rows = profiles.filter((p): p is ElderProfile => p !== null);
      return toConnection(ctx.cursors, scope, rows, first, (r) => r.citizenId, (r) => r, async () => {
        const scoped = Prisma.sql` AND a.citizen_id IN (SELECT citizen_id FROM elder_profile WHERE ${scopeSql(ctx.caller)})`;
        const [{ n }] = await ctx.db.read<{ n: number }>(Prisma.sql`SELECT count(DISTINCT a.citizen_id)::int AS n ${gap}${scoped}`);
        return Number(n);
      });
    },
  },
  Grid: {
    __resolveReference: (ref: Ref) => ({ id: ref.id }),
    priorityElders: (g: Ref, args: PageArgs, ctx: C, info: GraphQLResolveInfo) => elderConnection(ctx, `grid:${g.id}`, "grid_id", g.id, args, true, info),
  },
  Community: {
    __resolveReference: (ref: Ref) => ({ id: ref.id }),
    priorityElders: (c: Ref, args: PageArgs, ctx: C, info: GraphQLResolveInfo) => elderConnection(ctx, `community:${c.id}`, "community_id", c.id, args, true, info),
  },
  Citizen: {
    __resolveReference: (ref: Ref) => ({ id: ref.id }),
    elderProfile: async (c: Ref, _: unknown, ctx: C) => ((await covered(ctx, c.id)) ? L.profileByCitizen(ctx).load(c.id) : null),
    // Arguments are checked before the row-scope decision: an error must not depend on who is covered.
    serviceOrders: async (c: Ref, a: { statuses?: string[] | null; first?: number }, ctx: C) => {
      const first = checkPageSize(a.first ?? 20);
      return (await covered(ctx, c.id)) ? L.ordersByCitizen(ctx, a.statuses, first).load(c.id) : [];
    },
    visits: async (c: Ref, a: { first?: number }, ctx: C) => {
      const first = checkPageSize(a.first ?? 20);
      return (await covered(ctx, c.id)) ? L.visitsByCitizen(ctx, first).load(c.id) : [];
    },
    alarmCalls: async (c: Ref, a: { unansweredOnly?: boolean; first?: number }, ctx: C) => {
      const first = checkPageSize(a.first ?? 20);
      return (await covered(ctx, c.id)) ? L.alarmsByCitizen(ctx, a.unansweredOnly ?? false, first).load(c.id) : [];
    },
  },
  ElderProfile: {
    citizen: (p: ElderProfile) => ({ id: p.citizenId }),
    grid: (p: ElderProfile) => ({ id: p.gridId }),
    community: (p: ElderProfile) => ({ id: p.communityId }),
    registeredAt: (p: ElderProfile) => isoDate(p.registeredAt),
    closedAt: (p: ElderProfile) => isoDate(p.closedAt),
    emergencyContacts: (p: ElderProfile, _: unknown, ctx: C) => L.contactsByCitizen(ctx).load(p.citizenId),
    lastVisit: async (p: ElderProfile, _: unknown, ctx: C) => (await L.visitsByCitizen(ctx, 1).load(p.citizenId))[0] ?? null,
    unansweredAlarmCalls: (p: ElderProfile, _: unknown, ctx: C) => L.alarmsByCitizen(ctx, true, UNANSWERED_SHOWN).load(p.citizenId),
  },
  ElderConnection: {
    totalCount: (c: { totalCount: () => Promise<number> }) => c.totalCount(),
  },
  ServiceOrder: { scheduledAt: (o: ServiceOrder) => isoTime(o.scheduledAt) },
  Visit: { visitedAt: (v: Visit) => isoTime(v.visitedAt) },
  AlarmCall: {
    raisedAt: (a: AlarmCall) => isoTime(a.raisedAt),
    handledAt: (a: AlarmCall) => isoTime(a.handledAt),
  },
};
