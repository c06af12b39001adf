/**
 * A department that misbehaves — gone, frozen, answering 5xx, garbage or too much — never takes the gateway
 * or the other departments down: every response is HTTP 200 with the other departments' data and an error
 * of a registered code naming the department; a frozen one opens its circuit breaker (requests then fail
 * fast) and full answers return within seconds of it answering again. Real gateway, real departments, and
 * a real HTTP server in front of civil affairs (tests/helpers/fake-department.ts), all on loopback.
 */
import { startSystem, type GqlResponse, type System } from "../helpers/system";
import { startFakeDepartment, type FakeDepartment } from "../helpers/fake-department";
import { expectClean } from "../helpers/expect";
import { until } from "../helpers/wait";
import { isRegisteredCode } from "../../gateway/src/errors";

const DEPT = "civil-affairs";
/** name: public security (the root field); maritalStatus: civil affairs (an entity fetch). */
const Q = `{ citizen(id: "P00000001") { name maritalStatus } }`;
const TIMEOUT_MS = 1000;
const COOLDOWN_MS = 2000;

let sys: System;
let fake: FakeDepartment;

beforeAll(async () => {
  fake = await startFakeDepartment({ kind: "proxy" });
  sys = await startSystem({
    citizens: 3000,
    subgraphUrls: { [DEPT]: fake.url },
    gateway: { subgraphTimeouts: { [DEPT]: TIMEOUT_MS }, breaker: { failures: 3, cooldownMs: COOLDOWN_MS } },
  });
  fake.target = sys.subgraphs[DEPT].url;
}, 180_000);
afterAll(async () => {
  await sys?.stop();
  await fake?.close();
});

const codes = (res: GqlResponse) => (res.body.errors ?? []).map((e) => e.extensions?.code);

/** A partial result: HTTP 200, public security's name served, civil affairs' field null with `code` naming it, nothing internal. */
function expectPartial(res: GqlResponse, code: string) {
  expect(res.status).toBe(200);
  expect(typeof res.body.data?.citizen?.name).toBe("string");
  expect(res.body.data?.citizen?.maritalStatus).toBeNull();
  const err = (res.body.errors ?? []).find((e) => e.extensions?.code === code);
  expect({ codes: codes(res), err: !!err }).toEqual({ codes: expect.arrayContaining([code]), err: true });
  expect(err!.extensions?.serviceName).toBe(DEPT);
  expect(err!.message).toMatch(new RegExp(DEPT));
  expectClean(res.body);
  expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|10\.0\.0\.5|<html|localhost|response":|stack/i);
}

/** Every response well-formed: HTTP 200, JSON with data, every error code registered. */
function expectWellFormed(res: GqlResponse) {
  expect(res.status).toBe(200);
  expect(res.body.data).toBeDefined();
  for (const c of codes(res)) expect(isRegisteredCode(c)).toBe(true);
  expectClean(res.body);
}

const isFull = (res: GqlResponse) => res.status === 200 && !res.body.errors && typeof res.body.data?.citizen?.name === "string";

/**
 * Back to a healthy department, and wait for full answers (the breaker closed). Polls every 25 ms (at most
 * 40 requests a second): the test's caller is held to the gateway's rate limit (50 a second, bursts of 100)
 * like any other, and polling as fast as fast departments answer would be refused with RATE_LIMITED.
 */
async function recover(withinMs = 10_000): Promise<number> {
  fake.mode = { kind: "proxy" };
  const t0 = Date.now();
  await until(async () => isFull(await sys.gql(Q)), "full answers again", withinMs, 25);
  return Date.now() - t0;
}

