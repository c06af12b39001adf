/**
 * Metrics: Prometheus figures of this gateway process at `GET /metrics` (prom-client, a Registry of this
 * app's own; access rules in subgraphs/kit/metrics.ts: `METRICS_TOKEN`, or loopback only):
 *
 * - `cg_http_requests_total{method,route,status}`, `cg_http_request_duration_seconds{method,route}`,
 *   `cg_http_requests_in_flight`, and the process's default metrics (`cg_process_*`, `cg_nodejs_*`);
 * - `cg_graphql_errors_total{code}`: errors sent to clients by `extensions.code` (GraphQL responses and
 *   refusals before GraphQL runs: 401, 413, 429, …);
 * - `cg_department_fetch_duration_seconds{subgraph,outcome}` and `cg_department_fetch_failures_total{subgraph,outcome}`
 *   from the transport's fetch events (`observeFetch`; outcome `ok`, `http_error`, `timeout`, `unavailable`,
 *   `circuit_open`, `too_large`, `bad_response`);
 * - `cg_department_breaker_state{subgraph,state}` (1 for the breaker's current state, 0 for the others) and
 *   `cg_department_breaker_failures{subgraph}`, read from the transport's breakers when scraped;
 * - `cg_department_answer_bytes_in_flight` (the answer budget in use), `cg_gateway_answer_collections_total` and
 *   `cg_gateway_answer_collection_seconds_total` (full collections after large answers and their time);
 * - `cg_access_log_append_duration_seconds{result}` and `cg_access_log_queue_depth` (appends waiting to be
 *   committed), through `instrumentAudit` around the access-log store.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { FastifyInstance } from "fastify";
import type { AuditStore } from "../audit/store";
import { LATENCY_BUCKETS, registerMetrics } from "../../../subgraphs/kit/metrics";
import type { GatewayPlugin } from "./types";

/** One fetch of a department by the transport (structurally the transport's FetchEvent). */
export interface FetchEventLike {
  subgraph: string;
  outcome: string;
  /** Duration, milliseconds. */
  ms: number;
  attempt: number;
}

/** A department's circuit breaker as the transport reports it (structurally its BreakerSnapshot). */
export interface BreakerLike {
  subgraph: string;
  state: string;
  failures: number;
  openedAt?: string;
}

/** The transport's answer budget as the metrics read it. */
export interface AnswersLike {
  inFlightBytes: number;
  collections: number;
  collectionSeconds: number;
}

/** No answer budget (yet): nothing held, nothing collected. */
export const NO_ANSWERS: AnswersLike = { inFlightBytes: 0, collections: 0, collectionSeconds: 0 };

export interface MetricsPluginOptions {
  /** Bearer token that reads /metrics (METRICS_TOKEN); unset: loopback only. */
  token?: string;
  /** The departments' breakers, read at each scrape (default: none). */
  breakers?: () => BreakerLike[];
  /** The answer budget and its collections, read at each scrape (default: none). */
  answers?: () => AnswersLike;
}

export interface MetricsPlugin extends GatewayPlugin {
  name: "metrics";
  /** Records one department fetch (wire to the transport's `onFetch`). */
  observeFetch(e: FetchEventLike): void;
  /** The access-log store, timing its appends and counting those waiting. */
  instrumentAudit(store: AuditStore): AuditStore;
  /** This gateway's registry (undefined until the HTTP layer is registered). */
  readonly registry: Registry | undefined;
}

const BREAKER_STATES = ["closed", "open", "half_open"] as const;
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const codeLabel = (c: unknown) => (typeof c === "string" && CODE.test(c) ? c : "OTHER");
const subgraphLabel = (s: string) => (/^[a-z0-9][a-z0-9-]{0,63}$/.test(s) ? s : "other");

