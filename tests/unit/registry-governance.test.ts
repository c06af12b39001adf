/**
 * The registry's governance checks against data flowing where no steward decided it may (review findings
 * F1, F2, F3, F9), through the HTTP API on a real registry in a temp PGlite folder, on edits of our real
 * subgraphs' SDL:
 * - @requires / @provides reaching another department's PERSONAL or SENSITIVE field needs a `requires:` /
 *   `provides:` approval, and a computed field is classified at least as high as what it reads (lint);
 * - taking over another department's field (an @override, a key of one's own) needs a `transfer:` approval;
 *   only fields already keys in the current supergraph are exempt;
 * - a mask kind that shows more, a removed or weakened @requiresScopes / @policy need approval and are listed
 *   as governance changes; a stronger mask is listed but passes;
 * - a personal field "renamed" to a less protected one in one publish needs a `downgrade:` approval;
 * - registered operation documents are bounded (BAD_USER_INPUT, not a stack overflow) and client names
 *   follow the gateway's pattern.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { createIdentity } from "../../gateway/src/auth/identity";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { createRegistryRoutes } from "../../schema/registry/http";
import { openRegistry, type Registry } from "../../schema/registry/registry";
import { maskNoWeaker, weakerRequirement } from "../../schema/registry/lint";
import { SUBJECT } from "../../schema/registry/approvals";
import { clientName, clientVersion, input } from "../../schema/registry/inputs";
import { edit, removeField, root, sdlOf, tempDir, TEST_SECRET, tokens } from "../helpers/registry";

jest.setTimeout(180_000);

let dir: string;
let registry: Registry;
let app: FastifyInstance;
let t: Awaited<ReturnType<typeof tokens>>;

beforeAll(async () => {
  dir = tempDir("cg-registry-governance-");
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
const subjects = (r: { body: { report?: { approvals: { required: { subject: string }[] } }; detail?: { approvals: { required: { subject: string }[] } } } }) =>
  (r.body.report ?? r.body.detail)!.approvals.required.map((x) => x.subject).sort();
const lintOf = (r: { body: { report: { lint: { errors: { rule: string; message: string }[] } } } }) => r.body.report.lint.errors;

/** The public-security SDL's schema header (links, governance directives) with more federation directives imported. */
function header(): string {
  const ps = sdlOf("public-security");
  const end = ps.indexOf("\n", ps.indexOf("directive @owner(")) + 1;
  return edit(ps.slice(0, end), '"@composeDirective"]', '"@composeDirective", "@external", "@requires", "@provides", "@override"]');
}

/** A new department's subgraph holding a computed field on Citizen. */
const lucky = (computed: string) => `${header()}
"A person in the citizen graph (居民), as the lottery office sees them."
type Citizen @key(fields: "id") {
  "Citizen id (人口编号)."
  id: ID!
  "National ID number, read from public security."
  idNumber: String @external
${computed}
}
`;
const NEW = { subgraph: "lucky-numbers", routingUrl: "http://127.0.0.1:4999/graphql" };

