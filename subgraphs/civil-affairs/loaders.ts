/**
 * Per-request batched lookups of the civil-affairs database (one SQL query per batch), in plain SQL on
 * the driver (`db.read`; see ../public-security/loaders.ts for why; tests/integration/loader-rows.test.ts checks each
 * against findMany).
 */
import { Prisma, type Community, type Grid, type StreetOffice, type CivilRecord, type Subsidy, type DisabilityCertificate, type SubsidyStatus } from "./generated/client";
import { scopeCondition } from "../kit/scope";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

const COMMUNITY = Prisma.raw(`id, name, address, street_office_id AS "streetOfficeId"`);
const GRID = Prisma.raw(`id, name, community_id AS "communityId", worker_name AS "workerName", worker_phone AS "workerPhone"`);

export const streetOfficeById = (ctx: C) =>
  ctx.loaders.get<StreetOffice | null>("streetOffice", undefined, async (ids) =>
    indexBy(ids, await ctx.db.read<StreetOffice>(Prisma.sql`SELECT id, name, district FROM street_office WHERE id = ANY(${[...ids]}::text[])`), (r) => r.id),
  );

export const communityById = (ctx: C) =>
  ctx.loaders.get<Community | null>("community", undefined, async (ids) =>
    indexBy(ids, await ctx.db.read<Community>(Prisma.sql`SELECT ${COMMUNITY} FROM community WHERE id = ANY(${[...ids]}::text[])`), (r) => r.id),
  );

export const communitiesByStreetOffice = (ctx: C) =>
  ctx.loaders.get<Community[]>("communitiesByStreetOffice", undefined, async (ids) =>
    groupBy(ids, await ctx.db.read<Community>(Prisma.sql`SELECT ${COMMUNITY} FROM community WHERE street_office_id = ANY(${[...ids]}::text[]) ORDER BY id`), (r) => r.streetOfficeId),
  );

export const gridById = (ctx: C) =>
  ctx.loaders.get<Grid | null>("grid", undefined, async (ids) =>
    indexBy(ids, await ctx.db.read<Grid>(Prisma.sql`SELECT ${GRID} FROM grid WHERE id = ANY(${[...ids]}::text[])`), (r) => r.id),
  );

export const gridsByCommunity = (ctx: C) =>
  ctx.loaders.get<Grid[]>("gridsByCommunity", undefined, async (ids) =>
    groupBy(ids, await ctx.db.read<Grid>(Prisma.sql`SELECT ${GRID} FROM grid WHERE community_id = ANY(${[...ids]}::text[]) ORDER BY id`), (r) => r.communityId),
  );

export const civilRecordByCitizen = (ctx: C) =>
  ctx.loaders.get<CivilRecord | null>("civilRecord", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.read<CivilRecord>(Prisma.sql`SELECT citizen_id AS "citizenId", marital_status::text AS "maritalStatus", grid_id AS "gridId",
          community_id AS "communityId", building_id AS "buildingId" FROM civil_record WHERE citizen_id = ANY(${[...ids]}::text[])`),
      (r) => r.citizenId,
    ),
  );

/** Subsidies of citizens within the caller's row scope (by the address civil affairs holds), in one query. */
export const subsidiesByCitizen = (ctx: C, status: SubsidyStatus | null | undefined) =>
  ctx.loaders.get<Subsidy[]>("subsidies", status ?? null, async (ids) => {
    const scope = scopeCondition(ctx.caller);
    if ("none" in scope) return ids.map(() => []);
    const inScope =
      "all" in scope
        ? Prisma.empty
        : scope.column === "citizen_id"
          ? Prisma.sql` AND s.citizen_id = ANY(${scope.values}::text[])`
          : Prisma.sql` AND s.citizen_id IN (SELECT citizen_id FROM civil_record WHERE ${Prisma.raw(scope.column)} = ANY(${scope.values}::text[]))`;
    const rows = await ctx.db.read<Subsidy>(Prisma.sql`
      SELECT s.id, s.citizen_id AS "citizenId", s.type::text AS type, s.monthly_amount_cents AS "monthlyAmountCents",
             s.start_date AS "startDate", s.end_date AS "endDate", s.status::text AS status
      FROM subsidy s
      WHERE s.citizen_id = ANY(${[...ids]}::text[])${status ? Prisma.sql` AND s.status = ${status}::"SubsidyStatus"` : Prisma.empty}${inScope}
      ORDER BY s.start_date DESC, s.id`);
    return groupBy(ids, rows, (r) => r.citizenId);
  });

export const certificateByCitizen = (ctx: C) =>
  ctx.loaders.get<DisabilityCertificate | null>("certificate", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.read<DisabilityCertificate>(Prisma.sql`SELECT id, citizen_id AS "citizenId", number, category::text AS category, grade, issued_at AS "issuedAt"
        FROM disability_certificate WHERE citizen_id = ANY(${[...ids]}::text[])`),
      (r) => r.citizenId,
    ),
  );
