/**
 * Governance through real HTTP: identity, what each built-in role can read, what is masked, what is
 * refused, row scope, purpose, direct subgraph calls, the access log and the citizen's own history.
 */
import { SignJWT } from "jose";
import { startSystem, post, type System } from "../helpers/system";
import { operation } from "../helpers/operations";
import { DEPARTMENTS } from "../../subgraphs/departments";
import { until } from "../helpers/wait";
import { signRequest } from "../../subgraphs/kit/contract/signing";
import type { ForwardedCaller } from "../../subgraphs/kit/contract/caller";
import type { AuditStore } from "../../gateway/src/audit/store";
import type { AuditWriter } from "../../gateway/src/audit/writer-client";

let sys: System;
let ps: any, ec: any, pm: any;
let inG0101: any; // an elder living in grid G-0101 with an ID number and emergency contacts
let outside: any; // a person living in another grid
let buildingId: string;

beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
  ps = sys.subgraphs["public-security"].db.prisma;
  ec = sys.subgraphs["elderly-care"].db.prisma;
  pm = sys.subgraphs["property-management"].db.prisma;
  const elder = await ec.elderProfile.findFirst({ where: { gridId: "G-0101", status: "ACTIVE", isPriority: true }, orderBy: { citizenId: "asc" } });
  inG0101 = await ps.person.findUnique({ where: { citizenId: elder.citizenId } });
  outside = await ps.person.findFirst({ where: { gridId: { not: "G-0101" }, communityId: { not: "C-01" }, status: "REGISTERED" }, orderBy: { citizenId: "asc" } });
  buildingId = inG0101.buildingId;
}, 180_000);
afterAll(() => sys?.stop());

const FILE = `query($id: ID!) { citizen(id: $id) { id name idNumber phone subsidies { type } elderProfile { careLevel emergencyContacts { name phone } } residences { unit { id } } } }`;
const code = (res: any) => res.body.errors?.[0]?.extensions?.code;
const codes = (res: any) => (res.body.errors ?? []).map((e: any) => e.extensions?.code);