describe("F1: @requires of another department's personal data", () => {
  it("a new subgraph computing an INTERNAL field from the SENSITIVE ID number: lint names both fields, and it needs a requires: approval", async () => {
    const sdl = lucky('  "Lucky number (幸运号码)."\n  luckyNumber: Int @requires(fields: "idNumber") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "INTERNAL") @tag(name: "internal")');
    const r = await call("POST", "/registry/publish", t.civil, { ...NEW, sdl });
    expect([r.status, r.body.code]).toEqual([422, "POLICY_LINT_FAILED"]);
    const detail = r.body.detail;
    expect(detail.lint.errors).toContainEqual(expect.objectContaining({ rule: "computed-field-class", subgraph: "lucky-numbers", type: "Citizen", field: "luckyNumber" }));
    expect(detail.lint.errors.find((e: { rule: string }) => e.rule === "computed-field-class").message).toMatch(/Citizen\.luckyNumber.*Citizen\.idNumber \(SENSITIVE\)/);
    expect(subjects(r)).toEqual(["requires:Citizen.luckyNumber:Citizen.idNumber"]);
    expect((await call("GET", "/registry/history", t.steward)).body.versions).toHaveLength(1);
  });

  it("classified SENSITIVE it passes lint but still needs the steward; approved, it publishes, and publishing it again needs nothing new", async () => {
    const sdl = lucky('  "Lucky number (幸运号码)."\n  luckyNumber: Int @requires(fields: "idNumber") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "SENSITIVE") @tag(name: "sensitive")');
    const r = await call("POST", "/registry/publish", t.civil, { ...NEW, sdl });
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
    // Citizen.id was already a key in the current supergraph: resolving it is no takeover.
    expect(subjects(r)).toEqual(["requires:Citizen.luckyNumber:Citizen.idNumber"]);
    expect(r.body.message).toContain("requires:Citizen.luckyNumber:Citizen.idNumber");
    const a = await call("POST", "/registry/approvals", t.steward, { subject: "requires:Citizen.luckyNumber:Citizen.idNumber", reason: "抽签办公室经批准使用身份证号" });
    expect(a).toMatchObject({ status: 200, body: { approval: { kind: "requires" } } });
    const ok = await call("POST", "/registry/publish", t.civil, { ...NEW, sdl });
    expect(ok).toMatchObject({ status: 200, body: { ok: true, changed: true } });
    expect(ok.body.report.approvals.granted).toEqual([expect.objectContaining({ subject: "requires:Citizen.luckyNumber:Citizen.idNumber" })]);
    // A second computed field reading the same number is a new decision.
    const more = sdl.replace("\n}\n", '\n  "Second lucky number."\n  luckyBonus: Int @requires(fields: "idNumber") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "SENSITIVE") @tag(name: "sensitive")\n}\n');
    const r2 = await call("POST", "/registry/check", t.civil, { subgraph: NEW.subgraph, sdl: more });
    expect(subjects(r2)).toEqual(["requires:Citizen.luckyBonus:Citizen.idNumber"]);
  });

  it("an existing subgraph requiring a nested personal field (household { address }) needs approvals for every personal field reached", async () => {
    let sdl = edit(sdlOf("civil-affairs"), '"@key", "@tag",', '"@key", "@tag", "@external", "@requires",');
    sdl = edit(sdl, '  "Marital status (婚姻状况), as registered with civil affairs."',
      '  "Household, read from public security."\n  household: Household @external\n  "Whether the registered address is in a street office\'s area."\n  addressLocal: Boolean @requires(fields: "household { address }") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "PERSONAL")\n  "Marital status (婚姻状况), as registered with civil affairs."');
    sdl += '\n"A registered household (户), as public security keeps it."\ntype Household @key(fields: "id", resolvable: false) {\n  "Household id (户号)."\n  id: ID!\n  "Registered address (户籍地址)."\n  address: String @external\n}\n';
    const r = await call("POST", "/registry/check", t.civil, { subgraph: "civil-affairs", sdl });
    expect(r.body.report.composition).toEqual({ ok: true, errors: [] });
    // (and exposure in property-company, as for any new civil-affairs field without a tag the contract excludes)
    expect(subjects(r).filter((x: string) => !x.startsWith("exposure:"))).toEqual(["requires:Citizen.addressLocal:Citizen.household", "requires:Citizen.addressLocal:Household.address"]);
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  });
});

describe("F1: @provides of another department's personal data", () => {
  // Federation lets a subgraph @provides only fields their owner marks @shareable, so another department's
  // field cannot be provided without that department's own publish; the provides: subject covers shareable ones.
  it("a new subgraph answering the ID number itself on one path is refused by composition (the owner did not share it)", async () => {
    const sdl = `${header()}
"Lottery lookups."
type Query {
  "The citizen who won today's draw."
  luckyCitizen: Citizen @provides(fields: "idNumber") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "SENSITIVE") @tag(name: "sensitive")
}

"A person in the citizen graph (居民), as the lottery office sees them."
type Citizen @key(fields: "id") {
  "Citizen id (人口编号)."
  id: ID!
  "National ID number (居民身份证号码)."
  idNumber: String @external
}
`;
    const r = await call("POST", "/registry/check", t.civil, { subgraph: "lottery-desk", routingUrl: "http://127.0.0.1:4997/graphql", sdl });
    expect([r.status, r.body.code]).toEqual([422, "COMPOSITION_FAILED"]);
    expect(r.body.report.composition.errors).toContainEqual(expect.objectContaining({ code: "INVALID_FIELD_SHARING", type: "Citizen", field: "idNumber" }));
  });
});

