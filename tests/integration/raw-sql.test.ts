/**
 * Raw SQL cannot drift silently from the Prisma schema. A plain read (`db.read`, ../../subgraphs/kit/reader.ts)
 * or `$queryRaw` with a hand-written column list is cast to a Prisma model type; add a field to the model and the query still compiles, returns rows without it, and
 * the GraphQL field resolves null. Here every raw query of the departments runs for real — through the real
 * loader or resolver, on a copy of the seeded fixture — and the columns of the rows it returns must be exactly
 * the scalar fields of the model it is typed as (from the generated client, checked against schema.prisma),
 * plus the extra columns listed deliberately below, with values of the field's type.
 *
 * A source inventory makes sure no raw query escapes: every `db.read` and `$queryRaw…` call in the code must be claimed by
 * a check here, and every call a scenario makes must be checked.
 */
import { parse, type OperationDefinitionNode } from "graphql";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { loadSubgraphConfig } from "../../subgraphs/kit/config";
import { openDepartment, type Ctx } from "../../subgraphs/kit/department";
import type { DepartmentDb } from "../../subgraphs/kit/database";
import type { Reader, SqlStatement } from "../../subgraphs/kit/reader";
import { LoaderRegistry } from "../../subgraphs/kit/loaders";
import { createCursorCodec } from "../../subgraphs/kit/contract/cursor";
import type { ForwardedCaller } from "../../subgraphs/kit/contract/caller";
import { resetDepartment } from "../../subgraphs/kit/seed";
import type { Department } from "../../subgraphs/departments";
import { Prisma as CivilPrisma } from "../../subgraphs/civil-affairs/generated/client";
import { Prisma as ElderPrisma } from "../../subgraphs/elderly-care/generated/client";
import { Prisma as SecurityPrisma } from "../../subgraphs/public-security/generated/client";
import { Prisma as PropertyPrisma } from "../../subgraphs/property-management/generated/client";
import type { Client as CivilClient } from "../../subgraphs/civil-affairs/db";
import type { Client as ElderClient } from "../../subgraphs/elderly-care/db";
import * as civilLoaders from "../../subgraphs/civil-affairs/loaders";
import * as elderLoaders from "../../subgraphs/elderly-care/loaders";
import { LOADER_CASES } from "../helpers/loader-rows";
import { resolvers as elderResolvers } from "../../subgraphs/elderly-care/resolvers";
import { fixtureDir } from "../helpers/fixtures";

const ROOT = resolve(__dirname, "../..");

// ---------------------------------------------------------------------------------------------------------
// The model side: scalar fields of a Prisma model, from the generated client and from schema.prisma.

type Kind = "string" | "number" | "boolean" | "Date" | "bigint" | "Decimal" | "json" | "bytes";

interface SchemaField {
  name: string;
  kind: Kind;
  list: boolean;
  optional: boolean;
}

const SCALAR_KINDS: Record<string, Kind> = { String: "string", Int: "number", Float: "number", Boolean: "boolean", DateTime: "Date", BigInt: "bigint", Decimal: "Decimal", Json: "json", Bytes: "bytes" };

/**
 * Scalar (and enum) fields of every model of a schema.prisma, relation fields left out — a small parser of
 * `model X { … }` blocks: one field per line, `//` comments and `@@` block attributes ignored.
 */
function parseModels(schema: string): Map<string, SchemaField[]> {
  const text = schema.replace(/\/\/.*$/gm, "");
  const blocks = [...text.matchAll(/^\s*(model|enum|type|view)\s+(\w+)\s*\{([^}]*)\}/gm)];
  const enums = new Set(blocks.filter((b) => b[1] === "enum").map((b) => b[2]));
  const models = new Set(blocks.filter((b) => b[1] === "model" || b[1] === "view" || b[1] === "type").map((b) => b[2]));
  const out = new Map<string, SchemaField[]>();
  for (const [, what, name, body] of blocks) {
    if (what !== "model") continue;
    const fields: SchemaField[] = [];
    for (const raw of body.split("\n")) {
      const line = raw.trim();
      if (!line || line.startsWith("@@")) continue;
      const m = /^(\w+)\s+(\w+)(\([^)]*\))?(\[\])?(\?)?(\s|$)/.exec(line);
      if (!m) throw new Error(`model ${name}: cannot read the field line "${line}"`);
      const [, field, type, , list, optional] = m;
      if (models.has(type) || type === "Unsupported") continue; // relation fields; Unsupported is not in the client
      const kind = enums.has(type) ? "string" : SCALAR_KINDS[type];
      if (!kind) throw new Error(`model ${name}.${field}: unknown type ${type}`);
      fields.push({ name: field, kind, list: !!list, optional: !!optional });
    }
    out.set(name, fields);
  }
  return out;
}

