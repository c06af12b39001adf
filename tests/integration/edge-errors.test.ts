/**
 * Every input the edge cannot validate gets a registered code, never a 500, and no path leaves the
 * operation undecided: operation selection, persisted queries, the Host header, text that is not clean
 * Unicode, cursors, denied fields in every query shape, the work done per request, request ids, purposes.
 * Real HTTP against a running system.
 */
import { createHash } from "node:crypto";
import { startSystem, post, type System, type GqlResponse } from "../helpers/system";
import { head, rawRequest } from "../helpers/raw-http";
import { ERROR_CODES } from "../../gateway/src/errors";

let sys: System;
let steward: Record<string, string>;
let worker: Record<string, string>; // grid worker of G-0101, statistics: personal masked, sensitive denied
let staff: Record<string, string>; // property staff of the resident's building, fee collection: personal allowed, sensitive denied
let resident: { citizenId: string; idNumber: string; name: string };
beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
  steward = await sys.as({ role: "data-steward" }, "data-quality");
  worker = await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "statistics");
  const ps = sys.subgraphs["public-security"].db.prisma as any;
  resident = await ps.person.findFirst({ where: { gridId: "G-0101", status: "REGISTERED" }, orderBy: { citizenId: "asc" } });
  staff = await sys.as({ role: "property-staff", buildings: [(resident as unknown as { buildingId: string }).buildingId] }, "fee-collection");
}, 180_000);
afterAll(() => sys?.stop());

const port = () => Number(new URL(sys.gatewayUrl).port);
const codes = (res: GqlResponse) => (res.body.errors ?? []).map((e) => e.extensions?.code);
/** A registered code with its registry status, no stack, no internals. */
function expectRefused(res: GqlResponse, code: string) {
  expect({ status: res.status, codes: codes(res) }).toEqual({ status: ERROR_CODES[code as keyof typeof ERROR_CODES].status, codes: [code] });
  expect(JSON.stringify(res.body)).not.toMatch(/stack|node_modules|\.ts:\d+|_entities|_cg_/);
}

describe("operation selection: refused unless exactly one query is chosen", () => {
  it.each([
    ["an empty operationName", { query: "{ communities { id } }", operationName: "" }],
    ["an unknown operationName", { query: "query A { communities { id } }", operationName: "B" }],
    ["operationName with a NUL byte", { query: "query A { communities { id } }", operationName: "A\u0000" }],
    ["operationName with odd bytes", { query: "query A { communities { id } }", operationName: "A\ud800\u202e" }],
    ["two anonymous operations", { query: "{ communities { id } } { communities { name } }" }],
    ["two named operations and no name", { query: "query A { communities { id } } query B { communities { name } }" }],
    ["a mutation", { query: "mutation { x }" }],
    ["a subscription", { query: "subscription S { x }" }],
  ])("%s → OPERATION_RESOLUTION_FAILURE or a validation error, never 500", async (_label, body) => {
    const res = await post(sys.gatewayUrl, body, steward);
    expect(res.status).toBe(400);
    expect(codes(res).length).toBeGreaterThan(0);
    for (const c of codes(res)) expect(c).toMatch(/^(OPERATION_RESOLUTION_FAILURE|GRAPHQL_VALIDATION_FAILED|BAD_REQUEST)$/);
  });

  it("does not skip the cost limit when operationName is empty (the limit applies to what runs)", async () => {
    // About 17 million by the cost formula: a page of 1,000 elders, each with 1,000 service orders.
    const costly = `query { priorityElders(first: 1000) { edges { node { citizen { serviceOrders(first: 1000) { id type } } } } } }`;
    for (const operationName of ["", undefined, null]) {
      const res = await post(sys.gatewayUrl, { query: costly, operationName, variables: {} }, steward);
      expect(res.status).toBe(400);
      expect(codes(res)).toEqual([operationName === "" ? "OPERATION_RESOLUTION_FAILURE" : "QUERY_TOO_COMPLEX"]);
    }
  });

  it("runs the operation operationName names when there are several", async () => {
    const res = await post(sys.gatewayUrl, { query: "query A { communities { id } } query B { communities { name } }", operationName: "B" }, steward);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data!.communities[0])).toEqual(["name"]);
  });
});

