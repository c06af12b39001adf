/**
 * OpenTelemetry tracing across the gateway and the departments (TRACING on, spans in memory): a request
 * through the real gateway gives a gateway server span, a fetch span per department called and each
 * department's server span, all in one trace with the right parents; a client's `traceparent` is continued;
 * spans hold no query literals, variables or citizen ids. With TRACING off no `traceparent` reaches a department.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { useSpanExporterForTests } from "../../subgraphs/kit/tracing";
import { startSystem, type System } from "../helpers/system";

const Q = `query TracedPerson($id: ID!) { citizen(id: $id) { name maritalStatus } }`;
const LITERAL_Q = `query Literal { citizen(id: "P00000002") { name maritalStatus } }`;
const parentOf = (s: ReadableSpan) => s.parentSpanId;

/** Spans of one trace, once the departments' (ended after their answers are sent) have arrived. */
async function traceSpans(exporter: InMemorySpanExporter, traceId: string, departments: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (spans.filter((s) => s.attributes["cg.department"]).length >= departments && spans.some((s) => s.name.startsWith("graphql."))) return spans;
    await new Promise((r) => setTimeout(r, 20));
  }
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

describe("tracing on", () => {
  const exporter = new InMemorySpanExporter();
  let sys: System;
  beforeAll(async () => {
    useSpanExporterForTests(exporter);
    sys = await startSystem({ tracing: true });
  }, 180_000);
  afterAll(async () => {
    await sys?.stop();
    useSpanExporterForTests(undefined);
  });

  it("links the gateway's operation span, its fetch spans and the departments' spans in one trace", async () => {
    exporter.reset();
    const res = await sys.gql(Q, { id: "P00000001" });
    expect(res.body.errors).toBeUndefined();
    const requestId = res.headers.get("x-request-id")!;
    const root = exporter.getFinishedSpans().find((s) => s.attributes["cg.request_id"] === requestId && s.name.startsWith("graphql."))!;
    expect(root).toBeDefined();
    expect(root.name).toBe("graphql.query TracedPerson");
    expect(root.attributes).toEqual(expect.objectContaining({ "graphql.operation.name": "TracedPerson", "graphql.operation.type": "query", "http.response.status_code": 200 }));
    expect(parentOf(root)).toBeUndefined();
    const traceId = root.spanContext().traceId;
    const spans = await traceSpans(exporter, traceId, 2);
    const fetches = spans.filter((s) => s.name.startsWith("fetch "));
    const departments = spans.filter((s) => s.attributes["cg.department"]);
    // public-security answers `citizen`, civil-affairs its marital status.
    expect(new Set(fetches.map((s) => s.attributes["cg.subgraph"]))).toEqual(new Set(["public-security", "civil-affairs"]));
    for (const f of fetches) {
      expect(parentOf(f)).toBe(root.spanContext().spanId);
      expect(f.attributes["cg.outcome"]).toBe("ok");
    }
    expect(departments.length).toBe(fetches.length);
    for (const d of departments) {
      const parent = fetches.find((f) => f.spanContext().spanId === parentOf(d));
      expect(parent).toBeDefined();
      expect(parent!.attributes["cg.subgraph"]).toBe(d.attributes["cg.department"]);
      expect(d.attributes["http.response.status_code"]).toBe(200);
      expect(d.attributes["cg.request_id"]).toBe(requestId);
    }
  });

  it("continues the client's traceparent", async () => {
    exporter.reset();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await sys.gql(Q, { id: "P00000001" }, { ...sys.officer, traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(res.status).toBe(200);
    const spans = await traceSpans(exporter, traceId, 1);
    const root = spans.find((s) => s.name.startsWith("graphql."))!;
    expect(root).toBeDefined();
    expect(parentOf(root)).toBe("00f067aa0ba902b7");
    expect(spans.some((s) => s.attributes["cg.department"])).toBe(true);
  });

  it("puts no query literals, variables or citizen ids in span attributes", async () => {
    exporter.reset();
    await sys.gql(Q, { id: "P00000001" });
    await sys.gql(LITERAL_Q);
    await new Promise((r) => setTimeout(r, 200));
    const all = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    expect(all).not.toMatch(/P0000000\d/);
    expect(all).not.toContain("citizen(");
    expect(all).not.toContain("maritalStatus");
  });
});

describe("tracing off", () => {
  let sys: System;
  let fake: http.Server;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    // A recording proxy in front of civil affairs (its address known once the system runs).
    let target: URL;
    fake = http.createServer((req, res) => {
      seen.push(req.headers.traceparent as string | undefined);
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    sys = await startSystem({ subgraphUrls: { "civil-affairs": `http://127.0.0.1:${(fake.address() as AddressInfo).port}/graphql` } });
    target = new URL(sys.subgraphs["civil-affairs"].url);
  }, 180_000);
  afterAll(async () => {
    await sys?.stop();
    await new Promise((r) => fake?.close(r));
  });

  it("sends no traceparent to the departments, even when the client sent one", async () => {
    const res = await sys.gql(Q, { id: "P00000001" }, { ...sys.officer, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    expect(res.status).toBe(200);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((t) => t === undefined)).toBe(true);
  });
});
