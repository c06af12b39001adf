/**
 * Builds the gateway: Apollo Server + Apollo Gateway over the composed supergraph, mounted on Fastify, with
 * the request pipeline of ./pipeline.ts (HTTP hooks, Apollo plugins, governance around the executor).
 * Building is separate from listening (main.ts), so tests can run it on an ephemeral port.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloGateway } from "@apollo/gateway";
import fastifyApollo from "@as-integrations/fastify";
import type { ValidationRule } from "graphql";
import type { GatewayConfig, ResolvedGatewayConfig } from "./config";
import { createServiceBuilder } from "./data-sources";
import { createBreakerSync } from "./transport/breaker-sync";
import { DEPARTMENT_RECORDS } from "../../subgraphs/departments";
import { createErrorFormatter, createErrorLogPlugin } from "./plugins/error-masking";
import type { InsightsContext } from "./insights/service";
import { enumLabels } from "./insights/labels";
import { createIdentity } from "./auth/identity";
import { loadPolicy } from "./governance/policy";
import { governGateway, type GovernedContext } from "./governance/executor";
import { openAuditStore, type AuditStore } from "./audit/store";
import { openAuditWriter } from "./audit/writer-client";
import { createPipeline } from "./pipeline";
import { createMemoryState, createRedisState, type SharedState } from "./state/shared-state";
import { clientErrorHandler, frameworkErrorHandler } from "../../subgraphs/kit/contract/client-errors";
import { errorBody } from "../../subgraphs/kit/contract/errors";
import { apiError, isRegisteredCode, type ErrorCode } from "./errors";
import { clientRequestId } from "./plugins/request-id";
import { createTracing } from "../../subgraphs/kit/tracing";
import type { ExecutorPlugin } from "./governance/executor";
import { openSupergraph, type ServedSupergraph } from "./supergraph";
import { CONTRACT_ROUTE, createContractSchemas } from "./plugins/contracts";
import { createRegistryRoutes } from "../../schema/registry/http";
import { registerDraining } from "../../subgraphs/kit/lifecycle";
import { registerHealthRoutes } from "../../subgraphs/kit/health";
import { createAnswerHolds } from "./answer-holds";
import { metricsPluginOf, NO_ANSWERS, type AnswersLike, type BreakerLike, type MetricsPlugin } from "./plugins/metrics";

export type GatewayContext = GovernedContext;

/** How long a response that holds department answers may take to be delivered before its connection is closed. */
const ANSWER_SEND_DEADLINE_MS = 30_000;

/** Governance off: nothing is recorded, and no access-log database is opened. */
const DISABLED_AUDIT: AuditStore = {
  kind: "disabled",
  append: () => Promise.reject(new Error("the access log is disabled (GOVERNANCE=off)")),
  query: async () => ({ records: [], hasNext: false, total: 0 }),
  verify: async () => ({ ok: true, count: 0, headHash: "" }),
  ping: async () => undefined,
  close: async () => undefined,
};

export interface BuiltGateway {
  app: FastifyInstance;
  server: ApolloServer<GatewayContext>;
  audit: AuditStore;
  /** Where the supergraph comes from (and the registry, when it is one). */
  supergraph: ServedSupergraph;
  /** The metrics plugin (department fetch events go to its observeFetch). */
  metrics: MetricsPlugin;
}

export interface BuildOptions {
  /** Use this access-log store instead of opening the configured one (tests inject failures). */
  audit?: AuditStore;
  /** Use this shared state instead of the configured one. */
  state?: SharedState;
  /** Where the log lines go instead of standard output (tests read them). */
  logStream?: { write(line: string): void };
  /** The departments' circuit breakers, for /readyz and the metrics (tests; otherwise the transport's). */
  breakers?: () => BreakerLike[];
}