describe("identity", () => {
  it("refuses a request without a token with 401 UNAUTHENTICATED and no data", async () => {
    const res = await post(sys.gatewayUrl, { query: `{ communities { id } }` });
    expect(res.status).toBe(401);
    expect(code(res)).toBe("UNAUTHENTICATED");
    expect(res.body.data ?? null).toBeNull();
  });

  it("refuses a malformed or wrongly signed token with INVALID_TOKEN", async () => {
    expect(code(await post(sys.gatewayUrl, { query: `{ communities { id } }` }, { authorization: "Bearer not.a.jwt" }))).toBe("INVALID_TOKEN");
    const forged = await new SignJWT({ org: "x", roles: ["data-steward"] }).setProtectedHeader({ alg: "HS256" }).setSubject("x").setIssuer("citizen-graph").setAudience("citizen-graph").setExpirationTime("1h").sign(new TextEncoder().encode("another-secret-entirely-0123456789"));
    const res = await post(sys.gatewayUrl, { query: `{ communities { id } }` }, { authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(code(res)).toBe("INVALID_TOKEN");
  });

  it("refuses an expired token with TOKEN_EXPIRED", async () => {
    const token = await sys.token({ role: "data-steward", expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const res = await post(sys.gatewayUrl, { query: `{ communities { id } }` }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(code(res)).toBe("TOKEN_EXPIRED");
  });
});

describe("grid worker (网格员)", () => {
  it("reads a resident of their grid in full for a welfare check", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check"));
    expect(res.body.errors).toBeUndefined();
    const c = res.body.data!.citizen;
    expect(c.name).toBe(inG0101.name);
    expect(c.idNumber).toBe(inG0101.idNumber);
    expect(c.elderProfile.emergencyContacts.length).toBeGreaterThan(0);
  });

  it("returns exactly the fields asked for: the owner ids the gateway adds for the access log never reach the client", async () => {
    const res = await sys.gql(operation("GridPriorityElders"), { gridId: "G-0101", first: 5 }, await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check"));
    expect(res.body.errors).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain("_cg_");
    const node = res.body.data!.grid.priorityElders.edges[0].node;
    expect(Object.keys(node).sort()).toEqual(["careLevel", "categories", "citizen", "emergencyContacts", "lastVisit", "livingArrangement", "unansweredAlarmCalls"]);
    expect(Object.keys(node.citizen).sort()).toEqual(["age", "gender", "id", "name", "phone", "repairRequests", "residences", "subsidies"]);
  });

  it("does not see residents of other grids (row scope)", async () => {
    const res = await sys.gql(FILE, { id: outside.citizenId }, await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check"));
    expect(res.body.data!.citizen).toBeNull();
  });

  it("lists only the priority elders of their own grid", async () => {
    const res = await sys.gql(`{ priorityElders(first: 1000) { totalCount edges { node { grid { id } } } } }`, {}, await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check"));
    const conn = res.body.data!.priorityElders;
    expect(conn.totalCount).toBe(await ec.elderProfile.count({ where: { gridId: "G-0101", status: "ACTIVE", isPriority: true } }));
    expect(new Set(conn.edges.map((e: any) => e.node.grid.id))).toEqual(new Set(["G-0101"]));
  });

  it("is refused a purpose its role does not have", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "fee-collection"));
    expect(res.status).toBe(403);
    expect(code(res)).toBe("PURPOSE_NOT_ALLOWED");
    expect(res.body.data ?? null).toBeNull();
  });
});

describe("community officer (社区工作人员)", () => {
  it("sees sensitive values masked for a welfare check: ID number, contact phone; care records withheld", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "community-officer", communities: ["C-01"] }, "welfare-check"));
    expect(res.body.errors).toBeUndefined();
    const c = res.body.data!.citizen;
    expect(c.name).toBe(inG0101.name);
    expect(c.idNumber).toBe(`${inG0101.idNumber.slice(0, 6)}********${inG0101.idNumber.slice(-4)}`);
    expect(c.elderProfile).toBeNull(); // a sensitive object cannot be partly shown: withheld
    expect(c.subsidies).toBeNull();
  });

  it("sees them unmasked for a subsidy review", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "community-officer", communities: ["C-01"] }, "subsidy-review"));
    expect(res.body.data!.citizen.idNumber).toBe(inG0101.idNumber);
    expect((res.body.data as any).citizen.elderProfile.emergencyContacts[0].phone).toMatch(/^1\d{10}$/);
  });
});

describe("department officer (部门工作人员)", () => {
  it("civil affairs reads subsidies but not care or property data: those fields are null with errors naming them", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "department-officer", department: "civil-affairs" }, "subsidy-review"));
    const c = res.body.data!.citizen;
    expect(c.name).toBe(inG0101.name);
    expect(Array.isArray(c.subsidies)).toBe(true);
    expect(c.elderProfile).toBeNull();
    expect(c.residences).toBeNull();
    const denied = res.body.errors!.filter((e: any) => e.extensions.code === "UNAUTHORIZED_FIELD_OR_TYPE");
    expect(denied.map((e: any) => e.path)).toEqual(expect.arrayContaining([["citizen", "elderProfile"], ["citizen", "residences"]]));
  });
});

describe("elderly-care worker (养老服务人员)", () => {
  it("reads care data in their community, not subsidies", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "elderly-care-worker", communities: ["C-01"] }, "service-delivery"));
    const c = res.body.data!.citizen;
    expect(c.elderProfile.careLevel).toBeGreaterThanOrEqual(0);
    expect(c.subsidies).toBeNull();
    expect(codes(res)).toContain("UNAUTHORIZED_FIELD_OR_TYPE");
  });
});

