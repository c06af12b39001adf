/**
 * Prometheus metrics of a service (prom-client), shared by the gateway and every department: one Registry per
 * app (never prom-client's global one, so several services in one process keep their own figures), the
 * process's default metrics (CPU, memory, heap, event-loop lag, handles), and per request: a counter by
 * method, route and status and a latency histogram by method and route. Routes are the app's declared
 * routes (`unmatched` for anything else), so label values stay few.
 *
 * `GET /metrics` is an operator endpoint: with `METRICS_TOKEN` set it needs `Authorization: Bearer <token>`
 * (Prometheus' `authorization` / `bearer_token` setting); unset, it answers only connections from this host
 * (loopback) that carry no `Forwarded`/`X-Forwarded-For` header, i.e. that no proxy forwarded. It is never
 * needed by clients and shows no personal data (labels: routes, status codes, error codes, department names).
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { errorBody } from "./contract/errors";

/** Latency buckets, seconds: 5 ms to 30 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const METHODS = new Set(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]);

export interface HttpMetricsOptions {
  /** Bearer token that reads /metrics; unset: loopback only. */
  token?: string;
  /** Prefix of the metric names (`cg_`). */
  prefix?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether a request may read /metrics (see the module comment). */
export function mayReadMetrics(req: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const auth = req.headers.authorization;
    if (typeof auth !== "string" || !auth.startsWith("Bearer ")) return false;
    return timingSafeEqual(digest(auth.slice(7)), digest(token));
  }
  const forwarded = req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined || req.headers["x-real-ip"] !== undefined;
  return !forwarded && LOOPBACK.test(req.socket.remoteAddress ?? "");
}

/** A service's registry with its default and HTTP metrics, and the `/metrics` route. */
export function registerMetrics(app: FastifyInstance, opts: HttpMetricsOptions = {}): Registry {
  const prefix = opts.prefix ?? "cg_";
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const requests = new Counter({ name: `${prefix}http_requests_total`, help: "HTTP requests answered, by method, route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const latency = new Histogram({ name: `${prefix}http_request_duration_seconds`, help: "Time from a request's arrival to its response, by method and route", labelNames: ["method", "route"], buckets: LATENCY_BUCKETS, registers: [registry] });
  new Gauge({
    name: `${prefix}http_requests_in_flight`,
    help: "Requests started and not answered yet (health checks and metrics aside)",
    registers: [registry],
    collect() {
      this.set((app as { inFlightRequests?: number }).inFlightRequests ?? 0);
    },
  });
  app.addHook("onResponse", async (req, reply) => {
    const method = METHODS.has(req.method) ? req.method : "OTHER";
    const route = req.routeOptions.url ?? "unmatched";
    requests.inc({ method, route, status: String(reply.statusCode) });
    latency.observe({ method, route }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { config: { public: true }, logLevel: "warn" }, async (req, reply) => {
    if (!mayReadMetrics(req, opts.token)) {
      const message = opts.token ? "Send `Authorization: Bearer <METRICS_TOKEN>` to read the metrics." : "The metrics are served only to this host; set METRICS_TOKEN to read them from elsewhere.";
      return reply.code(401).type("application/json; charset=utf-8").header("www-authenticate", 'Bearer realm="metrics"').send(errorBody("UNAUTHENTICATED", message));
    }
    return reply.type(registry.contentType).header("cache-control", "no-store").send(await registry.metrics());
  });
  return registry;
}
