/**
 * How the gateway reaches each subgraph: the departments over HTTP (routing URL from the supergraph,
 * overridable per subgraph), signing every request with the caller context and labelling it with the
 * gateway's request id; the insights checks and the access log in process. Whatever a department does —
 * refuse connections, freeze, answer 5xx, garbage or too much — its fields are null with an error of a
 * registered code naming it (SUBGRAPH_UNAVAILABLE, _TIMEOUT, _CIRCUIT_OPEN, _BAD_RESPONSE,
 * _RESPONSE_TOO_LARGE) and the other departments' data is served.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { createInsightsDataSource, INSIGHTS_SUBGRAPH, type InsightsContext } from "./insights/service";
import { AUDIT_SUBGRAPH, createAuditDataSource } from "./audit/service";
import { parse, type DocumentNode, type GraphQLError } from "graphql";
import { LRUCache } from "lru-cache";
import { apiError } from "./errors";
import { signRequest } from "../../subgraphs/kit/contract/signing";
import { SYSTEM_CALLER, type ForwardedCaller } from "../../subgraphs/kit/contract/caller";
import { createCursorCodec } from "../../subgraphs/kit/contract/cursor";
import { DepartmentFetchError, SubgraphClient } from "./transport/subgraph-client";
import { CircuitBreaker } from "./transport/circuit-breaker";
import type { BreakerSync } from "./transport/breaker-sync";
import { AnswerBudget, exposedCollector } from "./transport/answer-budget";
import type { AnswersLike } from "./plugins/metrics";
import type { BreakerSnapshot, FetchEvent } from "./transport/department-health";
import { cutToShape, shapeOf } from "./transport/answer-shape";
import type { GovernedContext } from "./governance/executor";
import { roleOf, type Policy } from "./governance/policy";
import type { AuditStore } from "./audit/store";
import type { ResolvedGatewayConfig } from "./config";
import type { FastifyBaseLogger } from "fastify";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { SpanKind, SpanStatusCode, withSpan, type Tracing } from "../../subgraphs/kit/tracing";

/** What a department learns of the caller (row scope, logs); with governance off, a district-wide system caller. */
export function forwardedCaller(ctx: GovernedContext, policy: Policy): ForwardedCaller | null {
  const c = ctx?.caller;
  if (!c) return ctx?.ungoverned ? SYSTEM_CALLER : null;
  const role = roleOf(policy, c.role);
  if (!role) return null;
  return { sub: c.sub, role: c.role, org: c.org, rowScope: role.rowScope, area: { grids: [...c.area.grids], communities: [...c.area.communities], buildings: [...c.area.buildings] }, ...(c.role === "citizen" ? { citizenId: c.sub } : {}), purpose: ctx.purpose };
}

/** A department's error path with numeric strings as list indexes, so the gateway maps `_entities` paths to the client's. */
function normalisePath(path: unknown): (string | number)[] | undefined {
  if (!Array.isArray(path)) return undefined;
  return path.map((p) => (typeof p === "string" && /^\d+$/.test(p) ? Number(p) : p)).filter((p): p is string | number => typeof p === "string" || typeof p === "number");
}

type Ctx = GovernedContext & Record<string, unknown>;

/** The client-facing error of a failed fetch: a registered code, a message without URLs or bodies, the department named. */
function fetchFailure(name: string, e: DepartmentFetchError, timeoutMs: number): GraphQLError {
  const ext = { serviceName: name };
  switch (e.outcome) {
    case "timeout":
      return apiError("SUBGRAPH_TIMEOUT", `The ${name} system did not answer within ${timeoutMs} ms.`, ext);
    case "circuit_open":
      return apiError("SUBGRAPH_CIRCUIT_OPEN", `The ${name} system is failing and is not asked again for a few seconds.`, ext);
    case "too_large":
      return e.detail.budget
        ? apiError("SUBGRAPH_RESPONSE_TOO_LARGE", `The ${name} system's answer did not fit in the gateway's memory budget for answers in flight; try again or ask for smaller pages.`, ext)
        : apiError("SUBGRAPH_RESPONSE_TOO_LARGE", `The ${name} system's answer is larger than the gateway accepts; ask for smaller pages.`, ext);
    case "bad_response":
      return apiError("SUBGRAPH_BAD_RESPONSE", `The ${name} system answered with something that is not a GraphQL response.`, ext);
    case "http_error":
      return (e.detail.status ?? 0) >= 500
        ? apiError("SUBGRAPH_UNAVAILABLE", `The ${name} system is not answering (HTTP ${e.detail.status}).`, ext)
        : apiError("SUBGRAPH_BAD_RESPONSE", `The ${name} system refused the gateway's request (HTTP ${e.detail.status}).`, ext);
    default:
      return apiError("SUBGRAPH_UNAVAILABLE", `The ${name} system is not answering.`, ext);
  }
}

