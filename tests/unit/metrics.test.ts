/**
 * The metrics plugin on a bare Fastify app (no gateway): who may read /metrics (METRICS_TOKEN, or this host
 * with no proxy in between), department fetch events and breaker states as Prometheus samples, access-log
 * appends timed and counted while waiting, and one registry per app.
 */
import Fastify from "fastify";
import { createMetricsPlugin, type BreakerLike } from "../../gateway/src/plugins/metrics";
import type { AuditStore, StoredAccessRecord } from "../../gateway/src/audit/store";

const sample = (text: string, name: string, labels = "") => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

async function appWith(opts: Parameters<typeof createMetricsPlugin>[0]) {
  const app = Fastify();
  const plugin = createMetricsPlugin(opts);
  plugin.http!(app);
  app.get("/x", async () => ({ ok: true }));
  await app.ready();
  return { app, plugin };
}

describe("metrics plugin", () => {
  it("with METRICS_TOKEN: only the bearer token reads /metrics, from anywhere", async () => {
    const { app } = await appWith({ token: "metrics-token-0123456789abcdef" });
    expect((await app.inject({ url: "/metrics" })).statusCode).toBe(401);
    expect((await app.inject({ url: "/metrics", headers: { authorization: "Bearer metrics-token-0123456789abcdeX" } })).statusCode).toBe(401);
    const ok = await app.inject({ url: "/metrics", remoteAddress: "10.1.2.3", headers: { authorization: "Bearer metrics-token-0123456789abcdef" } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("cg_http_requests_total");
    await app.close();
  });

  it("without METRICS_TOKEN: this host only, and not through a proxy", async () => {
    const { app } = await appWith({});
    expect((await app.inject({ url: "/metrics", remoteAddress: "127.0.0.1" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/metrics", remoteAddress: "::1" })).statusCode).toBe(200);
    const remote = await app.inject({ url: "/metrics", remoteAddress: "192.0.2.10" });
    expect([remote.statusCode, remote.json().errors[0].extensions.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await app.inject({ url: "/metrics", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": "192.0.2.10" } })).statusCode).toBe(401);
    expect((await app.inject({ url: "/metrics", remoteAddress: "127.0.0.1", headers: { forwarded: "for=192.0.2.10" } })).statusCode).toBe(401);
    await app.close();
  });

  it("records department fetches by outcome and shows breaker states", async () => {
    let breakers: BreakerLike[] = [{ subgraph: "elderly-care", state: "half_open", failures: 3 }];
    const { app, plugin } = await appWith({ breakers: () => breakers });
    plugin.observeFetch({ subgraph: "elderly-care", outcome: "ok", ms: 12, attempt: 1 });
    plugin.observeFetch({ subgraph: "elderly-care", outcome: "timeout", ms: 1500, attempt: 1 });
    plugin.observeFetch({ subgraph: "elderly-care", outcome: "timeout", ms: 1500, attempt: 2 });
    plugin.observeFetch({ subgraph: "civil-affairs", outcome: "circuit_open", ms: 0, attempt: 1 });
    let text = (await app.inject({ url: "/metrics" })).body;
    expect(sample(text, "cg_department_fetch_duration_seconds_count", '{subgraph="elderly-care",outcome="ok"}')).toBe(1);
    expect(sample(text, "cg_department_fetch_duration_seconds_count", '{subgraph="elderly-care",outcome="timeout"}')).toBe(2);
    expect(sample(text, "cg_department_fetch_failures_total", '{subgraph="elderly-care",outcome="timeout"}')).toBe(2);
    expect(sample(text, "cg_department_fetch_failures_total", '{subgraph="civil-affairs",outcome="circuit_open"}')).toBe(1);
    expect(sample(text, "cg_department_fetch_failures_total", '{subgraph="elderly-care",outcome="ok"}')).toBeUndefined();
    expect(sample(text, "cg_department_breaker_state", '{subgraph="elderly-care",state="half_open"}')).toBe(1);
    expect(sample(text, "cg_department_breaker_state", '{subgraph="elderly-care",state="open"}')).toBe(0);
    expect(sample(text, "cg_department_breaker_failures", '{subgraph="elderly-care"}')).toBe(3);
    // Read at each scrape.
    breakers = [{ subgraph: "elderly-care", state: "closed", failures: 0 }];
    text = (await app.inject({ url: "/metrics" })).body;
    expect(sample(text, "cg_department_breaker_state", '{subgraph="elderly-care",state="closed"}')).toBe(1);
    await app.close();
  });

  it("times access-log appends and counts those waiting to be committed", async () => {
    const { app, plugin } = await appWith({});
    const commits: (() => void)[] = [];
    const store = {
      kind: "pglite",
      append: (rec) => new Promise<StoredAccessRecord>((resolve, reject) => commits.push(() => (rec.callerId === "bad" ? reject(new Error("disk full")) : resolve({ ...rec, seq: 1, prevHash: "", hash: "" })))),
      query: async () => ({ records: [], hasNext: false, total: 0 }),
      verify: async () => ({ ok: true, count: 0, headHash: "" }),
      ping: async () => undefined,
      close: async () => undefined,
      pendingCalls: 7,
    } as AuditStore & { pendingCalls: number };
    const audit = plugin.instrumentAudit(store) as AuditStore & { pendingCalls: number };
    expect([audit.kind, audit.pendingCalls]).toEqual(["pglite", 7]);
    const rec = (callerId: string) => ({ requestId: "r", at: new Date(), callerId, callerName: "n", organisation: "o", role: "r", purpose: null, citizens: [], fields: [] });
    const a = audit.append(rec("good"));
    const b = audit.append(rec("bad"));
    expect(sample((await app.inject({ url: "/metrics" })).body, "cg_access_log_queue_depth")).toBe(2);
    commits.forEach((c) => c());
    await a;
    await expect(b).rejects.toThrow("disk full");
    const text = (await app.inject({ url: "/metrics" })).body;
    expect(sample(text, "cg_access_log_queue_depth")).toBe(0);
    expect(sample(text, "cg_access_log_append_duration_seconds_count", '{result="ok"}')).toBe(1);
    expect(sample(text, "cg_access_log_append_duration_seconds_count", '{result="error"}')).toBe(1);
    await app.close();
  });

  it("keeps one registry per app: two apps in one process count their own requests", async () => {
    const one = await appWith({});
    const two = await appWith({});
    await one.app.inject({ url: "/x" });
    await one.app.inject({ url: "/x" });
    await two.app.inject({ url: "/x" });
    expect(sample((await one.app.inject({ url: "/metrics" })).body, "cg_http_requests_total", '{method="GET",route="/x",status="200"}')).toBe(2);
    expect(sample((await two.app.inject({ url: "/metrics" })).body, "cg_http_requests_total", '{method="GET",route="/x",status="200"}')).toBe(1);
    await one.app.close();
    await two.app.close();
  });
});
