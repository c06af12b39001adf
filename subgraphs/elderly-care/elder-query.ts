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

/**
 * What the rows of a page will be asked for (the request's selection, ../kit/lookahead.ts), fetched by the
 * page's own statement: a page of elders with their contacts, last visit and unanswered alarm calls is one
 * statement, not four (each statement costs the department a round trip and a socket write).
 */
export interface ElderDetails {
  contacts: boolean;
  lastVisit: boolean;
  unansweredAlarms: boolean;
}

/** How many unanswered alarm calls an elder profile lists (ElderProfile.unansweredAlarmCalls). */
export const UNANSWERED_SHOWN = 20;

/** Each detail: its column on the page's rows, and the lateral subquery (as JSON, in the loaders' order). */
const DETAILS: Record<keyof ElderDetails, { column: string; join: string }> = {
  contacts: {
    column: "_contacts",
    join: `LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', x.id, 'citizenId', x.citizen_id, 'name', x.name, 'relation', x.relation,
        'phone', x.phone, 'priority', x.priority) ORDER BY x.priority, x.id), '[]') AS "_contacts"
      FROM emergency_contact x WHERE x.citizen_id = t."citizenId") d_contacts ON TRUE`,
  },
  lastVisit: {
    column: "_visits",
    join: `LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', x.id, 'citizenId', x.citizen_id, 'visitedAt', x.visited_at,
        'visitorName', x.visitor_name, 'visitorRole', x.visitor_role, 'notes', x.notes)), '[]') AS "_visits"
      FROM (SELECT * FROM visit WHERE citizen_id = t."citizenId" ORDER BY visited_at DESC, id LIMIT 1) x) d_visits ON TRUE`,
  },
  unansweredAlarms: {
    column: "_alarms",
    join: `LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', x.id, 'citizenId', x.citizen_id, 'kind', x.kind, 'raisedAt', x.raised_at,
        'handledAt', x.handled_at, 'handledBy', x.handled_by, 'outcome', x.outcome) ORDER BY x.raised_at DESC, x.id), '[]') AS "_alarms"
      FROM (SELECT * FROM alarm_call WHERE citizen_id = t."citizenId" AND handled_at IS NULL ORDER BY raised_at DESC, id LIMIT ${UNANSWERED_SHOWN}) x) d_alarms ON TRUE`,
  },
};

/** Rows of elder profiles for many parents at once: at most `take` rows per parent after the cursor. */
export function pageSql(parent: ParentColumn, parents: readonly string[], where: Prisma.Sql, after: string | undefined, take: number, details?: ElderDetails): Prisma.Sql {
  const cursor = after ? Prisma.sql` AND citizen_id > ${after}` : Prisma.empty;
  const col = parent ? Prisma.raw(parent) : null;
  const page = col
    ? Prisma.sql`SELECT * FROM (
      SELECT ${COLUMNS}, ${col} AS parent, row_number() OVER (PARTITION BY ${col} ORDER BY citizen_id) AS rn
      FROM elder_profile WHERE ${col} = ANY(${[...parents]}::text[]) AND ${where}${cursor}
    ) t WHERE rn <= ${take} ORDER BY parent, "citizenId"`
    : Prisma.sql`SELECT ${COLUMNS}, '' AS parent FROM elder_profile WHERE ${where}${cursor} ORDER BY citizen_id LIMIT ${take}`;
  const wanted = details ? (Object.keys(DETAILS) as (keyof ElderDetails)[]).filter((k) => details[k]) : [];
  if (!wanted.length) return page;
  const columns = Prisma.raw(wanted.map((k) => `, "${DETAILS[k].column}"`).join(""));
  const joins = Prisma.raw(wanted.map((k) => DETAILS[k].join).join("\n    "));
  return Prisma.sql`SELECT t.*${columns} FROM (${page}) t
    ${joins}
    ORDER BY t.parent, t."citizenId"`;
}

/** Counts per parent. */
export function countSql(parent: ParentColumn, parents: readonly string[], where: Prisma.Sql): Prisma.Sql {
  if (!parent) return Prisma.sql`SELECT '' AS parent, count(*)::int AS n FROM elder_profile WHERE ${where}`;
  const col = Prisma.raw(parent);
  return Prisma.sql`SELECT ${col} AS parent, count(*)::int AS n FROM elder_profile WHERE ${col} = ANY(${[...parents]}::text[]) AND ${where} GROUP BY ${col}`;
}

export type ElderRow = ElderProfile & { parent: string };

/** A page row with the details its statement fetched (JSON; timestamps without a zone, read as UTC). */
export type ElderRowWithDetails = ElderRow & { _contacts?: Record<string, unknown>[]; _visits?: Record<string, unknown>[]; _alarms?: Record<string, unknown>[] };
