/** Resolvers of the public-security subgraph (schema.graphql is the source of truth). */
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import type { Person, Household, ResidencePermit } from "./generated/client";
import { ageOn, isoDate } from "../kit/format";
import { checkPageSize, decodeCursor, toConnection } from "../kit/pagination";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";
import { householdById, membersByHousehold, permitsByCitizen, personById } from "./loaders";

type C = Ctx<Client>;
type Ref = { id: string };

const RELATION_ORDER = ["户主", "配偶"];
const relationRank = (r: string | null) => {
  const i = RELATION_ORDER.indexOf(r ?? "");
  return i < 0 ? RELATION_ORDER.length : i;
};

export const resolvers: GraphQLResolverMap<C> = {
  Query: {
    citizen: (_: unknown, { id }: { id: string }, ctx: C) => personById(ctx).load(id),
    citizenByIdNumber: (_: unknown, { idNumber }: { idNumber: string }, ctx: C) =>
      ctx.db.prisma.person.findUnique({ where: { idNumber: idNumber.trim().toUpperCase() } }),
    household: (_: unknown, { id }: { id: string }, ctx: C) => householdById(ctx).load(id),
    citizensByStatus: async (_: unknown, args: { status: Person["status"]; first?: number; after?: string }, ctx: C) => {
      const first = checkPageSize(args.first);
      const after = decodeCursor("citizensByStatus", args.after);
      const where = { status: args.status };
      const rows = await ctx.db.prisma.person.findMany({
        where: after ? { ...where, citizenId: { gt: after } } : where,
        orderBy: { citizenId: "asc" },
        take: first + 1,
      });
      return toConnection("citizensByStatus", rows, first, (r) => r.citizenId, (r) => r, () => ctx.db.prisma.person.count({ where }));
    },
  },
  Citizen: {
    __resolveReference: (ref: Ref, ctx: C) => personById(ctx).load(ref.id),
    id: (p: Person) => p.citizenId,
    birthDate: (p: Person) => isoDate(p.birthDate),
    age: (p: Person) => ageOn(p.birthDate),
    registrationStatus: (p: Person) => p.status,
    registrationStatusDate: (p: Person) => isoDate(p.statusDate),
    household: (p: Person, _: unknown, ctx: C) => (p.householdId ? householdById(ctx).load(p.householdId) : null),
    residencePermits: (p: Person, _: unknown, ctx: C) => permitsByCitizen(ctx).load(p.citizenId),
  },
  Household: {
    __resolveReference: (ref: Ref, ctx: C) => householdById(ctx).load(ref.id),
    community: (h: Household) => ({ id: h.communityId }),
    head: (h: Household, _: unknown, ctx: C) => (h.headCitizenId ? personById(ctx).load(h.headCitizenId) : null),
    members: async (h: Household, _: unknown, ctx: C) => {
      const people = await membersByHousehold(ctx).load(h.id);
      return [...people]
        .sort((a, b) => relationRank(a.relationToHead) - relationRank(b.relationToHead) || a.birthDate.getTime() - b.birthDate.getTime())
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
