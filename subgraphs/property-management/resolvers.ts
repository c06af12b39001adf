/** Resolvers of the property-management subgraph (schema.graphql is the source of truth). */
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import type { Building, Unit, Residence, FeeAccount, RepairRequest } from "./generated/client";
import { isoDate, isoTime, yuan } from "../kit/format";
import { checkPageSize, cursorScope, decodeCursor, toConnection } from "../kit/pagination";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";
import * as L from "./loaders";
import { inScope, scopeWhere } from "../kit/scope";

type C = Ctx<Client>;
type Ref = { id: string };
type Page = { first?: number | null; after?: string | null };

const BUILDING_SCOPE = { grid: "gridId", community: "communityId", building: "id" };
const buildingVisible = (ctx: C, b: Building | null): Building | null =>
  b && ctx.caller?.rowScope !== "self" && inScope(ctx.caller, { gridId: b.gridId, communityId: b.communityId, buildingId: b.id }) ? b : null;

/** Rows tied to a flat are visible when the flat's building is in scope (or, for a citizen, when they are their own). */
async function visibleRows<R extends { unitId: string; citizenId: string }>(ctx: C, rows: R[]): Promise<R[]> {
  if (ctx.caller?.rowScope === "district") return rows;
  if (ctx.caller?.rowScope === "self") return rows.filter((r) => r.citizenId === ctx.caller.citizenId);
  const units = await Promise.all(rows.map((r) => L.unitById(ctx).load(r.unitId)));
  const buildings = await Promise.all(units.map((u) => (u ? L.buildingById(ctx).load(u.buildingId) : null)));
  return rows.filter((_, i) => buildingVisible(ctx, buildings[i]) !== null);
}

async function buildingConnection(ctx: C, list: string, where: { gridId?: string; communityId?: string }, args: Page) {
  const first = checkPageSize(args.first);
  const scope = cursorScope(list, where, ctx.caller);
  const after = decodeCursor(ctx.cursors, scope, args.after);
  // The caller's row scope narrows the filter the client asked for; it never replaces it.
  const scoped = { AND: [where, scopeWhere(ctx.caller, BUILDING_SCOPE)] };
  const rows = await ctx.db.prisma.building.findMany({ where: { AND: [scoped, after ? { id: { gt: after } } : {}] }, orderBy: { id: "asc" }, take: first + 1 });
  return toConnection(ctx.cursors, scope, rows, first, (r) => r.id, (r) => r, () => ctx.db.prisma.building.count({ where: scoped }));
}

export const resolvers: GraphQLResolverMap<C> = {
  Query: {
    building: async (_: unknown, { id }: Ref, ctx: C) => buildingVisible(ctx, await L.buildingById(ctx).load(id)),
    unit: async (_: unknown, { id }: Ref, ctx: C) => {
      const u = await L.unitById(ctx).load(id);
      return u && buildingVisible(ctx, await L.buildingById(ctx).load(u.buildingId)) ? u : null;
    },
    buildings: (_: unknown, a: Page & { gridId?: string | null; communityId?: string | null }, ctx: C) =>
      buildingConnection(ctx, "buildings", { ...(a.gridId ? { gridId: a.gridId } : {}), ...(a.communityId ? { communityId: a.communityId } : {}) }, a),
  },
  Citizen: {
    __resolveReference: (ref: Ref) => ({ id: ref.id }),
    residences: async (c: Ref, a: { currentOnly?: boolean }, ctx: C) => visibleRows(ctx, await L.residencesByCitizen(ctx, a.currentOnly ?? false).load(c.id)),
    feeAccounts: async (c: Ref, _: unknown, ctx: C) => visibleRows(ctx, await L.feeAccountsByCitizen(ctx).load(c.id)),
    repairRequests: async (c: Ref, a: { openOnly?: boolean; first?: number }, ctx: C) =>
      visibleRows(ctx, await L.repairsByCitizen(ctx, a.openOnly ?? false, checkPageSize(a.first ?? 20)).load(c.id)),
  },
  Grid: {
    __resolveReference: (ref: Ref) => ({ id: ref.id }),
    buildings: (g: Ref, a: Page, ctx: C) => buildingConnection(ctx, `grid:${g.id}`, { gridId: g.id }, a),
  },
  Building: {
    __resolveReference: async (ref: Ref, ctx: C) => buildingVisible(ctx, await L.buildingById(ctx).load(ref.id)),
    community: (b: Building) => ({ id: b.communityId }),
    grid: (b: Building) => ({ id: b.gridId }),
    company: (b: Building, _: unknown, ctx: C) => L.companyById(ctx).load(b.companyId),
    units: async (b: Building, a: Page, ctx: C) => {
      const first = checkPageSize(a.first);
      const list = `building:${b.id}`;
      const scope = cursorScope(list, null, ctx.caller);
      const after = decodeCursor(ctx.cursors, scope, a.after);
      const rows = await ctx.db.prisma.unit.findMany({ where: { buildingId: b.id, ...(after ? { id: { gt: after } } : {}) }, orderBy: { id: "asc" }, take: first + 1 });
      return toConnection(ctx.cursors, scope, rows, first, (r) => r.id, (r) => r, () => ctx.db.prisma.unit.count({ where: { buildingId: b.id } }));
    },
  },
  Unit: {
    __resolveReference: (ref: Ref, ctx: C) => L.unitById(ctx).load(ref.id),
    building: (u: Unit, _: unknown, ctx: C) => L.buildingById(ctx).load(u.buildingId),
    address: async (u: Unit, _: unknown, ctx: C) => `${(await L.buildingById(ctx).load(u.buildingId))?.address ?? ""}${u.number}`,
    currentResidents: async (u: Unit, _: unknown, ctx: C) => visibleRows(ctx, await L.currentResidentsByUnit(ctx).load(u.id)),
  },
  Residence: {
    citizen: (r: Residence) => ({ id: r.citizenId }),
    unit: (r: Residence, _: unknown, ctx: C) => L.unitById(ctx).load(r.unitId),
    movedIn: (r: Residence) => isoDate(r.movedIn),
    movedOut: (r: Residence) => isoDate(r.movedOut),
  },
  FeeAccount: {
    unit: (f: FeeAccount, _: unknown, ctx: C) => L.unitById(ctx).load(f.unitId),
    balance: (f: FeeAccount) => yuan(f.balanceCents),
  },
  RepairRequest: {
    unit: (r: RepairRequest, _: unknown, ctx: C) => L.unitById(ctx).load(r.unitId),
    openedAt: (r: RepairRequest) => isoTime(r.openedAt),
    closedAt: (r: RepairRequest) => isoTime(r.closedAt),
  },
  BuildingConnection: { totalCount: (c: { totalCount: () => Promise<number> }) => c.totalCount() },
  UnitConnection: { totalCount: (c: { totalCount: () => Promise<number> }) => c.totalCount() },
};
