/**
 * Hostile input is rejected with a JSON GraphQL error carrying a stable code, over real HTTP, while every
 * shipped operation still passes: operation limits (depth, aliases, directives, tokens, cost) and HTTP
 * limits (body size, bad JSON, batches, CSRF).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, parse, separateOperations, validate, Kind, type OperationDefinitionNode } from "graphql";
import { startSystem, post, type System, type GqlResponse } from "../helpers/system";
import { operation } from "../helpers/operations";
import { expectClean } from "../helpers/expect";
import { LIMIT_DEFAULTS, createLimitsPlugin } from "../../gateway/src/plugins/limits";
import { costCache, costErrors } from "../../gateway/src/plugins/cost";
import { ERROR_CODES, LIMIT_ERROR_CODES } from "../../gateway/src/errors";

const ROOT = join(__dirname, "../..");
const OPERATIONS_DIR = join(ROOT, "schema/operations");

let sys: System;
let batchSys: System; // the defaults, with batches of up to 3 operations
let gw: { url: string }; // the gateway as shipped (default limits)
let batching: { url: string };
let auth: Record<string, string>;
beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
  batchSys = await startSystem({ citizens: 3000, gateway: { limits: { ...LIMIT_DEFAULTS, maxBatch: 3 } } });
  gw = { url: sys.gatewayUrl };
  batching = { url: batchSys.gatewayUrl };
  auth = await sys.as({ role: "data-steward" }, "data-quality");
}, 180_000);
afterAll(async () => {
  await batchSys?.stop();
  await sys?.stop();
});

const gql = (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => post(gw.url, { query, variables }, headers ?? auth);

async function raw(url: string, init: RequestInit): Promise<GqlResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: GqlResponse["body"];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (HTTP ${res.status}, ${res.headers.get("content-type")}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, headers: res.headers };
}


/** One JSON GraphQL error with this code and status, nothing else. */
function expectRejected(res: GqlResponse, status: number, code: string, message?: RegExp) {
  expect({ status: res.status, codes: (res.body.errors ?? []).map((e) => e.extensions?.code) }).toEqual({ status, codes: [code] });
  expect(res.headers.get("content-type")).toMatch(/json/);
  expect(res.body.data ?? undefined).toBeUndefined();
  expect(Object.keys(res.body.errors![0].extensions!)).toEqual(["code"]);
  if (message) expect(res.body.errors![0].message).toMatch(message);
  expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status).toBe(status);
  expectClean(res.body);
}

const ARMOR_CODES = new Set(Object.keys(LIMIT_ERROR_CODES));

/** Passed the limits and was executed (field errors from the departments would not be limit rejections). */
function expectServed(res: GqlResponse) {
  const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
  expect({ status: res.status, limitCodes: codes.filter((c) => ARMOR_CODES.has(c)) }).toEqual({ status: 200, limitCodes: [] });
  expect(res.body.data).toBeTruthy();
}

/** A valid query nested `depth` fields deep: citizen → household → members → citizen → … */
function deepQuery(depth: number): string {
  const cycle = ["household", "members", "citizen"];
  const leaf: Record<string, string> = { citizen: "id", household: "id", members: "relationToHead" };
  let last = "citizen";
  const path = [`citizen(id: "P00000001")`];
  for (let i = 1; i < depth - 1; i++) path.push((last = cycle[(i - 1) % 3]));
  return `{ ${path.join(" { ")} { ${leaf[last]} ${" }".repeat(path.length)} }`;
}

const HEAVY_PAGE = `edges { node { careLevel citizen { id name subsidies { type monthlyAmount } residences { unit { building { name address } } } visits(first: 20) { visitedAt } } } }`;