/** Subgraph operations parsed (when the planner did not hand its own over), to check answers against; few distinct ones. */
const parsedOperations = new LRUCache<string, DocumentNode>({ max: 2000 });
function operationDocument(query: string | undefined): DocumentNode | undefined {
  if (!query) return undefined;
  let doc = parsedOperations.get(query);
  if (!doc) {
    try {
      doc = parse(query);
    } catch {
      return undefined;
    }
    parsedOperations.set(query, doc);
  }
  return doc;
}

/** Ids safe to pass on as a department's request id (the gateway's are UUIDs). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * How the gateway process was started matters to its memory under large answers (README, Performance):
 * `npm start` gives it `--expose-gc` and glibc's fixed mmap threshold; a deployment that starts it some
 * other way is told at start what it is missing.
 */
export function warnAboutProcess(config: ResolvedGatewayConfig, gcExposed: boolean, log: FastifyBaseLogger): void {
  if (config.gcAfterAnswerBytes > 0 && !gcExposed) log.warn("node started without --expose-gc: no garbage collection after large department answers (GATEWAY_GC_AFTER_ANSWER_BYTES); start the gateway as `npm run start:gateway` does");
  for (const [name, value] of Object.entries(config.processEnv)) {
    if (process.env[name] !== value) log.warn({ [name]: process.env[name] ?? null, expected: value }, `the gateway process's environment lacks ${name}=${value} (GATEWAY_MALLOC_MMAP_THRESHOLD); start it as \`npm run start:gateway\` does`);
  }
}

/**
 * A department over HTTP (in place of Apollo's fetch-based RemoteGraphQLDataSource): signed, pooled,
 * identical in-flight queries coalesced, each failure (./transport/subgraph-client.ts) turned into a
 * partial result — the department's fields null, an error with a registered code naming it.
 */
