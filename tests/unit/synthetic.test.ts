import {
  countCitizens,
  DEFAULT_SYNTHETIC,
  generateDataset,
  idNumberCheckChar,
  isValidIdNumber,
  plantedFindings,
  type DatasetChunk,
  type SyntheticOptions,
} from "../../subgraphs/synthetic";

type Row = Record<string, unknown>;
type Tables = Record<string, Row[]>; // "department.table" → rows

const DAY = 86_400_000;
const opts20k: SyntheticOptions = { ...DEFAULT_SYNTHETIC, citizens: 20_000 };

function collect(opts: SyntheticOptions): { tables: Tables; chunks: DatasetChunk[] } {
  const tables: Tables = {};
  const chunks: DatasetChunk[] = [];
  for (const chunk of generateDataset(opts)) {
    chunks.push(chunk);
    for (const [dept, models] of Object.entries(chunk)) {
      for (const [model, rows] of Object.entries(models as Record<string, Row[]>)) (tables[`${dept}.${model}`] ??= []).push(...rows);
    }
  }
  return { tables, chunks };
}

const t = (tables: Tables, key: string): Row[] => tables[key] ?? [];
const ms = (v: unknown): number => (v as Date).getTime();

function ageAt(birth: Date, ref: Date): number {
  let age = ref.getUTCFullYear() - birth.getUTCFullYear();
  const m = ref.getUTCMonth() - birth.getUTCMonth();
  if (m < 0 || (m === 0 && ref.getUTCDate() < birth.getUTCDate())) age--;
  return age;
}

/** The three planted rules, recomputed by brute force from the rows. */
function recompute(tables: Tables): { deceased: string[]; alone: string[]; alarm: string[] } {
  const persons = t(tables, "public-security.person");
  const dead = new Set(persons.filter((p) => p.status === "DECEASED").map((p) => p.citizenId as string));
  const deceased = new Set<string>();
  for (const s of t(tables, "civil-affairs.subsidy")) if (s.status === "ACTIVE" && dead.has(s.citizenId as string)) deceased.add(s.citizenId as string);
  for (const o of t(tables, "elderly-care.serviceOrder")) {
    if ((o.status === "SCHEDULED" || o.status === "IN_PROGRESS") && dead.has(o.citizenId as string)) deceased.add(o.citizenId as string);
  }

  const current = t(tables, "property-management.residence").filter((r) => r.movedOut === null);
  const alone: string[] = [];
  for (const p of t(tables, "elderly-care.elderProfile")) {
    if (p.status !== "ACTIVE" || p.livingArrangement !== "ALONE") continue;
    const units = new Set(current.filter((r) => r.citizenId === p.citizenId).map((r) => r.unitId));
    if (current.some((r) => units.has(r.unitId) && r.citizenId !== p.citizenId)) alone.push(p.citizenId as string);
  }

  const visits = new Map<string, number[]>();
  for (const v of t(tables, "elderly-care.visit")) {
    const list = visits.get(v.citizenId as string) ?? [];
    list.push(ms(v.visitedAt));
    visits.set(v.citizenId as string, list);
  }
  const alarm = new Set<string>();
  for (const a of t(tables, "elderly-care.alarmCall")) {
    const raised = ms(a.raisedAt);
    const ok = (visits.get(a.citizenId as string) ?? []).some((v) => v >= raised && v <= raised + 30 * DAY);
    if (!ok) alarm.add(a.citizenId as string);
  }
  return { deceased: [...deceased].sort(), alone: alone.sort(), alarm: [...alarm].sort() };
}