describe("automatic persisted queries are off (their cache would be shared by all callers)", () => {
  const query = "{ communities { id } }";
  const sha = createHash("sha256").update(query).digest("hex");
  it.each([
    ["a hash with its query", { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha } } }],
    ["a hash alone", { extensions: { persistedQuery: { version: 1, sha256Hash: sha } } }],
    ["a hash that does not match", { query, extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }],
    ["version 2", { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha } } }],
    ["a persistedQuery that is a string", { extensions: { persistedQuery: "x" } }],
    ["a persistedQuery that is a list", { extensions: { persistedQuery: [1] } }],
  ])("%s → PERSISTED_QUERY_NOT_SUPPORTED", async (_label, body) => {
    expectRefused(await post(sys.gatewayUrl, body, steward), "PERSISTED_QUERY_NOT_SUPPORTED");
  });

  it("refuses the extension in a GET query string too", async () => {
    const url = `${sys.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha } }))}`;
    const res = await fetch(url, { headers: { ...steward, "apollo-require-preflight": "1" } });
    expect([res.status, ((await res.json()) as any).errors[0].extensions.code]).toEqual([400, "PERSISTED_QUERY_NOT_SUPPORTED"]);
  });
});

describe("the Host header", () => {
  const body = JSON.stringify({ query: "{ communities { id } }" });
  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["with a space", "a b"],
    ["with a path", "example.org/x"],
    ["with userinfo", "user@example.org"],
    ["with a bad port", "example.org:http"],
    ["over-long", "a".repeat(300)],
    ["a malformed IPv6 address", "[1::2::3]"],
    ["IPv4 in brackets", "[1.2.3.4]"],
    ["an empty bracket", "[]"],
    ["an out-of-range IPv4", "300.1.1.1"],
    ["an out-of-range port", "example.org:70000"],
    ["an IPv6 with too many groups", "[1:2:3:4:5:6:7:8:9]"],
    ["an IPv6 zone id", "[fe80::1%eth0]"],
    ["an encoded IPv6 zone id with a port", "[::1%25]:4000"],
  ])("%s → 400 BAD_REQUEST before authentication", async (_label, host) => {
    const lines = ["POST /graphql HTTP/1.1", ...(host === undefined ? [] : [`host: ${host}`]), "connection: close", "content-type: application/json", `content-length: ${Buffer.byteLength(body)}`];
    const res = await rawRequest(port(), lines.join("\n"), body);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("refuses two Host headers", async () => {
    const res = await rawRequest(port(), ["POST /graphql HTTP/1.1", "host: a.example", "host: b.example", "connection: close", "content-type: application/json", `content-length: ${Buffer.byteLength(body)}`, `authorization: ${steward.authorization}`].join("\n"), body);
    expect([res.status, res.json?.errors?.[0]?.extensions?.code]).toEqual([400, "BAD_REQUEST"]);
  });

  it.each(["127.0.0.1", "localhost:4000", "[::1]:4000", "gateway.example.org"])("accepts %s", async (host) => {
    const res = await rawRequest(port(), head("POST /graphql HTTP/1.1", { host, "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: steward.authorization }), body);
    expect(res.status).toBe(200);
  });
});

describe("requests Node's HTTP parser cannot read get a registered code", () => {
  it.each([
    ["a control byte in a header", "POST /graphql HTTP/1.1\nhost: x\nx-bad: a\u0001b\nconnection: close\ncontent-length: 0", 400, "BAD_REQUEST"],
    ["Content-Length with Transfer-Encoding", "POST /graphql HTTP/1.1\nhost: x\ncontent-length: 5\ntransfer-encoding: chunked\nconnection: close", 400, "BAD_REQUEST"],
    ["a garbage request line", "HELLO\nhost: x", 400, "BAD_REQUEST"],
    ["a 40 KB header", `GET /graphql HTTP/1.1\nhost: x\nx-big: ${"a".repeat(40_000)}\nconnection: close`, 431, "REQUEST_HEADERS_TOO_LARGE"],
    ["an Expect header other than 100-continue", "POST /graphql HTTP/1.1\nhost: x\nexpect: 200-ok\nconnection: close\ncontent-length: 0", 417, "EXPECTATION_FAILED"],
  ])("%s", async (_label, request, status, code) => {
    const res = await rawRequest(port(), request);
    expect([res.status, res.json?.errors?.[0]?.extensions?.code]).toEqual([status, code]);
  });
});

describe("a browser's GET /graphql", () => {
  it("gets no landing page and nothing that loads from outside hosts", async () => {
    const res = await rawRequest(port(), head("GET /graphql HTTP/1.1", { accept: "text/html", authorization: steward.authorization }));
    expect(res.headers["content-type"] ?? "").not.toMatch(/html/);
    expect(res.body).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    expect(res.status).toBe(400);
  });

  it("gets 401 without a token, and an unknown path gets NOT_FOUND", async () => {
    expect((await rawRequest(port(), head("GET /graphql HTTP/1.1", { accept: "text/html" }))).status).toBe(401);
    const nf = await rawRequest(port(), head("GET /admin HTTP/1.1"));
    expect([nf.status, nf.json.errors[0].extensions.code]).toEqual([404, "NOT_FOUND"]);
  });
});

describe("text that is not clean Unicode", () => {
  it.each([
    ["a NUL byte in a variable", `query($id: ID!) { grid(id: $id) { id } }`, { id: "G-01\u000001" }],
    ["a lone high surrogate in a variable", `query($id: ID!) { grid(id: $id) { id } }`, { id: "G-\ud800" }],
    ["a lone low surrogate in a variable", `query($id: ID!) { citizen(id: $id) { id } }`, { id: "\udc00P1" }],
    ["a NUL byte nested in an input object", `query($f: ElderFilter) { priorityElders(filter: $f) { totalCount } }`, { f: { gridId: "G\u0000" } }],
    ["a NUL byte in a list", `query($c: [PriorityCategory!]) { priorityElders(filter: { categories: $c }) { totalCount } }`, { c: ["AGED_80_PLUS\u0000"] }],
    ["a NUL byte in a cursor", `query($a: String) { buildings(after: $a) { totalCount } }`, { a: "abc\u0000" }],
    ["a NUL escape in a literal", `{ grid(id: "G-01\\u000001") { id } }`, {}],
    ["a lone surrogate escape in a literal", `{ grid(id: "G-\\ud800") { id } }`, {}, "GRAPHQL_PARSE_FAILED"],
    ["a lone surrogate in an ID-number lookup", `query($n: String!) { citizenByIdNumber(idNumber: $n) { id } }`, { n: "11010519\ud8004" }],
  ])("%s → 400 BAD_USER_INPUT at the edge", async (_label, query, variables, code = "BAD_USER_INPUT") => {
    const res = await post(sys.gatewayUrl, { query, variables }, steward);
    expectRefused(res, code);
  });

  it("round-trips Chinese text and characters beyond the BMP exactly", async () => {
    const res = await post(sys.gatewayUrl, { query: `query($id: ID!) { grid(id: $id) { id } }`, variables: { id: "网格𠀀" } }, steward);
    expect(res.status).toBe(200);
    expect(res.body.data!.grid).toBeNull();
  });
});

describe("cursors", () => {
  it.each([
    ["garbage", "not-a-cursor"],
    ["a readable old-format cursor", Buffer.from(JSON.stringify(["grid:G-0101", "B-01-001"])).toString("base64url")],
    ["a non-numeric access-log key in the old format", Buffer.from(JSON.stringify(["accessLog", "x"])).toString("base64url")],
    ["a NUL key in the old format", Buffer.from(JSON.stringify(["buildings", "\u0000"])).toString("base64url")],
  ])("%s → INVALID_CURSOR with the client's path, on every list", async (_label, after) => {
    const lists: [string, string[]][] = [
      [`query($a: String) { buildings(after: $a) { totalCount } }`, ["buildings"]],
      [`query($a: String) { grid(id: "G-0101") { buildings(after: $a) { totalCount } } }`, ["grid", "buildings"]],
      [`query($a: String) { priorityElders(after: $a) { totalCount } }`, ["priorityElders"]],
      [`query($a: String) { citizensByStatus(status: DECEASED, after: $a) { totalCount } }`, ["citizensByStatus"]],
      [`query($a: String) { findings(after: $a) { totalCount } }`, ["findings"]],
    ];
    const ca = sys.subgraphs["civil-affairs"].db.prisma as any;
    const officer = await sys.as({ role: "community-officer", communities: (await ca.community.findMany({ select: { id: true } })).map((c: any) => c.id) }, "subsidy-review");
    for (const [query, path] of lists) {
      const res = await post(sys.gatewayUrl, { query, variables: { a: after } }, officer);
      const err = (res.body.errors ?? []).find((e) => e.extensions?.code === "INVALID_CURSOR");
      expect([query, err?.path]).toEqual([query, path]);
      expect(JSON.stringify(res.body)).not.toMatch(/_entities|INTERNAL_SERVER_ERROR/);
    }
    const auditor = await sys.as({ role: "auditor" }, "audit");
    const log = await post(sys.gatewayUrl, { query: `query($a: String) { accessLog(after: $a) { totalCount } }`, variables: { a: after } }, auditor);
    expect(codes(log)).toEqual(["INVALID_CURSOR"]);
  });

  it("refuses one list's cursor on another list", async () => {
    const page = await post(sys.gatewayUrl, { query: `{ grid(id: "G-0101") { buildings(first: 1) { pageInfo { endCursor } } } }` }, steward);
    const cursor = page.body.data!.grid.buildings.pageInfo.endCursor;
    const other = await post(sys.gatewayUrl, { query: `query($a: String) { grid(id: "G-0102") { buildings(after: $a) { totalCount } } }`, variables: { a: cursor } }, steward);
    expect(codes(other)).toEqual(["INVALID_CURSOR"]);
  });
});

describe("a denied field in every query shape: nulled, the rest served, never a 500", () => {
  const variants: [string, string, (d: any) => unknown][] = [
    ["the only selection", `query($id: ID!) { citizen(id: $id) { idNumber } }`, (d) => d.citizen],
    ["inside a named fragment", `query($id: ID!) { citizen(id: $id) { ...F } } fragment F on Citizen { name idNumber }`, (d) => d.citizen],
    ["the only selection of a named fragment", `query($id: ID!) { citizen(id: $id) { ...F } } fragment F on Citizen { idNumber }`, (d) => d.citizen],
    ["inside an inline fragment", `query($id: ID!) { citizen(id: $id) { ... on Citizen { idNumber } name } }`, (d) => d.citizen],
    ["the only selection of an inline fragment", `query($id: ID!) { citizen(id: $id) { ... on Citizen { idNumber } } }`, (d) => d.citizen],
    ["under @include(if: true)", `query($id: ID!, $x: Boolean = true) { citizen(id: $id) { name idNumber @include(if: $x) } }`, (d) => d.citizen],
    ["the only selection, under @include", `query($id: ID!, $x: Boolean = true) { citizen(id: $id) { idNumber @include(if: $x) } }`, (d) => d.citizen],
    ["in a fragment under @skip(if: false)", `query($id: ID!) { citizen(id: $id) { ... @skip(if: false) { idNumber } } }`, (d) => d.citizen],
    ["in a fragment spread twice", `query($id: ID!) { a: citizen(id: $id) { ...F } b: citizen(id: $id) { ...F } } fragment F on Citizen { idNumber }`, (d) => d.a],
    ["aliased", `query($id: ID!) { citizen(id: $id) { n: idNumber } }`, (d) => d.citizen],
    ["deep in a list", `query($id: ID!) { citizen(id: $id) { household { members { citizen { idNumber } } } } }`, (d) => d.citizen],
  ];
  it.each(variants)("%s", async (_label, query, parent) => {
    const res = await post(sys.gatewayUrl, { query, variables: { id: resident.citizenId } }, staff);
    expect(res.status).toBe(200);
    expect(codes(res).every((c) => c === "UNAUTHORIZED_FIELD_OR_TYPE")).toBe(true);
    expect(codes(res).length).toBeGreaterThan(0);
    expect(res.body.data).toBeTruthy();
    // The parent is present (an object, not a missing key), and no ID number anywhere.
    expect(parent(res.body.data)).not.toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(resident.idNumber);
    expect(JSON.stringify(res.body)).not.toContain("_cg_");
  });

  it("keeps the parent object when its only selection is denied", async () => {
    const res = await post(sys.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { idNumber } }`, variables: { id: resident.citizenId } }, staff);
    expect(res.body.data).toEqual({ citizen: { idNumber: null } });
  });

  it("nulls a denied root field and serves its siblings", async () => {
    const res = await post(sys.gatewayUrl, { query: `{ communities { id } findings { totalCount } }` }, worker);
    expect(res.body.data!.findings).toBeNull();
    expect(res.body.data!.communities.length).toBeGreaterThan(0);
  });
});

describe("work per request is bounded before execution", () => {
  it("reports at most 5 variable errors for 20,000 invalid enum values", async () => {
    const c = Array.from({ length: 20_000 }, (_, i) => `BAD${i}`);
    const res = await post(sys.gatewayUrl, { query: `query($c: [PriorityCategory!]) { priorityElders(filter: { categories: $c }) { totalCount } }`, variables: { c } }, steward);
    expectRefused(res, "BAD_USER_INPUT");
    expect(new Set(res.body.errors![0].message.match(/BAD\d+/g)).size).toBeLessThanOrEqual(5);
    expect(JSON.stringify(res.body).length).toBeLessThan(4000);
  });

  it("counts lists without paging arguments: lists of lists nested a few levels deep are too complex", async () => {
    const nested = "citizen { name household { members { citizen { name household { members { citizen { name household { members { citizen { name } } } } } } } } } }";
    const res = await post(sys.gatewayUrl, { query: `{ a: elders(first: 1000) { edges { node { ${nested} } } } }` }, steward);
    expect([res.status, codes(res)]).toEqual([400, ["QUERY_TOO_COMPLEX"]]);
  });

  it("refuses a fragment that expands exponentially (fragment bomb)", async () => {
    const frags = ["fragment F0 on Citizen { id }"];
    for (let i = 1; i <= 12; i++) frags.push(`fragment F${i} on Citizen { ...F${i - 1} ...F${i - 1} ...F${i - 1} }`);
    const res = await post(sys.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { ...F12 } } ${frags.join(" ")}`, variables: { id: resident.citizenId } }, steward);
    expect(res.status).toBe(400);
    expect(codes(res)[0]).toMatch(/QUERY_TOO_DEEP|QUERY_TOO_COMPLEX|TOO_MANY_TOKENS/);
  });
});

describe("identity and purpose details", () => {
  it.each(["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"])("refuses the purpose %p as UNKNOWN_PURPOSE", async (purpose) => {
    const res = await post(sys.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { name } }`, variables: { id: resident.citizenId } }, { ...worker, "x-purpose": purpose });
    expectRefused(res, "UNKNOWN_PURPOSE");
  });

  it("refuses a repeated x-purpose header", async () => {
    const res = await rawRequest(port(), head("POST /graphql HTTP/1.1", { "content-type": "application/json", authorization: worker.authorization, "x-purpose": "welfare-check", "X-Purpose": "statistics", "content-length": 60 }), JSON.stringify({ query: `{ citizen(id: "${resident.citizenId}") { name } }` }).padEnd(60));
    expect(res.json.errors[0].extensions.code).toBe("UNKNOWN_PURPOSE");
  });

  it("gives every request the gateway's own id, echoes it, and keeps a client's id only as its label", async () => {
    const a = await post(sys.gatewayUrl, { query: "{ communities { id } }" }, { ...steward, "x-request-id": "client-1" });
    const b = await post(sys.gatewayUrl, { query: "{ communities { id } }" }, { ...steward, "x-request-id": "client-1" });
    const idA = a.headers.get("x-request-id");
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idA).not.toBe(b.headers.get("x-request-id"));
    const requestId = `req-${Date.now()}`;
    const read = await post(sys.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { name } }`, variables: { id: resident.citizenId } }, { ...(await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check")), "x-request-id": requestId });
    const [rec] = (await sys.audit.query({ citizenId: resident.citizenId, first: 1000 })).records.filter((r) => r.clientRequestId === requestId);
    expect(rec.requestId).toBe(read.headers.get("x-request-id"));
    expect(rec.requestId).not.toBe(requestId);
  });

  it.each([
    ["a subject longer than 200 characters", { sub: "s".repeat(300) }],
    ["an organisation longer than 200 characters", { org: "o".repeat(300) }],
    ["a name with a NUL character", { name: "王\u0000芳" }],
    ["a grid id with a lone surrogate", { grids: ["G-\ud800"] }],
  ])("refuses a token with %s as INVALID_TOKEN (not a server error later)", async (_label, o) => {
    const t = await sys.token({ role: "grid-worker", grids: ["G-0101"], ...(o as object) });
    const res = await post(sys.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { name } }`, variables: { id: resident.citizenId } }, { authorization: `Bearer ${t}`, "x-purpose": "welfare-check" });
    expect([res.status, codes(res)]).toEqual([401, ["INVALID_TOKEN"]]);
  });

  it("ignores a malformed client request id instead of recording it", async () => {
    const read = await post(sys.gatewayUrl, { query: `query($id: ID!) { citizen(id: $id) { name } }`, variables: { id: resident.citizenId } }, { ...(await sys.as({ role: "grid-worker", grids: ["G-0101"] }, "welfare-check")), "x-request-id": "x".repeat(500) });
    const [rec] = (await sys.audit.query({ citizenId: resident.citizenId, first: 1000 })).records.filter((r) => r.requestId === read.headers.get("x-request-id"));
    expect(rec.clientRequestId).toBeNull();
  });
});
