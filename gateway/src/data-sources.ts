/**
 * How the gateway reaches each subgraph: the departments over HTTP (routing URL from the supergraph,
 * overridable per subgraph), signing every request with the caller context; the insights checks and the
 * access log in process. A department that cannot be reached yields SUBGRAPH_UNAVAILABLE naming it.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { createInsightsDataSource, INSIGHTS_SUBGRAPH, type InsightsContext } from "./insights/service";
import { AUDIT_SUBGRAPH, createAuditDataSource } from "./audit/service";
import { GraphQLError } from "graphql";
import { apiError } from "./errors";
import { signRequest } from "../../subgraphs/kit/contract/signing";
import { SYSTEM_CALLER, type ForwardedCaller } from "../../subgraphs/kit/contract/caller";
import { createCursorCodec } from "../../subgraphs/kit/contract/cursor";
import { SubgraphClient } from "./transport/subgraph-client";
import { cutToShape, shapeOf } from "./transport/answer-shape";
import type { GovernedContext } from "./governance/executor";
import { roleOf, type Policy } from "./governance/policy";
import type { AuditStore } from "./audit/store";
import type { ResolvedGatewayConfig } from "./config";
import type { FastifyBaseLogger } from "fastify";

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

/** A department over HTTP (in place of Apollo's fetch-based RemoteGraphQLDataSource): signed, pooled, identical in-flight queries coalesced. */
class DepartmentDataSource implements GraphQLDataSource<Ctx> {
  constructor(
    private readonly name: string,
    private readonly client: SubgraphClient,
    private readonly secret: string,
    private readonly policy: Policy,
    private readonly log: FastifyBaseLogger,
  ) {}

  async process({ request, context }: GraphQLDataSourceProcessOptions<Ctx>): Promise<GatewayGraphQLResponse> {
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    const caller = forwardedCaller(context as GovernedContext, this.policy);
    // Never send a department a request without a caller: it would refuse it anyway (fail closed).
    if (!caller) throw apiError("INTERNAL_SERVER_ERROR", "no caller to forward");
    let answer;
    try {
      answer = await this.client.post(body, request.query, JSON.stringify(caller), (b) => signRequest(this.secret, { audience: this.name, method: "POST", target: this.client.target, caller, body: b }));
    } catch (e) {
      // Refused connection, reset, timeout: the department is not answering. (Details stay in the gateway's log.)
      const err = e as { code?: string; name?: string; message?: string };
      this.log.warn({ subgraph: this.name, code: err.code, error: err.name, reason: err.message }, "department not answering");
      throw apiError("SUBGRAPH_UNAVAILABLE", `The ${this.name} system is not answering.`, { serviceName: this.name });
    }
    if (answer.status < 200 || answer.status >= 300) {
      // An HTTP error from a department (e.g. it refused the gateway's signature: a misconfigured secret)
      // carries the department's URL and body: never pass that to clients. A GraphQLError keeps the rest
      // of the response; the formatter logs it and masks the message.
      throw new GraphQLError(`${this.name} answered with HTTP ${answer.status}`, {
        extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: this.name, response: { status: answer.status, body: answer.text.slice(0, 2000) } },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new GraphQLError(`${this.name} answered with a body that is not a GraphQL response`, { extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: this.name } });
    }
    const response = parsed as { data?: unknown; errors?: unknown };
    if (response.errors !== undefined && !Array.isArray(response.errors)) {
      throw new GraphQLError(`${this.name} answered with malformed errors`, { extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: this.name } });
    }
    // Only what this department was asked for: extra keys would overwrite other departments' fields.
    const shape = shapeOf(request.query ?? "");
    if (!shape) throw new GraphQLError(`the query sent to ${this.name} could not be read back`, { extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: this.name } });
    const extra = cutToShape(response.data, shape);
    if (extra > 0) this.log.warn({ subgraph: this.name, requestId: (context as GovernedContext)?.requestId, keys: extra }, "department answered fields it was not asked for; dropped");
    if (Array.isArray(response.errors)) {
      response.errors = response.errors.map((e) => {
        const err = (e && typeof e === "object" ? e : {}) as { message?: unknown; path?: unknown; extensions?: unknown };
        return {
          message: typeof err.message === "string" ? err.message : `Error from ${this.name}`,
          path: normalisePath(err.path),
          extensions: err.extensions && typeof err.extensions === "object" && !Array.isArray(err.extensions) ? err.extensions : { code: "INTERNAL_SERVER_ERROR" },
        };
      });
    }
    return response as GatewayGraphQLResponse;
  }
}

/** Builds each subgraph's data source; `close()` releases the departments' connection pools. */
export function createServiceBuilder(config: ResolvedGatewayConfig, insights: InsightsContext, policy: Policy, audit: () => AuditStore, log: FastifyBaseLogger) {
  const clients: SubgraphClient[] = [];
  // The in-process services' page cursors (findings, access log) are opaque like the departments'.
  const cursors = createCursorCodec(config.signingSecret);
  const build = ({ name, url }: { name: string; url?: string }): GraphQLDataSource => {
    if (name === INSIGHTS_SUBGRAPH) return createInsightsDataSource(insights, cursors);
    if (name === AUDIT_SUBGRAPH) return createAuditDataSource(audit, policy, cursors);
    const client = new SubgraphClient(config.subgraphUrls[name] ?? url ?? "", { timeoutMs: config.subgraphTimeoutMs, connections: config.subgraphConnections, coalesce: config.coalesceSubgraphRequests });
    clients.push(client);
    return new DepartmentDataSource(name, client, config.signingSecret, policy, log);
  };
  return { build, close: () => Promise.all(clients.map((c) => c.close())).then(() => undefined) };
}