class DepartmentDataSource implements GraphQLDataSource<Ctx> {
  constructor(
    private readonly name: string,
    private readonly client: SubgraphClient,
    private readonly secret: string,
    private readonly policy: Policy,
    private readonly log: FastifyBaseLogger,
    private readonly timeoutMs: number,
    private readonly tracing?: Tracing,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<Ctx>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const document = ("document" in options ? options.document : undefined) ?? operationDocument(request.query);
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    const ctx = context as GovernedContext;
    const caller = forwardedCaller(ctx, this.policy);
    // Never send a department a request without a caller: it would refuse it anyway (fail closed).
    if (!caller) throw apiError("INTERNAL_SERVER_ERROR", "no caller to forward");
    // The gateway's request id, which the department logs as its own (not signed: it only labels logs).
    const requestId = typeof ctx?.requestId === "string" && REQUEST_ID.test(ctx.requestId) ? ctx.requestId : undefined;
    const representations = (request.variables as { representations?: unknown } | undefined)?.representations;
    // Tracing on: a client span per fetch, child of the operation's span; the department continues it
    // (`traceparent`, not signed: it only labels traces).
    const span = this.tracing?.startSpan(`fetch ${this.name}`, SpanKind.CLIENT, ctx?.trace ?? ROOT_CONTEXT, { "cg.subgraph": this.name, ...(requestId ? { "cg.request_id": requestId } : {}) });
    const traceHeaders = span ? this.tracing!.inject(withSpan(ctx?.trace ?? ROOT_CONTEXT, span), {}) : undefined;
    let answer;
    let response;
    try {
      answer = await this.client.post(
        body,
        request.query,
        JSON.stringify(caller),
        (b) => ({ ...signRequest(this.secret, { audience: this.name, method: "POST", target: this.client.target, caller, body: b }), ...(requestId ? { "x-request-id": requestId } : {}), ...traceHeaders }),
        { ...(Array.isArray(representations) ? { entities: representations.length } : {}), document },
      );
      // Its bytes are held by this request until its response has been sent (or refused, for a copy of a
      // shared answer the budget has no room for).
      response = answer.response(ctx?.answers);
      span?.setAttribute("cg.outcome", "ok");
    } catch (e) {
      span?.setAttribute("cg.outcome", e instanceof DepartmentFetchError ? e.outcome : "error");
      span?.setStatus({ code: SpanStatusCode.ERROR });
      if (!(e instanceof DepartmentFetchError)) throw e;
      // Details (the department's status, body, connection error) stay in the gateway's log.
      const entry = { reqId: ctx?.requestId, subgraph: this.name, outcome: e.outcome, attempts: e.detail.attempts, status: e.detail.status, code: e.detail.code, reason: e.message };
      if (e.outcome === "circuit_open") this.log.debug(entry, "department skipped: its circuit breaker is open");
      else if (e.outcome === "unavailable" || e.outcome === "timeout" || (e.outcome === "http_error" && (e.detail.status ?? 0) >= 500)) this.log.warn(entry, "department not answering");
      else this.log.warn(entry, "department answer unusable");
      throw fetchFailure(this.name, e, this.timeoutMs);
    } finally {
      span?.end();
    }
    // Only what this department was asked for: extra keys would overwrite other departments' fields.
    const shape = shapeOf(request.query ?? "");
    if (!shape) throw apiError("SUBGRAPH_BAD_RESPONSE", `The ${this.name} system's answer could not be checked.`, { serviceName: this.name });
    const extra = cutToShape(response.data, shape);
    if (extra > 0) this.log.warn({ reqId: ctx?.requestId, subgraph: this.name, keys: extra }, "department answered fields it was not asked for; dropped");
    if (Array.isArray(response.errors)) {
      response.errors = response.errors.map((e) => {
        const err = (e && typeof e === "object" ? e : {}) as { message?: unknown; path?: unknown; extensions?: unknown };
        return {
          message: typeof err.message === "string" ? err.message : `Error from ${this.name}`,
          path: normalisePath(err.path),
          extensions: err.extensions && typeof err.extensions === "object" && !Array.isArray(err.extensions) ? err.extensions : { code: "INTERNAL_SERVER_ERROR" },
        };
      });
    } else if (response.errors === null) delete response.errors;
    return response as GatewayGraphQLResponse;
  }
}

/** How long a department's previous client stays open after its routing URL changed (in-flight requests end). */
const RETIRE_AFTER_MS = 60_000;

export interface ServiceBuilderOptions {
  /** Told of every attempt to fetch from a department (metrics). */
  onFetch?: (e: FetchEvent) => void;
  /** OpenTelemetry tracing (absent: TRACING=off): a span per department fetch. */
  tracing?: Tracing;
  /** Breakers shared with the other gateway replicas (./transport/breaker-sync.ts); absent: per gateway. */
  breakerSync?: BreakerSync;
}

/**
 * Builds each subgraph's data source; `close()` releases the departments' connection pools; `breakers()`
 * is every department's circuit-breaker state (readiness, metrics). One breaker per department and one
 * budget of answer bytes in flight for the whole gateway, kept across rebuilds (a new supergraph).
 */