const schemaOf = (dept: Department) => parseModels(readFileSync(join(ROOT, "subgraphs", dept, "prisma/schema.prisma"), "utf8"));

/** The generated client's scalar field list of a model (`Prisma.<Model>ScalarFieldEnum`). */
function clientFields(ns: object, model: string): string[] {
  const e = (ns as Record<string, Record<string, string> | undefined>)[`${model}ScalarFieldEnum`];
  if (!e) throw new Error(`the generated client has no ${model}ScalarFieldEnum`);
  return Object.values(e);
}

const NAMESPACES: Record<Department, object> = { "civil-affairs": CivilPrisma, "elderly-care": ElderPrisma, "public-security": SecurityPrisma, "property-management": PropertyPrisma };

/** The fields of a model: the generated client's list, with the types schema.prisma gives them. */
function modelFields(dept: Department, model: string): SchemaField[] {
  const parsed = schemaOf(dept).get(model);
  if (!parsed) throw new Error(`${dept}: no model ${model} in schema.prisma`);
  const names = clientFields(NAMESPACES[dept]!, model);
  return names.map((n) => {
    const f = parsed.find((p) => p.name === n);
    if (!f) throw new Error(`${dept}.${model}.${n} is in the generated client but not in schema.prisma: run npm run generate`);
    return f;
  });
}

// ---------------------------------------------------------------------------------------------------------
// The comparison.

type Row = Record<string, unknown>;

interface ColumnReport {
  missing: string[];
  unexpected: string[];
  wrongType: string[];
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Date) return "Date";
  if (Array.isArray(v)) return "array";
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return "bytes";
  if (typeof v === "object" && v !== null && v.constructor?.name === "Decimal") return "Decimal";
  return typeof v;
}

function valueFits(f: SchemaField, v: unknown): boolean {
  if (v === null || v === undefined) return f.optional;
  if (f.list) return Array.isArray(v) && v.every((x) => valueFits({ ...f, list: false, optional: false }, x));
  if (f.kind === "json") return true;
  return kindOf(v) === f.kind;
}

/**
 * How the rows of a raw query differ from the model fields plus the deliberate extra columns: fields no row
 * has, columns that are neither, and fields whose value does not have the field's type.
 */