describe("shipped operations", () => {
  let variables: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    const ps = sys.subgraphs["public-security"].db.prisma as any;
    const household = await ps.household.findFirst({ orderBy: { id: "asc" } });
    const person = await ps.person.findFirst({ orderBy: { citizenId: "asc" } });
    variables = {
      PersonFile: { id: "P00000001" },
      GridPriorityElders: { gridId: "G-0101" },
      CommunityPriorityElders: { communityId: "C-01" },
      Household: { id: household.id },
      Building: { id: "B-01-001" },
      CrossDepartmentFindings: {},
      PublicSecurityExample: { idNumber: person.idNumber },
      CivilAffairsExample: {},
      ElderlyCareExample: {},
      PropertyManagementExample: { gridId: "G-0101" },
    };
  });

  function shippedOperationNames(): string[] {
    return readdirSync(OPERATIONS_DIR)
      .filter((f) => f.endsWith(".graphql"))
      .flatMap((f) => Object.keys(separateOperations(parse(readFileSync(join(OPERATIONS_DIR, f), "utf8")))))
      .sort();
  }

  it("covers every operation under schema/operations", () => {
    expect(Object.keys(variables).sort()).toEqual(shippedOperationNames());
  });

  /** The gateway serves the operation with no limit error (as a community officer on a subsidy review). */
  async function expectSameAsUnprotected(name: string, vars: Record<string, unknown>) {
    const res = await sys.gql(operation(name), vars);
    expectServed(res);
    expect([name, res.status, (res.body.errors ?? []).map((e) => e.extensions?.code)]).toEqual([name, 200, []]);
  }

  it("serves each one within the default limits, exactly as without the protection", async () => {
    for (const [name, vars] of Object.entries(variables)) await expectSameAsUnprotected(name, vars);
  });

  it("serves each paginated one at the largest page size (first: 1000)", async () => {
    for (const [name, vars] of Object.entries(variables)) {
      if (operation(name).includes("$first")) await expectSameAsUnprotected(name, { ...vars, first: 1000 });
    }
  });

  it("keeps a wide margin: each one passes tighter limits than the defaults", () => {
    const schema = buildSchema(readFileSync(join(ROOT, "schema/supergraph.graphql"), "utf8"));
    const tight = { ...LIMIT_DEFAULTS, maxDepth: 10, maxAliases: 0, maxDirectives: 0 };
    expect(LIMIT_DEFAULTS.maxDepth).toBeGreaterThanOrEqual(tight.maxDepth * 1.5);
    const rules = createLimitsPlugin(tight).validationRules!;
    for (const name of shippedOperationNames()) {
      const doc = parse(operation(name), { maxLexicalTokens: LIMIT_DEFAULTS.maxTokens / 10 });
      expect([name, validate(schema, doc, rules).map((e) => e.message)]).toEqual([name, []]);
      const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      expect([name, costErrors(schema, doc, op, { first: 1000 }, LIMIT_DEFAULTS.maxCost / 2).map((e) => e.message)]).toEqual([name, []]);
    }
  });
});

