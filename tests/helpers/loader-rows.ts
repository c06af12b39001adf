/**
 * The departments' batched lookups are plain SQL (`$queryRaw`, one array parameter per batch) for speed; each
 * must return exactly what Prisma's `findMany` returns for the same keys — every field of the model under its
 * name, with the same types (Date, number, boolean, enum strings, arrays), in the same order. Run on the
 * embedded database (tests/integration/loader-rows.test.ts) and on PostgreSQL (tests/integration/postgres.test.ts).
 */
import { isDeepStrictEqual } from "node:util";
import type DataLoader from "dataloader";
import { LoaderRegistry } from "../../subgraphs/kit/loaders";
import type { Department } from "../../subgraphs/departments";
import * as CA from "../../subgraphs/civil-affairs/loaders";
import * as PS from "../../subgraphs/public-security/loaders";
import * as EC from "../../subgraphs/elderly-care/loaders";
import * as PM from "../../subgraphs/property-management/loaders";
import { filterSql, UNANSWERED_SHOWN } from "../../subgraphs/elderly-care/elder-query";

type Row = Record<string, unknown> & { [k: string]: any };
interface Case {
  name: string;
  loader: (ctx: any) => DataLoader<string, unknown>;
  /** The keys to look up: every key the table holds, plus one that matches nothing. */
  keys: (prisma: any) => Promise<string[]>;
  /** What findMany gives for those keys, per key (a row or null for a lookup, a list for a list). */
  expected: (prisma: any, keys: string[]) => Promise<unknown[]>;
  /** Columns the statement adds on purpose beyond the model (a window's row number), left out of the comparison. */
  omit?: string[];
}

const distinct = (rows: Row[], f: string) => [...new Set(rows.map((r) => r[f] as string))].sort().concat("NO-SUCH-KEY");
const keysOf = (model: string, f: string) => async (p: any) => distinct(await p[model].findMany({ select: { [f]: true } }), f);
const one = (model: string, f: string) => async (p: any, keys: string[]) => {
  const rows: Row[] = await p[model].findMany({ where: { [f]: { in: keys } } });
  return keys.map((k) => rows.find((r) => r[f] === k) ?? null);
};
const many = (model: string, f: string, orderBy: object[], where: object = {}, after: (rs: Row[]) => Row[] = (rs) => rs) => async (p: any, keys: string[]) => {
  const rows: Row[] = await p[model].findMany({ where: { [f]: { in: keys }, ...where }, orderBy });
  return keys.map((k) => after(rows.filter((r) => r[f] === k)));
};
const currentFirst = (rs: Row[]) => [...rs].sort((a, b) => Number(a.movedOut !== null) - Number(b.movedOut !== null));

