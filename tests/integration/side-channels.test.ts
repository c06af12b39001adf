/**
 * Personal data through side channels: cursors, ids of people selected by a personal attribute, findings
 * and their evidence, the access log itself — each needs a purpose and leaves a record, or reveals nothing.
 * Also the buildings filter, which row scope used to replace. Real HTTP against a running system.
 */
import { startSystem, type System, type GqlResponse } from "../helpers/system";

let sys: System;
let steward: Record<string, string>;
let officerAll: Record<string, string>; // community officer of every community, purpose subsidy-review: sees everything
let deceased: string[];
let someone: { citizenId: string; idNumber: string; gridId: string; communityId: string };
beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
  const ps = sys.subgraphs["public-security"].db.prisma as any;
  deceased = (await ps.person.findMany({ where: { status: "DECEASED" }, select: { citizenId: true }, orderBy: { citizenId: "asc" } })).map((p: any) => p.citizenId);
  someone = await ps.person.findFirst({ where: { gridId: "G-0101", status: "REGISTERED" }, orderBy: { citizenId: "asc" } });
  steward = await sys.as({ role: "data-steward" }, "data-quality");
  const ca = sys.subgraphs["civil-affairs"].db.prisma as any;
  const communities = (await ca.community.findMany({ select: { id: true } })).map((c: any) => c.id);
  officerAll = await sys.as({ role: "community-officer", communities }, "subsidy-review");
}, 180_000);
afterAll(() => sys?.stop());

const code = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.code;
const codes = (res: GqlResponse) => (res.body.errors ?? []).map((e) => e.extensions?.code);
const CITIZEN_ID = /P\d{8}/;
async function recordsOf(requestId: string) {
  return (await sys.audit.query({ first: 1000, from: new Date(Date.now() - 120_000) })).records.filter((r) => r.clientRequestId === requestId);
}
const tag = (label: string) => `${label}-${Math.random().toString(36).slice(2)}`;

/** Connections selected by nothing personal, with a cursor-only selection. */
const CURSOR_ONLY: [string, string][] = [
  ["grid.priorityElders", `{ grid(id: "G-0101") { x: priorityElders(first: 20) { edges { cursor } pageInfo { endCursor } } } }`],
  ["community.priorityElders", `{ community(id: "C-01") { x: priorityElders(first: 20) { edges { cursor } pageInfo { endCursor } } } }`],
  ["eldersWithUnvisitedAlarms", `{ x: eldersWithUnvisitedAlarms(first: 20) { edges { cursor } pageInfo { endCursor } } }`],
  ["buildings", `{ x: buildings(first: 20) { edges { cursor } pageInfo { endCursor } } }`],
  ["grid.buildings", `{ grid(id: "G-0101") { x: buildings(first: 20) { edges { cursor } pageInfo { endCursor } } } }`],
];
/** Connections selected by a personal attribute: their cursors need a purpose, whatever else is selected. */
const BY_ATTRIBUTE: [string, string][] = [
  ["priorityElders (living alone)", `{ x: priorityElders(first: 20, filter: { livingArrangement: ALONE }) { edges { cursor } } }`],
  ["elders (care level 3+)", `{ x: elders(first: 20, filter: { minCareLevel: 3 }) { edges { cursor } } }`],
  ["citizensByStatus (deceased)", `{ x: citizensByStatus(status: DECEASED, first: 20) { edges { cursor } } }`],
  ["findings", `{ x: findings(first: 20) { edges { cursor } } }`],
];

