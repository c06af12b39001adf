/** Resolvers of the civil-affairs subgraph (schema.graphql is the source of truth). */
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import type { Community, Grid, StreetOffice, Subsidy, DisabilityCertificate, SubsidyStatus } from "./generated/client";
import { isoDate, yuan } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";
import * as L from "./loaders";
import { inScope } from "../kit/scope";

type C = Ctx<Client>;
type Ref = { id: string };

/** Whether the caller's row scope covers this citizen, by the address civil affairs holds. */
async function covered(ctx: C, id: string): Promise<boolean> {
  if (ctx.caller?.rowScope === "district") return true;
  const r = await L.civilRecordByCitizen(ctx).load(id);
  return inScope(ctx.caller, { citizenId: id, gridId: r?.gridId, communityId: r?.communityId, buildingId: r?.buildingId });
}

export const resolvers: GraphQLResolverMap<C> = {
  Query: {
    streetOffice: (_: unknown, { id }: Ref, ctx: C) => L.streetOfficeById(ctx).load(id),
    communities: (_: unknown, __: unknown, ctx: C) => ctx.db.prisma.community.findMany({ orderBy: { id: "asc" } }),
    community: (_: unknown, { id }: Ref, ctx: C) => L.communityById(ctx).load(id),
    grid: (_: unknown, { id }: Ref, ctx: C) => L.gridById(ctx).load(id),
  },
  StreetOffice: {
    __resolveReference: (ref: Ref, ctx: C) => L.streetOfficeById(ctx).load(ref.id),
    communities: (s: StreetOffice, _: unknown, ctx: C) => L.communitiesByStreetOffice(ctx).load(s.id),
  },
  Community: {
    __resolveReference: (ref: Ref, ctx: C) => L.communityById(ctx).load(ref.id),
    streetOffice: (c: Community, _: unknown, ctx: C) => L.streetOfficeById(ctx).load(c.streetOfficeId),
    grids: (c: Community, _: unknown, ctx: C) => L.gridsByCommunity(ctx).load(c.id),
  },
  Grid: {
    __resolveReference: (ref: Ref, ctx: C) => L.gridById(ctx).load(ref.id),
    community: (g: Grid, _: unknown, ctx: C) => L.communityById(ctx).load(g.communityId),
    worker: (g: Grid) => ({ name: g.workerName, phone: g.workerPhone }),
  },
  Citizen: {
    // Civil affairs answers for any citizen id: a person it holds nothing about simply has no records here.
    __resolveReference: (ref: Ref) => ({ id: ref.id }),
    maritalStatus: async (c: Ref, _: unknown, ctx: C) => ((await covered(ctx, c.id)) ? (await L.civilRecordByCitizen(ctx).load(c.id))?.maritalStatus ?? null : null),
    // Row scope is part of the subsidies query (no separate address lookup).
    subsidies: (c: Ref, args: { status?: SubsidyStatus | null }, ctx: C) => L.subsidiesByCitizen(ctx, args.status).load(c.id),
    disabilityCertificate: async (c: Ref, _: unknown, ctx: C) => ((await covered(ctx, c.id)) ? L.certificateByCitizen(ctx).load(c.id) : null),
  },
  Subsidy: {
    monthlyAmount: (s: Subsidy) => yuan(s.monthlyAmountCents),
    startDate: (s: Subsidy) => isoDate(s.startDate),
    endDate: (s: Subsidy) => isoDate(s.endDate),
  },
  DisabilityCertificate: {
    issuedAt: (d: DisabilityCertificate) => isoDate(d.issuedAt),
  },
};
