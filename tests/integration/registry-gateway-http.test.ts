/**
 * The gateway on the schema registry (SUPERGRAPH_SOURCE=registry), through real HTTP: it serves the
 * registry's current supergraph; the registry's API is mounted on it; a fifth department, a process started
 * while the gateway runs and published there, is joined to Citizen without a restart, with every governance rule applied to its field; a swap under load
 * loses no request; contract endpoints show and accept only their slice; safelisted clients run only their
 * registered operations (as text or by id); served operations are recorded and protect the fields they use.
 */
import { post, startSystem, type System } from "../helpers/system";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sdlOf, removeField } from "../helpers/registry";
import { usageSignature } from "../../gateway/src/plugins/usage-reporting";
import { operationId } from "../../schema/registry/operations";

jest.setTimeout(240_000);

let sys: System;
let steward: Record<string, string>;
let worker: Record<string, string>;

/** The registry's API on the gateway, as a data steward. */
async function api(method: "GET" | "POST" | "PUT", path: string, body?: unknown, headers = steward) {
  const res = await fetch(sys.gatewayUrl.replace(/\/graphql$/, path), { method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PERSON = "P00000001";

/** A registry answer that must be `ok`; otherwise the failure shows its code, message and report. */
function expectOk(body: Record<string, any>) {
  if (body.ok !== true) throw new Error(`registry refused: ${JSON.stringify(body).slice(0, 4000)}`);
}

beforeAll(async () => {
  // No per-caller rate limit: the swap-under-load test is one caller at many requests per second.
  sys = await startSystem({ citizens: 3000, gateway: { supergraphSource: "registry", introspection: true, rateLimit: { perSecond: 0, burst: 1 } } });
  steward = { authorization: `Bearer ${await sys.token({ role: "data-steward" })}` };
  worker = await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check");
});
afterAll(async () => {
  await sys?.stop();
});

describe("the gateway serves the registry's supergraph", () => {
  it("is the seeded version 1, served at /graphql, with the registry's API beside it", async () => {
    expect(sys.supergraph.source?.version).toBe(1);
    const r = await api("GET", "/registry/supergraph");
    expect(r.status).toBe(200);
    expect(r.body.supergraph.version).toBe(1);
    const q = await sys.gql(`{ citizen(id: "${PERSON}") { id name } }`);
    expect(q.status).toBe(200);
    expect(q.body.data!.citizen.id).toBe(PERSON);
  });

  it("the registry's API takes the gateway's identity: no token → 401, a grid worker may not publish", async () => {
    expect((await api("GET", "/registry/subgraphs", undefined, {})).status).toBe(401);
    const r = await api("POST", "/registry/publish", { subgraph: "civil-affairs", sdl: sdlOf("civil-affairs") }, worker);
    expect([r.status, r.body.code]).toEqual([403, "FORBIDDEN"]);
  });
});

describe("a fifth department joins Citizen by a publish, without restart", () => {
  const HOUSING = sdlOf("property-management").split(/^"""\nProperty management/m)[0] + `"""
Housing security office (住房保障): public-rental housing applications. Joins the graph at run time.
"""
type Query {
  "Housing offices of the district (住房保障办公室)."
  housingOffices: [HousingOffice!]! @tag(name: "internal")
}

"A housing office (住房保障办公室)."
type HousingOffice {
  "Office name."
  name: String!
}

"A citizen, owned by public security; the housing office adds the public-rental application."
type Citizen @key(fields: "id") {
  "Citizen id (人口编号)."
  id: ID!
  "Status of this person's public-rental housing application (公租房申请状态), null when none."
  housingStatus: String @sensitivity(class: "PERSONAL")
}
`;
  let housing: ChildProcess;
  let url: string;
  let housingRequests = 0;
  beforeAll(async () => {
    // The fifth department is a process of its own, started now, while the gateway runs.
    const dir = mkdtempSync(join(tmpdir(), "cg-housing-"));
    writeFileSync(join(dir, "housing.graphql"), HOUSING);
    housing = spawn(process.execPath, ["--import", "tsx", "tests/helpers/housing-subgraph.ts", join(dir, "housing.graphql"), PERSON], { cwd: join(__dirname, "../.."), env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "inherit"] });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      housing.stdout!.on("data", (d: Buffer) => {
        out += d;
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(m[1]);
        housingRequests = (out.match(/^request$/gm) ?? []).length;
      });
      housing.once("exit", (code) => reject(new Error(`the housing subgraph exited (${code})`)));
    });
  });
  afterAll(() => {
    housing?.kill("SIGTERM");
  });

  it("is refused before it is published, then served joined to Citizen — governed: purpose required, access recorded", async () => {
    const query = `{ citizen(id: "${PERSON}") { name housingStatus } }`;
    expect((await post(sys.gatewayUrl, { query }, worker)).body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    // A personal field newly visible in the property-company contract needs a steward's recorded approval first.
    const refusedFirst = await api("POST", "/registry/publish", { subgraph: "housing", sdl: HOUSING, routingUrl: url, owner: "housing" });
    expect([refusedFirst.status, refusedFirst.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
    expect(refusedFirst.body.detail.approvals.required.map((a: { subject: string }) => a.subject)).toEqual(["exposure:property-company:Citizen.housingStatus"]);
    expectOk((await api("POST", "/registry/approvals", { subject: "exposure:property-company:Citizen.housingStatus", reason: "住房保障办公室与物业公司协同核查（测试）" })).body);
    const published = await api("POST", "/registry/publish", { subgraph: "housing", sdl: HOUSING, routingUrl: url, owner: "housing" });
    expectOk(published.body);
    expect(published.body.supergraph.version).toBe(2);
    const served = await until(async () => {
      const r = await post(sys.gatewayUrl, { query }, worker);
      return r.body.data?.citizen?.housingStatus ? r : undefined;
    });
    expect(served.status).toBe(200);
    expect(served.body.data!.citizen).toEqual({ name: expect.any(String), housingStatus: "轮候中（第3批）" });
    expect(served.body.data!.citizen.name).not.toBe("篡改的姓名");
    const withId = await post(sys.gatewayUrl, { query: `{ citizen(id: "${PERSON}") { idNumber housingStatus } }` }, worker);
    expect(JSON.stringify(withId.body)).not.toContain("ATTACKER");
    expect(housingRequests).toBeGreaterThan(0);
    // The new personal field needs a purpose like every other one …
    const { "x-purpose": _p, ...noPurpose } = worker;
    const refused = await post(sys.gatewayUrl, { query: `{ citizen(id: "${PERSON}") { housingStatus } }` }, noPurpose);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("PURPOSE_REQUIRED");
    // … and its reading is in the access log, with the field and the citizen.
    const records = await sys.audit.query({ citizenId: PERSON, first: 1000 });
    expect(records.records.some((r: any) => JSON.stringify(r).includes("Citizen.housingStatus"))).toBe(true);
  });

  it("swaps supergraphs under load without failing a request", async () => {
    const query = `{ citizen(id: "${PERSON}") { id name } }`;
    let stop = false;
    const outcomes: number[] = [];
    const errors: unknown[] = [];
    const load = Array.from({ length: 8 }, async () => {
      const end = Date.now() + 60_000; // bounded even if the test fails before it says stop
      while (!stop && Date.now() < end) {
        const r = await post(sys.gatewayUrl, { query }, worker);
        outcomes.push(r.status);
        if (r.status !== 200 || r.body.errors || r.body.data?.citizen?.id !== PERSON) errors.push(r.body);
      }
    });
    const before = sys.supergraph.source!.version!;
    const changed = HOUSING.replace("Office name.", "Office name (办公室名称).");
    const r = await api("POST", "/registry/publish", { subgraph: "housing", sdl: changed });
    expectOk(r.body);
    await until(async () => (sys.supergraph.source!.version! > before ? true : undefined));
    const rolled = await api("POST", "/registry/rollback", { version: before });
    expect(rolled.status).toBe(200);
    await until(async () => (sys.supergraph.source!.version! > before + 1 ? true : undefined));
    await new Promise((res) => setTimeout(res, 300));
    stop = true;
    await Promise.all(load);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(errors).toEqual([]);
  });
});

describe("contract endpoints", () => {
  const contractUrl = (name: string) => sys.gatewayUrl.replace(/\/graphql$/, `/contracts/${name}/graphql`);

  it("accept only the contract's fields (validation against its schema), still governed", async () => {
    const officer = await sys.as({ role: "property-staff" }, "repair-service");
    const inside = await post(contractUrl("property-company"), { query: `{ building(id: "B-01-001") { id } }` }, officer);
    expect(inside.status).toBe(200);
    expect(inside.body.errors?.map((e: any) => e.extensions.code) ?? []).not.toContain("GRAPHQL_VALIDATION_FAILED");
    const outside = await post(contractUrl("property-company"), { query: `{ citizen(id: "${PERSON}") { idNumber } }` }, worker);
    expect([outside.status, outside.body.errors?.[0]?.extensions?.code]).toEqual([400, "GRAPHQL_VALIDATION_FAILED"]);
    // The same message as for a field that does not exist anywhere, and no suggestion naming a field outside.
    const missing = await post(contractUrl("property-company"), { query: `{ noSuchRoot(id: "${PERSON}") { idNumber } }` }, worker);
    expect(outside.body.errors![0].message.replace('"citizen"', "X")).toBe(missing.body.errors![0].message.replace('"noSuchRoot"', "X"));
    const typo = await post(contractUrl("property-company"), { query: `{ building(id: "B-01-001") { id } citizen(id: "${PERSON}") { idNumbe } }` }, worker);
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).not.toContain("idNumber");
    // The same operation is valid on the full graph.
    expect((await post(sys.gatewayUrl, { query: `{ citizen(id: "${PERSON}") { idNumber } }` }, worker)).body.errors?.[0]?.extensions?.code ?? "none").not.toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("introspection shows only the contract's schema; an unknown contract is 404", async () => {
    const q = `{ __schema { queryType { fields { name } } } }`;
    const contract = await post(contractUrl("property-company"), { query: q }, worker);
    const full = await post(sys.gatewayUrl, { query: q }, worker);
    const names = (r: typeof full) => (r.body.data!.__schema.queryType.fields as { name: string }[]).map((f) => f.name);
    expect(names(full)).toContain("citizen");
    expect(names(contract)).not.toContain("citizen");
    expect(names(contract)).toContain("building");
    // Introspection however it is shaped — through a fragment, an inline fragment, aliased — describes only the contract.
    for (const shaped of [
      `{ ...F } fragment F on Query { __type(name: "Citizen") { fields { name } } }`,
      `{ ... on Query { t: __type(name: "Citizen") { fields { name } } } }`,
      `{ __type(name: "Citizen") { fields { name } } }`,
    ]) {
      const r = await post(contractUrl("property-company"), { query: shaped }, worker);
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toMatch(/idNumber|ethnicity|subsidies/);
    }
    const mixed = await post(contractUrl("property-company"), { query: `{ buildings(first: 1) { edges { node { id } } } t: __type(name: "Household") { fields { name } } }` }, worker);
    expect([mixed.status, mixed.body.errors?.[0]?.extensions?.code]).toEqual([400, "GRAPHQL_VALIDATION_FAILED"]);
    const unknown = await post(contractUrl("nobody"), { query: "{ __typename }" }, worker);
    expect([unknown.status, unknown.body.errors?.[0]?.extensions?.code]).toEqual([404, "UNKNOWN_CONTRACT"]);
  });
});

describe("clients: safelists, persisted documents, usage", () => {
  const REGISTERED = `query GridElders { citizen(id: "${PERSON}") { id name } }`;
  const app = (name: string, version: string) => ({ "apollographql-client-name": name, "apollographql-client-version": version });

  it("a safelisted client runs only its registered operations, by text or by documentId; other clients are not affected", async () => {
    const reg = await api("POST", "/registry/clients/grid-app/versions/2.3.0/operations", { documents: [REGISTERED] });
    expect(reg.status).toBe(200);
    const id: string = reg.body.operations[0].id;
    expect((await api("PUT", "/registry/safelist/grid-app", { enabled: true })).status).toBe(200);
    const headers = { ...worker, ...app("grid-app", "2.3.0") };
    const asText = await until(async () => {
      const r = await post(sys.gatewayUrl, { query: `{ citizen(id: "${PERSON}") { id } }` }, headers);
      return r.body.errors?.[0]?.extensions?.code === "OPERATION_NOT_REGISTERED" ? r : undefined;
    });
    expect(asText.status).toBe(403);
    expect(asText.body.errors![0].extensions!.operationId).toMatch(/^[0-9a-f]{64}$/);
    const registered = await post(sys.gatewayUrl, { query: REGISTERED }, headers);
    expect([registered.status, registered.body.data?.citizen?.id]).toEqual([200, PERSON]);
    const byId = await post(sys.gatewayUrl, { documentId: id }, headers);
    expect([byId.status, byId.body.data?.citizen?.id]).toEqual([200, PERSON]);
    const otherVersion = await post(sys.gatewayUrl, { query: REGISTERED }, { ...worker, ...app("grid-app", "9.9.9") });
    expect(otherVersion.body.errors?.[0]?.extensions?.code).toBe("OPERATION_NOT_REGISTERED");
    const otherClient = await post(sys.gatewayUrl, { query: `{ citizen(id: "${PERSON}") { id } }` }, { ...worker, ...app("dashboard", "1.0") });
    expect(otherClient.body.data?.citizen?.id).toBe(PERSON);
    const unknown = await post(sys.gatewayUrl, { documentId: "0".repeat(64) }, headers);
    expect([unknown.status, unknown.body.errors?.[0]?.extensions?.code]).toEqual([400, "PERSISTED_DOCUMENT_NOT_FOUND"]);
    const both = await post(sys.gatewayUrl, { documentId: id, query: REGISTERED }, headers);
    expect([both.status, both.body.errors?.[0]?.extensions?.code]).toEqual([400, "BAD_REQUEST"]);
    // A token issued to the client binds it: its safelist applies without headers, and another name is refused.
    const bound = await sys.as({ role: "grid-worker", grids: ["G-0101"], client: "grid-app" }, "welfare-check");
    const noHeaders = await post(sys.gatewayUrl, { query: `{ citizen(id: "${PERSON}") { id } }` }, bound);
    expect([noHeaders.status, noHeaders.body.errors?.[0]?.extensions?.code]).toEqual([403, "OPERATION_NOT_REGISTERED"]);
    const otherName = await post(sys.gatewayUrl, { query: REGISTERED }, { ...bound, ...app("dashboard", "2.3.0") });
    expect([otherName.status, otherName.body.errors?.[0]?.extensions?.code]).toEqual([400, "BAD_REQUEST"]);
    expect((await post(sys.gatewayUrl, { query: REGISTERED }, { ...bound, "apollographql-client-version": "2.3.0" })).body.data?.citizen?.id).toBe(PERSON);
    // A URL that is not valid percent-encoding gets a registered code, on every route.
    for (const path of ["/graphql%E0%A4%A", "/contracts/%E0%A4%A/graphql", "/registry/%E0%A4%A"]) {
      const res = await fetch(sys.gatewayUrl.replace(/\/graphql$/, path), { method: "POST", headers: { ...worker, "content-type": "application/json" }, body: "{}" });
      expect([path, res.status, ((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code]).toEqual([path, 400, "BAD_REQUEST"]);
    }
    const badHeader = await post(sys.gatewayUrl, { query: REGISTERED }, { ...worker, "apollographql-client-name": "a b<script>" });
    expect([badHeader.status, badHeader.body.errors?.[0]?.extensions?.code]).toEqual([400, "BAD_REQUEST"]);
    await api("PUT", "/registry/safelist/grid-app", { enabled: false });
  });

  it("served operations are recorded (counts and fields, no data) and a change removing a field they use is refused naming the client", async () => {
    const q = `query ElderFile { citizen(id: "${PERSON}") { id phone } }`;
    const served = await post(sys.gatewayUrl, { query: q }, { ...worker, ...app("elder-dashboard", "1.4.0") });
    expect(served.status).toBe(200);
    await sys.supergraph.registry!.flushUsage();
    const usage = await until(async () => {
      const r = await api("GET", "/registry/usage");
      return r.body.served?.some((s: any) => s.clientName === "elder-dashboard" || s.client === "elder-dashboard") ? r : undefined;
    });
    expect(JSON.stringify(usage.body)).not.toContain("轮候中");
    // Recorded under the literal-free signature: the hash cannot be matched to a guessed query naming a citizen.
    const mine = usage.body.served.filter((s: { client: string }) => s.client === "elder-dashboard");
    expect(mine.map((s: { operationHash: string }) => s.operationHash)).toEqual([usageSignature(q)]);
    expect(usageSignature(q)).toBe(usageSignature(q.replace(PERSON, "P00000002")));
    expect(JSON.stringify(usage.body)).not.toContain(operationId(q));
    // A field the caller was refused is not counted as read.
    const staff = { ...(await sys.as({ role: "property-staff" }, "repair-service")), ...app("probe-app", "1.0") };
    await post(sys.gatewayUrl, { query: `query Probe { citizen(id: "${PERSON}") { id idNumber } }` }, staff);
    await sys.supergraph.registry!.flushUsage();
    const probe = (await api("GET", "/registry/usage")).body.served.filter((s: { client: string }) => s.client === "probe-app");
    expect(probe.flatMap((s: { fields: string[] }) => s.fields)).not.toContain("Citizen.idNumber");
    const owner = "public-security"; // Citizen.phone
    const check = await api("POST", "/registry/check", { subgraph: owner, sdl: removeField(sdlOf(owner), "  phone:") });
    expect(check.body.ok === false || check.body.report?.ok === false).toBe(true);
    expect(JSON.stringify(check.body)).toContain("elder-dashboard");
    expect(JSON.stringify(check.body)).toContain("BREAKING_CHANGE");
  });
});
