/**
 * Departments accept only the gateway, whatever the spelling of the request: every route but /health needs
 * the gateway's signature over method, target, caller and body; the signature is checked before the body is
 * read; a captured request cannot be replayed. Raw HTTP against each department's own port.
 */
import { mkdtempSync, rmSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { startDepartment, type RunningDepartment } from "../../subgraphs/kit/serve";
import { signRequest } from "../../subgraphs/kit/contract/signing";
import type { ForwardedCaller } from "../../subgraphs/kit/contract/caller";
import { fixtureDir } from "../helpers/fixtures";
import { head, rawRequest } from "../helpers/raw-http";

const secret = "trust-boundary-test-secret-0123456789";
const caller: ForwardedCaller = { sub: "steward", role: "data-steward", org: "x", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: "data-quality" };
const running: RunningDepartment[] = [];
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cg-trust-"));
  cpSync(await fixtureDir(3000), dataDir, { recursive: true });
  for (const mod of SUBGRAPHS) {
    running.push(await startDepartment(mod, { port: 0, dataDir: join(dataDir, mod.name), signingSecret: secret, logLevel: "silent" }));
  }
}, 180_000);
afterAll(async () => {
  await Promise.all(running.map((r) => r.app.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

const portOf = (r: RunningDepartment) => Number(new URL(r.url).port);
const SDL_QUERY = JSON.stringify({ query: "{ _service { sdl } }" });
/** Nothing a department holds: no SDL, no data, no names. */
function expectNothingServed(res: { body: string }) {
  expect(res.body).not.toMatch(/_service|type Citizen|"data":\{|extend schema/);
}

const UNSIGNED_TARGETS: [string, string][] = [
  ["POST", "/graphql"],
  ["POST", "/%67raphql"],
  ["POST", "/graphq%6C"],
  ["POST", "/%2567raphql"],
  ["POST", "/GRAPHQL"],
  ["POST", "/graphql/"],
  ["POST", "//graphql"],
  ["POST", "/graphql?"],
  ["POST", "/graphql#x"],
  ["POST", "/graphql;x=1"],
  ["POST", "/./graphql"],
  ["POST", "/x/../graphql"],
  ["POST", "http://127.0.0.1/graphql"],
  ["POST", "HTTP://127.0.0.1:1/%67raphql"],
  ["GET", "/graphql?query=%7B_service%7Bsdl%7D%7D"],
  ["GET", "/%67raphql?query=%7B_service%7Bsdl%7D%7D"],
  ["GET", "/graphiql"],
  ["OPTIONS", "/graphql"],
  ["HEAD", "/graphql"],
  ["PUT", "/graphql"],
  ["POST", "/no-such-route"],
];

describe.each(SUBGRAPHS.map((m, i) => [m.name, i] as const))("%s", (_name, i) => {
  const dept = () => running[i];

  it.each(UNSIGNED_TARGETS)("refuses an unsigned %s %s with 401 and serves nothing", async (method, target) => {
    const body = method === "GET" || method === "HEAD" || method === "OPTIONS" ? "" : SDL_QUERY;
    const res = await rawRequest(portOf(dept()), head(`${method} ${target} HTTP/1.1`, body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}), body);
    expect(res.status).toBe(401);
    if (method !== "HEAD") expect(res.json?.errors?.[0]?.extensions?.code).toBe("SUBGRAPH_REQUEST_UNSIGNED");
    expectNothingServed(res);
  });

  it("refuses an unsigned 2 MB body with 401 before reading it, and a malformed one likewise", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, "a");
    const res = await rawRequest(portOf(dept()), head("POST /graphql HTTP/1.1", { "content-type": "application/json", "content-length": big.length }), big);
    expect(res.status).toBe(401);
    expect(res.json.errors[0].extensions.code).toBe("SUBGRAPH_REQUEST_UNSIGNED");
    const bad = await rawRequest(portOf(dept()), head("POST /graphql HTTP/1.1", { "content-type": "application/json", "content-length": 5 }), "{oops");
    expect(bad.status).toBe(401);
  });

  it("serves a request signed for exactly its method, target and body, once", async () => {
    const headers = signRequest(secret, { audience: dept().config.department, method: "POST", target: "/graphql", caller, body: SDL_QUERY });
    const ok = await rawRequest(portOf(dept()), head("POST /graphql HTTP/1.1", { "content-type": "application/json", "content-length": Buffer.byteLength(SDL_QUERY), ...headers }), SDL_QUERY);
    expect(ok.status).toBe(200);
    expect(ok.json.data._service.sdl).toContain("Citizen");
    const replay = await rawRequest(portOf(dept()), head("POST /graphql HTTP/1.1", { "content-type": "application/json", "content-length": Buffer.byteLength(SDL_QUERY), ...headers }), SDL_QUERY);
    expect(replay.status).toBe(401);
    expect(replay.json.errors[0].extensions.code).toBe("SUBGRAPH_REQUEST_REPLAYED");
    expectNothingServed(replay);
  });

  it.each([
    ["another spelling of the path", "POST", "/%67raphql", SDL_QUERY],
    ["an absolute-form target", "POST", "http://127.0.0.1/graphql", SDL_QUERY],
    ["a query string", "POST", "/graphql?x=1", SDL_QUERY],
    ["another body", "POST", "/graphql", JSON.stringify({ query: "{ _service { sdl } __typename }" })],
  ])("refuses a request signed for POST /graphql but sent with %s", async (_label, method, target, body) => {
    const headers = signRequest(secret, { audience: dept().config.department, method: "POST", target: "/graphql", caller, body: SDL_QUERY });
    const res = await rawRequest(portOf(dept()), head(`${method} ${target} HTTP/1.1`, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers }), body);
    expect(res.status).toBe(401);
    expect(res.json.errors[0].extensions.code).toBe("SUBGRAPH_REQUEST_INVALID_SIGNATURE");
    expectNothingServed(res);
  });

  it("refuses signed text that is not clean Unicode with BAD_USER_INPUT before any resolver runs", async () => {
    for (const value of ["G-01\u000001", "G-\ud800"]) {
      const body = JSON.stringify({ query: "query($id: ID!) { _entities(representations: [{ __typename: \"Grid\", id: $id }]) { __typename } }", variables: { id: value } });
      const headers = signRequest(secret, { audience: dept().config.department, method: "POST", target: "/graphql", caller, body });
      const res = await rawRequest(portOf(dept()), head("POST /graphql HTTP/1.1", { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers }), body);
      expect(res.status).toBe(400);
      expect(res.json.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    }
  });

  it("refuses a request signed for another department (no cross-department replay)", async () => {
    const other = running[(i + 1) % running.length];
    const headers = signRequest(secret, { audience: other.config.department, method: "POST", target: "/graphql", caller, body: SDL_QUERY });
    const res = await rawRequest(portOf(dept()), head("POST /graphql HTTP/1.1", { "content-type": "application/json", "content-length": Buffer.byteLength(SDL_QUERY), ...headers }), SDL_QUERY);
    expect([res.status, res.json.errors[0].extensions.code]).toEqual([401, "SUBGRAPH_REQUEST_INVALID_SIGNATURE"]);
    expectNothingServed(res);
  });

  it("answers /health without a signature", async () => {
    const res = await rawRequest(portOf(dept()), head("GET /health HTTP/1.1"));
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("ok");
  });
});
