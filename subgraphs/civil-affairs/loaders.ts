/** Per-request batched lookups of the civil-affairs database (one SQL query per batch). */
import type { Community, Grid, StreetOffice, CivilRecord, Subsidy, DisabilityCertificate, SubsidyStatus } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

export const streetOfficeById = (ctx: C) =>
  ctx.loaders.get<StreetOffice | null>("streetOffice", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.streetOffice.findMany({ where: { id: { in: [...ids] } } }), (r) => r.id),
  );

export const communityById = (ctx: C) =>
  ctx.loaders.get<Community | null>("community", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.community.findMany({ where: { id: { in: [...ids] } } }), (r) => r.id),
  );

export const communitiesByStreetOffice = (ctx: C) =>
  ctx.loaders.get<Community[]>("communitiesByStreetOffice", undefined, async (ids) =>
    groupBy(ids, await ctx.db.prisma.community.findMany({ where: { streetOfficeId: { in: [...ids] } }, orderBy: { id: "asc" } }), (r) => r.streetOfficeId),
  );

export const gridById = (ctx: C) =>
  ctx.loaders.get<Grid | null>("grid", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.grid.findMany({ where: { id: { in: [...ids] } } }), (r) => r.id),
  );

export const gridsByCommunity = (ctx: C) =>
  ctx.loaders.get<Grid[]>("gridsByCommunity", undefined, async (ids) =>
    groupBy(ids, await ctx.db.prisma.grid.findMany({ where: { communityId: { in: [...ids] } }, orderBy: { id: "asc" } }), (r) => r.communityId),
  );

export const civilRecordByCitizen = (ctx: C) =>
  ctx.loaders.get<CivilRecord | null>("civilRecord", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.civilRecord.findMany({ where: { citizenId: { in: [...ids] } } }), (r) => r.citizenId),
  );

export const subsidiesByCitizen = (ctx: C, status: SubsidyStatus | null | undefined) =>
  ctx.loaders.get<Subsidy[]>("subsidies", status ?? null, async (ids) =>
    groupBy(
      ids,
      await ctx.db.prisma.subsidy.findMany({
        where: { citizenId: { in: [...ids] }, ...(status ? { status } : {}) },
        orderBy: [{ startDate: "desc" }, { id: "asc" }],
      }),
      (r) => r.citizenId,
    ),
  );

export const certificateByCitizen = (ctx: C) =>
  ctx.loaders.get<DisabilityCertificate | null>("certificate", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.disabilityCertificate.findMany({ where: { citizenId: { in: [...ids] } } }), (r) => r.citizenId),
  );
