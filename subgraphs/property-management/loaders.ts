/**
 * Per-request batched lookups of the property-management database (one SQL query per batch), in plain SQL
 * through Prisma's raw query (see ../public-security/loaders.ts for why; tests/integration/loader-rows.test.ts checks
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

/** A residence row joined with its flat and building (aliased `u_*`, `b_*`). */
type ResidenceJoin = Residence & { [k: `u_${string}` | `b_${string}`]: unknown };
const UNIT_COLUMNS = ["id", "buildingId", "number", "floor", "areaSqm"] as const;
const BUILDING_COLUMNS = ["id", "name", "address", "communityId", "gridId", "companyId", "floors", "hasElevator", "builtYear"] as const;
const pick = <T>(row: ResidenceJoin, prefix: string, columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, row[`${prefix}${c}` as `u_${string}`]])) as T;

/**
 * A citizen's residences, newest first with the current ones first. The same statement fetches each
 * residence's flat and building and primes their loaders, so the usual next hops (`unit { building }`)
 * cost no further statement.
 */
export const residencesByCitizen = (ctx: C, currentOnly: boolean) =>
  ctx.loaders.get<Residence[]>("residences", currentOnly, async (ids) => {
    const rows = await ctx.db.prisma.$queryRaw<ResidenceJoin[]>`SELECT r.id, r.citizen_id AS "citizenId", r.unit_id AS "unitId", r.role::text AS role,
        r.moved_in AS "movedIn", r.moved_out AS "movedOut",
        u.id AS "u_id", u.building_id AS "u_buildingId", u.number AS "u_number", u.floor AS "u_floor", u.area_sqm AS "u_areaSqm",
        b.id AS "b_id", b.name AS "b_name", b.address AS "b_address", b.community_id AS "b_communityId", b.grid_id AS "b_gridId",
        b.company_id AS "b_companyId", b.floors AS "b_floors", b.has_elevator AS "b_hasElevator", b.built_year AS "b_builtYear"
      FROM residence r JOIN unit u ON u.id = r.unit_id JOIN building b ON b.id = u.building_id
      WHERE r.citizen_id = ANY(${[...ids]}::text[])${currentOnly ? Prisma.sql` AND r.moved_out IS NULL` : Prisma.empty}
      ORDER BY r.moved_in DESC, r.id`;
    const units = unitById(ctx);
    const buildings = buildingById(ctx);
    const residences = rows.map((row) => {
      units.prime(row.u_id as string, pick<Unit>(row, "u_", UNIT_COLUMNS));
      buildings.prime(row.b_id as string, pick<Building>(row, "b_", BUILDING_COLUMNS));
      return { id: row.id, citizenId: row.citizenId, unitId: row.unitId, role: row.role, movedIn: row.movedIn, movedOut: row.movedOut } as Residence;
    });
    return groupBy(ids, residences, (r) => r.citizenId).map((rs) => [...rs].sort((a, b) => Number(a.movedOut !== null) - Number(b.movedOut !== null)));
  });

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
