/**
 * The gateway's request pipeline: one ordered list of one-capability plugins (./plugins/*), the only place
 * where they are put together. Order matters within each layer:
 * - HTTP: host → request id → (tracing: a span per GraphQL operation, first of the Apollo plugins) → errors → identity → rate limit → client identity → batching → persisted
 *   queries → persisted documents → CSRF → contracts;
 * - GraphQL: landing page, limits (parse and validation), operation resolution → contracts → safelist →
 *   input validation → cost → usage reporting;
 * - governance (around the executor): purpose → authorization → masking → access record;
 * - metrics last (it counts the errors of responses as the other plugins leave them, and times the
 *   access log's appends).
 */
import type { GatewayConfig } from "./config";
import type { AuditStore } from "./audit/store";
import type { Authenticate } from "./auth/identity";
import type { Policy } from "./governance/policy";
import type { GatewayPlugin } from "./plugins/types";
import { createHostPlugin } from "./plugins/host";
import { createRequestIdPlugin } from "./plugins/request-id";
import { createHttpErrorsPlugin } from "./plugins/http-errors";
import { createIdentityPlugin } from "./plugins/identity";
import { createRateLimitPlugin } from "./plugins/rate-limit";
import type { SharedState } from "./state/shared-state";
import { createBatchingPlugin } from "./plugins/batching";
import { createPersistedQueriesPlugin } from "./plugins/persisted-queries";
import { createCsrfPlugin } from "./plugins/csrf";
import { createLandingPagePlugin } from "./plugins/landing-page";
import { createLimitsPlugin } from "./plugins/limits";
import { createOperationResolutionPlugin } from "./plugins/operation-resolution";
import { createInputValidationPlugin } from "./plugins/input-validation";
import { createCostPlugin } from "./plugins/cost";
import { createPurposePlugin } from "./plugins/purpose";
import { createAuthorizationPlugin } from "./plugins/authorization";
import { createMaskingPlugin } from "./plugins/masking";
import { createAccessRecordPlugin } from "./plugins/access-record";
import { createClientIdentityPlugin } from "./plugins/client-identity";
import { createPersistedDocumentsPlugin } from "./plugins/persisted-documents";
import { createContractsPlugin } from "./plugins/contracts";
import { createSafelistPlugin } from "./plugins/safelist";
import { createUsageReportingPlugin } from "./plugins/usage-reporting";
import type { SafelistGuard } from "../../schema/registry/safelist";
import type { UsageEntry } from "../../schema/registry/usage";
import type { GraphQLSchema } from "graphql";
import { createMetricsPlugin, type AnswersLike, type BreakerLike } from "./plugins/metrics";
import { createTracingPlugin } from "./plugins/tracing";
import type { Tracing } from "../../subgraphs/kit/tracing";

export interface PipelineDeps {
  config: GatewayConfig;
  /** Absent with governance off (benchmarks only). */
  governance?: { authenticate: Authenticate; policy: Policy; audit: AuditStore };
  /** The schema registry's per-request services (absent when the supergraph is a file). */
  registry?: { guard: SafelistGuard; record: (entries: UsageEntry[]) => void; contracts: () => Promise<Map<string, GraphQLSchema>> };
  /** State shared by gateway processes (rate limits). */
  state: SharedState;
  log: { error(o: unknown, m: string): void; warn(o: unknown, m: string): void };
  /** The departments' circuit breakers, shown in the metrics (read at each scrape). */
  breakers?: () => BreakerLike[];
  /** The departments' answer budget and its collections, shown in the metrics (read at each scrape). */
  answers?: () => AnswersLike;
  /** OpenTelemetry tracing (absent: TRACING=off). */
  tracing?: Tracing;
}

export function createPipeline({ config, governance, registry, state, log, breakers, answers, tracing }: PipelineDeps): GatewayPlugin[] {
  const g = governance;
  const r = registry;
  const metrics = createMetricsPlugin({ token: config.metricsToken, breakers, answers });
  const audit = g ? metrics.instrumentAudit(g.audit) : undefined;
  return [
    createHostPlugin(),
    createRequestIdPlugin(),
    ...(tracing ? [createTracingPlugin({ tracing })] : []),
    createHttpErrorsPlugin(),
    ...(g ? [createIdentityPlugin({ authenticate: g.authenticate }), createRateLimitPlugin({ state, perSecond: config.rateLimit.perSecond, burst: config.rateLimit.burst, log })] : []),
    createClientIdentityPlugin(),
    createBatchingPlugin({ maxBatch: config.limits.maxBatch }),
    createPersistedQueriesPlugin(),
    ...(r ? [createPersistedDocumentsPlugin({ guard: r.guard })] : []),
    createCsrfPlugin(),
    ...(r ? [createContractsPlugin({ schemas: r.contracts })] : []),
    createLandingPagePlugin(),
    createLimitsPlugin(config.limits),
    createOperationResolutionPlugin(),
    ...(r ? [createSafelistPlugin({ guard: r.guard })] : []),
    createInputValidationPlugin(),
    createCostPlugin({ maxCost: config.limits.maxCost, heavyCost: config.heavy.cost, maxHeavy: config.heavy.max, maxHeavyWaiting: config.heavy.waiting }),
    ...(r ? [createUsageReportingPlugin({ record: r.record, log })] : []),
    ...(g
      ? [
          createPurposePlugin({ policy: g.policy }),
          createAuthorizationPlugin({ policy: g.policy, mode: config.authzMode }),
          createMaskingPlugin({ policy: g.policy }),
          createAccessRecordPlugin({ audit: audit!, log }),
        ]
      : []),
    metrics,
  ];
}
