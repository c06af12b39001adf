/** Per-request batched lookups of the property-management database (one SQL query per batch). */
import type { Building, Unit, Residence, FeeAccount, RepairRequest, PropertyCompany } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

export const buildingById = (ctx: C) =>
  ctx.loaders.get<Building | null>("building", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.building.findMany({ where: { id: { in: [...ids] } } }), (r) => r.id),
  );

export const unitById = (ctx: C) =>
  ctx.loaders.get<Unit | null>("unit", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.unit.findMany({ where: { id: { in: [...ids] } } }), (r) => r.id),
  );

export const companyById = (ctx: C) =>
  ctx.loaders.get<PropertyCompany | null>("company", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.propertyCompany.findMany({ where: { id: { in: [...ids] } } }), (r) => r.id),
  );

export const residencesByCitizen = (ctx: C, currentOnly: boolean) =>
  ctx.loaders.get<Residence[]>("residences", currentOnly, async (ids) =>
    groupBy(
      ids,
      await ctx.db.prisma.residence.findMany({
        where: { citizenId: { in: [...ids] }, ...(currentOnly ? { movedOut: null } : {}) },
        orderBy: [{ movedIn: "desc" }, { id: "asc" }],
      }),
      (r) => r.citizenId,
    ).map((rs) => [...rs].sort((a, b) => Number(a.movedOut !== null) - Number(b.movedOut !== null))),
  );

export const currentResidentsByUnit = (ctx: C) =>
  ctx.loaders.get<Residence[]>("currentResidents", undefined, async (ids) =>
    groupBy(ids, await ctx.db.prisma.residence.findMany({ where: { unitId: { in: [...ids] }, movedOut: null }, orderBy: [{ role: "asc" }, { citizenId: "asc" }] }), (r) => r.unitId),
  );

export const feeAccountsByCitizen = (ctx: C) =>
  ctx.loaders.get<FeeAccount[]>("feeAccounts", undefined, async (ids) =>
    groupBy(ids, await ctx.db.prisma.feeAccount.findMany({ where: { citizenId: { in: [...ids] } }, orderBy: { id: "asc" } }), (r) => r.citizenId),
  );

export const repairsByCitizen = (ctx: C, openOnly: boolean, first: number) =>
  ctx.loaders.get<RepairRequest[]>("repairs", { openOnly, first }, async (ids) =>
    groupBy(
      ids,
      await ctx.db.prisma.repairRequest.findMany({
        where: { citizenId: { in: [...ids] }, ...(openOnly ? { status: { not: "CLOSED" } } : {}) },
        orderBy: [{ openedAt: "desc" }, { id: "asc" }],
      }),
      (r) => r.citizenId,
    ).map((rs) => rs.slice(0, first)),
  );