describe("page cursors reveal nothing", () => {
  it.each(CURSOR_ONLY)("%s: cursors carry no id, need no purpose and leave no record", async (_label, query) => {
    const requestId = tag("cursor");
    const res = await sys.gql(query, {}, { ...(await sys.as({ role: "community-officer", communities: ["C-01", "C-02", "C-03"] })), "x-request-id": requestId });
    expect(res.body.errors ?? []).toEqual([]);
    const text = JSON.stringify(res.body);
    const cursors = [...text.matchAll(/"(?:cursor|endCursor)":"([^"]+)"/g)].map((m) => m[1]);
    expect(cursors.length).toBeGreaterThan(0);
    for (const c of cursors) {
      for (const enc of ["base64url", "base64"] as const) expect(Buffer.from(c, enc).toString("latin1")).not.toMatch(/P\d{8}|G-\d{4}|B-\d{2}-|grid:/);
      expect(c).not.toMatch(CITIZEN_ID);
    }
    expect(await recordsOf(requestId)).toEqual([]);
  });

  it.each(BY_ATTRIBUTE)("%s: needs a purpose even for cursors only", async (_label, query) => {
    const res = await sys.gql(query, {}, await sys.as({ role: "community-officer", communities: ["C-01"] }));
    expect([res.status, code(res)]).toEqual([400, "PURPOSE_REQUIRED"]);
  });

  it("pages through a list with its opaque cursors without gaps or repeats", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res: GqlResponse = await sys.gql(`query($a: String) { priorityElders(first: 7, after: $a) { edges { node { citizen { id } } } pageInfo { hasNextPage endCursor } } }`, { a: after }, officerAll);
      const conn = res.body.data!.priorityElders;
      seen.push(...conn.edges.map((e: any) => e.node.citizen.id));
      after = conn.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
  });
});

describe("cursors are bound to the list, its filter and the caller", () => {
  it("refuses a cursor of the unfiltered list in a filtered one (no differencing who is in it)", async () => {
    const o = await sys.as({ role: "community-officer", communities: ["C-01"] }, "subsidy-review");
    const all = await sys.gql(`{ elders(first: 5) { pageInfo { endCursor } } }`, {}, o);
    const cursor = all.body.data!.elders.pageInfo.endCursor;
    const filtered = await sys.gql(`query($a: String) { elders(first: 5, after: $a, filter: { livingArrangement: ALONE }) { totalCount } }`, { a: cursor }, o);
    expect(codes(filtered)).toEqual(["INVALID_CURSOR"]);
    const other = await sys.gql(`query($a: String) { elders(first: 5, after: $a, filter: { minCareLevel: 4 }) { totalCount } }`, { a: cursor }, o);
    expect(codes(other)).toEqual(["INVALID_CURSOR"]);
    const same = await sys.gql(`query($a: String) { elders(first: 5, after: $a) { totalCount } }`, { a: cursor }, o);
    expect(same.body.errors).toBeUndefined();
  });

  it("refuses a registered-status cursor in the deceased list", async () => {
    const reg = await sys.gql(`{ citizensByStatus(status: REGISTERED, first: 5) { pageInfo { endCursor } } }`, {}, officerAll);
    const res = await sys.gql(`query($a: String) { citizensByStatus(status: DECEASED, after: $a) { totalCount } }`, { a: reg.body.data!.citizensByStatus.pageInfo.endCursor }, officerAll);
    expect(codes(res)).toEqual(["INVALID_CURSOR"]);
  });

  it("refuses another caller's cursor", async () => {
    const a = await sys.gql(`{ buildings(first: 2) { pageInfo { endCursor } } }`, {}, officerAll);
    const res = await sys.gql(`query($a: String) { buildings(after: $a) { totalCount } }`, { a: a.body.data!.buildings.pageInfo.endCursor }, steward);
    expect(codes(res)).toEqual(["INVALID_CURSOR"]);
  });
});

