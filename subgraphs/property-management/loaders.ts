/**
 * Per-request batched lookups of the property-management database (one SQL query per batch), in plain SQL
 * through `$queryRaw` (see ../public-security/loaders.ts for why; tests/integration/loader-rows.test.ts checks
 * each against findMany).
 */
import { Prisma, type Building, type Unit, type Residence, type FeeAccount, type RepairRequest, type PropertyCompany } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

const RESIDENCE = Prisma.raw(`id, citizen_id AS "citizenId", unit_id AS "unitId", role::text AS role, moved_in AS "movedIn", moved_out AS "movedOut"`);

export const buildingById = (ctx: C) =>
  ctx.loaders.get<Building | null>("building", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.prisma.$queryRaw<Building[]>`SELECT id, name, address, community_id AS "communityId", grid_id AS "gridId", company_id AS "companyId",
          floors, has_elevator AS "hasElevator", built_year AS "builtYear"
        FROM building WHERE id = ANY(${[...ids]}::text[])`,
      (r) => r.id,
    ),
  );

export const unitById = (ctx: C) =>
  ctx.loaders.get<Unit | null>("unit", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.prisma.$queryRaw<Unit[]>`SELECT id, building_id AS "buildingId", number, floor, area_sqm AS "areaSqm" FROM unit WHERE id = ANY(${[...ids]}::text[])`,
      (r) => r.id,
    ),
  );

export const companyById = (ctx: C) =>
  ctx.loaders.get<PropertyCompany | null>("company", undefined, async (ids) =>
    indexBy(ids, await ctx.db.prisma.$queryRaw<PropertyCompany[]>`SELECT id, name, phone FROM property_company WHERE id = ANY(${[...ids]}::text[])`, (r) => r.id),
  );

export const residencesByCitizen = (ctx: C, currentOnly: boolean) =>
  ctx.loaders.get<Residence[]>("residences", currentOnly, async (ids) =>
    groupBy(
      ids,
      await ctx.db.prisma.$queryRaw<Residence[]>`SELECT ${RESIDENCE} FROM residence WHERE citizen_id = ANY(${[...ids]}::text[])${currentOnly ? Prisma.sql` AND moved_out IS NULL` : Prisma.empty}
        ORDER BY moved_in DESC, id`,
      (r) => r.citizenId,
    ).map((rs) => [...rs].sort((a, b) => Number(a.movedOut !== null) - Number(b.movedOut !== null))),
  );

export const currentResidentsByUnit = (ctx: C) =>
  ctx.loaders.get<Residence[]>("currentResidents", undefined, async (ids) =>
    groupBy(
      ids,
      // By the enum column (its declared order, as Prisma orders enums), not the text alias of the same name.
      await ctx.db.prisma.$queryRaw<Residence[]>`SELECT ${RESIDENCE} FROM residence WHERE unit_id = ANY(${[...ids]}::text[]) AND moved_out IS NULL ORDER BY residence.role, citizen_id, id`,
      (r) => r.unitId,
    ),
  );

export const feeAccountsByCitizen = (ctx: C) =>
  ctx.loaders.get<FeeAccount[]>("feeAccounts", undefined, async (ids) =>
    groupBy(
      ids,
      await ctx.db.prisma.$queryRaw<FeeAccount[]>`SELECT id, citizen_id AS "citizenId", unit_id AS "unitId", balance_cents AS "balanceCents", months_in_arrears AS "monthsInArrears"
        FROM fee_account WHERE citizen_id = ANY(${[...ids]}::text[]) ORDER BY id`,
      (r) => r.citizenId,
    ),
  );

export const repairsByCitizen = (ctx: C, openOnly: boolean, first: number) =>
  ctx.loaders.get<RepairRequest[]>("repairs", { openOnly, first }, async (ids) =>
    groupBy(
      ids,
      await ctx.db.prisma.$queryRaw<RepairRequest[]>`SELECT id, citizen_id AS "citizenId", unit_id AS "unitId", category::text AS category, description,
          status::text AS status, opened_at AS "openedAt", closed_at AS "closedAt"
        FROM repair_request WHERE citizen_id = ANY(${[...ids]}::text[])${openOnly ? Prisma.sql` AND status <> 'CLOSED'` : Prisma.empty}
        ORDER BY opened_at DESC, id`,
      (r) => r.citizenId,
    ).map((rs) => rs.slice(0, first)),
  );