describe("property company staff (物业人员)", () => {
  const q = `query($b: ID!) { building(id: $b) { id units(first: 200) { edges { node { currentResidents { citizen { id name idNumber } } } } } } }`;

  it("sees the residents of its own buildings by name, never their ID numbers", async () => {
    const res = await sys.gql(q, { b: buildingId }, await sys.as({ role: "property-staff", buildings: [buildingId] }, "fee-collection"));
    const residents = res.body.data!.building.units.edges.flatMap((e: any) => e.node.currentResidents);
    expect(residents.length).toBeGreaterThan(0);
    for (const r of residents) {
      expect(r.citizen.name).toMatch(/[\u4e00-\u9fff]/);
      expect(r.citizen.idNumber).toBeNull();
    }
    expect(codes(res)).toContain("UNAUTHORIZED_FIELD_OR_TYPE");
  });

  it("does not see other buildings", async () => {
    const other = await pm.building.findFirst({ where: { id: { not: buildingId } } });
    const res = await sys.gql(q, { b: other.id }, await sys.as({ role: "property-staff", buildings: [buildingId] }, "fee-collection"));
    expect(res.body.data!.building).toBeNull();
  });
});

describe("data steward (数据管理员)", () => {
  it("gets only findings built from facts it may read: with sensitive data masked (data-quality) it learns of none", async () => {
    const res = await sys.gql(`{ findings(first: 5) { totalCount edges { node { kind evidence { fact } citizen { name idNumber } } } } }`, {}, await sys.as({ role: "data-steward" }, "data-quality"));
    // Findings are personal data, which a data steward sees only masked (withheld, for a list), and every
    // check rests on sensitive facts (subsidies, orders, living arrangement, alarms) it sees masked too.
    expect(res.body.data!.findings).toBeNull();
    expect(JSON.stringify(res.body)).not.toMatch(/仍在发放|独居|紧急呼叫|P\d{8}/);
  });

  it("sees a citizen's personal fields masked and sensitive ones not at all, for an audit, anywhere in the district", async () => {
    const res = await sys.gql(`query($id: ID!) { citizen(id: $id) { id name phone age idNumber } }`, { id: outside.citizenId }, await sys.as({ role: "data-steward" }, "audit"));
    const c = res.body.data!.citizen;
    expect(c.id).toBe(outside.citizenId);
    expect(c.name).toBe(`${[...outside.name][0]}${"*".repeat([...outside.name].length - 1)}`);
    expect(c.name).not.toBe(outside.name);
    expect(c.phone).toBe(`${outside.phone.slice(0, 3)}${"*".repeat(outside.phone.length - 7)}${outside.phone.slice(-4)}`);
    expect(c.age).toBeNull(); // personal with no mask kind: withheld
    expect(c.idNumber).toBeNull();
    expect((res.body.errors ?? []).map((e: any) => [e.extensions.code, e.path.join(".")])).toEqual([["UNAUTHORIZED_FIELD_OR_TYPE", "citizen.idNumber"]]);
    expect(JSON.stringify(res.body)).not.toContain(outside.idNumber);
    expect(JSON.stringify(res.body)).not.toContain(outside.phone);
  });
});

describe("purpose", () => {
  it("is required when personal data is selected", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "data-steward" }));
    expect(res.status).toBe(400);
    expect(code(res)).toBe("PURPOSE_REQUIRED");
  });

  it("must be one of the configured purposes", async () => {
    const res = await sys.gql(FILE, { id: inG0101.citizenId }, await sys.as({ role: "data-steward" }, "curiosity"));
    expect(res.status).toBe(400);
    expect(code(res)).toBe("UNKNOWN_PURPOSE");
  });

  it("is not needed for data that is not personal", async () => {
    const res = await sys.gql(`{ communities { name grids { id } } }`, {}, await sys.as({ role: "data-steward" }));
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.communities.length).toBeGreaterThan(0);
  });
});

