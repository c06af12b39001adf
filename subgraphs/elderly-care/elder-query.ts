/**
 * SQL for elder lists: one statement per batch of parents (grids, communities or the whole district),
 * keyset-paginated per parent with a window function so that N grids cost one query, not N.
 */
import { Prisma, type ElderProfile } from "./generated/client";
import { apiError } from "../kit/contract/errors";
import type { ForwardedCaller } from "../kit/contract/caller";
import { scopeCondition } from "../kit/scope";

export interface ElderFilter {
  gridId?: string | null;
  communityId?: string | null;
  categories?: string[] | null;
  minCareLevel?: number | null;
  maxCareLevel?: number | null;
  livingArrangement?: string | null;
  status?: string | null;
}

const COLUMNS = Prisma.raw(
  `citizen_id AS "citizenId", grid_id AS "gridId", community_id AS "communityId", care_level AS "careLevel",
   living_arrangement::text AS "livingArrangement", categories::text[] AS categories, is_priority AS "isPriority",
   status::text AS status, registered_at AS "registeredAt", closed_at AS "closedAt", building_id AS "buildingId"`,
);

function checkLevel(name: string, v: number | null | undefined) {
  if (v !== null && v !== undefined && (!Number.isInteger(v) || v < 0 || v > 4)) {
    throw apiError("BAD_USER_INPUT", `${name} must be an integer from 0 to 4.`, { argument: name });
  }
}

/** Row scope of the caller as SQL on elder_profile (district: no condition). */
export function scopeSql(caller: ForwardedCaller | undefined, alias = ""): Prisma.Sql {
  const s = scopeCondition(caller);
  if ("all" in s) return Prisma.sql`TRUE`;
  if ("none" in s) return Prisma.sql`FALSE`;
  return Prisma.sql`${Prisma.raw(alias ? `${alias}.${s.column}` : s.column)} = ANY(${s.values}::text[])`;
}

/** WHERE conditions of a filter (without the parent and cursor conditions), within the caller's scope. */
export function filterSql(f: ElderFilter, priorityOnly: boolean, caller?: ForwardedCaller): Prisma.Sql {
  checkLevel("minCareLevel", f.minCareLevel);
  checkLevel("maxCareLevel", f.maxCareLevel);
  const parts: Prisma.Sql[] = [Prisma.sql`status = ${f.status ?? "ACTIVE"}::"ProfileStatus"`, scopeSql(caller)];
  if (priorityOnly) parts.push(Prisma.sql`is_priority`);
  if (f.gridId) parts.push(Prisma.sql`grid_id = ${f.gridId}`);
  if (f.communityId) parts.push(Prisma.sql`community_id = ${f.communityId}`);
  if (f.categories && f.categories.length) parts.push(Prisma.sql`categories && ${f.categories}::text[]::"PriorityCategory"[]`);
  if (f.minCareLevel !== null && f.minCareLevel !== undefined) parts.push(Prisma.sql`care_level >= ${f.minCareLevel}`);
  if (f.maxCareLevel !== null && f.maxCareLevel !== undefined) parts.push(Prisma.sql`care_level <= ${f.maxCareLevel}`);
  if (f.livingArrangement) parts.push(Prisma.sql`living_arrangement = ${f.livingArrangement}::"LivingArrangement"`);
  return Prisma.join(parts, " AND ");
}

export type ParentColumn = "grid_id" | "community_id" | null;

/** Rows of elder profiles for many parents at once: at most `take` rows per parent after the cursor. */
export function pageSql(parent: ParentColumn, parents: readonly string[], where: Prisma.Sql, after: string | undefined, take: number): Prisma.Sql {
  const cursor = after ? Prisma.sql` AND citizen_id > ${after}` : Prisma.empty;
  if (!parent) {
    return Prisma.sql`SELECT ${COLUMNS}, '' AS parent FROM elder_profile WHERE ${where}${cursor} ORDER BY citizen_id LIMIT ${take}`;
  }
  const col = Prisma.raw(parent);
  return Prisma.sql`SELECT * FROM (
      SELECT ${COLUMNS}, ${col} AS parent, row_number() OVER (PARTITION BY ${col} ORDER BY citizen_id) AS rn
      FROM elder_profile WHERE ${col} = ANY(${[...parents]}::text[]) AND ${where}${cursor}
    ) t WHERE rn <= ${take} ORDER BY parent, "citizenId"`;
}

/** Counts per parent. */
export function countSql(parent: ParentColumn, parents: readonly string[], where: Prisma.Sql): Prisma.Sql {
  if (!parent) return Prisma.sql`SELECT '' AS parent, count(*)::int AS n FROM elder_profile WHERE ${where}`;
  const col = Prisma.raw(parent);
  return Prisma.sql`SELECT ${col} AS parent, count(*)::int AS n FROM elder_profile WHERE ${col} = ANY(${[...parents]}::text[]) AND ${where} GROUP BY ${col}`;
}

export type ElderRow = ElderProfile & { parent: string };