export const LOADER_CASES: Record<Department, Case[]> = {
  "civil-affairs": [
    { name: "streetOfficeById", loader: CA.streetOfficeById, keys: keysOf("streetOffice", "id"), expected: one("streetOffice", "id") },
    { name: "communityById", loader: CA.communityById, keys: keysOf("community", "id"), expected: one("community", "id") },
    { name: "communitiesByStreetOffice", loader: CA.communitiesByStreetOffice, keys: keysOf("community", "streetOfficeId"), expected: many("community", "streetOfficeId", [{ id: "asc" }]) },
    { name: "gridById", loader: CA.gridById, keys: keysOf("grid", "id"), expected: one("grid", "id") },
    { name: "gridsByCommunity", loader: CA.gridsByCommunity, keys: keysOf("grid", "communityId"), expected: many("grid", "communityId", [{ id: "asc" }]) },
    { name: "civilRecordByCitizen", loader: CA.civilRecordByCitizen, keys: keysOf("civilRecord", "citizenId"), expected: one("civilRecord", "citizenId") },
    { name: "subsidiesByCitizen (all)", loader: (ctx) => CA.subsidiesByCitizen(ctx, null), keys: keysOf("subsidy", "citizenId"), expected: many("subsidy", "citizenId", [{ startDate: "desc" }, { id: "asc" }]) },
    { name: "subsidiesByCitizen (active)", loader: (ctx) => CA.subsidiesByCitizen(ctx, "ACTIVE"), keys: keysOf("subsidy", "citizenId"), expected: many("subsidy", "citizenId", [{ startDate: "desc" }, { id: "asc" }], { status: "ACTIVE" }) },
    { name: "certificateByCitizen", loader: CA.certificateByCitizen, keys: keysOf("disabilityCertificate", "citizenId"), expected: one("disabilityCertificate", "citizenId") },
  ],
  "public-security": [
    { name: "personById", loader: PS.personById, keys: keysOf("person", "citizenId"), expected: one("person", "citizenId") },
    { name: "householdById", loader: PS.householdById, keys: keysOf("household", "id"), expected: one("household", "id") },
    { name: "membersByHousehold", loader: PS.membersByHousehold, keys: async (p) => (await keysOf("household", "id")(p)), expected: many("person", "householdId", [{ citizenId: "asc" }]) },
    { name: "permitsByCitizen", loader: PS.permitsByCitizen, keys: keysOf("residencePermit", "citizenId"), expected: many("residencePermit", "citizenId", [{ issuedAt: "desc" }, { id: "asc" }]) },
  ],
  "elderly-care": [
    { name: "profileByCitizen", loader: EC.profileByCitizen, keys: keysOf("elderProfile", "citizenId"), expected: one("elderProfile", "citizenId") },
    { name: "contactsByCitizen", loader: EC.contactsByCitizen, keys: keysOf("emergencyContact", "citizenId"), expected: many("emergencyContact", "citizenId", [{ priority: "asc" }, { id: "asc" }]) },
    { name: "ordersByCitizen (first 2)", loader: (ctx) => EC.ordersByCitizen(ctx, null, 2), keys: keysOf("serviceOrder", "citizenId"), expected: many("serviceOrder", "citizenId", [{ scheduledAt: "desc" }, { id: "asc" }], {}, (rs) => rs.slice(0, 2)), omit: ["rn"] },
    { name: "ordersByCitizen (completed)", loader: (ctx) => EC.ordersByCitizen(ctx, ["COMPLETED"], 50), keys: keysOf("serviceOrder", "citizenId"), expected: many("serviceOrder", "citizenId", [{ scheduledAt: "desc" }, { id: "asc" }], { status: "COMPLETED" }), omit: ["rn"] },
    { name: "visitsByCitizen (first 3)", loader: (ctx) => EC.visitsByCitizen(ctx, 3), keys: keysOf("visit", "citizenId"), expected: many("visit", "citizenId", [{ visitedAt: "desc" }, { id: "asc" }], {}, (rs) => rs.slice(0, 3)), omit: ["rn"] },
    { name: "alarmsByCitizen (all)", loader: (ctx) => EC.alarmsByCitizen(ctx, false, 50), keys: keysOf("alarmCall", "citizenId"), expected: many("alarmCall", "citizenId", [{ raisedAt: "desc" }, { id: "asc" }]), omit: ["rn"] },
    { name: "alarmsByCitizen (unanswered)", loader: (ctx) => EC.alarmsByCitizen(ctx, true, 50), keys: keysOf("alarmCall", "citizenId"), expected: many("alarmCall", "citizenId", [{ raisedAt: "desc" }, { id: "asc" }], { handledAt: null }), omit: ["rn"] },
  ],
  "property-management": [
    { name: "buildingById", loader: PM.buildingById, keys: keysOf("building", "id"), expected: one("building", "id") },
    { name: "unitById", loader: PM.unitById, keys: keysOf("unit", "id"), expected: one("unit", "id") },
    { name: "companyById", loader: PM.companyById, keys: keysOf("propertyCompany", "id"), expected: one("propertyCompany", "id") },
    { name: "residencesByCitizen (all)", loader: (ctx) => PM.residencesByCitizen(ctx, false), keys: keysOf("residence", "citizenId"), expected: many("residence", "citizenId", [{ movedIn: "desc" }, { id: "asc" }], {}, currentFirst) },
    { name: "residencesByCitizen (current)", loader: (ctx) => PM.residencesByCitizen(ctx, true), keys: keysOf("residence", "citizenId"), expected: many("residence", "citizenId", [{ movedIn: "desc" }, { id: "asc" }], { movedOut: null }, currentFirst) },
    { name: "currentResidentsByUnit", loader: PM.currentResidentsByUnit, keys: keysOf("residence", "unitId"), expected: many("residence", "unitId", [{ role: "asc" }, { citizenId: "asc" }, { id: "asc" }], { movedOut: null }) },
    { name: "feeAccountsByCitizen", loader: PM.feeAccountsByCitizen, keys: keysOf("feeAccount", "citizenId"), expected: many("feeAccount", "citizenId", [{ id: "asc" }]) },
    { name: "repairsByCitizen (all)", loader: (ctx) => PM.repairsByCitizen(ctx, false, 50), keys: keysOf("repairRequest", "citizenId"), expected: many("repairRequest", "citizenId", [{ openedAt: "desc" }, { id: "asc" }]) },
    { name: "repairsByCitizen (open, first 1)", loader: (ctx) => PM.repairsByCitizen(ctx, true, 1), keys: keysOf("repairRequest", "citizenId"), expected: many("repairRequest", "citizenId", [{ openedAt: "desc" }, { id: "asc" }], { status: { not: "CLOSED" } }, (rs) => rs.slice(0, 1)) },
  ],
};

