/**
 * Per-request batched lookups of the public-security database (one SQL query per batch). Plain SQL built with
 * `Prisma.sql` and run on the driver (`db.read`, ../kit/reader.ts; one parameter per batch, whatever its
 * size) rather than `findMany({ in: [...] })`, which the query compiler compiles again for every batch; each SELECT lists every column of the model
 * under its field name, and tests/integration/loader-rows.test.ts checks that it returns what findMany does.
 */
import { Prisma, type Person, type Household, type ResidencePermit } from "./generated/client";
import { groupBy, indexBy } from "../kit/format";
import type { Ctx } from "../kit/department";
import type { Client } from "./db";

type C = Ctx<Client>;

const PERSON = Prisma.raw(`citizen_id AS "citizenId", id_number AS "idNumber", name, gender::text AS gender, birth_date AS "birthDate", ethnicity, phone,
  status::text AS status, status_date AS "statusDate", household_id AS "householdId", relation_to_head AS "relationToHead",
  grid_id AS "gridId", community_id AS "communityId", building_id AS "buildingId"`);

export const personById = (ctx: C) =>
  ctx.loaders.get<Person | null>("person", undefined, async (ids) =>
    indexBy(ids, await ctx.db.read<Person>(Prisma.sql`SELECT ${PERSON} FROM person WHERE citizen_id = ANY(${[...ids]}::text[])`), (p) => p.citizenId),
  );

export const householdById = (ctx: C) =>
  ctx.loaders.get<Household | null>("household", undefined, async (ids) =>
    indexBy(
      ids,
      await ctx.db.read<Household>(Prisma.sql`SELECT id, number, address, community_id AS "communityId", head_citizen_id AS "headCitizenId", kind,
          registered_at AS "registeredAt" FROM household WHERE id = ANY(${[...ids]}::text[])`),
      (h) => h.id,
    ),
  );

export const membersByHousehold = (ctx: C) =>
  ctx.loaders.get<Person[]>("members", undefined, async (ids) =>
    groupBy(ids, await ctx.db.read<Person>(Prisma.sql`SELECT ${PERSON} FROM person WHERE household_id = ANY(${[...ids]}::text[]) ORDER BY citizen_id`), (p) => p.householdId!),
  );

export const permitsByCitizen = (ctx: C) =>
  ctx.loaders.get<ResidencePermit[]>("permits", undefined, async (ids) =>
    groupBy(
      ids,
      await ctx.db.read<ResidencePermit>(Prisma.sql`SELECT id, citizen_id AS "citizenId", number, address, issued_at AS "issuedAt", valid_until AS "validUntil"
        FROM residence_permit WHERE citizen_id = ANY(${[...ids]}::text[]) ORDER BY issued_at DESC, id`),
      (p) => p.citizenId,
    ),
  );