export function createServiceBuilder(config: ResolvedGatewayConfig, insights: InsightsContext, policy: Policy, audit: () => AuditStore, log: FastifyBaseLogger, options: ServiceBuilderOptions = {}) {
  // One client (connection pool) per department, reused by every supergraph version; a new routing URL gets
  // a new client, and the old one is closed once requests planned on the previous version have had time to end.
  const clients = new Map<string, SubgraphClient>();
  const retired = new Set<SubgraphClient>();
  const breakers = new Map<string, CircuitBreaker>();
  // With `--expose-gc` (GATEWAY_GC_AFTER_ANSWER_BYTES): a large answer's garbage is collected once it is cut.
  const gc = config.gcAfterAnswerBytes > 0 ? exposedCollector() : undefined;
  const budget = new AnswerBudget(config.subgraphResponseBudgetBytes, gc ? { afterBytes: config.gcAfterAnswerBytes, gc, aboveRssBytes: config.gcAboveRssBytes } : undefined);
  warnAboutProcess(config, !!gc, log);
  // The in-process services' page cursors (findings, access log) are opaque like the departments'.
  const cursors = createCursorCodec(config.signingSecret);
  const breakerOf = (name: string) => {
    let b = breakers.get(name);
    if (!b) {
      b = new CircuitBreaker(name, {
        failureThreshold: config.breaker.failures,
        cooldownMs: config.breaker.cooldownMs,
        onChange: (s, { reopened }) => {
          if (s.state === "closed") {
            options.breakerSync?.closed(name);
            return log.info({ subgraph: name }, "department circuit breaker closed: answering again");
          }
          log.warn({ subgraph: name, failures: s.failures, cooldownMs: config.breaker.cooldownMs }, "department circuit breaker open: failing fast");
          // Only a newly opened breaker is announced: this gateway's failed probes do not reopen the others'.
          if (!reopened) options.breakerSync?.announce(name, b!.remainingMs());
        },
      });
      breakers.set(name, b);
    }
    return b;
  };
  const clientOf = (name: string, url: string, timeoutMs: number): SubgraphClient => {
    const current = clients.get(name);
    if (current?.url === url) return current;
    if (current) {
      retired.add(current);
      // Long enough for a request planned on the previous supergraph to finish, whatever its deadline.
      setTimeout(() => void current.close().catch(() => undefined).finally(() => retired.delete(current)), Math.max(RETIRE_AFTER_MS, 2 * timeoutMs)).unref();
    }
    const client = new SubgraphClient(url, {
      name,
      timeoutMs,
      connections: config.subgraphConnections,
      coalesce: config.coalesceSubgraphRequests,
      retries: config.subgraphRetries,
      maxResponseBytes: config.subgraphMaxResponseBytes,
      budget,
      breaker: breakerOf(name),
      onFetch: options.onFetch,
    });
    clients.set(name, client);
    return client;
  };
  const build = ({ name, url }: { name: string; url?: string }): GraphQLDataSource => {
    if (name === INSIGHTS_SUBGRAPH) return createInsightsDataSource(insights, cursors);
    if (name === AUDIT_SUBGRAPH) return createAuditDataSource(audit, policy, cursors);
    const timeoutMs = config.subgraphTimeouts[name] ?? config.subgraphTimeoutMs;
    return new DepartmentDataSource(name, clientOf(name, config.subgraphUrls[name] ?? url ?? "", timeoutMs), config.signingSecret, policy, log, timeoutMs, options.tracing);
  };
  return {
    build,
    close: () => Promise.all([...clients.values(), ...retired].map((c) => c.close().catch(() => undefined))).then(() => undefined),
    /** Opens this gateway's breakers when another replica's open (and now, those already open). */
    followPeers: (departments: readonly string[]) =>
      options.breakerSync?.follow(departments, (name) => breakers.has(name) || departments.includes(name), (name, ms) => {
        breakerOf(name).openFor(ms);
        log.warn({ subgraph: name, ms }, "department circuit breaker opened by another gateway: failing fast");
      }) ?? Promise.resolve(),
    /** Department connection pools open: one per department, plus any retired after a URL change. */
    pools: () => clients.size + retired.size,
    breakers: (): BreakerSnapshot[] => [...breakers.values()].map((b) => b.snapshot()),
    /** A ledger of the answer bytes one request holds (released when its response has been sent). */
    hold: () => budget.hold(),
    /** Department answer bytes in flight, and the collections run after large answers (metrics). */
    answers: (): AnswersLike => ({ inFlightBytes: budget.inFlight, collections: budget.collections, collectionSeconds: budget.collectionMs / 1000 }),
  };
}