const district = { sub: "loader-rows", role: "data-steward", org: "test", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: null };
const without = (omit: string[]) => (v: unknown): unknown =>
  Array.isArray(v) ? v.map(without(omit)) : v && typeof v === "object" && !(v instanceof Date) ? Object.fromEntries(Object.entries(v).filter(([k]) => !omit.includes(k))) : v;

/** For each case of a department: the names of the loaders whose answer differs from findMany's (with the first difference). */
export async function loaderMismatches(department: Department, db: { prisma: unknown }): Promise<string[]> {
  const out: string[] = [];
  for (const c of LOADER_CASES[department]) {
    const keys = await c.keys(db.prisma);
    const ctx = { db, loaders: new LoaderRegistry(), caller: district };
    const raw = await c.loader(ctx).loadMany(keys);
    const got = c.omit ? raw.map(without(c.omit)) : raw;
    const want = await c.expected(db.prisma, keys);
    if (keys.length < 2) out.push(`${c.name}: the data set has no rows to compare`);
    else if (!isDeepStrictEqual(got, want)) {
      const i = keys.findIndex((_, j) => !isDeepStrictEqual(got[j], want[j]));
      out.push(`${c.name}: key ${keys[i]}: got ${JSON.stringify(got[i])}, findMany gives ${JSON.stringify(want[i])}`);
    }
  }
  if (department === "property-management") out.push(...(await primedMismatches(db as { prisma: unknown; stats: { statements: number } })));
  if (department === "elderly-care") out.push(...(await detailsMismatches(db as { prisma: unknown; stats: { statements: number } })));
  return out;
}

/**
 * Elderly care's pages fetch the details their rows are asked for (contacts, last visit, unanswered alarm
 * calls) in the page's own statement and prime the loaders: the same rows, the same details as the loaders'
 * own statements give, and no further statement — per grid and district-wide, with and without each detail.
 */