describe("F2: taking over another department's field", () => {
  it("a new subgraph overriding the SENSITIVE ID number behind a key of its own needs the transfer approval", async () => {
    const sdl = `${header()}
"A person in the citizen graph (居民), as the lottery office sees them."
type Citizen @key(fields: "id") @key(fields: "idNumber", resolvable: false) {
  "Citizen id (人口编号)."
  id: ID!
  "National ID number (居民身份证号码)."
  idNumber: String @override(from: "public-security") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "SENSITIVE", mask: "ID_NUMBER") @tag(name: "sensitive")
}
`;
    const r = await call("POST", "/registry/check", t.civil, { subgraph: "lottery", routingUrl: "http://127.0.0.1:4998/graphql", sdl });
    expect(subjects(r)).toEqual(["transfer:Citizen.idNumber:public-security>lottery"]);
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  });

  it("an existing subgraph overriding a PERSONAL field with its own key on it needs the transfer approval too", async () => {
    let sdl = edit(sdlOf("civil-affairs"), '"@key", "@tag",', '"@key", "@tag", "@override",');
    sdl = edit(sdl, '  "Marital status (婚姻状况), as registered with civil affairs."', '  "Mobile phone (联系电话)."\n  phone: String @override(from: "public-security") @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "PERSONAL", mask: "PHONE")\n  "Marital status (婚姻状况), as registered with civil affairs."');
    const keyed = sdl.replace(/type Citizen @key\(fields: "id"\)/, 'type Citizen @key(fields: "id") @key(fields: "phone", resolvable: false)');
    expect(keyed).not.toBe(sdl);
    const r = await call("POST", "/registry/check", t.civil, { subgraph: "civil-affairs", sdl: keyed });
    expect(subjects(r)).toContain("transfer:Citizen.phone:public-security>civil-affairs");
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  });
});