describe("remembered cost verdicts", () => {
  const schema = buildSchema(readFileSync(join(ROOT, "schema/supergraph.graphql"), "utf8"));
  const doc = parse(`query Q($n: Int) { priorityElders(first: $n) { edges { node { citizen { visits(first: $n) { visitedAt } } } } } }`);
  const op = doc.definitions[0] as OperationDefinitionNode;

  it("keys them by the page size a variable yields, so arbitrary values cannot grow the cache", () => {
    const cost = costCache(LIMIT_DEFAULTS.maxCost);
    for (let i = 0; i < 200; i++) expect(cost(schema, doc, op, { n: `长字符串-${i}-${"x".repeat(1000)}` })).toEqual([]);
    expect(cost(schema, doc, op, { n: 5 })).toEqual([]);
    expect(cost(schema, doc, op, { n: 5.7 })).toEqual([]);
    expect(cost(schema, doc, op, {})).toEqual([]);
    expect(cost.remembered(doc)).toBe(3); // a non-number (the field's default), 5, absent (the variable's default)
  });

  it("never remembers a rejection, and never lets a large page through after a small one", () => {
    const cost = costCache(LIMIT_DEFAULTS.maxCost);
    expect(cost(schema, doc, op, { n: 10 })).toEqual([]);
    expect(cost(schema, doc, op, { n: 1000 }).map((e) => e.extensions.code)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(cost(schema, doc, op, { n: 1000 }).map((e) => e.extensions.code)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(cost.remembered(doc)).toBe(1);
  });
});

describe("operation limits", () => {
  it("rejects a 30-deep query with QUERY_TOO_DEEP and serves one at the limit", async () => {
    expectRejected(await gql(deepQuery(30)), 400, "QUERY_TOO_DEEP", /^Query depth 30 exceeds the limit of 15\.$/);
    expectRejected(await gql(deepQuery(16)), 400, "QUERY_TOO_DEEP", /^Query depth 16 exceeds the limit of 15\.$/);
    expectServed(await gql(deepQuery(15)));
  });

  it("counts depth through fragments", async () => {
    const res = await gql(`query { ...Q } fragment Q on Query { ${deepQuery(20).slice(1, -1)} }`);
    expectRejected(res, 400, "QUERY_TOO_DEEP");
  });

  it("rejects 100 aliases with TOO_MANY_ALIASES and serves 15", async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: communities { id }`).join(" ")} }`;
    expectRejected(await gql(aliases(100)), 400, "TOO_MANY_ALIASES", /^Query uses 100 aliases; the limit is 15\.$/);
    expectServed(await gql(aliases(15)));
  });

  it("rejects too many directives with TOO_MANY_DIRECTIVES", async () => {
    const fields = Array.from({ length: 25 }, () => "id @include(if: true)").join(" ");
    expectRejected(await gql(`{ citizen(id: "P00000001") { ${fields} } }`), 400, "TOO_MANY_DIRECTIVES", /^Query uses 25 directives; the limit is 20\.$/);
  });

  it("rejects an oversized document with TOO_MANY_TOKENS before parsing it all", async () => {
    const res = await gql(`{ citizen(id: "P00000001") { ${"id ".repeat(5000)} } }`);
    expectRejected(res, 400, "TOO_MANY_TOKENS", /^Query exceeds the limit of 2000 tokens\.$/);
  });

  it("rejects nested pages with QUERY_TOO_COMPLEX", async () => {
    const res = await gql(`{ priorityElders(first: 1000) { edges { node { citizen { visits(first: 1000) { visitedAt } } } } } }`);
    expectRejected(res, 400, "QUERY_TOO_COMPLEX", /^Query cost \d+ exceeds the limit of 10000000\.$/);
  });

  it("counts page sizes passed as variables, and their defaults, for every request of the same document", async () => {
    // The verdict is remembered per document and page sizes: a served small page must not let a large one through.
    const q = `query Bomb($n: Int = 1000) { priorityElders(first: $n) { edges { node { citizen { visits(first: $n) { visitedAt } } } } } }`;
    expectServed(await gql(q, { n: 5 }));
    expectRejected(await gql(q, { n: 1000 }), 400, "QUERY_TOO_COMPLEX");
    expectServed(await gql(q, { n: 5 }));
    expectRejected(await gql(q), 400, "QUERY_TOO_COMPLEX");
    expectRejected(await gql(q, { n: 1000 }), 400, "QUERY_TOO_COMPLEX");
    expectServed(await gql(q, { n: null }));
  });

  it("rejects many aliased large pages that pass the alias limit", async () => {
    const pages = Array.from({ length: 12 }, (_, i) => `p${i}: priorityElders(first: 1000) { ${HEAVY_PAGE} }`).join(" ");
    expectRejected(await gql(`{ ${pages} }`), 400, "QUERY_TOO_COMPLEX");
    expectServed(await gql(`{ p0: priorityElders(first: 1000) { ${HEAVY_PAGE} } }`));
  });

  it("leaves an oversized page to the department's INVALID_PAGE_SIZE", async () => {
    const res = await gql(`{ priorityElders(first: 100000) { totalCount } }`);
    expect(res.body.errors?.[0].extensions?.code).toBe("INVALID_PAGE_SIZE");
  });

  it("reports a limit next to ordinary validation errors without hiding them", async () => {
    const res = await gql(deepQuery(20).replace("{ id", "{ salary"));
    const codes = (res.body.errors ?? []).map((e) => e.extensions?.code).sort();
    expect(res.status).toBe(400);
    expect(codes).toEqual(["GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_DEEP"]);
    expectClean(res.body);
  });
});

describe("HTTP limits", () => {
  it("rejects a 2 MB body with 413 PAYLOAD_TOO_LARGE", async () => {
    const body = JSON.stringify({ query: "{ communities { id } }", variables: { pad: "x".repeat(2 * 1024 * 1024) } });
    const res = await raw(gw.url, { method: "POST", headers: { "content-type": "application/json", ...auth }, body });
    expectRejected(res, 413, "PAYLOAD_TOO_LARGE", /^The request body exceeds the limit of 262144 bytes\.$/);
  });

  it("rejects a body that is not JSON with BAD_REQUEST", async () => {
    const res = await raw(gw.url, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: `{"query": "{ communities { id } }"` });
    expectRejected(res, 400, "BAD_REQUEST", /not valid JSON/);
  });

  it("rejects an unsupported content type as JSON", async () => {
    const res = await raw(gw.url, { method: "POST", headers: { "content-type": "application/xml", "apollo-require-preflight": "1", ...auth }, body: "<q/>" });
    expectRejected(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("rejects any batch with BATCHING_DISABLED by default", async () => {
    const one = { query: "{ communities { id } }" };
    expectRejected(await post(gw.url, [one, one], auth), 400, "BATCHING_DISABLED");
    expectRejected(await post(gw.url, [one], auth), 400, "BATCHING_DISABLED");
  });

  it("serves a batch within MAX_BATCH and rejects a larger one with BATCH_TOO_LARGE", async () => {
    const op = (id: string) => ({ query: `query($id: ID!) { citizen(id: $id) { id } }`, variables: { id } });
    const ok = await fetch(batching.url, { method: "POST", headers: { "content-type": "application/json", ...(await batchSys.as({ role: "data-steward" }, "data-quality")) }, body: JSON.stringify([op("P00000001"), op("P00000002"), op("P00000003")]) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { citizen: { id: string } } }[]).map((r) => r.data.citizen.id)).toEqual(["P00000001", "P00000002", "P00000003"]);
    expectRejected(await post(batching.url, [op("P00000001"), op("P00000002"), op("P00000003"), op("P00000004")], await batchSys.as({ role: "data-steward" }, "data-quality")), 400, "BATCH_TOO_LARGE", /^Batch of 4 operations exceeds the limit of 3\.$/);
  });

  it("applies the operation limits to each operation of a batch", async () => {
    const res = await fetch(batching.url, { method: "POST", headers: { "content-type": "application/json", ...(await batchSys.as({ role: "data-steward" }, "data-quality")) }, body: JSON.stringify([{ query: "{ communities { id } }" }, { query: deepQuery(30) }]) });
    const [a, b] = (await res.json()) as GqlResponse["body"][];
    expect(a.errors).toBeUndefined();
    expect(b.errors?.map((e) => e.extensions?.code)).toEqual(["QUERY_TOO_DEEP"]);
  });

  it("rejects a GET without a preflight header with CSRF_BLOCKED and serves it with one", async () => {
    const url = `${gw.url}?query=${encodeURIComponent("{ communities { id } }")}`;
    expectRejected(await raw(url, { method: "GET", headers: auth }), 400, "CSRF_BLOCKED", /apollo-require-preflight/);
    const ok = await raw(url, { method: "GET", headers: { "apollo-require-preflight": "true", ...auth } });
    expectServed(ok);
  });

  it("rejects a simple-content-type POST with CSRF_BLOCKED", async () => {
    const res = await raw(gw.url, { method: "POST", headers: { "content-type": "text/plain", ...auth }, body: JSON.stringify({ query: "{ communities { id } }" }) });
    expectRejected(res, 400, "CSRF_BLOCKED");
  });

  it("checks the token before reading a body: without one, a 2 MB or broken body gets 401", async () => {
    const big = JSON.stringify({ query: "{ communities { id } }", variables: { pad: "x".repeat(2 * 1024 * 1024) } });
    expectRejected(await raw(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: big }), 401, "UNAUTHENTICATED");
    expectRejected(await raw(gw.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" }), 401, "UNAUTHENTICATED");
  });

  it("runs at most MAX_HEAVY_OPERATIONS heavy operations at once; beyond the waiting line, RATE_LIMITED", async () => {
    const tight = await startSystem({ citizens: 3000, gateway: { heavy: { cost: 1, max: 1, waiting: 2 } } });
    try {
      const headers = await tight.as({ role: "data-steward" }, "data-quality");
      const results = await Promise.all(Array.from({ length: 12 }, () => post(tight.gatewayUrl, { query: "{ communities { id name grids { id name } } }" }, headers)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
      const refused = results.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expectRejected(r, 429, "RATE_LIMITED");
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    } finally {
      await tight.stop();
    }
  }, 120_000);

  it("leaves other endpoints alone", async () => {
    const res = await fetch(gw.url.replace(/\/graphql$/, "/health"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", service: "gateway" });
  });
});
