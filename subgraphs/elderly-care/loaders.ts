/**
 * Per-request batched lookups of the elderly-care database (one SQL query per batch), in plain SQL on
 * the driver (`db.read`; see ../public-security/loaders.ts for why; tests/integration/loader-rows.test.ts checks each
 * against findMany).
 */
import { Prisma, type ElderProfile, type EmergencyContact, type ServiceOrder, type Visit, type AlarmCall } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";
import { countSql, pageSql, UNANSWERED_SHOWN, type ElderDetails, type ElderRow, type ElderRowWithDetails, type ParentColumn } from "./elder-query";

type C = Ctx<Client>;

export const profileByCitizen = (ctx: C) =>
  ctx.loaders.get<ElderProfile | null>("profile", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.read<ElderProfile>(Prisma.sql`SELECT citizen_id AS "citizenId", grid_id AS "gridId", community_id AS "communityId", building_id AS "buildingId",
          care_level AS "careLevel", living_arrangement::text AS "livingArrangement", categories::text[] AS categories, is_priority AS "isPriority",
          status::text AS status, registered_at AS "registeredAt", closed_at AS "closedAt"
        FROM elder_profile WHERE citizen_id = ANY(${[...ids]}::text[])`),
      (r) => r.citizenId,
    ),
  );

export const contactsByCitizen = (ctx: C) =>
  ctx.loaders.get<EmergencyContact[]>("contacts", undefined, async (ids) =>
    groupBy(
      ids,
      await ctx.db.read<EmergencyContact>(Prisma.sql`SELECT id, citizen_id AS "citizenId", name, relation, phone, priority
        FROM emergency_contact WHERE citizen_id = ANY(${[...ids]}::text[]) ORDER BY priority, id`),
      (r) => r.citizenId,
    ),
  );

export const ordersByCitizen = (ctx: C, statuses: string[] | null | undefined, first: number) =>
  ctx.loaders.get<ServiceOrder[]>("orders", { statuses, first }, async (ids) => {
    const status = statuses?.length ? Prisma.sql` AND status = ANY(${statuses}::text[]::"ServiceOrderStatus"[])` : Prisma.empty;
    const rows = await ctx.db.read<ServiceOrder>(Prisma.sql`SELECT * FROM (
        SELECT id, citizen_id AS "citizenId", type::text AS type, provider, scheduled_at AS "scheduledAt", status::text AS status, rating, note,
               row_number() OVER (PARTITION BY citizen_id ORDER BY scheduled_at DESC, id) AS rn
        FROM service_order WHERE citizen_id = ANY(${[...ids]}::text[])${status}) t
      WHERE rn <= ${first} ORDER BY "citizenId", rn`);
    return groupBy(ids, rows, (r) => r.citizenId);
  });

export const visitsByCitizen = (ctx: C, first: number) =>
  ctx.loaders.get<Visit[]>("visits", first, async (ids) => {
    const rows = await ctx.db.read<Visit>(Prisma.sql`SELECT * FROM (
        SELECT id, citizen_id AS "citizenId", visited_at AS "visitedAt", visitor_name AS "visitorName", visitor_role::text AS "visitorRole", notes,
               row_number() OVER (PARTITION BY citizen_id ORDER BY visited_at DESC, id) AS rn
        FROM visit WHERE citizen_id = ANY(${[...ids]}::text[])) t
      WHERE rn <= ${first} ORDER BY "citizenId", rn`);
    return groupBy(ids, rows, (r) => r.citizenId);
  });

export const alarmsByCitizen = (ctx: C, unansweredOnly: boolean, first: number) =>
  ctx.loaders.get<AlarmCall[]>("alarms", { unansweredOnly, first }, async (ids) => {
    const open = unansweredOnly ? Prisma.sql` AND handled_at IS NULL` : Prisma.empty;
    const rows = await ctx.db.read<AlarmCall>(Prisma.sql`SELECT * FROM (
        SELECT id, citizen_id AS "citizenId", kind::text AS kind, raised_at AS "raisedAt", handled_at AS "handledAt", handled_by AS "handledBy", outcome,
               row_number() OVER (PARTITION BY citizen_id ORDER BY raised_at DESC, id) AS rn
        FROM alarm_call WHERE citizen_id = ANY(${[...ids]}::text[])${open}) t
      WHERE rn <= ${first} ORDER BY "citizenId", rn`);
    return groupBy(ids, rows, (r) => r.citizenId);
  });

/** A timestamp of a JSON detail (PostgreSQL writes it without a zone; the column holds UTC). */
const utc = (v: unknown): Date | null => (typeof v === "string" ? new Date(`${v}Z`) : null);

/** The details a page's statement fetched, primed into the loaders their fields use (no further statement). */
function primeDetails(ctx: C, rows: ElderRowWithDetails[]): void {
  for (const r of rows) {
    if (r._contacts) contactsByCitizen(ctx).prime(r.citizenId, r._contacts as unknown as EmergencyContact[]);
    if (r._visits) visitsByCitizen(ctx, 1).prime(r.citizenId, r._visits.map((v) => ({ ...v, visitedAt: utc(v.visitedAt) })) as unknown as Visit[]);
    if (r._alarms) alarmsByCitizen(ctx, true, UNANSWERED_SHOWN).prime(r.citizenId, r._alarms.map((a) => ({ ...a, raisedAt: utc(a.raisedAt), handledAt: utc(a.handledAt) })) as unknown as AlarmCall[]);
    delete r._contacts;
    delete r._visits;
    delete r._alarms;
  }
}

/**
 * Pages of elders for many parents (grids, communities, or the district when parent is null), with the
 * details their rows will be asked for fetched by the same statement and primed (elder-query.ts).
 */
export const elderPages = (ctx: C, parent: ParentColumn, where: Prisma.Sql, whereKey: unknown, after: string | undefined, take: number, details?: ElderDetails) =>
  ctx.loaders.get<ElderRow[]>("elderPages", { parent, whereKey, after, take, details }, async (parents) => {
    const rows = await ctx.db.read<ElderRowWithDetails>(pageSql(parent, parents, where, after, take, details));
    primeDetails(ctx, rows);
    return groupBy(parents, rows, (r) => r.parent);
  });

export const elderCounts = (ctx: C, parent: ParentColumn, where: Prisma.Sql, whereKey: unknown) =>
  ctx.loaders.get<number>("elderCounts", { parent, whereKey }, async (parents) => {
    const rows = await ctx.db.read<{ parent: string; n: number }>(countSql(parent, parents, where));
    const m = new Map(rows.map((r) => [r.parent, Number(r.n)]));
    return parents.map((p) => m.get(p) ?? 0);
  });