describe("synthetic citizen graph", () => {
  let data: { tables: Tables; chunks: DatasetChunk[] };
  beforeAll(() => {
    data = collect(opts20k);
  });

  test("ID number check character (GB 11643)", () => {
    expect(idNumberCheckChar("11010519491231002")).toBe("X");
    expect(isValidIdNumber("11010519491231002X")).toBe(true);
    expect(idNumberCheckChar("44052418800101001")).toBe("4");
    expect(isValidIdNumber("440524188001010014")).toBe(true);
    expect(isValidIdNumber("110105194912310021")).toBe(false); // wrong check character
    expect(isValidIdNumber("11010519491331002X")).toBe(false); // month 13
    expect(isValidIdNumber("1101051949123100")).toBe(false);
  });

  test("same options give identical output, another seed differs", () => {
    const small = { ...DEFAULT_SYNTHETIC, citizens: 3000 };
    const a = JSON.stringify([...generateDataset(small)]);
    const b = JSON.stringify([...generateDataset(small)]);
    const c = JSON.stringify([...generateDataset({ ...small, seed: small.seed + 1 })]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  test.each([1, 2, 7, 499, 2501, 5000])("exactly %i citizens, sequential ids", (citizens) => {
    let n = 0;
    const ids: string[] = [];
    for (const chunk of generateDataset({ ...DEFAULT_SYNTHETIC, citizens })) {
      n += countCitizens(chunk);
      for (const p of chunk["public-security"]?.person ?? []) ids.push(p.citizenId);
    }
    expect(n).toBe(citizens);
    expect(ids).toEqual(Array.from({ length: citizens }, (_, i) => `P${String(i + 1).padStart(8, "0")}`));
  });

  test("ID numbers are valid, unique and match birth date and gender", () => {
    const persons = t(data.tables, "public-security.person");
    expect(persons).toHaveLength(20_000);
    const seen = new Set<string>();
    const bad: unknown[] = [];
    for (const p of persons) {
      const id = p.idNumber as string;
      if (!isValidIdNumber(id) || seen.has(id)) bad.push(["invalid or duplicate", p]);
      seen.add(id);
      if (id.slice(6, 14) !== (p.birthDate as Date).toISOString().slice(0, 10).replace(/-/g, "")) bad.push(["birth date", p]);
      if ((Number(id[16]) % 2 === 1 ? "MALE" : "FEMALE") !== p.gender) bad.push(["gender", p]);
      if (ms(p.birthDate) % DAY !== 0) bad.push(["not UTC midnight", p]);
      if (p.status === "NON_LOCAL" && id.startsWith("11")) bad.push(["floating person with a Beijing region code", p]);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(seen.size).toBe(20_000);
  });

  test("age pyramid and status shares look like a Beijing district", () => {
    const persons = t(data.tables, "public-security.person");
    const ages = persons.map((p) => ageAt(p.birthDate as Date, DEFAULT_SYNTHETIC.asOf));
    const share = (f: (a: number) => boolean) => ages.filter(f).length / ages.length;
    expect(share((a) => a >= 60)).toBeGreaterThanOrEqual(0.21);
    expect(share((a) => a >= 60)).toBeLessThanOrEqual(0.23);
    expect(share((a) => a >= 80)).toBeGreaterThanOrEqual(0.03);
    expect(share((a) => a >= 80)).toBeLessThanOrEqual(0.04);
    expect(share((a) => a < 15)).toBeGreaterThanOrEqual(0.12);
    expect(share((a) => a < 15)).toBeLessThanOrEqual(0.14);
    const status = (s: string) => persons.filter((p) => p.status === s).length / persons.length;
    expect(status("NON_LOCAL")).toBeGreaterThan(0.06);
    expect(status("NON_LOCAL")).toBeLessThan(0.1);
    expect(status("MOVED_OUT")).toBeGreaterThan(0.01);
    expect(status("MOVED_OUT")).toBeLessThan(0.03);
    const elders = persons.filter((p, i) => ages[i]! >= 60);
    const deadShare = elders.filter((p) => p.status === "DECEASED").length / elders.length;
    expect(deadShare).toBeGreaterThan(0.02);
    expect(deadShare).toBeLessThan(0.04);
    const certs = t(data.tables, "civil-affairs.disabilityCertificate").length / persons.length;
    expect(certs).toBeGreaterThan(0.015);
    expect(certs).toBeLessThan(0.025);
  });

  test("primary keys are unique and every reference resolves", () => {
    const keys: Record<string, string> = {
      "public-security.person": "citizenId",
      "civil-affairs.civilRecord": "citizenId",
      "civil-affairs.disabilityCertificate": "citizenId",
      "elderly-care.elderProfile": "citizenId",
      "property-management.feeAccount": "unitId",
    };
    for (const [key, rows] of Object.entries(data.tables)) {
      for (const col of ["id", keys[key]].filter(Boolean) as string[]) {
        if (!(col in (rows[0] ?? {}))) continue;
        expect(new Set(rows.map((r) => r[col])).size).toBe(rows.length);
      }
    }
    const ids = (key: string, col = "id") => new Set(t(data.tables, key).map((r) => r[col]));
    const citizens = ids("public-security.person", "citizenId");
    const households = ids("public-security.household");
    const units = ids("property-management.unit");
    const buildings = ids("property-management.building");
    const grids = ids("civil-affairs.grid");
    const communities = ids("civil-affairs.community");
    const companies = ids("property-management.propertyCompany");
    const refs: [string, Set<unknown>][] = [
      ["citizenId", citizens], ["headCitizenId", citizens], ["unitId", units], ["buildingId", buildings], ["gridId", grids],
      ["communityId", communities], ["companyId", companies], ["streetOfficeId", ids("civil-affairs.streetOffice")],
    ];
    const dangling: unknown[] = [];
    for (const [key, rows] of Object.entries(data.tables)) {
      for (const r of rows) {
        for (const [col, set] of refs) if (col in r && !set.has(r[col])) dangling.push([key, col, r]);
        if (key === "public-security.person" && r.householdId !== null && !households.has(r.householdId)) dangling.push([key, r]);
      }
    }
    expect(dangling.slice(0, 5)).toEqual([]);
    expect(t(data.tables, "public-security.person").filter((p) => p.householdId !== null).length).toBeGreaterThan(15_000);
    expect(citizens.size).toBe(20_000);
    expect(t(data.tables, "civil-affairs.civilRecord")).toHaveLength(20_000);
  });

  test("chunks stream structure first, then households with parents before children", () => {
    const [first] = data.chunks;
    expect(first!["civil-affairs"]?.streetOffice).toEqual([{ id: "S-01", name: "安和街道", district: "北京市朝阳区" }]);
    const units = new Set<string>();
    const households = new Set<string>();
    let sawPeople = false;
    for (const chunk of data.chunks) {
      const newUnits = chunk["property-management"]?.unit ?? [];
      if (newUnits.length > 0) expect(sawPeople).toBe(false);
      for (const u of newUnits) units.add(u.id);
      // Parents are inserted first: households (and units) must already be known when persons (residences) come.
      expect(Object.keys(chunk["public-security"] ?? {}).indexOf("household")).toBeLessThanOrEqual(0);
      for (const h of chunk["public-security"]?.household ?? []) households.add(h.id);
      const persons = chunk["public-security"]?.person ?? [];
      if (persons.length > 0) sawPeople = true;
      expect(persons.filter((p) => p.householdId && !households.has(p.householdId))).toEqual([]);
      expect((chunk["property-management"]?.residence ?? []).filter((r) => !units.has(r.unitId))).toEqual([]);
    }
    const householdChunks = data.chunks.filter((c) => c["public-security"]?.household?.length);
    expect(householdChunks.length).toBeGreaterThan(10);
    for (const c of householdChunks.slice(0, -1)) {
      const flats = c["property-management"]!.feeAccount!.length;
      expect(flats).toBe(500);
    }
  });

  test("identifiers and addresses follow the formats", () => {
    const tb = data.tables;
    const bad: unknown[] = [];
    const check = (ok: boolean, what: string, row: Row) => void (ok || bad.push([what, row]));
    for (const c of t(tb, "civil-affairs.community")) check(/^C-\d{2,}$/.test(c.id as string) && /社区$/.test(c.name as string), "community", c);
    for (const g of t(tb, "civil-affairs.grid")) {
      check(/^G-\d{4,}$/.test(g.id as string) && /^.+社区第\d+网格$/.test(g.name as string) && /^1[3-9]\d{9}$/.test(g.workerPhone as string), "grid", g);
    }
    for (const b of t(tb, "property-management.building")) {
      check(/^B-\d{2,}-\d{3}$/.test(b.id as string) && /^\d+号楼$/.test(b.name as string), "building id/name", b);
      check(b.hasElevator ? (b.floors as number) >= 18 && (b.floors as number) <= 28 : b.floors === 6, "floors", b);
      check((b.builtYear as number) >= 1985 && (b.builtYear as number) <= 2020, "built year", b);
    }
    const units = t(tb, "property-management.unit");
    for (const u of units) {
      check(/^U-\d{2,}-\d{3}-\d-\d{3,4}$/.test(u.id as string) && (u.areaSqm as number) >= 35 && (u.areaSqm as number) <= 140, "unit", u);
      check((u.id as string).endsWith(`-${(u.number as string).replace("单元", "-")}`), "unit number", u);
    }
    const occupied = t(tb, "property-management.feeAccount").length;
    expect(1 - occupied / units.length).toBeGreaterThan(0.07);
    expect(1 - occupied / units.length).toBeLessThan(0.14);
    for (const h of t(tb, "public-security.household")) {
      check(/^110105\d{9}$/.test(h.id as string) && h.number === h.id && h.kind === "FAMILY", "household id", h);
      check(/^北京市朝阳区.+\d+号楼\d+单元\d{3,4}$/.test(h.address as string), "household address", h);
    }
    for (const p of t(tb, "public-security.person")) if (p.phone !== null) check(/^1[3-9]\d{9}$/.test(p.phone as string), "phone", p);
    expect(bad.slice(0, 5)).toEqual([]);
  });

  test("names are Chinese; household members share the head's surname except spouses and in-laws", () => {
    const persons = t(data.tables, "public-security.person");
    const byId = new Map(persons.map((p) => [p.citizenId as string, p]));
    const heads = new Map(t(data.tables, "public-security.household").map((h) => [h.id as string, byId.get(h.headCitizenId as string)!]));
    const bad: unknown[] = [];
    for (const p of persons) {
      const name = p.name as string;
      if (!/^[\u4e00-\u9fff]{2,4}$/.test(name)) bad.push(["not a Chinese name", p]);
      if (Buffer.from(name, "utf8").toString("utf8") !== name || Buffer.byteLength(name, "utf8") !== name.length * 3) bad.push(["UTF-8", p]);
      if (p.householdId && ["子", "女", "孙子", "孙女", "父亲"].includes(p.relationToHead as string)) {
        if (name[0] !== (heads.get(p.householdId as string)!.name as string)[0]) bad.push(["surname differs from the head's", p]);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(new Set(persons.map((p) => (p.name as string)[0])).size).toBeGreaterThan(60);
    const ethnic = persons.filter((p) => p.ethnicity === "汉族").length / persons.length;
    expect(ethnic).toBeGreaterThan(0.92);
    expect(ethnic).toBeLessThan(0.98);
  });

  test("cross-department consistency of the ordinary cases", () => {
    const tb = data.tables;
    const asOf = DEFAULT_SYNTHETIC.asOf.getTime();
    const persons = t(tb, "public-security.person");
    const profiles = new Map(t(tb, "elderly-care.elderProfile").map((p) => [p.citizenId as string, p]));
    const current = new Map<string, number>();
    for (const r of t(tb, "property-management.residence")) if (r.movedOut === null) current.set(r.citizenId as string, (current.get(r.citizenId as string) ?? 0) + 1);
    const tenants = new Set(t(tb, "public-security.residencePermit").map((r) => r.citizenId));
    const bad: unknown[] = [];
    for (const p of persons) {
      const living = p.status === "REGISTERED" || p.status === "NON_LOCAL";
      if ((current.get(p.citizenId as string) ?? 0) !== (living ? 1 : 0)) bad.push(["current residences", p]);
      if (p.status === "REGISTERED" && ageAt(p.birthDate as Date, DEFAULT_SYNTHETIC.asOf) >= 60 && profiles.get(p.citizenId as string)?.status !== "ACTIVE") bad.push(["elder profile", p]);
      if (tenants.has(p.citizenId) !== (p.status === "NON_LOCAL")) bad.push(["residence permit", p]);
      if ((p.status === "NON_LOCAL") !== (p.householdId === null)) bad.push(["household", p]);
    }
    for (const v of t(tb, "elderly-care.visit")) if (ms(v.visitedAt) > asOf) bad.push(["visit after asOf", v]);
    for (const a of t(tb, "elderly-care.alarmCall")) if (ms(a.raisedAt) > asOf - 8 * DAY) bad.push(["alarm too recent", a]);
    for (const p of profiles.values()) if (p.isPriority !== (p.categories as string[]).length > 0) bad.push(["isPriority", p]);
    for (const s of t(tb, "civil-affairs.subsidy")) if ((s.status === "ENDED") !== (s.endDate !== null)) bad.push(["subsidy end", s]);
    // Nothing happens after asOf except permit expiry and booked (or cancelled) service orders.
    for (const [key, rows] of Object.entries(tb)) {
      for (const r of rows) {
        for (const [col, v] of Object.entries(r)) {
          if (v instanceof Date && v.getTime() > asOf && col !== "validUntil" && !(col === "scheduledAt" && (r.status === "SCHEDULED" || r.status === "CANCELLED"))) bad.push(["after asOf", key, col, r]);
        }
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  test("planted findings are exactly the rows that satisfy the rules", () => {
    const planted = plantedFindings(opts20k);
    const found = recompute(data.tables);
    expect(planted.deceasedWithActiveBenefits).toEqual(found.deceased);
    expect(planted.aloneButSharedFlat).toEqual(found.alone);
    expect(planted.alarmWithoutVisit).toEqual(found.alarm);
    expect(found.deceased.length).toBeGreaterThan(0);
    expect(found.alone.length).toBeGreaterThan(0);
    expect(found.alarm.length).toBeGreaterThan(0);

    // Rates: ~10% of deceased with benefits, ~8% of ACTIVE ALONE elders, ~10% of elders with alarm calls.
    const tb = data.tables;
    const dead = new Set(t(tb, "public-security.person").filter((p) => p.status === "DECEASED").map((p) => p.citizenId));
    const benefited = new Set([...t(tb, "civil-affairs.subsidy"), ...t(tb, "elderly-care.serviceOrder")].map((r) => r.citizenId).filter((id) => dead.has(id)));
    expect(found.deceased.length / benefited.size).toBeGreaterThan(0.05);
    expect(found.deceased.length / benefited.size).toBeLessThan(0.2);
    const aloneActive = t(tb, "elderly-care.elderProfile").filter((p) => p.status === "ACTIVE" && p.livingArrangement === "ALONE").length;
    expect(found.alone.length / aloneActive).toBeGreaterThan(0.05);
    expect(found.alone.length / aloneActive).toBeLessThan(0.12);
    const withAlarm = new Set(t(tb, "elderly-care.alarmCall").map((a) => a.citizenId)).size;
    expect(found.alarm.length / withAlarm).toBeGreaterThan(0.05);
    expect(found.alarm.length / withAlarm).toBeLessThan(0.16);

    // Every other alarm is followed by a visit within 7 days.
    const visits = t(tb, "elderly-care.visit");
    const plantedAlarm = new Set(found.alarm);
    for (const a of t(tb, "elderly-care.alarmCall")) {
      if (plantedAlarm.has(a.citizenId as string)) continue;
      const r = ms(a.raisedAt);
      expect(visits.some((v) => v.citizenId === a.citizenId && ms(v.visitedAt) >= r && ms(v.visitedAt) <= r + 7 * DAY)).toBe(true);
    }
  });

  test("planted findings at the default size are non-empty and recomputable", () => {
    const planted = plantedFindings(DEFAULT_SYNTHETIC);
    const found = recompute(collect(DEFAULT_SYNTHETIC).tables);
    expect(planted).toEqual({ deceasedWithActiveBenefits: found.deceased, aloneButSharedFlat: found.alone, alarmWithoutVisit: found.alarm });
    for (const list of Object.values(planted)) expect(list.length).toBeGreaterThan(0);
  });

  test("streams: the first chunk of a 1,000,000-citizen data set holds only the structure, no people yet", () => {
    const it = generateDataset({ ...DEFAULT_SYNTHETIC, citizens: 1_000_000 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(first.value!["civil-affairs"]!.community!.length).toBe(167);
    expect(first.value!["public-security"]?.person ?? []).toEqual([]);
    it.return(undefined);
  });
});