describe("auditor and citizen", () => {
  it("records each personal-data response and lets the auditor and the citizen read it", async () => {
    const requestId = `req-${Date.now()}`;
    const officer = { ...(await sys.as({ role: "community-officer", communities: ["C-01"], name: "李网格" }, "welfare-check")), "x-request-id": requestId };
    const read = await sys.gql(`query($id: ID!) { citizen(id: $id) { name phone } }`, { id: inG0101.citizenId }, officer);
    expect(read.body.data!.citizen.name).toBe(inG0101.name);

    const auditor = await sys.as({ role: "auditor" }, "audit");
    const log = await sys.gql(`query($c: ID) { accessLog(citizenId: $c, first: 100) { totalCount edges { node { requestId clientRequestId role purpose citizens fields callerName organisation } } } }`, { c: inG0101.citizenId }, auditor);
    expect(log.body.errors).toBeUndefined();
    const rec = log.body.data!.accessLog.edges.map((e: any) => e.node).find((r: any) => r.clientRequestId === requestId);
    expect(rec).toEqual(expect.objectContaining({ role: "community-officer", purpose: "welfare-check", callerName: "李网格", citizens: [inG0101.citizenId] }));
    expect(rec.fields).toEqual(expect.arrayContaining(["Citizen.name", "Citizen.phone"]));

    const mine = await sys.gql(`{ myAccessHistory(first: 100) { edges { node { clientRequestId purpose purposeLabel organisation citizens } } } }`, {}, await sys.as({ role: "citizen", sub: inG0101.citizenId }));
    expect(mine.body.errors).toBeUndefined();
    const seen = mine.body.data!.myAccessHistory.edges.map((e: any) => e.node).find((r: any) => r.clientRequestId === requestId);
    expect(seen).toEqual(expect.objectContaining({ purpose: "welfare-check", purposeLabel: expect.stringMatching(/探访关怀/), citizens: [inG0101.citizenId] }));
  });

  it.each([
    ["the page also selects each elder's citizen, without personal fields", `citizen { id }`],
    ["the page selects only the elders' own (owned) data", ``],
    ["the page's citizen selection is skipped", `citizen @skip(if: true) { id }`],
    ["the page's citizen selection is included only on a condition", `citizen @include(if: false) { id }`],
  ])("records exactly the citizens of a priority-elder page (%s)", async (_label, citizenSelection) => {
    const since = new Date(Date.now() - 1000);
    const requestId = `req-page-${citizenSelection ? "c" : "o"}-${Date.now()}`;
    const headers = { ...(await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check")), "x-request-id": requestId };
    const res = await sys.gql(
      `query($g: ID!) { grid(id: $g) { priorityElders(first: 7) { edges { node { careLevel emergencyContacts { phone } ${citizenSelection} } } } } }`,
      { g: "G-0101" },
      headers,
    );
    expect(res.body.errors).toBeUndefined();
    const expected = (await ec.elderProfile.findMany({ where: { gridId: "G-0101", status: "ACTIVE", isPriority: true }, orderBy: { citizenId: "asc" }, take: 7 })).map((p: any) => p.citizenId);
    const [rec] = (await sys.audit.query({ from: since, first: 1000 })).records.filter((r) => r.clientRequestId === requestId);
    expect(rec.citizens).toEqual(expected);
    expect(rec.fields).toEqual(expect.arrayContaining(["ElderProfile.emergencyContacts"]));
    // Residences reached from their citizen belong to that citizen.
    const file = `req-res-${Date.now()}`;
    await sys.gql(`query($id: ID!) { citizen(id: $id) { residences { unit { id } } } }`, { id: inG0101.citizenId }, { ...headers, "x-request-id": file });
    const [r2] = (await sys.audit.query({ citizenId: inG0101.citizenId, first: 1000 })).records.filter((r) => r.clientRequestId === file);
    expect(r2.citizens).toEqual([inG0101.citizenId]);
    expect(r2.fields).toEqual(expect.arrayContaining(["Citizen.residences"]));
  });

  it("records who is listed as an elder, even when only the elders' ids are selected", async () => {
    const requestId = `req-elder-ids-${Date.now()}`;
    const headers = { ...(await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check")), "x-request-id": requestId };
    const res = await sys.gql(`{ priorityElders(first: 4) { edges { node { citizen { id } } } } }`, {}, headers);
    expect(res.body.errors).toBeUndefined();
    const ids = res.body.data!.priorityElders.edges.map((e: any) => e.node.citizen.id);
    expect(ids).toHaveLength(4);
    const [rec] = (await sys.audit.query({ first: 1000 })).records.filter((r) => r.clientRequestId === requestId);
    expect(rec.fields).toEqual(["ElderEdge.node", "ElderProfile.citizen"]);
    expect(rec.citizens).toEqual([...ids].sort());
  });

  it("records whose personal data a list returns, even when nothing personal of them is selected (a flat's residents)", async () => {
    const residence = await pm.residence.findFirst({ where: { movedOut: null, unit: { buildingId } } });
    const expected = (await pm.residence.findMany({ where: { unitId: residence.unitId, movedOut: null } })).map((r: any) => r.citizenId).sort();
    const requestId = `req-residents-${Date.now()}`;
    const headers = { ...(await sys.as({ role: "property-staff", buildings: [buildingId] }, "fee-collection")), "x-request-id": requestId };
    const res = await sys.gql(`query($u: ID!) { unit(id: $u) { currentResidents { role } } }`, { u: residence.unitId }, headers);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.unit.currentResidents).toHaveLength(expected.length);
    expect(JSON.stringify(res.body)).not.toContain("_cg_");
    const [rec] = (await sys.audit.query({ first: 1000 })).records.filter((r) => r.clientRequestId === requestId);
    expect(rec.fields).toEqual(["Unit.currentResidents"]);
    expect(rec.citizens).toEqual(expected);
  });

  it.each([
    ["on a citizen", `query($id: ID!) { citizen(id: $id) { _cg_id: name name } }`],
    ["standing in for an elder's owner", `query($id: ID!) { citizen(id: $id) { elderProfile { careLevel } } elders(first: 3) { edges { node { careLevel _cg_owner: grid { id } } } } }`],
    ["inside a fragment", `query($id: ID!) { citizen(id: $id) { ...F } } fragment F on Citizen { name _cg_x: phone }`],
  ])("refuses an alias in the gateway's reserved namespace (%s) with RESERVED_NAME and no data", async (_label, query) => {
    const before = (await sys.audit.query({ first: 1 })).total;
    const res = await sys.gql(query, { id: inG0101.citizenId }, await sys.as({ role: "community-officer", communities: ["C-01"] }, "welfare-check"));
    expect(res.status).toBe(400);
    expect(code(res)).toBe("RESERVED_NAME");
    expect(res.body.data ?? null).toBeNull();
    expect(JSON.stringify(res.body)).not.toContain(inG0101.name);
    expect((await sys.audit.query({ first: 1 })).total).toBe(before);
  });

  it("gives an auditor the access log only: no citizen file anywhere (minimum necessary)", async () => {
    const res = await sys.gql(`query($id: ID!) { citizen(id: $id) { id name } }`, { id: outside.citizenId }, await sys.as({ role: "auditor" }, "audit"));
    expect(res.body.data!.citizen).toBeNull();
    expect((res.body.errors ?? []).map((e: any) => [e.extensions.code, e.path.join(".")])).toEqual([["UNAUTHORIZED_FIELD_OR_TYPE", "citizen"]]);
    expect(JSON.stringify(res.body)).not.toContain(outside.name);
  });

  it("does not record responses without personal data", async () => {
    const before = (await sys.audit.query({ first: 1 })).total;
    await sys.gql(`{ communities { name } }`, {}, await sys.as({ role: "data-steward" }));
    expect((await sys.audit.query({ first: 1 })).total).toBe(before);
  });

  it("lets a citizen read their own file and nobody else's, and not the auditors' log", async () => {
    const me = await sys.as({ role: "citizen", sub: inG0101.citizenId });
    const own = await sys.gql(FILE, { id: inG0101.citizenId }, me);
    expect(own.body.data!.citizen.idNumber).toBe(inG0101.idNumber);
    const other = await sys.gql(FILE, { id: outside.citizenId }, me);
    expect(other.body.data!.citizen).toBeNull();
    const log = await sys.gql(`{ accessLog(first: 1) { totalCount } }`, {}, me);
    expect(log.body.data!.accessLog).toBeNull();
    expect(codes(log)).toContain("UNAUTHORIZED_FIELD_OR_TYPE");
  });

  it("keeps the hash chain intact", async () => {
    expect(await sys.audit.verify()).toEqual(expect.objectContaining({ ok: true }));
  });
});

describe("direct subgraph calls", () => {
  const body = JSON.stringify({ query: `{ _service { sdl } }` });
  const caller = { sub: "x", role: "data-steward", org: "x", rowScope: "district" as const, area: { grids: [], communities: [], buildings: [] }, purpose: null };

  it.each(DEPARTMENTS)("%s refuses an unsigned request with 401", async (dept) => {
    const res = await fetch(sys.subgraphs[dept].url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe("SUBGRAPH_REQUEST_UNSIGNED");
  });

  it("civil affairs applies row scope to subsidies and marital status by the address it holds", async () => {
    const ca = sys.subgraphs["civil-affairs"].db.prisma as any;
    const withSubsidy = async (grid: { equals?: string; not?: string }) => {
      const records = await ca.civilRecord.findMany({ where: { gridId: grid }, select: { citizenId: true }, orderBy: { citizenId: "asc" }, take: 400 });
      const s = await ca.subsidy.findFirst({ where: { citizenId: { in: records.map((r: any) => r.citizenId) } }, orderBy: { citizenId: "asc" } });
      return s.citizenId as string;
    };
    const mine = await withSubsidy({ equals: "G-0101" });
    const other = await withSubsidy({ not: "G-0101" });
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { id maritalStatus subsidies { type } } } }`;
    const ask = async (c: ForwardedCaller) => {
      const b = JSON.stringify({ query, variables: { r: [mine, other].map((id) => ({ __typename: "Citizen", id })) } });
      const res = await fetch(sys.subgraphs["civil-affairs"].url, { method: "POST", headers: { "content-type": "application/json", ...signRequest(sys.signingSecret, { audience: "civil-affairs", method: "POST", target: "/graphql", caller: c, body: b }) }, body: b });
      return ((await res.json()) as any).data._entities as { id: string; maritalStatus: string | null; subsidies: unknown[] }[];
    };
    const gridWorker = { ...caller, role: "grid-worker", rowScope: "grid" as const, area: { grids: ["G-0101"], communities: [], buildings: [] } };
    const [a, b] = await ask(gridWorker);
    expect(a.subsidies.length).toBeGreaterThan(0);
    expect(a.maritalStatus).not.toBeNull();
    expect(b.subsidies).toEqual([]);
    expect(b.maritalStatus).toBeNull();
    const [c, d] = await ask(caller); // district-wide
    expect(c.subsidies.length).toBeGreaterThan(0);
    expect(d.subsidies.length).toBeGreaterThan(0);
    const self = { ...caller, role: "citizen", rowScope: "self" as const, citizenId: other };
    const [e, f] = await ask(self);
    expect(e.subsidies).toEqual([]);
    expect(f.subsidies.length).toBeGreaterThan(0);
  });

  it("refuses a tampered body and a stale signature, accepts a fresh one", async () => {
    const url = sys.subgraphs["public-security"].url;
    const headers = signRequest(sys.signingSecret, { audience: "public-security", method: "POST", target: "/graphql", caller, body });
    const tampered = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body.replace("sdl", "sdl __typename") });
    expect(((await tampered.json()) as any).errors[0].extensions.code).toBe("SUBGRAPH_REQUEST_INVALID_SIGNATURE");
    const old = signRequest(sys.signingSecret, { audience: "public-security", method: "POST", target: "/graphql", caller, body }, Date.now() - 10 * 60_000);
    const stale = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...old }, body });
    expect(((await stale.json()) as any).errors[0].extensions.code).toBe("SUBGRAPH_REQUEST_STALE");
    const ok = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...signRequest(sys.signingSecret, { audience: "public-security", method: "POST", target: "/graphql", caller, body }) }, body });
    expect(ok.status).toBe(200);
  });
});

describe("modes and failures", () => {
  it("reject mode refuses the whole request when any field is unauthorized", async () => {
    const strict = await startSystem({ citizens: 3000, gateway: { authzMode: "reject" } });
    try {
      const res = await strict.gql(FILE, { id: inG0101.citizenId }, await strict.as({ role: "department-officer", department: "civil-affairs" }, "subsidy-review"));
      expect(res.status).toBe(403);
      expect(code(res)).toBe("UNAUTHORIZED_FIELD_OR_TYPE");
      expect(res.body.data ?? null).toBeNull();
    } finally {
      await strict.stop();
    }
  }, 120_000);

  it("GOVERNANCE=off (benchmarks only) serves without a token and records nothing", async () => {
    // A store that counts what it is asked to record: with governance off it must never be asked.
    const appended: unknown[] = [];
    const spy: AuditStore = { kind: "pglite", append: async (r) => (appended.push(r), { ...r, seq: appended.length, prevHash: "", hash: "" }), query: async () => ({ records: [], hasNext: false, total: 0 }), verify: async () => ({ ok: true, count: 0, headHash: "" }), ping: async () => undefined, close: async () => undefined };
    const open = await startSystem({ citizens: 3000, gateway: { governance: false }, audit: spy });
    try {
      const res = await post(open.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { name idNumber } }`, variables: { id: inG0101.citizenId } });
      expect(res.body.data!.citizen.idNumber).toBe(inG0101.idNumber);
      expect(appended).toEqual([]);
      // The same request with governance on is recorded by the same kind of store (the spy can see records).
      const governed = await startSystem({ citizens: 3000, audit: spy });
      try {
        await governed.gql(`query($id: ID!) { citizen(id: $id) { name } }`, { id: inG0101.citizenId });
        expect(appended).toHaveLength(1);
      } finally {
        await governed.stop();
      }
    } finally {
      await open.stop();
    }
  }, 120_000);

  it("keeps the embedded access log in its own writer process: fails closed while it is gone, then a new writer continues the chain", async () => {
    const writer = sys.audit as AuditWriter;
    expect(writer.pid).toBeDefined();
    expect(writer.pid).not.toBe(process.pid);
    const before = await sys.gql(FILE, { id: inG0101.citizenId });
    expect(before.body.data!.citizen.name).toBe(inG0101.name);
    const pid = writer.pid!;
    // The writer stops (SIGSTOP) with a request's record pending, then dies: that request gets no data.
    process.kill(pid, "SIGSTOP");
    const pendingRes = sys.gql(FILE, { id: inG0101.citizenId });
    await until(() => writer.pendingCalls > 0, "the request's record to be pending at the stopped writer");
    process.kill(pid, "SIGKILL");
    const refused = await pendingRes;
    expect(refused.status).toBe(503);
    expect(code(refused)).toBe("AUDIT_UNAVAILABLE");
    expect(JSON.stringify(refused.body)).not.toContain(inG0101.name);
    // The next request starts a new writer on the same log.
    const res = await sys.gql(FILE, { id: inG0101.citizenId });
    expect(res.body.data!.citizen.name).toBe(inG0101.name);
    expect(writer.pid).toBeDefined();
    expect(writer.pid).not.toBe(pid);
    const verified = await writer.verify();
    expect(verified.ok).toBe(true);
    const mine = await writer.query({ citizenId: inG0101.citizenId, first: 1000 });
    expect(mine.records.at(-1)!.citizens).toContain(inG0101.citizenId);
  }, 120_000);

  it("fails closed: when the access record cannot be written, no personal data is returned", async () => {
    const broken: AuditStore = {
      kind: "pglite",
      append: async () => {
        throw new Error("disk full");
      },
      query: async () => ({ records: [], hasNext: false, total: 0 }),
      verify: async () => ({ ok: true, count: 0, headHash: "" }),
      ping: async () => undefined,
      close: async () => undefined,
    };
    const failing = await startSystem({ citizens: 3000, audit: broken });
    try {
      const res = await failing.gql(FILE, { id: inG0101.citizenId });
      expect(res.status).toBe(503);
      expect(code(res)).toBe("AUDIT_UNAVAILABLE");
      expect(JSON.stringify(res.body)).not.toContain(inG0101.name);
      const plain = await failing.gql(`{ communities { name } }`);
      expect(plain.body.data!.communities.length).toBeGreaterThan(0);
    } finally {
      await failing.stop();
    }
  }, 120_000);
});
