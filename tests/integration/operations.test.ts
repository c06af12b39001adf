/**
 * The five operations the foundation promises, each in one request through the gateway over HTTP,
 * checked against what the department databases hold.
 */
import { startSystem, type System } from "../helpers/system";
import { operation } from "../helpers/operations";

let sys: System;
beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
}, 180_000);
afterAll(() => sys?.stop());

const ps = () => sys.subgraphs["public-security"].db.prisma as any;
const ca = () => sys.subgraphs["civil-affairs"].db.prisma as any;
const ec = () => sys.subgraphs["elderly-care"].db.prisma as any;
const pm = () => sys.subgraphs["property-management"].db.prisma as any;

describe("one person's file", () => {
  it("returns what all four departments hold about one citizen, in one request", async () => {
    const sub = await ca().subsidy.findFirst({ where: { status: "ACTIVE" }, orderBy: { id: "asc" } });
    const elder = await ec().elderProfile.findFirst({ where: { status: "ACTIVE", isPriority: true }, orderBy: { citizenId: "asc" } });
    for (const id of [sub.citizenId, elder.citizenId]) {
      const res = await sys.gql(operation("PersonFile"), { id });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      const c = res.body.data!.citizen;
      const person = await ps().person.findUnique({ where: { citizenId: id } });
      expect(c.name).toBe(person.name);
      expect(c.idNumber).toBe(person.idNumber);
      expect(c.birthDate).toBe(person.birthDate.toISOString().slice(0, 10));
      expect(c.subsidies).toHaveLength(await ca().subsidy.count({ where: { citizenId: id } }));
      expect(c.residences).toHaveLength(await pm().residence.count({ where: { citizenId: id } }));
      const profile = await ec().elderProfile.findUnique({ where: { citizenId: id } });
      expect(c.elderProfile?.careLevel ?? null).toBe(profile?.careLevel ?? null);
      if (profile?.isPriority) expect(c.elderProfile.emergencyContacts.length).toBeGreaterThan(0);
    }
  });

  it("returns null for an unknown citizen without an error", async () => {
    const res = await sys.gql(operation("PersonFile"), { id: "P99999999" });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.citizen).toBeNull();
  });

  it("finds a citizen by ID number and round-trips Chinese text exactly", async () => {
    const person = await ps().person.findFirst({ where: { householdId: { not: null } }, orderBy: { citizenId: "asc" } });
    const res = await sys.gql(`query($n: String!) { citizenByIdNumber(idNumber: $n) { id name ethnicity household { address } } }`, { n: person.idNumber });
    const c = res.body.data!.citizenByIdNumber;
    expect(c.id).toBe(person.citizenId);
    expect(c.name).toBe(person.name);
    expect(c.name).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
    expect(c.household.address).toMatch(/[\u4e00-\u9fff]/);
    expect(Buffer.from(JSON.stringify(c), "utf8").toString("utf8")).toContain(person.name);
  });
});