async function timed(query = Q): Promise<{ res: GqlResponse; ms: number }> {
  const t0 = performance.now();
  const res = await sys.gql(query);
  return { res, ms: performance.now() - t0 };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

describe("a healthy department behind the fake", () => {
  it("answers in full, and the department gets and logs the gateway's request id", async () => {
    const res = await sys.gql(Q);
    expect(isFull(res)).toBe(true);
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const seen = fake.received.filter((r) => r.requestId === id);
    expect(seen.length).toBeGreaterThan(0);
    // The department took it as its own request id (it logs under it, and sends it back).
    expect(seen[0].departmentRequestId).toBe(id);
  });
});

describe("a department that is gone (connection refused)", () => {
  afterEach(async () => {
    await fake.revive();
    await recover();
  });

  it("gives partial results naming it under load, and full answers within 5 s of it listening again", async () => {
    await fake.kill();
    const first = await sys.gql(Q);
    expectPartial(first, "SUBGRAPH_UNAVAILABLE");
    // Under load: 5 rounds of 8 at once, every response well-formed, public security still answering.
    for (let round = 0; round < 5; round++) {
      const all = await Promise.all(Array.from({ length: 8 }, () => sys.gql(Q)));
      for (const res of all) {
        expectWellFormed(res);
        expect(typeof res.body.data?.citizen?.name).toBe("string");
        expect(codes(res).some((c) => c === "SUBGRAPH_UNAVAILABLE" || c === "SUBGRAPH_CIRCUIT_OPEN")).toBe(true);
      }
    }
    await fake.revive();
    expect(await recover(5000)).toBeLessThan(5000);
  }, 60_000);
});

describe("what a civil-affairs outage nulls (README: the root fields and links, by department)", () => {
  afterEach(async () => {
    await fake.revive();
    await recover();
  });

  /** Civil affairs' root list, and its Community / Grid reached through three other departments' links. */
  const SHAPES = `{
    communities { id name }
    buildings(first: 2) { edges { node { id name community { id name } grid { id name } } } }
    elders(first: 2) { edges { node { status community { id name } grid { id name } } } }
    citizen(id: "P00000001") { name household { id community { id name } } }
  }`;

  it.each([
    ["gone", () => fake.kill()],
    ["answering HTTP 503", () => void (fake.mode = { kind: "status", status: 503 })],
    ["answering garbage", () => void (fake.mode = { kind: "body", body: "<html>down</html>", contentType: "text/html" })],
  ])("%s: only civil affairs' root list and links are null; every other department's objects are served", async (_label, fail) => {
    const healthy = await sys.gql(SHAPES);
    expect(healthy.body.errors).toBeUndefined();
    await fail();
    const res = await sys.gql(SHAPES);
    expectWellFormed(res);
    const d = res.body.data!;
    // The root list civil affairs owns is null, not the whole `data`.
    expect(d.communities).toBeNull();
    // Property management's buildings, elderly care's elders and public security's citizen are all served;
    // only the links into civil affairs are null.
    const buildings = d.buildings.edges.map((e: any) => e.node);
    const elders = d.elders.edges.map((e: any) => e.node);
    expect(buildings.map((b: any) => b.id)).toEqual(healthy.body.data!.buildings.edges.map((e: any) => e.node.id));
    expect(buildings.every((b: any) => typeof b.name === "string" && b.community === null && b.grid === null)).toBe(true);
    expect(elders).toHaveLength(healthy.body.data!.elders.edges.length);
    expect(elders.every((e: any) => typeof e.status === "string" && e.community === null && e.grid === null)).toBe(true);
    expect(typeof d.citizen.name).toBe("string");
    expect(d.citizen.household).toMatchObject({ id: healthy.body.data!.citizen.household.id, community: null });
    // Each error names civil affairs with a registered outage code.
    expect(res.body.errors!.length).toBeGreaterThan(0);
    for (const e of res.body.errors!) {
      expect(["SUBGRAPH_UNAVAILABLE", "SUBGRAPH_BAD_RESPONSE", "SUBGRAPH_CIRCUIT_OPEN"]).toContain(e.extensions?.code);
      expect(e.extensions?.serviceName).toBe(DEPT);
    }
  });
});

describe("a department answering HTTP errors", () => {
  afterEach(() => recover());

  it.each([503, 500, 502])("retries a query after HTTP %i, then gives a partial result naming it", async (status) => {
    fake.mode = { kind: "status", status };
    const before = fake.received.length;
    const res = await sys.gql(Q);
    expectPartial(res, "SUBGRAPH_UNAVAILABLE");
    // One fetch of civil affairs: the first attempt and SUBGRAPH_RETRIES (2) more.
    expect(fake.received.length - before).toBe(3);
  });

  it("does not retry an HTTP 4xx (the request was refused, not lost): SUBGRAPH_BAD_RESPONSE", async () => {
    fake.mode = { kind: "status", status: 404 };
    const before = fake.received.length;
    const res = await sys.gql(Q);
    expectPartial(res, "SUBGRAPH_BAD_RESPONSE");
    expect(fake.received.length - before).toBe(1);
  });
});

describe("a department answering garbage", () => {
  afterEach(() => recover());

  it.each([
    ["an HTML page", "<html><body>Bad gateway at http://10.0.0.5/</body></html>", "text/html"],
    ["truncated JSON", '{"data":{"_entities":[{"__typename":"Citizen","maritalS', "application/json"],
    ["an empty body", "", "application/json"],
    ["a JSON list", "[1,2,3]", "application/json"],
    ["a JSON string", '"ok"', "application/json"],
    ["errors that are not a list", '{"data":null,"errors":{"message":"boom"}}', "application/json"],
    ["errors that are a string", '{"errors":"boom"}', "application/json"],
    ["data that is a list", '{"data":[]}', "application/json"],
    ["_entities that is not a list", '{"data":{"_entities":{"0":{"__typename":"Citizen"}}}}', "application/json"],
    ["_entities of the wrong length", '{"data":{"_entities":[]}}', "application/json"],
    ["_entities a string", '{"data":{"_entities":"nope"}}', "application/json"],
  ])("%s → a partial result with SUBGRAPH_BAD_RESPONSE, never HTTP 500", async (_label, body, contentType) => {
    fake.mode = { kind: "body", body, contentType };
    expectPartial(await sys.gql(Q), "SUBGRAPH_BAD_RESPONSE");
  });

  it.each([
    ["error entries of every wrong shape", '{"data":{"_entities":[{"__typename":"Citizen","maritalStatus":"MARRIED"}]},"errors":[42,null,"x",{"message":5},{"message":"m","extensions":[1],"path":"nope"},{"message":"m","extensions":{"code":7},"path":[{"a":1}]}]}'],
    ["an entity of the wrong type", '{"data":{"_entities":[{"__typename":"Citizen","maritalStatus":{"deep":[1,2]}}]}}'],
    ["an entity that is a number", '{"data":{"_entities":[7]}}'],
    ["an entity of another type", '{"data":{"_entities":[{"__typename":"Grid","id":"G-0101"}]}}'],
    ["extensions that are not an object", '{"data":{"_entities":[null]},"extensions":"x"}'],
  ])("%s → HTTP 200, the other departments' data served, only registered codes", async (_label, body) => {
    fake.mode = { kind: "body", body };
    const res = await sys.gql(Q);
    expectWellFormed(res);
    expect(typeof res.body.data?.citizen?.name).toBe("string");
  });

  it("a root field's answer of the wrong shape → HTTP 200, the other root fields served", async () => {
    fake.mode = { kind: "body", body: '{"data":{"community":"not an object"}}' };
    const res = await sys.gql(`{ citizen(id: "P00000001") { name } community(id: "C-01") { name } }`);
    expectWellFormed(res);
    expect(typeof res.body.data?.citizen?.name).toBe("string");
    expect(res.body.data?.community ?? null).toBeNull();
  });
});

describe("a department answering too much", () => {
  afterEach(() => recover());

  it.each([
    ["declared in content-length", true],
    ["chunked, counted while it arrives", false],
  ])("an answer over SUBGRAPH_MAX_RESPONSE_BYTES (%s) → SUBGRAPH_RESPONSE_TOO_LARGE", async (_label, declared) => {
    fake.mode = { kind: "oversize", bytes: 12 * 1024 * 1024, declared: declared as boolean };
    expectPartial(await sys.gql(Q), "SUBGRAPH_RESPONSE_TOO_LARGE");
  });
});

describe("a frozen department (never answers)", () => {
  afterEach(() => recover());

  it("times out, opens its breaker (then fails fast: p95 < 1 s), and closes within 5 s of answering again", async () => {
    fake.mode = { kind: "freeze" };
    // The first requests wait for the department's deadline (1 s here), then time out.
    for (let i = 0; i < 3; i++) {
      const { res, ms } = await timed();
      expectPartial(res, "SUBGRAPH_TIMEOUT");
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    }
    // Three failures in a row: the breaker is open. Requests fail fast without reaching the department.
    const before = fake.received.length;
    const latencies: number[] = [];
    const openedAt = Date.now();
    while (latencies.length < 20 && Date.now() - openedAt < COOLDOWN_MS * 0.75) {
      const { res, ms } = await timed();
      expectPartial(res, "SUBGRAPH_CIRCUIT_OPEN");
      latencies.push(ms);
    }
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(p95(latencies)).toBeLessThan(1000);
    expect(fake.received.length - before).toBe(0);
    // After the cool-down one request probes the (still frozen) department, times out, and the breaker reopens.
    await new Promise((r) => setTimeout(r, COOLDOWN_MS));
    // (Four different citizens: identical requests would share one fetch.)
    const probes = await Promise.all([1, 2, 3, 4].map((i) => sys.gql(`{ citizen(id: "P0000000${i}") { name maritalStatus } }`)));
    for (const res of probes) expectWellFormed(res);
    expect(probes.map((r) => codes(r).find((c) => c === "SUBGRAPH_TIMEOUT" || c === "SUBGRAPH_CIRCUIT_OPEN")).sort()).toEqual(["SUBGRAPH_CIRCUIT_OPEN", "SUBGRAPH_CIRCUIT_OPEN", "SUBGRAPH_CIRCUIT_OPEN", "SUBGRAPH_TIMEOUT"]);
    expect(fake.received.length - before).toBe(1);
    // The department answers again: full answers within 5 s (one cool-down, then a successful probe).
    expect(await recover(5000)).toBeLessThan(5000);
    const after = await sys.gql(Q);
    expect(isFull(after)).toBe(true);
  }, 60_000);
});