export function createMetricsPlugin(opts: MetricsPluginOptions = {}): MetricsPlugin {
  const breakers = opts.breakers ?? (() => []);
  const answers = opts.answers ?? (() => NO_ANSWERS);
  let registry: Registry | undefined;
  // Metrics that exist before the app does (the transport and the access log may report first).
  let errors: Counter<"code"> | undefined;
  let fetchLatency: Histogram<"subgraph" | "outcome"> | undefined;
  let fetchFailures: Counter<"subgraph" | "outcome"> | undefined;
  let appendLatency: Histogram<"result"> | undefined;
  let appendsWaiting = 0;
  /** Requests whose errors Apollo's plugin counted (the HTTP hook counts the others). */
  const counted = new Set<string>();

  function countErrors(list: readonly { extensions?: Record<string, unknown> }[] | undefined) {
    for (const e of list ?? []) errors?.inc({ code: codeLabel(e.extensions?.code) });
  }

  const apollo: ApolloServerPlugin<{ requestId?: string }> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (contextValue?.requestId) counted.add(contextValue.requestId);
          if (response.body.kind === "single") countErrors(response.body.singleResult.errors);
          else countErrors(response.body.initialResult.errors);
        },
      };
    },
  };

  function http(app: FastifyInstance) {
    registry = registerMetrics(app, { token: opts.token });
    const r = registry;
    errors = new Counter({ name: "cg_graphql_errors_total", help: "Errors sent to clients, by extensions.code", labelNames: ["code"], registers: [r] });
    fetchLatency = new Histogram({ name: "cg_department_fetch_duration_seconds", help: "Department fetches by the gateway, by department and outcome", labelNames: ["subgraph", "outcome"], buckets: LATENCY_BUCKETS, registers: [r] });
    fetchFailures = new Counter({ name: "cg_department_fetch_failures_total", help: "Department fetches that failed, by department and outcome", labelNames: ["subgraph", "outcome"], registers: [r] });
    new Gauge({
      name: "cg_department_breaker_state",
      help: "Circuit breaker state per department: 1 for the current state, 0 for the others",
      labelNames: ["subgraph", "state"],
      registers: [r],
      collect() {
        this.reset();
        for (const b of breakers()) for (const s of BREAKER_STATES) this.set({ subgraph: subgraphLabel(b.subgraph), state: s }, b.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: "cg_department_breaker_failures",
      help: "Consecutive failures counted by each department's circuit breaker",
      labelNames: ["subgraph"],
      registers: [r],
      collect() {
        this.reset();
        for (const b of breakers()) this.set({ subgraph: subgraphLabel(b.subgraph) }, b.failures);
      },
    });
    new Gauge({
      name: "cg_department_answer_bytes_in_flight",
      help: "Department answer bytes held: being received, or used by a request whose response has not been sent yet (SUBGRAPH_RESPONSE_BUDGET_BYTES bounds it)",
      registers: [r],
      collect() {
        this.set(answers().inFlightBytes);
      },
    });
    // Counters kept by the transport, read at each scrape.
    new Counter({
      name: "cg_gateway_answer_collections_total",
      help: "Full garbage collections run after large department answers (GATEWAY_GC_AFTER_ANSWER_BYTES)",
      registers: [r],
      collect() {
        this.reset();
        this.inc(answers().collections);
      },
    });
    new Counter({
      name: "cg_gateway_answer_collection_seconds_total",
      help: "Time spent in those collections",
      registers: [r],
      collect() {
        this.reset();
        this.inc(answers().collectionSeconds);
      },
    });
    appendLatency = new Histogram({ name: "cg_access_log_append_duration_seconds", help: "Time to commit one access record, by result (ok, error)", labelNames: ["result"], buckets: LATENCY_BUCKETS, registers: [r] });
    new Gauge({
      name: "cg_access_log_queue_depth",
      help: "Access records waiting to be committed (responses held until their record is written)",
      registers: [r],
      collect() {
        this.set(appendsWaiting);
      },
    });
    // Refusals made before GraphQL runs (identity, rate limit, limits, CSRF…) are counted from their body.
    app.addHook("onSend", async (req, reply, payload) => {
      if (counted.delete(String(req.id))) return payload;
      if (reply.statusCode < 400 || typeof payload !== "string" || payload.length > 16_384) return payload;
      try {
        countErrors((JSON.parse(payload) as { errors?: { extensions?: Record<string, unknown> }[] }).errors);
      } catch {
        /* not a GraphQL error body */
      }
      return payload;
    });
    const forget = async (req: { id: unknown }) => void counted.delete(String(req.id));
    app.addHook("onResponse", forget);
    app.addHook("onRequestAbort", forget);
  }

  return {
    name: "metrics",
    http,
    apollo: apollo as ApolloServerPlugin,
    get registry() {
      return registry;
    },
    observeFetch(e) {
      const labels = { subgraph: subgraphLabel(e.subgraph), outcome: codeLabel(e.outcome.toUpperCase()).toLowerCase() };
      fetchLatency?.observe(labels, e.ms / 1000);
      if (e.outcome !== "ok") fetchFailures?.inc(labels);
    },
    instrumentAudit(store) {
      const append: AuditStore["append"] = async (rec) => {
        const start = process.hrtime.bigint();
        appendsWaiting++;
        let result = "error";
        try {
          const stored = await store.append(rec);
          result = "ok";
          return stored;
        } finally {
          appendsWaiting--;
          appendLatency?.observe({ result }, Number(process.hrtime.bigint() - start) / 1e9);
        }
      };
      // The same store (its kind, pid, pending calls… read through), with appends measured.
      return new Proxy(store, { get: (t, p, r) => (p === "append" ? append : Reflect.get(t, p, r)) });
    },
  };
}

/** The metrics plugin of a pipeline. */
export function metricsPluginOf(plugins: GatewayPlugin[]): MetricsPlugin | undefined {
  return plugins.find((p): p is MetricsPlugin => p.name === "metrics");
}