async function detailsMismatches(db: { prisma: any; stats: { statements: number } }): Promise<string[]> {
  const out: string[] = [];
  const grids = await keysOf("elderProfile", "gridId")(db.prisma);
  const where = filterSql({}, false, district as never);
  const all = { contacts: true, lastVisit: true, unansweredAlarms: true };
  for (const [parent, parents] of [["grid_id", grids], [null, [""]]] as const) {
    for (const details of [all, { contacts: true, lastVisit: false, unansweredAlarms: false }, { contacts: false, lastVisit: true, unansweredAlarms: true }]) {
      const label = `elder pages (${parent ?? "district"}, ${Object.entries(details).filter(([, v]) => v).map(([k]) => k).join(" + ")})`;
      const primed = { db, loaders: new LoaderRegistry(), caller: district };
      const plain = { db, loaders: new LoaderRegistry(), caller: district };
      const pages = (await EC.elderPages(primed as never, parent, where, "k", undefined, 5000, details).loadMany([...parents])) as Row[][];
      const plainPages = (await EC.elderPages(plain as never, parent, where, "k", undefined, 5000).loadMany([...parents])) as Row[][];
      if (!isDeepStrictEqual(pages, plainPages)) out.push(`${label}: the rows differ from the page without details`);
      const ids = pages.flat().map((r) => r.citizenId as string);
      if (ids.length < 2) out.push(`${label}: no elders to compare`);
      const before = db.stats.statements;
      const got = {
        contacts: details.contacts ? await EC.contactsByCitizen(primed as never).loadMany(ids) : [],
        lastVisit: details.lastVisit ? await EC.visitsByCitizen(primed as never, 1).loadMany(ids) : [],
        unansweredAlarms: details.unansweredAlarms ? await EC.alarmsByCitizen(primed as never, true, UNANSWERED_SHOWN).loadMany(ids) : [],
      };
      if (db.stats.statements !== before) out.push(`${label}: ${db.stats.statements - before} statements for details the page fetched, expected none`);
      const noRn = without(["rn"]);
      const want = {
        contacts: details.contacts ? await EC.contactsByCitizen(plain as never).loadMany(ids) : [],
        lastVisit: details.lastVisit ? (await EC.visitsByCitizen(plain as never, 1).loadMany(ids)).map(noRn) : [],
        unansweredAlarms: details.unansweredAlarms ? (await EC.alarmsByCitizen(plain as never, true, UNANSWERED_SHOWN).loadMany(ids)).map(noRn) : [],
      };
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        if (!isDeepStrictEqual(got[k], want[k])) {
          const i = ids.findIndex((_, j) => !isDeepStrictEqual(got[k][j], want[k][j]));
          out.push(`${label}: ${k} of ${ids[i]}: primed ${JSON.stringify(got[k][i])}, the loader gives ${JSON.stringify(want[k][i])}`);
        }
      }
      if (!details.contacts && (primed.loaders as any).loaders.has("contacts")) out.push(`${label}: contacts primed though not asked for`);
    }
  }
  return out;
}

/** Property management's residences prime the flats and buildings they join: no further statement, same rows. */
async function primedMismatches(db: { prisma: any; stats: { statements: number } }): Promise<string[]> {
  const citizens = await keysOf("residence", "citizenId")(db.prisma);
  const ctx = { db, loaders: new LoaderRegistry() };
  const residences = (await PM.residencesByCitizen(ctx as never, false).loadMany(citizens)).flat() as Row[];
  const unitIds = [...new Set(residences.map((r) => r.unitId as string))];
  const before = db.stats.statements;
  const units = (await PM.unitById(ctx as never).loadMany(unitIds)) as Row[];
  const buildingIds = [...new Set(units.map((u) => u.buildingId as string))];
  const buildings = await PM.buildingById(ctx as never).loadMany(buildingIds);
  const out: string[] = [];
  if (db.stats.statements !== before) out.push(`residences → unit → building: ${db.stats.statements - before} statements after the residences, expected none`);
  if (!isDeepStrictEqual(units, await one("unit", "id")(db.prisma, unitIds))) out.push("units primed by residences differ from findMany's");
  if (!isDeepStrictEqual(buildings, await one("building", "id")(db.prisma, buildingIds))) out.push("buildings primed by residences differ from findMany's");
  return out;
}