describe("selecting people by an attribute needs the right to read it", () => {
  it.each([
    ["living alone", `{ elders(first: 50, filter: { livingArrangement: ALONE }) { totalCount edges { cursor } } }`, "elders"],
    ["care level 3 or more", `{ priorityElders(first: 50, filter: { minCareLevel: 3 }) { totalCount } }`, "priorityElders"],
    ["a category given in a variable", `query($f: ElderFilter) { elders(first: 50, filter: $f) { totalCount } }`, "elders"],
  ])("a welfare check with sensitive data masked may not select elders by %s", async (_label, query, field) => {
    const res = await sys.gql(query, { f: { categories: ["NO_FAMILY"] } }, await sys.as({ role: "community-officer", communities: ["C-01"] }, "welfare-check"));
    expect(res.body.data![field]).toBeNull();
    expect(codes(res)).toEqual(["UNAUTHORIZED_FIELD_OR_TYPE"]);
  });

  it("needs a purpose even when only counts or cursors are selected", async () => {
    const res = await sys.gql(`{ elders(filter: { livingArrangement: ALONE }) { totalCount } }`, {}, await sys.as({ role: "community-officer", communities: ["C-01"] }));
    expect(code(res)).toBe("PURPOSE_REQUIRED");
    const log = await sys.gql(`query($c: ID) { accessLog(citizenId: $c) { totalCount } }`, { c: someone.citizenId }, await sys.as({ role: "auditor" }));
    expect(code(log)).toBe("PURPOSE_REQUIRED");
  });

  it("a data steward (personal data masked for an audit) may not search the log by citizen", async () => {
    const res = await sys.gql(`query($c: ID) { accessLog(citizenId: $c) { totalCount edges { node { callerName fields } } } }`, { c: someone.citizenId }, await sys.as({ role: "data-steward" }, "audit"));
    expect(res.body.data!.accessLog).toBeNull();
    expect(JSON.stringify(res.body)).not.toMatch(/callerName/);
  });
});

describe("existence and error oracles", () => {
  it("whether an id names someone in the caller's area is personal: a purpose is needed and the probe is recorded", async () => {
    const staff = await sys.as({ role: "property-staff", buildings: ["B-01-001"] });
    const probe = await sys.gql(`query($id: ID!) { citizen(id: $id) { id __typename } }`, { id: someone.citizenId }, staff);
    expect([probe.status, code(probe)]).toEqual([400, "PURPOSE_REQUIRED"]);
    const requestId = tag("probe");
    await sys.gql(`query($id: ID!) { citizen(id: $id) { id } }`, { id: someone.citizenId }, { ...officerAll, "x-request-id": requestId });
    expect((await recordsOf(requestId))[0]).toEqual(expect.objectContaining({ citizens: [someone.citizenId], fields: ["Query.citizen"] }));
  });

  it("a field the caller sees masked and that cannot be partly shown is not even run: no error tells who has one", async () => {
    const ec = sys.subgraphs["elderly-care"].db.prisma as any;
    const ps = sys.subgraphs["public-security"].db.prisma as any;
    const elder = (await ec.elderProfile.findFirst({ where: { communityId: "C-01" }, orderBy: { citizenId: "asc" } })).citizenId;
    const profiled = new Set((await ec.elderProfile.findMany({ select: { citizenId: true } })).map((p: any) => p.citizenId));
    const young = (await ps.person.findMany({ where: { communityId: "C-01", status: "REGISTERED" }, select: { citizenId: true }, take: 100 })).map((p: any) => p.citizenId).find((id: string) => !profiled.has(id));
    const welfare = await sys.as({ role: "community-officer", communities: ["C-01"] }, "welfare-check");
    const answers = [];
    for (const id of [elder, young]) {
      const res = await sys.gql(`query($id: ID!) { citizen(id: $id) { visits(first: -1) { id } serviceOrders(first: -1) { id } alarmCalls(first: -1) { id } elderProfile { isPriority registeredAt } } }`, { id }, welfare);
      answers.push(res.body);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual({ data: { citizen: { visits: null, serviceOrders: null, alarmCalls: null, elderProfile: null } } });
  });

  it("a citizen's own history shows no chain hash (it covers the other people of each record)", async () => {
    await sys.gql(`{ a: citizen(id: "${someone.citizenId}") { name } }`, {}, officerAll);
    const mine = await sys.gql(`{ myAccessHistory(first: 50) { edges { node { citizens hash } } } }`, {}, await sys.as({ role: "citizen", sub: someone.citizenId }));
    const nodes = mine.body.data!.myAccessHistory.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n).toEqual({ citizens: [someone.citizenId], hash: null });
  });

  it("searching the log by caller is personal too (a citizen's subject is their citizen id)", async () => {
    const res = await sys.gql(`query($c: String) { accessLog(callerId: $c) { totalCount } }`, { c: someone.citizenId }, steward);
    expect(res.body.data!.accessLog).toBeNull();
    const none = await sys.gql(`query($c: String) { accessLog(callerId: $c) { totalCount } }`, { c: someone.citizenId }, await sys.as({ role: "data-steward" }));
    expect(code(none)).toBe("PURPOSE_REQUIRED");
  });

  it("a cursor is bound to the log's time range, and the refusal names nothing of its binding", async () => {
    const auditor = await sys.as({ role: "auditor" }, "audit");
    const page = await sys.gql(`{ accessLog(from: "2026-01-01", first: 1) { pageInfo { endCursor } } }`, {}, auditor);
    const res = await sys.gql(`query($a: String) { accessLog(from: "1990-01-01", after: $a) { totalCount } }`, { a: page.body.data!.accessLog.pageInfo.endCursor }, auditor);
    expect(codes(res)).toEqual(["INVALID_CURSOR"]);
    expect(res.body.errors![0].message).not.toMatch(/auditor|audit|from|\|/);
  });
});