describe("F3: weakening governance arguments", () => {
  const ps = () => sdlOf("public-security");
  it("a mask that shows more needs approval and is listed as a governance change", async () => {
    const sdl = edit(ps(), '@sensitivity(class: "PERSONAL", mask: "PHONE")', '@sensitivity(class: "PERSONAL", mask: "ID_NUMBER")');
    const r = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl });
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
    expect(subjects(r)).toEqual(["mask:Citizen.phone:PHONE>ID_NUMBER"]);
    expect(r.body.report.governance).toEqual([{ coordinate: "Citizen.phone", kind: "mask", before: "PHONE", after: "ID_NUMBER", weaker: true, subject: "mask:Citizen.phone:PHONE>ID_NUMBER" }]);
  });

  it("removing the mask kind needs approval (documented decision); a stronger mask is listed but passes", async () => {
    const removed = edit(ps(), '@sensitivity(class: "PERSONAL", mask: "PHONE")', '@sensitivity(class: "PERSONAL")');
    expect(subjects(await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl: removed }))).toEqual(["mask:Citizen.phone:PHONE>NONE"]);
    const stronger = edit(ps(), '@sensitivity(class: "SENSITIVE", mask: "ID_NUMBER") @tag(name: "public-security")', '@sensitivity(class: "SENSITIVE", mask: "PHONE") @tag(name: "public-security")');
    const r = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl: stronger });
    expect(r.status).toBe(200);
    expect(r.body.report.governance).toEqual([{ coordinate: "Citizen.idNumber", kind: "mask", before: "ID_NUMBER", after: "PHONE", weaker: false }]);
  });

  it("removing or weakening @requiresScopes needs approval; a stricter one passes", async () => {
    const line = (s: string) => s.split("\n").find((l) => l.startsWith("  idNumber: String"))!;
    const removed = edit(ps(), line(ps()), line(ps()).replace(' @requiresScopes(scopes: [["read:identity"]])', ""));
    const r = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl: removed });
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
    expect(subjects(r)).toEqual(["scopes:Citizen.idNumber"]);
    const weaker = edit(ps(), line(ps()), line(ps()).replace('[["read:identity"]]', '[["read:identity"], ["read:public"]]'));
    expect(subjects(await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl: weaker }))).toEqual(["scopes:Citizen.idNumber"]);
    // (On Citizen.phone: lucky-numbers, published above, computes a field from idNumber, and composition
    // refuses a stricter idNumber that its @requires does not carry too.)
    const phone = (s: string) => s.split("\n").find((l) => l.startsWith("  phone: String"))!;
    const stricter = edit(ps(), phone(ps()), phone(ps()).replace('[["read:identity"]]', '[["read:identity", "read:sensitive"]]'));
    const ok = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl: stricter });
    expect(ok.status).toBe(200);
    expect(ok.body.report.governance).toEqual([{ coordinate: "Citizen.phone", kind: "scopes", before: "read:identity", after: "read:identity+read:sensitive", weaker: false }]);
    // Approved, the removal publishes and the report keeps the approval.
    await call("POST", "/registry/approvals", t.steward, { subject: "scopes:Citizen.idNumber", reason: "测试：范围改由网关策略控制" });
    const pub = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl: removed });
    expect(pub.status).toBe(200);
    expect(pub.body.report.approvals.granted).toEqual([expect.objectContaining({ subject: "scopes:Citizen.idNumber" })]);
  });

  it("the comparisons: masks by what they keep; requirements by alternatives", () => {
    expect(maskNoWeaker("PHONE", "ID_NUMBER")).toBe(false);
    expect(maskNoWeaker("ID_NUMBER", "PHONE")).toBe(true);
    expect(maskNoWeaker("NAME", "TEXT")).toBe(true);
    expect(maskNoWeaker("ADDRESS", "NAME")).toBe(false); // NAME shows the length, ADDRESS prints fixed stars
    expect(maskNoWeaker(undefined, "NAME")).toBe(false); // no kind: withheld
    expect(maskNoWeaker("PHONE", undefined)).toBe(false);
    expect(maskNoWeaker("PHONE", "NOT_LISTED")).toBe(false);
    expect(weakerRequirement([["a"]], undefined)).toBe(true);
    expect(weakerRequirement([["a"]], [["a"], ["b"]])).toBe(true);
    expect(weakerRequirement([["a", "b"]], [["a"]])).toBe(true);
    expect(weakerRequirement([["a"]], [["a", "b"]])).toBe(false);
    expect(weakerRequirement([["a"], ["b"]], [["b"]])).toBe(false);
    expect(weakerRequirement(undefined, [["a"]])).toBe(false);
    for (const s of ["requires:Citizen.luckyNumber:Citizen.idNumber", "provides:Query.x:Citizen.idNumber", "mask:Citizen.phone:PHONE>NONE", "scopes:Citizen.idNumber", "policy:Citizen.idNumber", "authenticated:Citizen.idNumber"]) expect(s).toMatch(SUBJECT);
    expect("mask:Citizen.phone:phone>x").not.toMatch(SUBJECT);
  });
});

