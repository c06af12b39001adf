import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "graphql";
import { DepartmentFetchError, SubgraphClient, type Expectation } from "../../gateway/src/transport/subgraph-client";
import { CircuitBreaker } from "../../gateway/src/transport/circuit-breaker";
import { AnswerBudget } from "../../gateway/src/transport/answer-budget";
import type { FetchEvent } from "../../gateway/src/transport/department-health";
import { until } from "../helpers/wait";

/** A department stand-in over real HTTP: counts requests and holds each answer until released. */
function slowDepartment() {
  const seen: { body: string; caller: string }[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", async () => {
      seen.push({ body, caller: String(req.headers["x-caller"] ?? "") });
      await gate;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ data: { n: seen.length, echo: "张三 朝阳区" } }));
    });
  });
  return {
    seen,
    open: () => {
      gate = new Promise<void>((r) => (release = r));
    },
    release: () => release(),
    listen: () => new Promise<string>((r) => server.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("subgraph client: coalescing identical in-flight queries", () => {
  const dept = slowDepartment();
  let client: SubgraphClient;
  let url: string;
  const headers = (identity: string) => () => ({ "x-caller": identity });
  const query = "query Q__elderly_care__0 { grid { id } }";
  const body = JSON.stringify({ query });

  beforeAll(async () => {
    url = await dept.listen();
    client = new SubgraphClient(url, { timeoutMs: 5000 });
  });
  afterAll(async () => {
    await client.close();
    await dept.close();
  });
  beforeEach(() => {
    dept.seen.length = 0;
    dept.open();
  });

  /** Waits until the department has received `n` requests (they are then held until released). */
  const arrived = (n: number) => until(() => dept.seen.length >= n, `${n} requests at the department`);

  it("sends one request for identical queries of the same caller in flight together, and each gets the answer", async () => {
    const before = client.coalesced;
    const all = Promise.all([1, 2, 3].map(() => client.post(body, query, "caller-A", headers("caller-A"))));
    await arrived(1);
    dept.release();
    const answers = await all;
    expect(dept.seen).toHaveLength(1);
    expect(client.coalesced - before).toBe(2);
    for (const a of answers) expect(JSON.parse(a.text)).toEqual({ data: { n: 1, echo: "张三 朝阳区" } });
  });

  it("never shares an answer between different callers", async () => {
    const all = Promise.all(["caller-A", "caller-B"].map((id) => client.post(body, query, id, headers(id))));
    await arrived(2);
    dept.release();
    await all;
    expect(dept.seen.map((s) => s.caller).sort()).toEqual(["caller-A", "caller-B"]);
  });

  it("sends different bodies separately and never coalesces mutations", async () => {
    const mutation = "mutation M { touch }";
    const all = Promise.all([
      client.post(body, query, "A", headers("A")),
      client.post(JSON.stringify({ query, variables: { x: 1 } }), query, "A", headers("A")),
      client.post(JSON.stringify({ query: mutation }), mutation, "A", headers("A")),
      client.post(JSON.stringify({ query: mutation }), mutation, "A", headers("A")),
    ]);
    await arrived(4);
    dept.release();
    await all;
    expect(dept.seen).toHaveLength(4);
  });

  it("keeps nothing once answered: the same query later is sent again", async () => {
    dept.release();
    await client.post(body, query, "A", headers("A"));
    await client.post(body, query, "A", headers("A"));
    expect(dept.seen).toHaveLength(2);
  });

  it("with coalescing off, sends every request", async () => {
    const off = new SubgraphClient(url, { timeoutMs: 5000, coalesce: false });
    try {
      const all = Promise.all([1, 2].map(() => off.post(body, query, "A", headers("A"))));
      await arrived(2);
      dept.release();
      await all;
      expect(dept.seen).toHaveLength(2);
    } finally {
      await off.close();
    }
  });

  it("opens at most `connections` sockets to a department; the other requests wait for one", async () => {
    const two = new SubgraphClient(url, { timeoutMs: 5000, connections: 2 });
    try {
      const all = Promise.all([1, 2, 3, 4, 5].map((i) => two.post(JSON.stringify({ query, variables: { i } }), query, "A", headers("A"))));
      await arrived(2);
      // Two on the wire, three waiting in the client for a free connection.
      expect(dept.seen).toHaveLength(2);
      expect(two.stats()).toEqual(expect.objectContaining({ running: 2, queued: 3 }));
      dept.release();
      await all;
      expect(dept.seen).toHaveLength(5);
    } finally {
      await two.close();
    }
  });

  it("rejects (and forgets the key) when the department cannot be reached", async () => {
    const dead = new SubgraphClient("http://127.0.0.1:1/graphql", { timeoutMs: 2000 });
    try {
      await expect(dead.post(body, query, "A", headers("A"))).rejects.toThrow();
      await expect(dead.post(body, query, "A", headers("A"))).rejects.toThrow();
    } finally {
      await dead.close();
    }
  });
});

describe("subgraph client: limits on a department's answer", () => {
  let server: Server;
  let url: string;
  const query = "query Q { grid { id } }";
  const body = JSON.stringify({ query });
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/trickle") {
        // Headers at once, then one byte every 100 ms: each gap is short, the whole answer never ends in time.
        res.write("{");
        const t = setInterval(() => res.write(" "), 100);
        timers.push(t);
        res.on("close", () => clearInterval(t));
        return;
      }
      res.end(JSON.stringify({ data: { big: "长".repeat(400_000) } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    timers.forEach(clearInterval);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("gives up on an answer that trickles past the deadline, though every gap is short", async () => {
    const client = new SubgraphClient(`${url}/trickle`, { timeoutMs: 700 });
    try {
      // Without the whole-answer deadline the trickle would never end and this would never settle.
      await expect(client.post(body, query, "A", () => ({}))).rejects.toThrow(/no answer within 700 ms/);
    } finally {
      await client.close();
    }
  });

  it("refuses an answer larger than the limit, and accepts it under a larger one", async () => {
    const small = new SubgraphClient(`${url}/big`, { timeoutMs: 5000, maxResponseBytes: 100_000 });
    const large = new SubgraphClient(`${url}/big`, { timeoutMs: 5000, maxResponseBytes: 10_000_000 });
    try {
      await expect(small.post(body, query, "A", () => ({}))).rejects.toThrow();
      const ok = await large.post(body, query, "A", () => ({}));
      expect((JSON.parse(ok.text) as { data: { big: string } }).data.big).toHaveLength(400_000);
    } finally {
      await small.close();
      await large.close();
    }
  });
});

describe("subgraph client: failures, retries, breaker, budget", () => {
  /** Answers by path: `/s<status>` that status, `/body` `body`, `/big` 100 kB of JSON; counts requests per path. */
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  let body = "{}";
  const query = "query Q { grid { id } }";
  const mutation = "mutation M { touch }";
  const payload = JSON.stringify({ query });
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const path = req.url ?? "";
        hits.set(path, (hits.get(path) ?? 0) + 1);
        const status = /^\/s(\d{3})/.exec(path);
        if (status) return void res.writeHead(Number(status[1]), { "content-type": "text/html" }).end("<html>oops</html>");
        if (path === "/big") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { x: "y".repeat(100_000) } }));
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => hits.clear());

  async function failure(client: SubgraphClient, q = query, expect_?: Expectation): Promise<DepartmentFetchError> {
    try {
      await client.post(q === query ? payload : JSON.stringify({ query: q }), q, "A", () => ({}), expect_);
    } catch (e) {
      expect(e).toBeInstanceOf(DepartmentFetchError);
      return e as DepartmentFetchError;
    }
    throw new Error("expected a failure");
  }

  it("retries a query after HTTP 5xx (twice by default), then fails with http_error; one event per attempt", async () => {
    const events: FetchEvent[] = [];
    const client = new SubgraphClient(`${base}/s503`, { name: "civil-affairs", timeoutMs: 5000, retryBaseMs: 5, onFetch: (e) => events.push(e) });
    try {
      const e = await failure(client);
      expect([e.outcome, e.detail.status, e.detail.attempts, e.subgraph]).toEqual(["http_error", 503, 3, "civil-affairs"]);
      expect(hits.get("/s503")).toBe(3);
      expect(events.map((x) => [x.subgraph, x.outcome, x.attempt])).toEqual([1, 2, 3].map((n) => ["civil-affairs", "http_error", n]));
    } finally {
      await client.close();
    }
  });

  it("never retries a mutation, nor an HTTP 4xx", async () => {
    const client = new SubgraphClient(`${base}/s503`, { timeoutMs: 5000, retryBaseMs: 5 });
    const refused = new SubgraphClient(`${base}/s401`, { timeoutMs: 5000, retryBaseMs: 5 });
    try {
      expect((await failure(client, mutation)).detail.attempts).toBe(1);
      expect(hits.get("/s503")).toBe(1);
      expect((await failure(refused)).detail).toEqual(expect.objectContaining({ status: 401, attempts: 1 }));
      expect(hits.get("/s401")).toBe(1);
    } finally {
      await client.close();
      await refused.close();
    }
  });

  it("retries a refused connection, and not past the deadline", async () => {
    const dead = new SubgraphClient("http://127.0.0.1:1/graphql", { timeoutMs: 5000, retryBaseMs: 5 });
    const short = new SubgraphClient(`${base}/s502`, { timeoutMs: 300, retryBaseMs: 10_000 });
    try {
      const e = await failure(dead);
      expect([e.outcome, e.detail.attempts]).toEqual(["unavailable", 3]);
      // Pauses are drawn at random up to 10 s here: a retry is only made when its pause ends within the
      // deadline, so the fetch never outlasts it.
      const t0 = Date.now();
      expect(["http_error", "timeout"]).toContain((await failure(short)).outcome);
      expect(Date.now() - t0).toBeLessThan(300 + 150);
    } finally {
      await dead.close();
      await short.close();
    }
  });

  it("answers that are not GraphQL responses fail with bad_response (entities counted, shapes checked)", async () => {
    const client = new SubgraphClient(`${base}/body`, { timeoutMs: 5000 });
    try {
      for (const b of ["not json", "[]", '{"errors":{"message":"x"}}', '{"data":[1]}']) {
        body = b;
        expect((await failure(client)).outcome).toBe("bad_response");
      }
      body = '{"data":{"_entities":[{"id":"1"}]}}';
      expect((await failure(client, query, { entities: 2 })).outcome).toBe("bad_response");
      body = '{"data":{"grid":"G-0101"}}';
      expect((await failure(client, query, { document: parse(query) })).message).toMatch(/wrong shape at data\.grid/);
      body = '{"data":{"grid":[{"id":1},null,[{"id":"x"}]]}}';
      const ok = await client.post(payload, query, "A", () => ({}), { document: parse(query) });
      // The first caller gets the parse made to check the answer; any other gets its own copy.
      const first = ok.response();
      const second = ok.response();
      expect(first).toEqual(second);
      expect(first).not.toBe(second);
    } finally {
      await client.close();
    }
  });

  it("an open breaker fails fast without sending; a success after the cool-down closes it", async () => {
    let now = 0;
    const breaker = new CircuitBreaker("civil-affairs", { failureThreshold: 2, cooldownMs: 1000, now: () => now });
    const events: FetchEvent[] = [];
    const failing = new SubgraphClient(`${base}/s500`, { name: "civil-affairs", timeoutMs: 5000, retries: 0, breaker, onFetch: (e) => events.push(e) });
    const healthy = new SubgraphClient(`${base}/body`, { name: "civil-affairs", timeoutMs: 5000, breaker });
    try {
      await failure(failing);
      await failure(failing);
      expect(breaker.snapshot().state).toBe("open");
      const e = await failure(failing);
      expect(e.outcome).toBe("circuit_open");
      expect(hits.get("/s500")).toBe(2);
      expect(events.at(-1)).toEqual(expect.objectContaining({ outcome: "circuit_open", attempt: 0 }));
      now += 1000;
      body = '{"data":{"grid":null}}';
      await healthy.post(payload, query, "A", () => ({}));
      expect(breaker.snapshot()).toEqual({ subgraph: "civil-affairs", state: "closed", failures: 0 });
    } finally {
      await failing.close();
      await healthy.close();
    }
  });

  it("an answer over the in-flight budget fails with too_large and gives its bytes back; it does not count against the breaker", async () => {
    const budget = new AnswerBudget(50_000);
    const breaker = new CircuitBreaker("x", { failureThreshold: 1, cooldownMs: 1000 });
    const client = new SubgraphClient(`${base}/big`, { timeoutMs: 5000, budget, breaker });
    const roomy = new SubgraphClient(`${base}/big`, { timeoutMs: 5000, budget: new AnswerBudget(1_000_000) });
    try {
      const e = await failure(client);
      expect([e.outcome, e.detail.budget]).toEqual(["too_large", true]);
      expect(budget.inFlight).toBe(0);
      expect(breaker.snapshot().state).toBe("closed");
      await roomy.post(payload, query, "A", () => ({}));
    } finally {
      await client.close();
      await roomy.close();
    }
  });

  it("a used answer's bytes stay held by the request until it ends; a copy of a shared answer takes them again or is refused", async () => {
    const budget = new AnswerBudget(250_000); // room for two copies of /big (≈ 100 kB), not three
    const client = new SubgraphClient(`${base}/big`, { timeoutMs: 5000, budget });
    try {
      // Three identical requests in flight together: one fetch, three callers, each with its request's hold.
      const answers = await Promise.all([1, 2, 3].map(() => client.post(payload, query, "A", () => ({}))));
      expect(hits.get("/big")).toBe(1);
      const size = answers[0].size;
      expect(size).toBeGreaterThan(100_000);
      expect(budget.inFlight).toBe(size); // received, not yet used
      const holds = [budget.hold(), budget.hold(), budget.hold()];
      expect(answers[0].response(holds[0]).data).toEqual({ x: "y".repeat(100_000) });
      expect([budget.inFlight, holds[0].held]).toEqual([size, size]); // kept, not taken twice
      answers[1].response(holds[1]);
      expect([budget.inFlight, holds[1].held]).toEqual([2 * size, size]);
      const refused = (() => {
        try {
          answers[2].response(holds[2]);
        } catch (e) {
          return e as DepartmentFetchError;
        }
      })();
      expect([refused?.outcome, refused?.detail.budget]).toEqual(["too_large", true]);
      expect(holds[2].held).toBe(0);
      // Each request gives its bytes back when it ends (once); an answer used after that is given back at once.
      holds[0].release();
      holds[0].release();
      expect(budget.inFlight).toBe(size);
      holds[1].release();
      expect(budget.inFlight).toBe(0);
      const late = await client.post(payload, query, "A", () => ({}));
      late.response(holds[1]);
      expect(budget.inFlight).toBe(0);
      // Without a hold (no request), the first use gives the bytes back.
      const bare = await client.post(payload, query, "A", () => ({}));
      bare.response();
      expect(budget.inFlight).toBe(0);
    } finally {
      await client.close();
    }
  });
});