describe("what the access log tells its reader", () => {
  it("records a personal field the caller asked for even when it is empty, so the log does not reveal who has one", async () => {
    const ca = sys.subgraphs["civil-affairs"].db.prisma as any;
    const withCert = (await ca.disabilityCertificate.findFirst({ orderBy: { citizenId: "asc" } })).citizenId;
    const ps = sys.subgraphs["public-security"].db.prisma as any;
    const certified = new Set((await ca.disabilityCertificate.findMany({ select: { citizenId: true } })).map((r: any) => r.citizenId));
    const without = (await ps.person.findMany({ where: { status: "REGISTERED" }, select: { citizenId: true }, take: 200 })).map((p: any) => p.citizenId).find((id: string) => !certified.has(id));
    const fieldsFor = async (id: string) => {
      const requestId = tag("cert");
      await sys.gql(`query($id: ID!) { citizen(id: $id) { name disabilityCertificate { grade } } }`, { id }, { ...officerAll, "x-request-id": requestId });
      const [rec] = await recordsOf(requestId);
      return { citizens: rec.citizens, fields: rec.fields };
    };
    expect(await fieldsFor(withCert)).toEqual({ citizens: [withCert], fields: ["Citizen.disabilityCertificate", "Citizen.name", "Query.citizen"] });
    expect(await fieldsFor(without)).toEqual({ citizens: [without], fields: ["Citizen.disabilityCertificate", "Citizen.name", "Query.citizen"] });
  });

  it("shows record hashes only to a reader who may see the citizens they cover", async () => {
    const res = await sys.gql(`{ accessLog(first: 5) { edges { node { seq hash } } } }`, {}, await sys.as({ role: "data-steward" }, "audit"));
    expect(JSON.stringify(res.body.data)).not.toMatch(/[0-9a-f]{64}/);
    const auditor = await sys.gql(`{ accessLog(first: 5) { edges { node { seq hash citizens } } } }`, {}, await sys.as({ role: "auditor" }, "audit"));
    expect(auditor.body.data!.accessLog.edges[0].node.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("ids of people selected by a personal attribute are personal data", () => {
  it("who is deceased: needs a purpose, and the record names them", async () => {
    const q = `{ citizensByStatus(status: DECEASED, first: 1000) { edges { node { id } } } }`;
    const without = await sys.gql(q, {}, await sys.as({ role: "data-steward" }));
    expect([without.status, code(without)]).toEqual([400, "PURPOSE_REQUIRED"]);
    expect(JSON.stringify(without.body)).not.toMatch(CITIZEN_ID);
    const requestId = tag("deceased");
    const res = await sys.gql(q, {}, { ...officerAll, "x-request-id": requestId });
    const ids = res.body.data!.citizensByStatus.edges.map((e: any) => e.node.id);
    expect(ids).toEqual(deceased);
    const [rec] = await recordsOf(requestId);
    expect(rec.citizens).toEqual(deceased);
    expect(rec.fields).toContain("CitizenEdge.node");
  });

  it("for statistics (personal data masked) nobody may be selected by their status, not even for a count", async () => {
    const res = await sys.gql(`{ citizensByStatus(status: DECEASED, first: 1000) { totalCount edges { node { id } } } }`, {}, await sys.as({ role: "data-steward" }, "statistics"));
    expect(res.body.data!.citizensByStatus).toBeNull();
    expect(codes(res)).toEqual(["UNAUTHORIZED_FIELD_OR_TYPE"]);
    expect(JSON.stringify(res.body.data)).not.toMatch(CITIZEN_ID);
  });

  it("whose ID number this is: only for callers who may read ID numbers unmasked, and recorded", async () => {
    const q = `query($n: String!) { citizenByIdNumber(idNumber: $n) { id } }`;
    const none = await sys.gql(q, { n: someone.idNumber }, await sys.as({ role: "data-steward" }));
    expect(code(none)).toBe("PURPOSE_REQUIRED");
    // A community officer sees ID numbers masked for a welfare check: the lookup would confirm a guess.
    const masked = await sys.gql(q, { n: someone.idNumber }, await sys.as({ role: "community-officer", communities: [someone.communityId] }, "welfare-check"));
    expect(masked.body.data!.citizenByIdNumber).toBeNull();
    expect(JSON.stringify(masked.body)).not.toContain(someone.citizenId);
    const requestId = tag("idnumber");
    const ok = await sys.gql(q, { n: someone.idNumber }, { ...officerAll, "x-request-id": requestId });
    expect(ok.body.data!.citizenByIdNumber.id).toBe(someone.citizenId);
    expect((await recordsOf(requestId))[0].citizens).toEqual([someone.citizenId]);
  });

  it("who is in the care register: sensitive, so a welfare check with sensitive data masked lists no one", async () => {
    const res = await sys.gql(`{ priorityElders(first: 50) { totalCount edges { node { citizen { id name } } } } }`, {}, await sys.as({ role: "community-officer", communities: ["C-01"] }, "welfare-check"));
    expect(res.body.data!.priorityElders.totalCount).toBeGreaterThan(0);
    expect(JSON.stringify(res.body.data)).not.toMatch(CITIZEN_ID);
  });
});

describe("findings", () => {
  it("who is in a finding: needs a purpose and the record names them; the finding's id reveals no one", async () => {
    const q = `{ findings(first: 200) { edges { node { id kind citizen { id } } } } }`;
    const without = await sys.gql(q, {}, await sys.as({ role: "community-officer", communities: ["C-01", "C-02", "C-03"] }));
    expect(code(without)).toBe("PURPOSE_REQUIRED");
    const requestId = tag("findings");
    const res = await sys.gql(q, {}, { ...officerAll, "x-request-id": requestId });
    const nodes = res.body.data!.findings.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n.id).not.toMatch(CITIZEN_ID);
    const recorded = new Set((await recordsOf(requestId)).flatMap((r) => r.citizens));
    for (const n of nodes) expect(recorded.has(n.citizen.id)).toBe(true);
  });

  it("require the read:findings scope: a public-security officer is refused", async () => {
    const res = await sys.gql(`{ findings(first: 5) { totalCount edges { node { evidence { fact } } } } }`, {}, await sys.as({ role: "department-officer", department: "public-security" }, "data-quality"));
    expect(res.body.data!.findings).toBeNull();
    expect(codes(res)).toContain("UNAUTHORIZED_FIELD_OR_TYPE");
    expect(JSON.stringify(res.body)).not.toMatch(/仍在发放|高龄津贴|紧急呼叫/);
  });

  it("are built only from facts the caller may read: a civil-affairs officer learns no care facts", async () => {
    const res = await sys.gql(`{ findings(first: 500) { totalCount edges { node { kind evidence { department fact } } } } }`, {}, await sys.as({ role: "department-officer", department: "civil-affairs" }, "subsidy-review"));
    expect(res.body.errors ?? []).toEqual([]);
    const nodes = res.body.data!.findings.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0); // deceased people still drawing subsidies: civil-affairs and identity facts
    for (const n of nodes) {
      expect(n.kind).toBe("DECEASED_WITH_ACTIVE_BENEFITS");
      expect(n.evidence.map((e: any) => e.department)).not.toContain("elderly-care");
      expect(n.evidence.map((e: any) => e.department)).not.toContain("property-management");
    }
  });

  it("an elderly-care officer sees care-based findings but no subsidy facts", async () => {
    const res = await sys.gql(`{ findings(first: 500) { edges { node { kind evidence { department fact } } } } }`, {}, await sys.as({ role: "department-officer", department: "elderly-care" }, "service-delivery"));
    const facts = res.body.data!.findings.edges.flatMap((e: any) => e.node.evidence);
    expect(facts.length).toBeGreaterThan(0);
    expect(facts.map((f: any) => f.department)).not.toContain("civil-affairs");
    expect(JSON.stringify(facts)).not.toMatch(/仍在发放/);
  });
});

describe("the access log is itself personal data", () => {
  it("an auditor must declare a purpose to read it, and the reading is recorded", async () => {
    const q = `query($c: ID) { accessLog(citizenId: $c, first: 20) { totalCount edges { node { citizens callerId purpose } } } }`;
    const noPurpose = await sys.gql(q, { c: someone.citizenId }, await sys.as({ role: "auditor" }));
    expect([noPurpose.status, code(noPurpose)]).toEqual([400, "PURPOSE_REQUIRED"]);
    // Something to find: a read of this citizen's file.
    await sys.gql(`query($id: ID!) { citizen(id: $id) { name } }`, { id: someone.citizenId }, officerAll);
    const requestId = tag("audit");
    const res = await sys.gql(q, { c: someone.citizenId }, { ...(await sys.as({ role: "auditor", name: "审计员甲" }, "audit")), "x-request-id": requestId });
    expect(res.body.data!.accessLog.totalCount).toBeGreaterThan(0);
    const [rec] = await recordsOf(requestId);
    expect(rec).toEqual(expect.objectContaining({ role: "auditor", purpose: "audit", callerName: "审计员甲" }));
    expect(rec.citizens).toContain(someone.citizenId);
    expect(rec.fields).toContain("AccessRecord.citizens");
  });

  it("the citizen sees that reading in their own history", async () => {
    const res = await sys.gql(`{ myAccessHistory(first: 200) { edges { node { role purpose } } } }`, {}, await sys.as({ role: "citizen", sub: someone.citizenId }));
    expect(res.body.data!.myAccessHistory.edges.map((e: any) => e.node)).toEqual(expect.arrayContaining([{ role: "auditor", purpose: "audit" }]));
  });
});

describe("buildings of an area (row scope narrows the filter, never replaces it)", () => {
  const ids = (res: GqlResponse, pick: (d: any) => any) => pick(res.body.data).edges.map((e: any) => e.node.grid?.id ?? e.node.community?.id);
  it("a grid worker of two grids asking for one grid gets only that grid", async () => {
    const w = await sys.as({ role: "grid-worker", grids: ["G-0101", "G-0102"] });
    const res = await sys.gql(`{ buildings(gridId: "G-0101", first: 1000) { totalCount edges { node { grid { id } } } } }`, {}, w);
    expect(new Set(ids(res, (d) => d.buildings))).toEqual(new Set(["G-0101"]));
    const other = await sys.gql(`{ grid(id: "G-0102") { buildings(first: 1000) { edges { node { grid { id } } } } } }`, {}, w);
    expect(new Set(ids(other, (d) => d.grid.buildings))).toEqual(new Set(["G-0102"]));
  });

  it("a community officer of two communities asking for one gets only that one, and nothing outside their area", async () => {
    const o = await sys.as({ role: "community-officer", communities: ["C-01", "C-02"] });
    const res = await sys.gql(`{ buildings(communityId: "C-02", first: 1000) { edges { node { community { id } } } } }`, {}, o);
    expect(new Set(ids(res, (d) => d.buildings))).toEqual(new Set(["C-02"]));
    const outside = await sys.gql(`{ buildings(communityId: "C-03", first: 1000) { totalCount } }`, {}, o);
    expect(outside.body.data!.buildings.totalCount).toBe(0);
  });
});