describe("priority elders of a grid", () => {
  const grid = "G-0101";

  it("pages through every priority elder of the grid with flat, contacts, subsidies and visits", async () => {
    const expected = await ec().elderProfile.findMany({ where: { gridId: grid, status: "ACTIVE", isPriority: true }, orderBy: { citizenId: "asc" } });
    expect(expected.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: any = await sys.gql(operation("GridPriorityElders"), { gridId: grid, first: 20, after });
      expect(res.body.errors).toBeUndefined();
      const conn = res.body.data.grid.priorityElders;
      expect(conn.totalCount).toBe(expected.length);
      for (const { node } of conn.edges) {
        seen.push(node.citizen.id);
        expect(node.citizen.name).toMatch(/[\u4e00-\u9fff]/);
        expect(node.categories.length).toBeGreaterThan(0);
        expect(node.emergencyContacts.length).toBeGreaterThan(0);
        for (const r of node.citizen.residences) expect(r.unit.building.address).toMatch(/[\u4e00-\u9fff]/);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((e: any) => e.citizenId));
  });

  it("filters by category and by care level", async () => {
    const res = await sys.gql(operation("GridPriorityElders"), { gridId: grid, first: 200, categories: ["AGED_80_PLUS"], minCareLevel: 2 });
    const conn = res.body.data!.grid.priorityElders;
    const n = await ec().elderProfile.count({ where: { gridId: grid, status: "ACTIVE", isPriority: true, categories: { has: "AGED_80_PLUS" }, careLevel: { gte: 2 } } });
    expect(conn.totalCount).toBe(n);
    for (const { node } of conn.edges) {
      expect(node.categories).toContain("AGED_80_PLUS");
      expect(node.careLevel).toBeGreaterThanOrEqual(2);
      expect(node.citizen.age).toBeGreaterThanOrEqual(80);
    }
  });

  it("lists a community's priority elders too", async () => {
    const res = await sys.gql(operation("CommunityPriorityElders"), { communityId: "C-01", first: 10 });
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data!.community.priorityElders;
    expect(conn.totalCount).toBe(await ec().elderProfile.count({ where: { communityId: "C-01", status: "ACTIVE", isPriority: true } }));
    expect(conn.edges).toHaveLength(10);
    for (const { node } of conn.edges) expect(node.grid.id).toMatch(/^G-01/);
  });

  it("shows unanswered alarm calls and the last visit as the database has them", async () => {
    const call = await ec().alarmCall.findFirst({ where: { handledAt: null, citizenId: { in: (await ec().elderProfile.findMany({ where: { status: "ACTIVE", isPriority: true }, select: { citizenId: true } })).map((p: any) => p.citizenId) } } });
    expect(call).not.toBeNull();
    const res = await sys.gql(`query($id: ID!) { citizen(id: $id) { elderProfile { unansweredAlarmCalls { id } lastVisit { visitedAt } } } }`, { id: call.citizenId });
    const p = res.body.data!.citizen.elderProfile;
    expect(p.unansweredAlarmCalls.map((a: any) => a.id)).toContain(call.id);
    const last = await ec().visit.findFirst({ where: { citizenId: call.citizenId }, orderBy: { visitedAt: "desc" } });
    expect(p.lastVisit?.visitedAt ?? null).toBe(last ? last.visitedAt.toISOString() : null);
  });
});

describe("a household", () => {
  it("returns every member with their department data", async () => {
    const hh = await ps().household.findFirst({ where: { members: { some: { relationToHead: "配偶" } } }, orderBy: { id: "asc" } });
    const res = await sys.gql(operation("Household"), { id: hh.id });
    expect(res.body.errors).toBeUndefined();
    const h = res.body.data!.household;
    expect(h.address).toBe(hh.address);
    const members = await ps().person.findMany({ where: { householdId: hh.id } });
    expect(h.members.map((m: any) => m.citizen.id).sort()).toEqual(members.map((m: any) => m.citizenId).sort());
    expect(h.members[0].relationToHead).toBe("户主");
    expect(h.head.id).toBe(hh.headCitizenId);
    expect(h.community.name).toMatch(/社区$/);
  });
});

describe("a building", () => {
  it("returns its flats and current residents", async () => {
    const b = await pm().building.findFirst({ orderBy: { id: "asc" } });
    const res = await sys.gql(operation("Building"), { id: b.id, first: 500 });
    expect(res.body.errors).toBeUndefined();
    const got = res.body.data!.building;
    expect(got.units.totalCount).toBe(await pm().unit.count({ where: { buildingId: b.id } }));
    const residents = got.units.edges.flatMap((e: any) => e.node.currentResidents);
    expect(residents).toHaveLength(await pm().residence.count({ where: { movedOut: null, unit: { buildingId: b.id } } }));
    for (const r of residents) expect(r.citizen.name).toMatch(/[\u4e00-\u9fff]/);
    expect(got.grid.worker.name).toMatch(/[\u4e00-\u9fff]/);
  });
});
