/** Resolvers of the public-security subgraph (schema.graphql is the source of truth). */
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import type { Person, Household, ResidencePermit } from "./generated/client";
import { ageOn, isoDate } from "../kit/format";
import { checkPageSize, cursorScope, decodeCursor, toConnection } from "../kit/pagination";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";
import { householdById, membersByHousehold, permitsByCitizen, personById } from "./loaders";
import { inScope, scopeWhere } from "../kit/scope";

type C = Ctx<Client>;
type Ref = { id: string };

/** The person if the caller's row scope covers them, else null. */
const visible = (ctx: C, p: Person | null | undefined): Person | null => (p && inScope(ctx.caller, p) ? p : null);
const loadVisible = async (ctx: C, id: string) => visible(ctx, await personById(ctx).load(id));
const PERSON_SCOPE = { citizen: "citizenId", grid: "gridId", community: "communityId", building: "buildingId" };

/** A household is visible when any of its members is. */
async function visibleHousehold(ctx: C, h: Household | null): Promise<Household | null> {
  if (!h) return null;
  const members = await membersByHousehold(ctx).load(h.id);
  return members.some((m) => inScope(ctx.caller, m)) ? h : null;
}

const RELATION_ORDER = ["户主", "配偶"];
const relationRank = (r: string | null) => {
  const i = RELATION_ORDER.indexOf(r ?? "");
  return i < 0 ? RELATION_ORDER.length : i;
};

export const resolvers: GraphQLResolverMap<C> = {
  Query: {
    citizen: (_: unknown, { id }: { id: string }, ctx: C) => loadVisible(ctx, id),
    citizenByIdNumber: async (_: unknown, { idNumber }: { idNumber: string }, ctx: C) =>
      visible(ctx, await ctx.db.prisma.person.findUnique({ where: { idNumber: idNumber.trim().toUpperCase() } })),
    household: async (_: unknown, { id }: { id: string }, ctx: C) => visibleHousehold(ctx, await householdById(ctx).load(id)),
    citizensByStatus: async (_: unknown, args: { status: Person["status"]; first?: number; after?: string }, ctx: C) => {
      const first = checkPageSize(args.first);
      const scope = cursorScope("citizensByStatus", { status: args.status }, ctx.caller);
      const after = decodeCursor(ctx.cursors, scope, args.after);
      const where = { AND: [{ status: args.status }, scopeWhere(ctx.caller, PERSON_SCOPE)] };
      const rows = await ctx.db.prisma.person.findMany({
        where: after ? { AND: [where, { citizenId: { gt: after } }] } : where,
        orderBy: { citizenId: "asc" },
        take: first + 1,
      });
      return toConnection(ctx.cursors, scope, rows, first, (r) => r.citizenId, (r) => r, () => ctx.db.prisma.person.count({ where }));
    },
  },
  Citizen: {
    __resolveReference: (ref: Ref, ctx: C) => loadVisible(ctx, ref.id),
    id: (p: Person) => p.citizenId,
    birthDate: (p: Person) => isoDate(p.birthDate),
    age: (p: Person) => ageOn(p.birthDate),
    registrationStatus: (p: Person) => p.status,
    registrationStatusDate: (p: Person) => isoDate(p.statusDate),
    household: async (p: Person, _: unknown, ctx: C) => (p.householdId ? visibleHousehold(ctx, await householdById(ctx).load(p.householdId)) : null),
    residencePermits: (p: Person, _: unknown, ctx: C) => permitsByCitizen(ctx).load(p.citizenId),
  },
  Household: {
    __resolveReference: async (ref: Ref, ctx: C) => visibleHousehold(ctx, await householdById(ctx).load(ref.id)),
    community: (h: Household) => ({ id: h.communityId }),
    head: (h: Household, _: unknown, ctx: C) => (h.headCitizenId ? loadVisible(ctx, h.headCitizenId) : null),
    members: async (h: Household, _: unknown, ctx: C) => {
      const people = (await membersByHousehold(ctx).load(h.id)).filter((m) => inScope(ctx.caller, m));
      // Ordered by relation, then by citizen id: never by birth date, which the order would reveal to callers
      // who may not see it.
      return [...people]
        .sort((a, b) => relationRank(a.relationToHead) - relationRank(b.relationToHead) || (a.citizenId < b.citizenId ? -1 : a.citizenId > b.citizenId ? 1 : 0))
        .map((p) => ({ relationToHead: p.relationToHead ?? "", citizen: p }));
    },
    registeredAt: (h: Household) => isoDate(h.registeredAt),
  },
  ResidencePermit: {
    issuedAt: (r: ResidencePermit) => isoDate(r.issuedAt),
    validUntil: (r: ResidencePermit) => isoDate(r.validUntil),
    valid: (r: ResidencePermit) => r.validUntil.getTime() >= Date.now() - 86_400_000,
  },
  CitizenConnection: {
    totalCount: (c: { totalCount: () => Promise<number> }) => c.totalCount(),
  },
};
