/**
 * Row scope, enforced by every department from the caller context the gateway signs and forwards:
 * district = everyone; grid / community / building = residents of the caller's area; self = the caller.
 */
import type { ForwardedCaller } from "./contract/caller";

export interface Area {
  citizenId?: string | null;
  gridId?: string | null;
  communityId?: string | null;
  buildingId?: string | null;
}

export function inScope(caller: ForwardedCaller | undefined, a: Area): boolean {
  if (!caller) return false;
  switch (caller.rowScope) {
    case "district":
      return true;
    case "grid":
      return !!a.gridId && caller.area.grids.includes(a.gridId);
    case "community":
      return !!a.communityId && caller.area.communities.includes(a.communityId);
    case "building":
      return !!a.buildingId && caller.area.buildings.includes(a.buildingId);
    case "self":
      return !!a.citizenId && a.citizenId === caller.citizenId;
    default:
      return false;
  }
}

/** A Prisma `where` fragment restricting rows with these columns to the caller's scope. */
export function scopeWhere(caller: ForwardedCaller | undefined, cols: { citizen?: string; grid?: string; community?: string; building?: string }): Record<string, unknown> {
  const none = { [cols.citizen ?? cols.grid ?? cols.community ?? cols.building ?? "id"]: { in: [] as string[] } };
  if (!caller) return none;
  const pick = (col: string | undefined, values: string[]) => (col ? { [col]: { in: values } } : none);
  switch (caller.rowScope) {
    case "district":
      return {};
    case "grid":
      return pick(cols.grid, caller.area.grids);
    case "community":
      return pick(cols.community, caller.area.communities);
    case "building":
      return pick(cols.building, caller.area.buildings);
    case "self":
      return pick(cols.citizen, caller.citizenId ? [caller.citizenId] : []);
    default:
      return none;
  }
}

/**
 * The caller's row scope as one SQL condition on a table that carries address columns (grid_id,
 * community_id, building_id, citizen_id): everyone, no one, or `column = ANY(values)`. Departments build
 * their SQL from it (elder lists, subsidies), so scope costs no extra query.
 */
export type ScopeCondition = { all: true } | { none: true } | { column: "grid_id" | "community_id" | "building_id" | "citizen_id"; values: string[] };

export function scopeCondition(caller: ForwardedCaller | undefined): ScopeCondition {
  switch (caller?.rowScope) {
    case "district":
      return { all: true };
    case "grid":
      return { column: "grid_id", values: caller.area.grids };
    case "community":
      return { column: "community_id", values: caller.area.communities };
    case "building":
      return { column: "building_id", values: caller.area.buildings };
    case "self":
      return caller.citizenId ? { column: "citizen_id", values: [caller.citizenId] } : { none: true };
    default:
      return { none: true };
  }
}