describe("F9", () => {
  it("(c) a personal field renamed to a less protected one in one publish needs a downgrade approval", async () => {
    let sdl = removeField(sdlOf("public-security"), "  phone: String");
    sdl = edit(sdl, '  "Legal name (姓名)."', '  "Mobile phone, shown to everyone inside."\n  mobile: String @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "INTERNAL") @tag(name: "internal")\n  "Legal name (姓名)."');
    const r = await call("POST", "/registry/check", t.security, { subgraph: "public-security", sdl });
    expect(subjects(r)).toEqual(["downgrade:Citizen.phone:PERSONAL>INTERNAL"]);
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  });

  it("(a) a deeply nested operation document is refused as BAD_USER_INPUT, not a 500", async () => {
    const deep = `query Deep ${"{ a ".repeat(3000)}${"}".repeat(3000)}`;
    const r = await call("POST", "/registry/clients/app/versions/1/operations", t.steward, { documents: [deep] });
    expect([r.status, r.body.code]).toEqual([400, "BAD_USER_INPUT"]);
    expect(r.body.message).toMatch(/nested deeper than 100/);
    const many = `query Many { ${"a ".repeat(60_000)}}`;
    expect((await call("POST", "/registry/clients/app/versions/1/operations", t.steward, { documents: [many] })).body).toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringMatching(/tokens/) });
    const fine = `query Ok ${"{ a ".repeat(50)}${"}".repeat(50)}`;
    expect((await call("POST", "/registry/clients/app/versions/1/operations", t.steward, { documents: [fine] })).status).toBe(200);
  });

  it("(b) client names the gateway accepts can be registered and safelisted (urn:app/grid, 网格通), through URL-encoded routes", async () => {
    for (const client of ["urn:app/grid", "网格通"]) {
      const url = `/registry/clients/${encodeURIComponent(client)}/versions/${encodeURIComponent("1.0+build/7")}/operations`;
      const reg = await call("POST", url, t.steward, { documents: ["query Communities { communities { id } }"] });
      expect(reg.status).toBe(200);
      const on = await call("PUT", `/registry/safelist/${encodeURIComponent(client)}`, t.steward, { enabled: true });
      expect(on).toMatchObject({ status: 200, body: { safelist: { client, enabled: true } } });
      expect(await registry.isOperationAllowed(client, "1.0+build/7", reg.body.operations[0].id)).toBe(true);
      expect(await registry.isOperationAllowed(client, "1.0+build/7", "f".repeat(64))).toBe(false);
    }
    const clients = (await call("GET", "/registry/clients", t.steward)).body.clients.map((c: { client: string }) => c.client);
    expect(clients).toEqual(expect.arrayContaining(["urn:app/grid", "网格通"]));
    expect((await call("PUT", `/registry/safelist/${encodeURIComponent("a b")}`, t.steward, { enabled: true })).body.code).toBe("BAD_USER_INPUT");
    expect(input(clientName, "x".repeat(100), "client")).toHaveLength(100);
    expect(() => input(clientName, "x".repeat(101), "client")).toThrow(/client/);
    expect(() => input(clientVersion, "1.0 beta", "clientVersion")).toThrow(/clientVersion/);
  });
});

describe("F2: a key of one's own is no exemption (runs last: it publishes public-security)", () => {
  it("a field another department shares (@shareable) added to one's own @key needs the transfer approval; Citizen.id, a key already, does not", async () => {
    const ps = edit(sdlOf("public-security"), '  name: String @requiresScopes(scopes: [["read:identity"]])', '  name: String @shareable @requiresScopes(scopes: [["read:identity"]])');
    expect(await call("POST", "/registry/publish", t.security, { subgraph: "public-security", sdl: ps })).toMatchObject({ status: 200, body: { ok: true, changed: true } });
    let sdl = edit(sdlOf("civil-affairs"), 'type Citizen @key(fields: "id") {', 'type Citizen @key(fields: "id") @key(fields: "id name") {');
    sdl = edit(sdl, '  "Marital status (婚姻状况), as registered with civil affairs."', '  "Legal name (姓名), as civil affairs records it."\n  name: String @requiresScopes(scopes: [["read:identity"]]) @sensitivity(class: "PERSONAL", mask: "NAME") @tag(name: "public-security")\n  "Marital status (婚姻状况), as registered with civil affairs."');
    const r = await call("POST", "/registry/check", t.civil, { subgraph: "civil-affairs", sdl });
    expect(r.body.report.composition).toEqual({ ok: true, errors: [] });
    expect(subjects(r)).toEqual(["transfer:Citizen.name:public-security>civil-affairs"]);
    expect([r.status, r.body.code]).toEqual([409, "APPROVAL_REQUIRED"]);
  });
});
