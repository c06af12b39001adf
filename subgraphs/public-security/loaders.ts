/** Per-request batched lookups of the public-security database (one SQL query per batch). */
import type { Person, Household, ResidencePermit } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

export const personById = (ctx: C) =>
  ctx.loaders.get<Person | null>("person", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.person.findMany({ where: { citizenId: { in: [...ids] } } }), (p) => p.citizenId),
  );

export const householdById = (ctx: C) =>
  ctx.loaders.get<Household | null>("household", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.household.findMany({ where: { id: { in: [...ids] } } }), (h) => h.id),
  );

export const membersByHousehold = (ctx: C) =>
  ctx.loaders.get<Person[]>("members", undefined, async (ids) =>
    groupBy(ids, await ctx.db.prisma.person.findMany({ where: { householdId: { in: [...ids] } }, orderBy: { citizenId: "asc" } }), (p) => p.householdId!),
  );

export const permitsByCitizen = (ctx: C) =>
  ctx.loaders.get<ResidencePermit[]>("permits", undefined, async (ids) =>
    groupBy(ids, await ctx.db.prisma.residencePermit.findMany({ where: { citizenId: { in: [...ids] } }, orderBy: { issuedAt: "desc" } }), (p) => p.citizenId),
  );
