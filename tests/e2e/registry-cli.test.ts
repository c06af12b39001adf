/**
 * `npm run schema` end to end: each command is its own process against one temp data folder (the embedded
 * registry, seeded from our SDL files on first use), on real edits of our subgraphs' SDL. The steps build
 * on each other, in order.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readGovernance } from "../../gateway/src/governance/requirements";
import { SUPERGRAPH_PATH } from "../../schema/composition";
import { openRegistry } from "../../schema/registry/registry";
import { operationId } from "../../schema/registry/operations";
import { edit, removeField, schemaCli, sdlOf, tempDir, tokens, writeTemp } from "../helpers/registry";

jest.setTimeout(240_000);

let dir: string;
let t: Awaited<ReturnType<typeof tokens>>;
let ps = sdlOf("public-security");
const cli = (token: string | undefined, ...args: string[]) => schemaCli(dir, token, args);
const file = (name: string, text: string) => writeTemp(dir, name, text);

beforeAll(async () => {
  dir = tempDir("cg-registry-cli-");
  t = await tokens();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("seeds the registry from the SDL files on first use: version 1 is what `npm run compose` writes", async () => {
  const h = await cli(t.steward, "history");
  expect(h.code).toBe(0);
  expect(h.json.versions).toHaveLength(1);
  expect(h.json.versions[0]).toMatchObject({ version: 1, reason: "seed", current: true });
  expect(h.json.versions[0].inputs.map((i: { subgraph: string }) => i.subgraph)).toEqual(["access-log", "civil-affairs", "elderly-care", "insights", "property-management", "public-security"]);
  const out = join(dir, "supergraph.graphql");
  expect((await cli(t.steward, "compose", "--write", out)).json).toMatchObject({ changed: false, supergraphVersion: 1 });
  expect(readFileSync(out, "utf8")).toBe(readFileSync(SUPERGRAPH_PATH, "utf8"));
});

it("refuses without a token, and refuses a role that may not publish", async () => {
  const none = await cli(undefined, "history");
  expect([none.code, none.json.code]).toEqual([1, "UNAUTHENTICATED"]);
  const worker = await cli(t.worker, "check", "public-security", file("ps.graphql", ps));
  expect([worker.code, worker.json.code]).toEqual([1, "FORBIDDEN"]);
});

it("add a field → safe, published as the department's own change", async () => {
  ps = edit(ps, '  "Mobile phone on record (联系电话)."', '  "Place of birth (出生地), as registered."\n  birthPlace: String @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "PERSONAL") @tag(name: "public-security")\n  "Mobile phone on record (联系电话)."');
  const r = await cli(t.security, "publish", "public-security", file("ps-add.graphql", ps));
  expect(r.code).toBe(0);
  expect(r.json).toMatchObject({ subgraph: "public-security", subgraphVersion: 2, supergraphVersion: 2, changed: true });
  expect(r.json.report.changes.breaking).toEqual([]);
  expect(r.json.report.changes.safe.map((c: { type: string; path: string }) => `${c.type} ${c.path}`)).toContain("FIELD_ADDED Citizen.birthPlace");
  expect(r.json.report.approvals.required).toEqual([]);
});

it("a non-null link into another department's entity → passes, with a lint warning naming the outage it would spread", async () => {
  const linked = edit(ps, '  community: Community @tag(name: "public-security")', '  community: Community! @tag(name: "public-security")');
  const r = await cli(t.security, "check", "public-security", file("ps-nonnull-link.graphql", linked));
  expect(r.code).toBe(0);
  expect(r.json.report.lint.warnings).toEqual([
    expect.objectContaining({ rule: "outage-contained", type: "Household", field: "community", message: expect.stringContaining("an outage of civil-affairs would null the whole Household") }),
  ]);
  // The same SDL as now: no warning.
  expect((await cli(t.security, "check", "public-security", file("ps-same.graphql", ps))).json.report.lint.warnings).toEqual([]);
});

it("a department publishing another department's subgraph → FORBIDDEN", async () => {
  const r = await cli(t.civil, "publish", "public-security", file("ps-civil.graphql", ps));
  expect([r.code, r.json.code]).toEqual([1, "FORBIDDEN"]);
  expect(r.json.message).toContain("civil-affairs");
});

it("remove a field a registered client operation uses → refused naming client, operation and field", async () => {
  const op = file("ElderPhones.graphql", 'query ElderPhones($id: ID!) {\n  citizen(id: $id) { name phone }\n}\n');
  const reg = await cli(t.steward, "operations", "register", "grid-app", "2.3.0", op);
  expect(reg.code).toBe(0);
  expect(reg.json.operations).toEqual([{ id: operationId(readFileSync(op, "utf8")), name: "ElderPhones", added: true }]);
  const r = await cli(t.security, "publish", "public-security", file("ps-nophone.graphql", removeField(ps, "  phone:")));
  expect([r.code, r.json.code]).toEqual([1, "BREAKING_CHANGE"]);
  expect(r.json.message).toContain("client grid-app 2.3.0 operation ElderPhones uses Citizen.phone");
  expect(r.json.detail.operations.affected).toEqual([expect.objectContaining({ source: "registered", client: "grid-app", clientVersion: "2.3.0", operation: "ElderPhones", field: "Citizen.phone" })]);
  expect((await cli(t.steward, "history")).json.versions[0].version).toBe(2); // nothing stored
});

it("remove a field only recently served traffic uses → refused", async () => {
  // The gateway's usage records, as recordUsage stores them (the embedded registry is one process at a time).
  const registry = await openRegistry({ dataDir: join(dir, "registry"), usageWindowMs: 7 * 86_400_000, pollMs: 1000, cacheFile: join(dir, "cache.graphql") });
  registry.recordUsage([{ operationHash: "a".repeat(64), operationName: "BirthDates", clientName: "service-hall", clientVersion: "1.0", fields: ["Query.citizen", "Citizen.birthDate"], purpose: "identity-check", at: new Date() }]);
  await registry.close();
  const r = await cli(t.security, "check", "public-security", file("ps-nobirth.graphql", removeField(ps, "  birthDate:")));
  expect([r.code, r.json.code]).toEqual([1, "BREAKING_CHANGE"]);
  expect(r.json.report.operations.affected).toEqual([expect.objectContaining({ source: "served", client: "service-hall", operation: "BirthDates", field: "Citizen.birthDate", count: 1 })]);
});

it("remove a field nothing uses → passes with a warning", async () => {
  ps = removeField(ps, "  registrationStatusDate:");
  const r = await cli(t.security, "publish", "public-security", file("ps-nodate.graphql", ps));
  expect(r.code).toBe(0);
  expect(r.json.report.changes.breaking.map((c: { path: string }) => c.path)).toEqual(["Citizen.registrationStatusDate"]);
  expect(r.json.report.warnings).toEqual([expect.stringContaining("Field 'registrationStatusDate' was removed")]);
  expect(r.json.supergraphVersion).toBe(3);
});

it("drop a sensitivity class → APPROVAL_REQUIRED until a steward approves; then it passes and the history shows the approval", async () => {
  const civil = edit(sdlOf("civil-affairs"), 'maritalStatus: MaritalStatus @requiresScopes(scopes: [["read:civil"]]) @sensitivity(class: "PERSONAL")', 'maritalStatus: MaritalStatus @requiresScopes(scopes: [["read:civil"]])');
  const f = file("civil.graphql", civil);
  const subject = "downgrade:Citizen.maritalStatus:PERSONAL>NONE";
  const refused = await cli(t.civil, "publish", "civil-affairs", f);
  expect([refused.code, refused.json.code]).toEqual([1, "APPROVAL_REQUIRED"]);
  expect(refused.json.detail.approvals.required).toEqual([expect.objectContaining({ subject, kind: "downgrade" })]);
  expect((await cli(t.steward, "approve")).json.pending).toEqual([expect.objectContaining({ subject, subgraph: "civil-affairs" })]);

  const byOfficer = await cli(t.civil, "approve", subject, "--reason", "self-approval");
  expect([byOfficer.code, byOfficer.json.code]).toEqual([1, "FORBIDDEN"]);
  const reason = "民政局书面确认（2026-12-01）：婚姻状况在本系统中仅作统计用途 ✓";
  const ok = await cli(t.steward, "approve", subject, "--reason", reason);
  expect(ok.code).toBe(0);
  expect(ok.json.approval).toMatchObject({ subject, steward: "steward-1", reason });

  const published = await cli(t.civil, "publish", "civil-affairs", f);
  expect(published.code).toBe(0);
  expect(published.json.report.approvals.granted).toEqual([expect.objectContaining({ subject, steward: "steward-1", reason })]);
  const sub = await cli(t.steward, "history", "civil-affairs");
  expect(sub.json.versions.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([[1, false], [2, true]]);
  expect(sub.json.versions[1].approvals).toEqual([expect.objectContaining({ subject, reason })]);
  const all = await cli(t.steward, "history");
  expect(all.json.versions[0]).toMatchObject({ version: 4, reason: "publish", approvals: [expect.objectContaining({ subject, reason })] });
  expect((await cli(t.steward, "approve")).json.pending).toEqual([]);
});

it("rollback → a new current version equal to the old one; nothing overwritten", async () => {
  const out = join(dir, "rolled-back.graphql");
  const r = await cli(t.steward, "rollback", "1", "--write", out);
  expect(r.code).toBe(0);
  expect(r.json).toMatchObject({ supergraphVersion: 5, rollbackOf: 1 });
  expect(r.json.changes.breaking.map((c: { path: string }) => c.path)).toContain("Citizen.birthPlace");
  expect(readFileSync(out, "utf8")).toBe(readFileSync(SUPERGRAPH_PATH, "utf8"));
  const h = await cli(t.steward, "history");
  expect(h.json.versions.map((v: { version: number; reason: string; current: boolean }) => [v.version, v.reason, v.current])).toEqual([
    [5, "rollback", true], [4, "publish", false], [3, "publish", false], [2, "publish", false], [1, "seed", false],
  ]);
  expect(h.json.versions[0].inputs).toEqual(h.json.versions[4].inputs);
  const d = await cli(t.steward, "diff", "--from", "1", "--to", "5");
  expect(d.json.changes).toEqual({ breaking: [], dangerous: [], safe: [] });
  expect((await cli(t.steward, "diff", "--from", "3", "--to", "4")).json.changes.dangerous.length + (await cli(t.steward, "diff", "--from", "2", "--to", "3")).json.changes.breaking.length).toBeGreaterThan(0);
});

it("contracts: the property-company schema shows no public-security field and nothing sensitive", async () => {
  const r = await cli(t.steward, "contracts", "schema", "property-company");
  expect(r.code).toBe(0);
  const sdl: string = r.json.apiSchemaSdl;
  const rules = readGovernance(readFileSync(SUPERGRAPH_PATH, "utf8")).rules;
  const coords = [...sdl.matchAll(/^type (\w+)[^{]*\{([^}]*)\}/gm)].flatMap((m) => [...m[2].matchAll(/^\s+(\w+)[(:]/gm)].map((f) => `${m[1]}.${f[1]}`));
  expect(coords).toContain("Building.address");
  expect(coords.filter((c) => rules.get(c)?.sensitivity?.class === "SENSITIVE")).toEqual([]);
  for (const absent of ["Citizen.idNumber", "Citizen.name", "Query.citizen", "Query.household", "Query.findings", "Query.accessLog", "Citizen.elderProfile"]) expect(coords).not.toContain(absent);
  expect(sdl).not.toMatch(/^type Household\b/m);
  const unknown = await cli(t.steward, "contracts", "schema", "nobody");
  expect([unknown.code, unknown.json.code]).toEqual([1, "UNKNOWN_CONTRACT"]);
});

it("usage: the personal-data report names the client, field, class and purpose", async () => {
  const r = await cli(t.steward, "usage");
  expect(r.code).toBe(0);
  // The lookup by id is personal too (it tells whose id this is), so the report names it beside the field.
  expect(r.json.personalData).toEqual([
    expect.objectContaining({ client: "service-hall", clientVersion: "1.0", field: "Citizen.birthDate", class: "PERSONAL", purposes: { "identity-check": 1 }, count: 1 }),
    expect.objectContaining({ client: "service-hall", clientVersion: "1.0", field: "Query.citizen", class: "PERSONAL", purposes: { "identity-check": 1 }, count: 1 }),
  ]);
});

it("safelist on/off per client, listed with the clients", async () => {
  expect((await cli(t.steward, "safelist", "grid-app", "on")).json.safelist).toMatchObject({ client: "grid-app", enabled: true });
  expect((await cli(t.steward, "clients")).json.clients).toEqual([{ client: "grid-app", versions: ["2.3.0"], operations: 1, safelist: true }]);
  const bad = await cli(t.steward, "safelist", "grid-app", "maybe");
  expect([bad.code, bad.json.code]).toEqual([2, "BAD_USER_INPUT"]);
});
