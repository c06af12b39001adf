/**
 * Builds a department's HTTP service: Fastify + mercurius serving the schema built with
 * @apollo/subgraph's buildSubgraphSchema from the department's SDL file, behind the gateway-only guard.
 * Building is separate from listening so tests can inject requests or listen on an ephemeral port.
 */
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import mercurius from "mercurius";
import { parse, type GraphQLError } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { DEPARTMENT_ERROR_CODES } from "./contract/errors";
import { maskFormattedError } from "./contract/error-masking";
import { createCursorCodec, type CursorCodec } from "./contract/cursor";
import type { ForwardedCaller } from "./contract/caller";
import { registerGatewayOnly } from "./gateway-only";
import { clientErrorHandler, frameworkErrorHandler } from "./contract/client-errors";
import { LoaderRegistry } from "./loaders";
import { registerDraining } from "./lifecycle";
import { registerHealthRoutes, type ReadinessCheck } from "./health";
import { registerMetrics } from "./metrics";
import { SpanKind, SpanStatusCode, type Span, type Tracing } from "./tracing";

export interface SubgraphContext<Db> {
  db: Db;
  loaders: LoaderRegistry;
  /** The caller, as signed and forwarded by the gateway (row scope). */
  caller: ForwardedCaller;
  /** Makes and reads this service's opaque page cursors. */
  cursors: CursorCodec;
}

export interface SubgraphAppOptions<Db> {
  name: string;
  sdlPath: string;
  resolvers: GraphQLResolverMap<SubgraphContext<Db>>;
  db: Db;
  logLevel?: string;
  /** Called when the app closes (release the database). */
  onClose?: () => Promise<void>;
  /** Secret shared with the gateway; requests without its valid, fresh, unreplayed signature are refused. */
  signingSecret: string;
  signatureMaxSkewMs?: number;
  /** Benchmarks only: unsigned requests act as a district-wide caller. */
  acceptUnsigned?: boolean;
  /** Readiness checks shown at `/readyz` (e.g. the database answers). */
  readiness?: Record<string, ReadinessCheck>;
  /** Bearer token that reads /metrics (METRICS_TOKEN); unset: loopback only. */
  metricsToken?: string;
  /** OpenTelemetry tracing of this department (undefined: TRACING=off); shut down when the app closes. */
  tracing?: Tracing;
}

declare module "fastify" {
  interface FastifyRequest {
    /** This request's server span (tracing on). */
    traceSpan?: Span;
  }
}

const BODY_LIMIT = 1024 * 1024;

/**
 * The gateway's request id, taken as this department's own (one id across the gateway's and the
 * departments' logs). The header is not signed (the signature covers method, target, caller and body), so
 * it is only ever a log label: taken only in a safe form (the gateway sends UUIDs), else a new one is made.
 */
const FORWARDED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export function departmentRequestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const v = req.headers["x-request-id"];
  return typeof v === "string" && FORWARDED_REQUEST_ID.test(v) ? v : randomUUID();
}

export function loadTypeDefs(sdlPath: string) {
  return parse(readFileSync(sdlPath, "utf8"));
}

export async function buildSubgraphApp<Db>(opts: SubgraphAppOptions<Db>): Promise<FastifyInstance> {
  // return503OnClosing off: while shutting down, ./lifecycle answers with a registered code instead.
  const app = Fastify({ logger: { level: opts.logLevel ?? "info", name: opts.name }, bodyLimit: BODY_LIMIT, clientErrorHandler, frameworkErrors: frameworkErrorHandler, return503OnClosing: false, requestIdHeader: false, genReqId: departmentRequestId });
  // Sent back too, so whoever holds the answer (the gateway's log, a proxy) can match it to these logs.
  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  const tracing = opts.tracing;
  if (tracing) {
    // A server span per request, child of the gateway's fetch span when a `traceparent` came with it (the
    // header is not signed: it only labels traces). Attributes: route, method, status, request id only.
    app.addHook("onRequest", async (req) => {
      const span = tracing.startSpan(`${req.method} ${req.routeOptions.url ?? "unknown"}`, SpanKind.SERVER, tracing.extract(req.headers), {
        "http.request.method": req.method,
        "http.route": req.routeOptions.url ?? "unknown",
        "cg.request_id": String(req.id),
        "cg.department": opts.name,
      });
      req.traceSpan = span;
      // The trace id in this request's log lines (the "request completed" line included).
      req.log = req.log.child({ traceId: span.spanContext().traceId });
    });
    app.addHook("onResponse", async (req, reply) => {
      const span = req.traceSpan;
      if (!span) return;
      span.setAttribute("http.response.status_code", reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    app.addHook("onRequestAbort", async (req) => {
      req.traceSpan?.setStatus({ code: SpanStatusCode.ERROR, message: "aborted" });
      req.traceSpan?.end();
      req.traceSpan = undefined;
    });
    app.addHook("onClose", async () => tracing.shutdown());
  }
  registerDraining(app);
  registerMetrics(app, { token: opts.metricsToken });
  registerGatewayOnly(app, { name: opts.name, signingSecret: opts.signingSecret, maxSkewMs: opts.signatureMaxSkewMs ?? 30_000, bodyLimit: BODY_LIMIT, acceptUnsigned: opts.acceptUnsigned });
  const cursors = createCursorCodec(opts.signingSecret);
  const schema = buildSubgraphSchema([{ typeDefs: loadTypeDefs(opts.sdlPath), resolvers: opts.resolvers }]);
  await app.register(mercurius, {
    schema,
    path: "/graphql",
    graphiql: false,
    context: (req): SubgraphContext<Db> => ({ db: opts.db, loaders: new LoaderRegistry(), caller: req.forwardedCaller!, cursors }),
    errorFormatter: (execution) => {
      const errors = (execution.errors ?? []).map((e: GraphQLError) =>
        maskFormattedError(DEPARTMENT_ERROR_CODES, { ...e.toJSON(), extensions: { ...(e.originalError as { extensions?: Record<string, unknown> } | undefined)?.extensions, ...e.extensions, code: e.extensions?.code ?? (e.originalError ? undefined : "GRAPHQL_VALIDATION_FAILED") } }, e.originalError ?? e, app.log),
      );
      // Always 200: the only client is the gateway, which reads GraphQL errors from the body (a 4xx would hide them).
      return { statusCode: 200, response: { data: execution.data ?? null, errors } };
    },
  });
  registerHealthRoutes(app, { name: opts.name, checks: opts.readiness ?? {} });
  if (opts.acceptUnsigned) app.log.warn("ACCEPT_UNSIGNED=true: requests that did not come through the gateway are served (benchmarks only)");
  if (opts.onClose) app.addHook("onClose", async () => opts.onClose!());
  return app;
}
