/**
 * Operating it, through HTTP: /healthz and /readyz on the gateway (supergraph loaded, access log writable,
 * department breakers shown) and on a department (its database answers), public; /metrics with prom-client
 * figures, readable from this host or with METRICS_TOKEN only.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSystem, type System } from "../helpers/system";
import { fixtureDir } from "../helpers/fixtures";
import { SUBGRAPHS } from "../../subgraphs/registry";
import { startDepartment } from "../../subgraphs/kit/serve";
import type { AuditStore } from "../../gateway/src/audit/store";
import type { BreakerLike } from "../../gateway/src/plugins/metrics";

const base = (s: System) => s.gatewayUrl.replace(/\/graphql$/, "");
const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
};
/** A sample's value in Prometheus text, by metric name and labels as written (e.g. `{code="UNAUTHENTICATED"}`). */
const sample = (text: string, name: string, labels = "") => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

describe("gateway health, readiness and metrics", () => {
  let sys: System;
  let breakers: BreakerLike[] = [];

  beforeAll(async () => {
    sys = await startSystem({ citizens: 3000, breakers: () => breakers });
  }, 180_000);
  afterAll(() => sys?.stop());

  it("is alive at /healthz and /health, without a token", async () => {
    for (const path of ["/healthz", "/health"]) {
      const res = await get(base(sys) + path);
      expect([res.status, res.json]).toEqual([200, { status: "ok", service: "gateway" }]);
    }
  });

  it("is ready when the supergraph is loaded and the access log and shared state answer, and shows every department's breaker", async () => {
    breakers = [
      { subgraph: "civil-affairs", state: "closed", failures: 0 },
      { subgraph: "elderly-care", state: "open", failures: 5, openedAt: "2026-01-01T00:00:00.000Z" },
    ];
    const res = await get(`${base(sys)}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.json).toEqual({
      status: "ready",
      service: "gateway",
      checks: { supergraph: { ok: true }, accessLog: { ok: true }, sharedState: { ok: true } },
      // A department whose breaker is open does not take the gateway out of service: the others answer.
      departments: { "civil-affairs": { breaker: "closed", failures: 0 }, "elderly-care": { breaker: "open", failures: 5, openedAt: "2026-01-01T00:00:00.000Z" } },
      degraded: ["elderly-care"],
    });
  });

  it("serves Prometheus metrics to this host: requests, latency, errors by code, access-log appends, breakers", async () => {
    await sys.gql(`{ communities { id } }`, undefined, {}); // no token: 401 UNAUTHENTICATED
    const personal = await sys.gql(`query { citizen(id: "P00000001") { name } }`);
    expect(personal.status).toBe(200);
    const res = await get(`${base(sys)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(sample(res.text, "cg_http_requests_total", '{method="POST",route="/graphql",status="401"}')).toBeGreaterThanOrEqual(1);
    expect(sample(res.text, "cg_http_request_duration_seconds_count", '{method="POST",route="/graphql"}')).toBeGreaterThanOrEqual(2);
    expect(sample(res.text, "cg_graphql_errors_total", '{code="UNAUTHENTICATED"}')).toBeGreaterThanOrEqual(1);
    expect(sample(res.text, "cg_access_log_append_duration_seconds_count", '{result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(res.text, "cg_access_log_queue_depth")).toBe(0);
    // No answer in flight; no large answer, so no collection after one (jest's node has no exposed collector).
    expect([sample(res.text, "cg_department_answer_bytes_in_flight"), sample(res.text, "cg_gateway_answer_collections_total"), sample(res.text, "cg_gateway_answer_collection_seconds_total")]).toEqual([0, 0, 0]);
    expect(sample(res.text, "cg_department_breaker_state", '{subgraph="elderly-care",state="open"}')).toBe(1);
    expect(sample(res.text, "cg_department_breaker_state", '{subgraph="elderly-care",state="closed"}')).toBe(0);
    expect(sample(res.text, "cg_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(res.text).not.toContain("P00000001");
  });

  it("refuses /metrics to a request a proxy forwarded (no METRICS_TOKEN set)", async () => {
    const res = await get(`${base(sys)}/metrics`, { "x-forwarded-for": "203.0.113.9" });
    expect([res.status, res.json.errors[0].extensions.code]).toEqual([401, "UNAUTHENTICATED"]);
  });
});

describe("gateway readiness when the access log cannot be written", () => {
  it("answers 503 naming the access log, and stays alive", async () => {
    const broken: AuditStore = {
      kind: "pglite",
      append: async () => {
        throw new Error("disk full");
      },
      query: async () => ({ records: [], hasNext: false, total: 0 }),
      verify: async () => ({ ok: true, count: 0, headHash: "" }),
      ping: async () => {
        throw new Error("disk full");
      },
      close: async () => undefined,
    };
    const sys = await startSystem({ citizens: 3000, audit: broken });
    try {
      const ready = await get(`${base(sys)}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.json).toMatchObject({ status: "not ready", reasons: ["accessLog: disk full"], checks: { accessLog: { ok: false, reason: "disk full" }, supergraph: { ok: true } } });
      expect((await get(`${base(sys)}/healthz`)).status).toBe(200);
    } finally {
      await sys.stop();
    }
  }, 120_000);
});

describe("department health and readiness", () => {
  it("is ready while its database answers, 503 naming the database once it is closed; public, no signature", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cg-ready-"));
    cpSync(join(await fixtureDir(3000), "civil-affairs"), join(dataDir, "civil-affairs"), { recursive: true });
    const mod = SUBGRAPHS.find((m) => m.name === "civil-affairs")!;
    const dept = await startDepartment(mod, { port: 0, dataDir: join(dataDir, "civil-affairs"), signingSecret: "department-ready-test-secret-0123", logLevel: "silent" });
    const url = dept.url.replace(/\/graphql$/, "");
    try {
      expect((await get(`${url}/healthz`)).json).toEqual({ status: "ok", service: "civil-affairs" });
      const ready = await get(`${url}/readyz`);
      expect([ready.status, ready.json]).toEqual([200, { status: "ready", service: "civil-affairs", checks: { database: { ok: true } } }]);
      const metrics = await get(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(sample(metrics.text, "cg_http_requests_total", '{method="GET",route="/readyz",status="200"}')).toBe(1);

      await dept.db.close();
      const down = await get(`${url}/readyz`);
      expect(down.status).toBe(503);
      expect(down.json.status).toBe("not ready");
      expect(down.json.reasons[0]).toMatch(/^database: /);
      expect(down.json.checks.database.ok).toBe(false);
      expect((await get(`${url}/healthz`)).status).toBe(200);
    } finally {
      await dept.app.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
