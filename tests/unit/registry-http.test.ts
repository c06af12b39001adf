/**
 * The registry's HTTP API (createRegistryRoutes) through app.inject, with the gateway's identity: the same
 * checks, codes and role rules as the CLI, on real edits of our subgraphs' SDL.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { createIdentity } from "../../gateway/src/auth/identity";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { createRegistryRoutes } from "../../schema/registry/http";
import { openRegistry, type Registry } from "../../schema/registry/registry";
import { supergraphFile } from "../../schema/composition";
import { edit, root, schemaCli, sdlOf, tempDir, TEST_SECRET, tokens, writeTemp } from "../helpers/registry";

jest.setTimeout(120_000);

let dir: string;
let registry: Registry;
let app: FastifyInstance;
let t: Awaited<ReturnType<typeof tokens>>;

beforeAll(async () => {
  dir = tempDir("cg-registry-http-");
  registry = await openRegistry({ dataDir: join(dir, "registry"), usageWindowMs: 7 * 86_400_000, pollMs: 1000, cacheFile: join(dir, "cache.graphql") }, { safelistTtlMs: 0 });
  await registry.seedFromFiles();
  const authenticate = createIdentity({ hs256Secret: TEST_SECRET, issuer: "citizen-graph", audience: "citizen-graph", knownRoles: Object.keys(loadPolicy(join(root, "schema/policy.yaml")).roles), maxLifetimeS: 86_400, clockSkewS: 60 });
  app = Fastify();
  await app.register(createRegistryRoutes({ registry, authenticate }));
  t = await tokens();
});
afterAll(async () => {
  await app.close();
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: "GET" | "POST" | "PUT", url: string, token: string | undefined, payload?: unknown) =>
  app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) }).then((r) => ({ status: r.statusCode, body: r.json() }));

it("refuses requests without a valid token (401) and roles that may not act (403)", async () => {
  expect(await call("GET", "/registry/history", undefined)).toMatchObject({ status: 401, body: { ok: false, code: "UNAUTHENTICATED" } });
  expect(await call("GET", "/registry/history", "not-a-jwt")).toMatchObject({ status: 401, body: { code: "INVALID_TOKEN" } });
  expect(await call("GET", "/registry/history", t.worker)).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
  expect(await call("POST", "/registry/check", t.civil, { subgraph: "elderly-care", sdl: sdlOf("elderly-care") })).toMatchObject({ status: 403, body: { code: "FORBIDDEN" } });
});

it("serves the seeded history and the current supergraph", async () => {
  const h = await call("GET", "/registry/history", t.steward);
  expect(h).toMatchObject({ status: 200, body: { ok: true, versions: [{ version: 1, reason: "seed", current: true }] } });
  const s = await call("GET", "/registry/subgraphs", t.steward);
  expect(s.body.subgraphs.find((x: { subgraph: string }) => x.subgraph === "civil-affairs")).toEqual({ subgraph: "civil-affairs", version: 1, routingUrl: "http://127.0.0.1:4001/graphql", owner: "civil-affairs" });
});

it("composition errors name the subgraph, type and field (422 COMPOSITION_FAILED)", async () => {
  const sdl = edit(sdlOf("public-security"), "  hasNextPage: Boolean!", "  hasNextPage: String!");
  const r = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl });
  expect(r.status).toBe(422);
  expect(r.body.code).toBe("COMPOSITION_FAILED");
  expect(r.body.report.composition.errors).toContainEqual(expect.objectContaining({ subgraphs: expect.arrayContaining(["public-security"]), type: "PageInfo", field: "hasNextPage" }));
});

it("policy lint: naming, descriptions, an unclassified new field of a citizen's type, a sensitive field without its contract tag (422 POLICY_LINT_FAILED)", async () => {
  const sdl = edit(sdlOf("elderly-care"), '"Elder profile (老年人档案)."', 'type Bad_Type {\n  x: Int\n}\n\n"Elder profile (老年人档案)."');
  const sdl2 = edit(sdl, '  "Grid that serves the elder', '  Hobby: String\n  "Diagnosis (诊断)."\n  diagnosis: String @sensitivity(class: "SENSITIVE")\n  "Grid that serves the elder');
  const r = await call("POST", "/registry/check", t.steward, { subgraph: "elderly-care", sdl: sdl2 });
  expect([r.status, r.body.code]).toEqual([422, "POLICY_LINT_FAILED"]);
  const issues = r.body.report.lint.errors.map((e: { rule: string; type?: string; field?: string }) => `${e.rule} ${e.type ?? ""}.${e.field ?? ""}`);
  expect(issues).toEqual(expect.arrayContaining([
    "naming Bad_Type.", "descriptions Bad_Type.", "descriptions Bad_Type.x", "naming ElderProfile.Hobby", "descriptions ElderProfile.Hobby",
    "personal-data-classified ElderProfile.Hobby", "contract-tags ElderProfile.diagnosis",
  ]));
});

it("a field newly exposed in a contract needs a steward's approval; approved (with a Chinese reason), it publishes", async () => {
  const sdl = edit(sdlOf("property-management"), '  "Number of floors (层数)."', '  "Facade colour (外立面颜色)."\n  colour: String\n  "Number of floors (层数)."');
  const refused = await call("POST", "/registry/publish", t.property, { subgraph: "property-management", sdl });
  expect([refused.status, refused.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  expect(refused.body.detail.approvals.required).toEqual([expect.objectContaining({ subject: "exposure:property-company:Building.colour", kind: "exposure" })]);
  expect((await call("POST", "/registry/approvals", t.property, { subject: "exposure:property-company:Building.colour", reason: "x" })).status).toBe(403);
  const reason = "物业公司需要楼栋外立面颜色用于维修计划";
  const a = await call("POST", "/registry/approvals", t.steward, { subject: "exposure:property-company:Building.colour", reason });
  expect(a).toMatchObject({ status: 200, body: { approval: { reason, kind: "exposure" } } });
  const ok = await call("POST", "/registry/publish", t.property, { subgraph: "property-management", sdl });
  expect(ok).toMatchObject({ status: 200, body: { ok: true, subgraphVersion: 2, supergraphVersion: 2, changed: true } });
  const schema = await call("GET", "/registry/contracts/property-company/schema", t.steward);
  expect(schema.body.apiSchemaSdl).toContain("colour: String");
  const again = await call("POST", "/registry/publish", t.property, { subgraph: "property-management", sdl });
  expect(again.body).toMatchObject({ changed: false, supergraphVersion: 2 });
});

it("taking over another department's field needs an explicit transfer approval", async () => {
  let sdl = edit(sdlOf("civil-affairs"), '"@key", "@tag",', '"@key", "@tag", "@override",');
  sdl = edit(sdl, '  "Marital status (婚姻状况), as registered with civil affairs."', '  "Mobile phone (联系电话), as civil affairs records it."\n  phone: String @override(from: "public-security") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "PERSONAL", mask: "PHONE")\n  "Marital status (婚姻状况), as registered with civil affairs."');
  const r = await call("POST", "/registry/check", t.civil, { subgraph: "civil-affairs", sdl });
  expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  expect(r.body.report.approvals.required.map((x: { subject: string }) => x.subject)).toEqual(expect.arrayContaining(["transfer:Citizen.phone:public-security>civil-affairs"]));
});

it("validates bodies with registered codes and never leaks internals", async () => {
  const bad = await app.inject({ method: "POST", url: "/registry/publish", headers: { authorization: `Bearer ${t.steward}`, "content-type": "application/json" }, payload: "{not json" });
  expect([bad.statusCode, bad.json().code]).toEqual([400, "BAD_REQUEST"]);
  expect(await call("POST", "/registry/publish", t.steward, { subgraph: "Not A Name", sdl: "type Query { a: Int }" })).toMatchObject({ status: 400, body: { code: "BAD_USER_INPUT" } });
  expect(await call("POST", "/registry/approvals", t.steward, { subject: "downgrade:nonsense", reason: "r" })).toMatchObject({ status: 400, body: { code: "BAD_USER_INPUT" } });
  expect(await call("GET", "/registry/history?subgraph=nobody", t.steward)).toMatchObject({ status: 404, body: { code: "UNKNOWN_SUBGRAPH" } });
  expect(await call("POST", "/registry/rollback", t.steward, { version: 99 })).toMatchObject({ status: 404, body: { code: "UNKNOWN_VERSION" } });
  const nul = await call("POST", "/registry/approvals", t.steward, { subject: "exposure:public-portal:Query.x", reason: "a\u0000b" });
  expect([nul.status, nul.body.code]).toEqual([400, "BAD_USER_INPUT"]);
  expect(JSON.stringify(nul.body)).not.toMatch(/at .*\.ts:\d+/);
});

it("registers operations and turns safelist mode on, which the gateway's lookup then enforces", async () => {
  const doc = "query Communities { communities { id name } }";
  const reg = await call("POST", "/registry/clients/portal/versions/1.0/operations", t.steward, { documents: [doc] });
  expect(reg.status).toBe(200);
  const id = reg.body.operations[0].id;
  expect(await registry.isOperationAllowed("portal", "1.0", "f".repeat(64))).toBe(true); // not in safelist mode
  expect((await call("PUT", "/registry/safelist/portal", t.steward, { enabled: true })).body.safelist.enabled).toBe(true);
  expect(await registry.isOperationAllowed("portal", "1.0", id)).toBe(true);
  expect(await registry.isOperationAllowed("portal", "1.0", "f".repeat(64))).toBe(false);
  expect(await registry.isOperationAllowed("portal", "2.0", id)).toBe(false);
  expect(await registry.documentById(id)).toBe("query Communities {\n  communities {\n    id\n    name\n  }\n}");
});

it("diffs supergraph versions, subgraph versions and an SDL against the current graph", async () => {
  const versions = await call("GET", "/registry/diff?from=1&to=2", t.steward);
  expect(versions.body).toMatchObject({ from: "supergraph@1", to: "supergraph@2" });
  expect(versions.body.changes.safe.map((c: { path?: string }) => c.path)).toContain("Building.colour");
  const sub = await call("GET", "/registry/diff?subgraph=property-management&from=2&to=1", t.steward);
  expect(sub.body.changes.breaking.map((c: { path?: string }) => c.path)).toEqual(["Building.colour"]);
  const file = await call("POST", "/registry/diff", t.steward, { subgraph: "civil-affairs", sdl: edit(sdlOf("civil-affairs"), "  district: String!", "  district: Int!") });
  expect(file.body.changes.breaking).toEqual([expect.objectContaining({ path: "StreetOffice.district" })]);
  expect((await call("POST", "/registry/diff", t.steward, { subgraph: "civil-affairs", sdl: "type Query { x: Nope }" })).body.code).toBe("COMPOSITION_FAILED");
});

it("sets a contract's filter as a new row of its history; the contract schema follows", async () => {
  const set = await call("PUT", "/registry/contracts/public-portal", t.steward, { include: ["public"], exclude: ["internal", "sensitive", "public-security"], description: "政务公开门户（修订）" });
  expect(set.body.contract).toMatchObject({ name: "public-portal", exclude: ["internal", "sensitive", "public-security"], description: "政务公开门户（修订）" });
  const show = await call("GET", "/registry/contracts/public-portal", t.steward);
  expect(show.body.contract.history.map((h: { exclude: string[] }) => h.exclude.length)).toEqual([2, 3]);
  const narrowed = await call("PUT", "/registry/contracts/partner", t.steward, { include: ["public"], exclude: [] });
  expect(narrowed.status).toBe(200);
  const schema = (await call("GET", "/registry/contracts/partner/schema", t.steward)).body.apiSchemaSdl as string;
  expect(schema).toContain("communities: [Community!]!");
  expect(schema).not.toContain("citizen(");
  expect((await call("PUT", "/registry/contracts/Bad Name", t.steward, { include: [] })).body.code).toBe("BAD_USER_INPUT");
  expect((await call("PUT", "/registry/contracts/x", t.property, { include: [] })).status).toBe(403);
});

it("the CLI uses a running registry over HTTP with --registry-url (the embedded registry stays the server's)", async () => {
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  const h = await schemaCli(dir, t.steward, ["history", "--registry-url", address]);
  expect(h.code).toBe(0);
  expect(h.json.versions[0]).toMatchObject({ version: 2, reason: "publish", approvals: [expect.objectContaining({ subject: "exposure:property-company:Building.colour" })] });
  const out = join(dir, "remote-supergraph.graphql");
  const forbidden = await schemaCli(dir, t.civil, ["publish", "public-security", writeTemp(dir, "ps.graphql", sdlOf("public-security")), "--registry-url", address]);
  expect([forbidden.code, forbidden.json.code]).toEqual([1, "FORBIDDEN"]);
  const same = await schemaCli(dir, t.security, ["publish", "public-security", writeTemp(dir, "ps.graphql", sdlOf("public-security")), "--registry-url", address, "--write", out]);
  expect(same.code).toBe(0);
  expect(same.json).toMatchObject({ changed: false, supergraphVersion: 2 });
  expect(readFileSync(out, "utf8")).toBe(supergraphFile((await registry.currentSupergraph())!.sdl));
});