export async function buildGateway(unresolved: GatewayConfig, options: BuildOptions = {}): Promise<BuiltGateway> {
  // Secrets come from the environment or from `withSecrets` (the entry points): building never writes files.
  if (!unresolved.signingSecret || (!unresolved.auth.jwksUrl && !unresolved.auth.hs256Secret)) throw new Error("buildGateway: secrets are not resolved (call withSecrets)");
  const config = unresolved as ResolvedGatewayConfig;
  const app = Fastify({
    logger: { level: config.logLevel, name: "gateway", ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: config.bodyLimit,
    // The gateway's own request ids; a client's x-request-id is only ever kept beside it (plugins/request-id).
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    // The Host header is checked by plugins/host (with a JSON error) rather than by Node's HTTP parser.
    serverFactory: (handler) => {
      const server = createServer({ requireHostHeader: false }, handler);
      // `Expect:` values other than 100-continue get Node's bare 417; answer with a registered code instead.
      server.on("checkExpectation", (_req, res) => {
        const body = JSON.stringify(errorBody("EXPECTATION_FAILED", "Only `Expect: 100-continue` is supported."));
        res.writeHead(417, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" }).end(body);
      });
      return server;
    },
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    // Client names in registry routes are URL-encoded Unicode (up to 100 characters, 9 bytes each encoded).
    routerOptions: { maxParamLength: 1000 },
    // While shutting down, requests on kept-alive connections get a registered code (kit/lifecycle), not Fastify's 503.
    return503OnClosing: false,
  });
  registerDraining(app);
  const supergraph = await openSupergraph(config, app.log);
  const supergraphSdl = supergraph.initialSdl;
  const policy = loadPolicy(config.policyPath);
  // The embedded (PGlite) log runs in its own writer process; PostgreSQL is reached directly.
  const audit = options.audit ?? (!config.governance ? DISABLED_AUDIT : config.audit.databaseUrl ? await openAuditStore(config.audit) : await openAuditWriter(config.audit, { shutdownGraceMs: config.shutdownTimeoutMs + 5000 }));
  const state = options.state ?? (config.redisUrl ? createRedisState(config.redisUrl, config.redisKeyPrefix) : createMemoryState());
  const authenticate = config.governance ? createIdentity({ ...config.auth, knownRoles: Object.keys(policy.roles), state }) : undefined;
  const registry = supergraph.registry;
  const source = supergraph.source;
  // The departments' circuit breakers (the transport's), read by /readyz and the metrics.
  // One tracer provider for this gateway (TRACING; none when off), shut down with the app.
  const tracing = createTracing("gateway", config.tracing);
  const departments: { breakers: () => BreakerLike[]; answers: () => AnswersLike } = { breakers: options.breakers ?? ((): BreakerLike[] => []), answers: () => NO_ANSWERS };
  const plugins = createPipeline({
    config,
    governance: authenticate ? { authenticate, policy, audit } : undefined,
    registry: registry && source ? { guard: registry, record: (e) => registry.recordUsage(e), contracts: createContractSchemas(registry, () => source.version).get } : undefined,
    state,
    log: app.log,
    breakers: () => departments.breakers(),
    answers: () => departments.answers(),
    tracing,
  });
  const metrics = metricsPluginOf(plugins)!;
  for (const p of plugins) p.http?.(app);

  const insights: InsightsContext = { idKey: config.signingSecret, labels: enumLabels(supergraphSdl) };
  const breakerSync = createBreakerSync(state, app.log);
  const services = createServiceBuilder(config, insights, policy, () => audit, app.log, { onFetch: metrics.observeFetch, tracing, breakerSync });
  // Not awaited: an unreachable Redis must not hold the start (the breakers then work per gateway).
  void services.followPeers(DEPARTMENT_RECORDS.map((d) => d.name));
  if (!options.breakers) departments.breakers = services.breakers;
  departments.answers = services.answers;
  // The planner's parsed subgraph operations reach the data sources, which check answers against them.
  const gateway = new ApolloGateway({ supergraphSdl: supergraph.supergraphSdl, buildService: services.build, queryPlannerConfig: { exposeDocumentNodeInFetchNode: true } });
  let supergraphLoaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    supergraphLoaded = true;
  });
  const executorPlugins = plugins.map((p) => p.executor).filter((p): p is ExecutorPlugin => !!p);
  if (config.governance && !plugins.some((p) => p.name === "authorization" && p.executor)) throw new Error("governance is on but the pipeline has no authorization plugin");
  const server = new ApolloServer<GatewayContext>({
    gateway: config.governance ? governGateway(gateway, executorPlugins, app.log) : gateway,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(app.log),
    validationRules: plugins.flatMap((p) => p.validationRules ?? []) as ValidationRule[],
    parseOptions: Object.assign({}, ...plugins.map((p) => p.parseOptions ?? {})),
    plugins: [...plugins.flatMap((p) => (p.apollo ? [p.apollo as ApolloServerPlugin<GatewayContext>] : [])), createErrorLogPlugin(app.log) as ApolloServerPlugin<GatewayContext>],
    allowBatchedHttpRequests: config.limits.maxBatch > 1,
    // APQ's cache would be shared by all callers (plugins/persisted-queries refuses the extension).
    persistedQueries: false,
    // Its own handler would stop the server and re-send the signal before Fastify drains: main.ts drives
    // shutdown (app.close(): Fastify finishes requests in flight, then onClose stops Apollo Server).
    stopOnTerminationSignals: false,
  });
  await server.start();
  // The insights checks run federated queries as the original caller, fully governed (row scope, scopes,
  // purpose, masks, access record): a finding is built only from facts the caller may read.
  insights.execute = (context) => async (query, variables) => {
    const outer = context as GovernedContext;
    const res = await server.executeOperation({ query, variables }, { contextValue: { requestId: outer.requestId, clientRequestId: outer.clientRequestId, caller: outer.caller, purpose: outer.purpose, ungoverned: outer.ungoverned, trace: outer.trace, answers: outer.answers } });
    if (res.body.kind !== "single") throw new Error("unexpected incremental result");
    const { data, errors } = res.body.singleResult;
    // Fields the caller may not read come back null with UNAUTHORIZED_FIELD_OR_TYPE: the checks work without them.
    const failures = (errors ?? []).filter((e) => e.extensions?.code !== "UNAUTHORIZED_FIELD_OR_TYPE");
    // A refusal of the caller's (no purpose, the access log unavailable) is the findings' refusal too.
    const refusal = failures.find((e) => isRegisteredCode(e.extensions?.code) && e.extensions?.code !== "INTERNAL_SERVER_ERROR" && !e.path);
    if (refusal) throw apiError(refusal.extensions!.code as ErrorCode, refusal.message);
    if (failures.length) throw new Error(`insights query failed: ${failures.map((e) => `${String(e.extensions?.code)} ${e.message}`).join("; ")}`);
    return (data ?? {}) as Record<string, unknown>;
  };
  const answerHolds = createAnswerHolds(services.hold, { sendDeadlineMs: ANSWER_SEND_DEADLINE_MS });
  app.addHook("onSend", async (req, _reply, payload) => {
    answerHolds.sending(req);
    return payload;
  });
  const context = async (req: FastifyRequest, reply: FastifyReply): Promise<GatewayContext> => {
      const purpose = req.headers["x-purpose"];
      const contract = req.routeOptions.url === CONTRACT_ROUTE ? (req.params as { name: string }).name : undefined;
      // The department answers this request uses stay counted in the gateway's answer budget until the
      // request is over (./answer-holds.ts).
      const answers = answerHolds.of(req, reply);
      const base = { requestId: String(req.id), clientRequestId: clientRequestId(req), client: req.client, answers, ...(contract ? { contract } : {}) };
      if (!config.governance) return { ...base, purpose: null, ungoverned: true };
      // A repeated x-purpose header is ambiguous: it is passed on as given and is then no known purpose.
      const declared = Array.isArray(purpose) ? purpose.join(",") : purpose;
      return { ...base, caller: req.caller, purpose: typeof declared === "string" && declared ? declared : null };
  };
  await app.register(fastifyApollo(server), { path: "/graphql", context });
  if (registry && source && authenticate) {
    // Each contract at its own endpoint (plugins/contracts), and the registry's API for pipelines.
    await app.register(fastifyApollo(server), { path: CONTRACT_ROUTE, context });
    await app.register(createRegistryRoutes({ registry, authenticate }));
  }
  // /healthz (alive), /readyz (supergraph loaded, access log writable, shared state answering; department
  // breakers shown), /health (alias of /healthz).
  registerHealthRoutes(app, {
    name: "gateway",
    checks: {
      supergraph: async () => supergraphLoaded || { ok: false, reason: "no supergraph loaded" },
      ...(config.governance
        ? {
            accessLog: () => audit.ping(),
            sharedState: async () => (await state.ping()) || { ok: false, reason: "the shared state (Redis) does not answer" },
          }
        : {}),
    },
    info: () => {
      const b = departments.breakers();
      const open = b.filter((x) => x.state !== "closed").map((x) => x.subgraph);
      return { departments: Object.fromEntries(b.map((x) => [x.subgraph, { breaker: x.state, failures: x.failures, ...(x.openedAt ? { openedAt: x.openedAt } : {}) }])), ...(open.length ? { degraded: open } : {}) };
    },
  });
  // Fastify drains HTTP connections on close; Apollo Server then stops.
  app.addHook("onClose", async () => {
    breakerSync.stop();
    await server.stop();
    await services.close();
    if (!options.audit) await audit.close();
    await tracing?.shutdown();
    if (!options.state) await state.close();
    await supergraph.close();
  });
  return { app, server, audit, supergraph, metrics };
}
