/**
 * Per-request batched lookups of the property-management database (one SQL query per batch), in plain SQL
 * on the driver (`db.read`; see ../public-security/loaders.ts for why; tests/integration/loader-rows.test.ts checks
 * each against findMany).
 */
import { Prisma, type Building, type Unit, type Residence, type FeeAccount, type RepairRequest, type PropertyCompany } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

/** Each model's field → column (enums read as text); the SELECT lists and the joined rows' split derive from them. */
const RESIDENCE = { id: "id", citizenId: "citizen_id", unitId: "unit_id", role: "role::text", movedIn: "moved_in", movedOut: "moved_out" };
const UNIT = { id: "id", buildingId: "building_id", number: "number", floor: "floor", areaSqm: "area_sqm" };
const BUILDING = { id: "id", name: "name", address: "address", communityId: "community_id", gridId: "grid_id", companyId: "company_id", floors: "floors", hasElevator: "has_elevator", builtYear: "built_year" };

/** `column AS "field"` for every field of `columns`, from table `alias` when given, named with `prefix`. */
const select = (columns: Record<string, string>, alias = "", prefix = "") =>
  Prisma.raw(Object.entries(columns).map(([field, column]) => `${alias ? `${alias}.` : ""}${column} AS "${prefix}${field}"`).join(", "));
const SELECT_RESIDENCE = select(RESIDENCE);
const SELECT_UNIT = select(UNIT);
const SELECT_BUILDING = select(BUILDING);
const SELECT_RESIDENCE_JOINED = select(RESIDENCE, "r");
const SELECT_UNIT_JOINED = select(UNIT, "u", "u_");
const SELECT_BUILDING_JOINED = select(BUILDING, "b", "b_");

export const buildingById = (ctx: C) =>
  ctx.loaders.get<Building | null>("building", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.read<Building>(Prisma.sql`SELECT ${SELECT_BUILDING} FROM building WHERE id = ANY(${[...ids]}::text[])`),
      (r) => r.id,
    ),
  );

export const unitById = (ctx: C) =>
  ctx.loaders.get<Unit | null>("unit", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.read<Unit>(Prisma.sql`SELECT ${SELECT_UNIT} FROM unit WHERE id = ANY(${[...ids]}::text[])`),
      (r) => r.id,
    ),
  );

export const companyById = (ctx: C) =>
  ctx.loaders.get<PropertyCompany | null>("company", undefined, async (ids) =>
    indexBy(ids, await ctx.db.read<PropertyCompany>(Prisma.sql`SELECT id, name, phone FROM property_company WHERE id = ANY(${[...ids]}::text[])`), (r) => r.id),
  );

/** A residence row joined with its flat and building (aliased `u_*`, `b_*`). */
type ResidenceJoin = Record<string, unknown>;
const pick = <T>(row: ResidenceJoin, columns: Record<string, string>, prefix = "") => Object.fromEntries(Object.keys(columns).map((f) => [f, row[`${prefix}${f}`]])) as T;

/**
 * A citizen's residences, newest first with the current ones first. The same statement fetches each
 * residence's flat and building and primes their loaders, so the usual next hops (`unit { building }`)
 * cost no further statement.
 */
export const residencesByCitizen = (ctx: C, currentOnly: boolean) =>
  ctx.loaders.get<Residence[]>("residences", currentOnly, async (ids) => {
    const rows = await ctx.db.read<ResidenceJoin>(Prisma.sql`SELECT ${SELECT_RESIDENCE_JOINED}, ${SELECT_UNIT_JOINED}, ${SELECT_BUILDING_JOINED}
      FROM residence r JOIN unit u ON u.id = r.unit_id JOIN building b ON b.id = u.building_id
      WHERE r.citizen_id = ANY(${[...ids]}::text[])${currentOnly ? Prisma.sql` AND r.moved_out IS NULL` : Prisma.empty}
      ORDER BY r.moved_in DESC, r.id`);
    const units = unitById(ctx);
    const buildings = buildingById(ctx);
    const residences = rows.map((row) => {
      units.prime(row.u_id as string, pick<Unit>(row, UNIT, "u_"));
      buildings.prime(row.b_id as string, pick<Building>(row, BUILDING, "b_"));
      return pick<Residence>(row, RESIDENCE);
    });
    return groupBy(ids, residences, (r) => r.citizenId).map((rs) => [...rs].sort((a, b) => Number(a.movedOut !== null) - Number(b.movedOut !== null)));
  });

export const currentResidentsByUnit = (ctx: C) =>
  ctx.loaders.get<Residence[]>("currentResidents", undefined, async (ids) =>
    groupBy(
      ids,
      // By the enum column (its declared order, as Prisma orders enums), not the text alias of the same name.
      await ctx.db.read<Residence>(Prisma.sql`SELECT ${SELECT_RESIDENCE} FROM residence WHERE unit_id = ANY(${[...ids]}::text[]) AND moved_out IS NULL ORDER BY residence.role, citizen_id, id`),
      (r) => r.unitId,
    ),
  );

export const feeAccountsByCitizen = (ctx: C) =>
  ctx.loaders.get<FeeAccount[]>("feeAccounts", undefined, async (ids) =>
    groupBy(
      ids,
      await ctx.db.read<FeeAccount>(Prisma.sql`SELECT id, citizen_id AS "citizenId", unit_id AS "unitId", balance_cents AS "balanceCents", months_in_arrears AS "monthsInArrears"
        FROM fee_account WHERE citizen_id = ANY(${[...ids]}::text[]) ORDER BY id`),
      (r) => r.citizenId,
    ),
  );

export const repairsByCitizen = (ctx: C, openOnly: boolean, first: number) =>
  ctx.loaders.get<RepairRequest[]>("repairs", { openOnly, first }, async (ids) =>
    groupBy(
      ids,
      await ctx.db.read<RepairRequest>(Prisma.sql`SELECT id, citizen_id AS "citizenId", unit_id AS "unitId", category::text AS category, description,
          status::text AS status, opened_at AS "openedAt", closed_at AS "closedAt"
        FROM repair_request WHERE citizen_id = ANY(${[...ids]}::text[])${openOnly ? Prisma.sql` AND status <> 'CLOSED'` : Prisma.empty}
        ORDER BY opened_at DESC, id`),
      (r) => r.citizenId,
    ).map((rs) => rs.slice(0, first)),
  );
