/**
 * How the gateway reaches each subgraph: the departments over HTTP (routing URL from the supergraph,
 * overridable per subgraph), signing every request with the caller context; the insights checks and the
 * access log in process. A department that cannot be reached yields SUBGRAPH_UNAVAILABLE naming it.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { createInsightsDataSource, INSIGHTS_SUBGRAPH, type InsightsContext } from "./insights/service";
import { AUDIT_SUBGRAPH, createAuditDataSource } from "./audit/service";
import { GraphQLError } from "graphql";
import { apiError } from "./errors";
import { HEADER_CALLER, signRequest, type ForwardedCaller } from "./trust/signature";
import type { GovernedContext } from "./governance/governed-gateway";
import type { Policy } from "./governance/policy";
import type { AuditStore } from "./audit/store";
import type { GatewayConfig } from "./config";

const UNREACHABLE = /ECONN|ETIMEDOUT|socket hang up|network timeout|fetch failed|other side closed/i;

/** With governance off (benchmarks), the gateway acts for a district-wide system caller. */
const UNGOVERNED: ForwardedCaller = { sub: "gateway", role: "system", org: "gateway", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: null };

export function forwardedCaller(ctx: GovernedContext, policy: Policy): ForwardedCaller | null {
  const c = ctx?.caller;
  if (!c) return ctx?.ungoverned ? UNGOVERNED : null;
  return { sub: c.sub, role: c.role, org: c.org, rowScope: policy.roles[c.role]?.rowScope ?? "self", area: c.area, citizenId: c.role === "citizen" ? c.sub : undefined, purpose: ctx.purpose };
}

class DepartmentDataSource extends RemoteGraphQLDataSource<GovernedContext & Record<string, unknown>> {
  constructor(
    private readonly name: string,
    url: string,
    private readonly secret: string,
    private readonly policy: Policy,
    timeoutMs: number,
  ) {
    super({
      url,
      // Node's fetch (undici: keep-alive pooling); the signature covers the exact body bytes sent.
      fetcher: (async (input: string, init: RequestInit & { headers: Record<string, string> | Headers }) => {
        const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
        const caller = headers.get(HEADER_CALLER);
        headers.delete(HEADER_CALLER);
        if (caller) for (const [k, v] of Object.entries(signRequest(secret, JSON.parse(caller), String(init.body ?? "")))) headers.set(k, v);
        return fetch(input, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
      }) as never,
    });
  }

  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource["willSendRequest"]>>[0]): void {
    const caller = forwardedCaller(context as unknown as GovernedContext, this.policy);
    if (caller) request.http?.headers.set(HEADER_CALLER, JSON.stringify(caller));
  }

  override async process(options: GraphQLDataSourceProcessOptions<GovernedContext & Record<string, unknown>>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (err) {
      const e = err as { name?: string; type?: string; message?: string; cause?: { code?: string } };
      if (e?.name === "FetchError" || e?.name === "TimeoutError" || e?.type === "system" || UNREACHABLE.test(`${e?.message ?? ""} ${e?.cause?.code ?? ""}`)) {
        throw apiError("SUBGRAPH_UNAVAILABLE", `The ${this.name} system is not answering.`, { serviceName: this.name });
      }
      // An HTTP error from a department (e.g. it refused the gateway's signature: a misconfigured secret)
      // carries the department's URL and body: never pass that to clients; it is logged and masked.
      if ((err as { extensions?: { response?: unknown } })?.extensions?.response) {
        // A GraphQLError keeps the rest of the response; the formatter logs it and masks the message.
        throw new GraphQLError(`${this.name} answered with an HTTP error`, { originalError: err as Error, extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: this.name } });
      }
      throw err;
    }
  }
}

export function createServiceBuilder(config: GatewayConfig, insights: InsightsContext, policy: Policy, audit: () => AuditStore) {
  return ({ name, url }: { name: string; url?: string }): GraphQLDataSource => {
    if (name === INSIGHTS_SUBGRAPH) return createInsightsDataSource(insights);
    if (name === AUDIT_SUBGRAPH) return createAuditDataSource(audit, policy);
    return new DepartmentDataSource(name, config.subgraphUrls[name] ?? url ?? "", config.signingSecret, policy, config.subgraphTimeoutMs);
  };
}