function compareColumns(rows: readonly Row[], fields: readonly SchemaField[], extra: readonly string[] = []): ColumnReport {
  const expected = new Set([...fields.map((f) => f.name), ...extra]);
  const seen = new Set(rows.flatMap((r) => Object.keys(r)));
  const wrongType = new Set<string>();
  for (const r of rows) {
    for (const f of fields) if (f.name in r && !valueFits(f, r[f.name])) wrongType.add(`${f.name}: ${kindOf(r[f.name])}, not ${f.kind}${f.list ? "[]" : ""}${f.optional ? "?" : ""}`);
  }
  return {
    // Every row must have every column (a column is the same for all rows of one statement, so any row shows it).
    missing: [...expected].filter((k) => rows.some((r) => !(k in r))).sort(),
    unexpected: [...seen].filter((k) => !expected.has(k)).sort(),
    wrongType: [...wrongType].sort(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The checks: one per raw query (statement shape), each naming the call site it covers.

interface Check {
  /** The call site: file and a text unique to its line. */
  site: [file: string, snippet: string];
  /** Identifies its statement among the recorded calls of a scenario. */
  sql: RegExp;
  /** What the rows are typed as: a model of the department, or explicit columns with their kinds. */
  model?: [Department, string];
  columns?: Record<string, Kind>;
  /** Columns beyond the model's fields, there on purpose (and not read as model fields). */
  extra?: string[];
}

const CIVIL = "subgraphs/civil-affairs/loaders.ts";
const ELDER = "subgraphs/elderly-care/loaders.ts";
const ELDER_RESOLVERS = "subgraphs/elderly-care/resolvers.ts";
const SEED = "subgraphs/kit/seed.ts";
const SECURITY = "subgraphs/public-security/loaders.ts";
const PROPERTY = "subgraphs/property-management/loaders.ts";

const CHECKS = {
  subsidies: { site: [CIVIL, "read<Subsidy>("], sql: /FROM subsidy s/, model: ["civil-affairs", "Subsidy"] },
  serviceOrders: { site: [ELDER, "read<ServiceOrder>("], sql: /FROM service_order/, model: ["elderly-care", "ServiceOrder"], extra: ["rn"] },
  visits: { site: [ELDER, "read<Visit>("], sql: /FROM visit WHERE/, model: ["elderly-care", "Visit"], extra: ["rn"] },
  alarms: { site: [ELDER, "read<AlarmCall>("], sql: /FROM alarm_call WHERE/, model: ["elderly-care", "AlarmCall"], extra: ["rn"] },
  elderPageDistrict: { site: [ELDER, "read<ElderRowWithDetails>("], sql: /'' AS parent FROM elder_profile/, model: ["elderly-care", "ElderProfile"], extra: ["parent"] },
  elderPageByParent: { site: [ELDER, "read<ElderRowWithDetails>("], sql: /AS parent, row_number\(\)/, model: ["elderly-care", "ElderProfile"], extra: ["parent", "rn"] },
  elderCountDistrict: { site: [ELDER, "read<{ parent: string; n: number }>("], sql: /SELECT '' AS parent, count\(\*\)/, columns: { parent: "string", n: "number" } },
  elderCountByParent: { site: [ELDER, "read<{ parent: string; n: number }>("], sql: /AS parent, count\(\*\).*GROUP BY/s, columns: { parent: "string", n: "number" } },
  unvisitedAlarmIds: { site: [ELDER_RESOLVERS, "read<{ id: string }>("], sql: /SELECT DISTINCT a\.citizen_id AS id/, columns: { id: "string" } },
  unvisitedAlarmCount: { site: [ELDER_RESOLVERS, "read<{ n: number }>("], sql: /count\(DISTINCT a\.citizen_id\)/, columns: { n: "number" } },
  tablesToReset: { site: [SEED, "$queryRawUnsafe<{ t: string }[]>"], sql: /FROM pg_tables/, columns: { t: "string" } },
  // The batched lookups (loaders.ts): also held to findMany's exact rows by tests/integration/loader-rows.test.ts.
  streetOffices: { site: [CIVIL, "FROM street_office WHERE id"], sql: /FROM street_office WHERE id/, model: ["civil-affairs", "StreetOffice"] },
  communities: { site: [CIVIL, "FROM community WHERE id"], sql: /FROM community WHERE id/, model: ["civil-affairs", "Community"] },
  communitiesByOffice: { site: [CIVIL, "FROM community WHERE street_office_id"], sql: /FROM community WHERE street_office_id/, model: ["civil-affairs", "Community"] },
  grids: { site: [CIVIL, "FROM grid WHERE id"], sql: /FROM grid WHERE id/, model: ["civil-affairs", "Grid"] },
  gridsByCommunity: { site: [CIVIL, "FROM grid WHERE community_id"], sql: /FROM grid WHERE community_id/, model: ["civil-affairs", "Grid"] },
  civilRecords: { site: [CIVIL, "read<CivilRecord>("], sql: /FROM civil_record WHERE/, model: ["civil-affairs", "CivilRecord"] },
  certificates: { site: [CIVIL, "read<DisabilityCertificate>("], sql: /FROM disability_certificate/, model: ["civil-affairs", "DisabilityCertificate"] },
  profiles: { site: [ELDER, "read<ElderProfile>("], sql: /FROM elder_profile WHERE citizen_id = ANY/, model: ["elderly-care", "ElderProfile"] },
  contacts: { site: [ELDER, "read<EmergencyContact>("], sql: /FROM emergency_contact/, model: ["elderly-care", "EmergencyContact"] },
  persons: { site: [SECURITY, "FROM person WHERE citizen_id"], sql: /FROM person WHERE citizen_id/, model: ["public-security", "Person"] },
  members: { site: [SECURITY, "FROM person WHERE household_id"], sql: /FROM person WHERE household_id/, model: ["public-security", "Person"] },
  households: { site: [SECURITY, "read<Household>("], sql: /FROM household WHERE/, model: ["public-security", "Household"] },
  permits: { site: [SECURITY, "read<ResidencePermit>("], sql: /FROM residence_permit/, model: ["public-security", "ResidencePermit"] },
  buildings: { site: [PROPERTY, "read<Building>("], sql: /FROM building WHERE/, model: ["property-management", "Building"] },
  units: { site: [PROPERTY, "read<Unit>("], sql: /FROM unit WHERE/, model: ["property-management", "Unit"] },
  companies: { site: [PROPERTY, "read<PropertyCompany>("], sql: /FROM property_company/, model: ["property-management", "PropertyCompany"] },
  residencesJoined: {
    site: [PROPERTY, "read<ResidenceJoin>("], sql: /FROM residence r JOIN unit u/, model: ["property-management", "Residence"],
    extra: ["u_id", "u_buildingId", "u_number", "u_floor", "u_areaSqm", "b_id", "b_name", "b_address", "b_communityId", "b_gridId", "b_companyId", "b_floors", "b_hasElevator", "b_builtYear"],
  },
  residentsByUnit: { site: [PROPERTY, "FROM residence WHERE unit_id"], sql: /FROM residence WHERE unit_id/, model: ["property-management", "Residence"] },
  feeAccounts: { site: [PROPERTY, "read<FeeAccount>("], sql: /FROM fee_account/, model: ["property-management", "FeeAccount"] },
  repairs: { site: [PROPERTY, "read<RepairRequest>("], sql: /FROM repair_request/, model: ["property-management", "RepairRequest"] },
} satisfies Record<string, Check>;

const ALL_CHECKS: Record<string, Check> = CHECKS;

const fieldsOf = (c: Check): SchemaField[] =>
  c.model ? modelFields(c.model[0], c.model[1]) : Object.entries(c.columns ?? {}).map(([name, kind]) => ({ name, kind, list: false, optional: false }));

// ---------------------------------------------------------------------------------------------------------
// Running the real code with every raw query recorded.

interface RawCall {
  sql: string;
  rows: Row[];
  checked: boolean;
}

/** The client with $queryRaw / $queryRawUnsafe recorded (statement text and rows); everything else untouched. */
function recording<C extends object>(prisma: C, calls: RawCall[]): C {
  const sqlOf = (args: unknown[]): string => {
    const [first, ...rest] = args;
    if (typeof first === "string") return first;
    if (first && typeof (first as { sql?: unknown }).sql === "string") return (first as { sql: string }).sql;
    if (Array.isArray(first)) return first.join("?"); // tagged template strings
    throw new Error(`unrecognised raw query arguments: ${String(first)} (+${rest.length})`);
  };
  return new Proxy(prisma, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if ((prop === "$queryRaw" || prop === "$queryRawUnsafe") && typeof value === "function") {
        return async (...args: unknown[]) => {
          const rows = (await value.apply(target, args)) as Row[];
          calls.push({ sql: sqlOf(args), rows, checked: false });
          return rows;
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const caller: ForwardedCaller = { sub: "t", role: "data-steward", org: "t", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: null };
const cursors = createCursorCodec("raw-sql-test-secret-0123456789");

function contextOf<C extends object>(db: DepartmentDb<C>): { ctx: Ctx<C>; calls: RawCall[] } {
  const calls: RawCall[] = [];
  const read = async <T>(statement: SqlStatement): Promise<T[]> => {
    const rows = await db.read<T>(statement);
    calls.push({ sql: statement.text, rows: rows as Row[], checked: false });
    return rows;
  };
  return { ctx: { db: { ...db, read: read as Reader, prisma: recording(db.prisma, calls) }, loaders: new LoaderRegistry(), caller, cursors }, calls };
}

/** Checks the recorded call of one statement shape: it ran, returned rows, and its columns are the model's. */
function expectColumns(calls: RawCall[], name: keyof typeof CHECKS): void {
  const check: Check = CHECKS[name];
  const matching = calls.filter((c) => check.sql.test(c.sql));
  if (!matching.length) throw new Error(`${name}: the scenario ran no statement matching ${check.sql}; recorded:\n${calls.map((c) => c.sql).join("\n---\n")}`);
  const rows = matching.flatMap((c) => c.rows);
  if (!rows.length) throw new Error(`${name}: the statement returned no rows, so its columns cannot be checked; pick arguments that find some`);
  for (const c of matching) c.checked = true;
  expect({ check: name, ...compareColumns(rows, fieldsOf(check), check.extra) }).toEqual({ check: name, missing: [], unexpected: [], wrongType: [] });
}

/** Every raw statement a scenario ran must have been checked. */
function expectAllChecked(calls: RawCall[]): void {
  expect(calls.filter((c) => !c.checked).map((c) => c.sql)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------

let dataDir: string;
let civil: DepartmentDb<CivilClient>;
let elder: DepartmentDb<ElderClient>;
let security: DepartmentDb<any>;
let property: DepartmentDb<any>;

async function open<C>(name: Department): Promise<DepartmentDb<C>> {
  const mod = SUBGRAPHS.find((m) => m.name === name);
  if (!mod) throw new Error(`no subgraph ${name}`);
  return (await openDepartment(mod, { ...loadSubgraphConfig(name, {}), dataDir: join(dataDir, name) })) as DepartmentDb<C>;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cg-raw-sql-"));
  const fixture = await fixtureDir(3000);
  for (const name of ["civil-affairs", "elderly-care", "public-security", "property-management"] as const) cpSync(join(fixture, name), join(dataDir, name), { recursive: true });
  civil = await open<CivilClient>("civil-affairs");
  elder = await open<ElderClient>("elderly-care");
  security = await open("public-security");
  property = await open("property-management");
}, 180_000);

afterAll(async () => {
  await civil?.close();
  await elder?.close();
  await security?.close();
  await property?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the column comparison", () => {
  const fields: SchemaField[] = [
    { name: "id", kind: "string", list: false, optional: false },
    { name: "endDate", kind: "Date", list: false, optional: true },
    { name: "tags", kind: "string", list: true, optional: false },
  ];

  it("accepts rows with exactly the model's fields (and the listed extras)", () => {
    expect(compareColumns([{ id: "a", endDate: null, tags: ["X"], rn: 1n }], fields, ["rn"])).toEqual({ missing: [], unexpected: [], wrongType: [] });
  });

  it("reports a model field the query does not select", () => {
    expect(compareColumns([{ id: "a", tags: [] }], fields).missing).toEqual(["endDate"]);
  });

  it("reports a column that is neither a field nor a listed extra", () => {
    expect(compareColumns([{ id: "a", endDate: null, tags: [], rn: 1n }], fields).unexpected).toEqual(["rn"]);
  });

  it("reports a value of the wrong type (a date as text, a list as a string)", () => {
    expect(compareColumns([{ id: "a", endDate: "2024-01-01", tags: "{X}" }], fields).wrongType).toEqual(["endDate: string, not Date?", "tags: string, not string[]"]);
  });

  it("catches a real query with a model field left out", async () => {
    const { ctx, calls } = contextOf(civil);
    const [{ citizenId }] = await civil.prisma.subsidy.findMany({ take: 1, select: { citizenId: true } });
    await civilLoaders.subsidiesByCitizen(ctx, null).load(citizenId);
    const rows = calls[0].rows.map(({ endDate: _dropped, ...rest }) => rest);
    expect(compareColumns(rows, modelFields("civil-affairs", "Subsidy")).missing).toEqual(["endDate"]);
  });

  it("parses schema.prisma models: scalar and enum fields, lists, optionals, no relations", () => {
    const models = parseModels(`
      enum Colour { RED }
      /// doc
      model A {
        id    String  @id // comment
        n     Int?    @map("n_n")
        c     Colour[]
        d     DateTime @db.Date
        bs    B[]
        @@map("a")
      }
      model B {
        id  String @id
        a   A      @relation(fields: [aId], references: [id])
        aId String
        x   Decimal? @db.Decimal(10, 2)
      }`);
    expect(models.get("A")).toEqual([
      { name: "id", kind: "string", list: false, optional: false },
      { name: "n", kind: "number", list: false, optional: true },
      { name: "c", kind: "string", list: true, optional: false },
      { name: "d", kind: "Date", list: false, optional: false },
    ]);
    expect(models.get("B")!.map((f) => f.name)).toEqual(["id", "aId", "x"]);
  });
});

describe("the generated clients match schema.prisma", () => {
  it.each(Object.keys(NAMESPACES) as Department[])("%s: every model's scalar fields (else run npm run generate)", (dept) => {
    const ns = NAMESPACES[dept]!;
    const models = Object.values((ns as { ModelName: Record<string, string> }).ModelName);
    const schema = schemaOf(dept);
    expect([...schema.keys()].sort()).toEqual([...models].sort());
    for (const m of models) expect({ model: m, fields: clientFields(ns, m).sort() }).toEqual({ model: m, fields: schema.get(m)!.map((f) => f.name).sort() });
  });
});

describe("raw queries return exactly their model's columns", () => {
  it("civil affairs: subsidies by citizen (with and without a status filter)", async () => {
    const { ctx, calls } = contextOf(civil);
    const some = await civil.prisma.subsidy.findMany({ take: 50, select: { citizenId: true, status: true } });
    await Promise.all(some.map((s) => civilLoaders.subsidiesByCitizen(ctx, null).load(s.citizenId)));
    await Promise.all(some.map((s) => civilLoaders.subsidiesByCitizen(ctx, s.status).load(s.citizenId)));
    expectColumns(calls, "subsidies");
    expectAllChecked(calls);
  });

  it("elderly care: service orders, visits and alarm calls by citizen", async () => {
    const { ctx, calls } = contextOf(elder);
    const orders = await elder.prisma.serviceOrder.findMany({ take: 50, select: { citizenId: true, status: true } });
    const visits = await elder.prisma.visit.findMany({ take: 50, select: { citizenId: true } });
    const alarms = await elder.prisma.alarmCall.findMany({ take: 50, select: { citizenId: true } });
    const open = await elder.prisma.alarmCall.findMany({ take: 50, where: { handledAt: null }, select: { citizenId: true } });
    await Promise.all([
      ...orders.map((o) => elderLoaders.ordersByCitizen(ctx, null, 20).load(o.citizenId)),
      ...orders.map((o) => elderLoaders.ordersByCitizen(ctx, [o.status], 20).load(o.citizenId)),
      ...visits.map((v) => elderLoaders.visitsByCitizen(ctx, 20).load(v.citizenId)),
      ...alarms.map((a) => elderLoaders.alarmsByCitizen(ctx, false, 20).load(a.citizenId)),
      ...open.map((a) => elderLoaders.alarmsByCitizen(ctx, true, 20).load(a.citizenId)),
    ]);
    expectColumns(calls, "serviceOrders");
    expectColumns(calls, "visits");
    expectColumns(calls, "alarms");
    expectAllChecked(calls);
  });

  type Resolver = (parent: unknown, args: unknown, ctx: Ctx<ElderClient>, info: never) => Promise<{ edges: unknown[]; totalCount: () => Promise<number> }>;
  const resolver = (type: string, field: string): Resolver => (elderResolvers as unknown as Record<string, Record<string, Resolver>>)[type][field];

  it("elderly care: elder pages and counts, district-wide and per grid and community (elder-query.ts)", async () => {
    const { ctx, calls } = contextOf(elder);
    const [p] = await elder.prisma.elderProfile.findMany({ take: 1, where: { status: "ACTIVE", isPriority: true } });
    // Without look-ahead (no selection), and with the details a page's rows are asked for fetched by the page's statement.
    const field = (parse("{ page { edges { node { emergencyContacts { name } lastVisit { notes } unansweredAlarmCalls { kind } } } } }").definitions[0] as OperationDefinitionNode).selectionSet.selections[0];
    const withDetails = { fieldNodes: [field], fragments: {} } as never;
    for (const info of [undefined as never, withDetails])
      for (const page of [
        await resolver("Query", "elders")(undefined, { first: 20 }, ctx, info),
        await resolver("Query", "priorityElders")(undefined, { first: 20 }, ctx, info),
        await resolver("Grid", "priorityElders")({ id: p.gridId }, { first: 20 }, ctx, info),
        await resolver("Community", "priorityElders")({ id: p.communityId }, { first: 20 }, ctx, info),
      ]) {
        expect(page.edges.length).toBeGreaterThan(0);
        expect(await page.totalCount()).toBeGreaterThan(0);
      }
    expect(calls.filter((c) => c.sql.includes('"_contacts"') && c.sql.includes('"_visits"') && c.sql.includes('"_alarms"'))).toHaveLength(4);
    expectColumns(calls, "elderPageDistrict");
    expectColumns(calls, "elderPageByParent");
    expectColumns(calls, "elderCountDistrict");
    expectColumns(calls, "elderCountByParent");
    expectAllChecked(calls);
  });

  it("elderly care: elders with unvisited alarms (ids and count)", async () => {
    const { ctx, calls } = contextOf(elder);
    const page = await resolver("Query", "eldersWithUnvisitedAlarms")(undefined, { days: 1, first: 20 }, ctx, undefined as never);
    expect(await page.totalCount()).toBeGreaterThan(0);
    expectColumns(calls, "unvisitedAlarmIds");
    expectColumns(calls, "unvisitedAlarmCount");
    expectColumns(calls, "profiles"); // the page's nodes are the elders' profiles
    expectAllChecked(calls);
  });

  /** The batched lookups (loaders.ts) of each department, with the keys tests/helpers/loader-rows.ts uses. */
  const BATCHED: Record<Department, (keyof typeof CHECKS)[]> = {
    "civil-affairs": ["streetOffices", "communities", "communitiesByOffice", "grids", "gridsByCommunity", "civilRecords", "certificates", "subsidies"],
    "elderly-care": ["profiles", "contacts", "serviceOrders", "visits", "alarms"],
    "public-security": ["persons", "members", "households", "permits"],
    "property-management": ["buildings", "units", "companies", "residencesJoined", "residentsByUnit", "feeAccounts", "repairs"],
  };
  const dbOf = (d: Department): DepartmentDb<any> => ({ "civil-affairs": civil, "elderly-care": elder, "public-security": security, "property-management": property })[d];

  it.each(Object.keys(BATCHED) as Department[])("%s: the batched lookups", async (dept) => {
    const db = dbOf(dept);
    const { ctx, calls } = contextOf(db);
    for (const c of LOADER_CASES[dept]) await c.loader(ctx).loadMany(await c.keys(db.prisma));
    for (const name of BATCHED[dept]) expectColumns(calls, name);
    expectAllChecked(calls);
  });

  // Last: it empties the (copied) civil-affairs database.
  it("department kit: the tables a reset empties", async () => {
    const { ctx, calls } = contextOf(civil);
    const mod = SUBGRAPHS.find((m) => m.name === "civil-affairs")!;
    await resetDepartment(mod, ctx.db);
    expectColumns(calls, "tablesToReset");
    expectAllChecked(calls);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("every raw query in the code is checked here", () => {
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      if (f === "node_modules" || f === "generated") return [];
      return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) ? [p] : [];
    });
  }
  const sites = ["subgraphs", "gateway", "schema"].flatMap((d) => sources(join(ROOT, d))).flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .map((text, i) => ({ file: relative(ROOT, file), line: i + 1, text }))
      .filter((l) => /\$queryRaw(Unsafe|Typed)?\b|\bdb\.read</.test(l.text)),
  );
  const claimed = Object.values(ALL_CHECKS).map((c) => c.site);

  it("each $queryRaw call site has a check", () => {
    const unclaimed = sites.filter((s) => !claimed.some(([file, snippet]) => s.file === file && s.text.includes(snippet)));
    expect(unclaimed.map((s) => `${s.file}:${s.line} ${s.text.trim()} — add a check to tests/integration/raw-sql.test.ts`)).toEqual([]);
  });

  it("each check names a call site that exists (exactly one line)", () => {
    const wrong = claimed.filter(([file, snippet]) => sites.filter((s) => s.file === file && s.text.includes(snippet)).length !== 1);
    expect(wrong).toEqual([]);
  });
});
