/**
 * Governance around Apollo Gateway's executor. For every operation, before any subgraph is called:
 * resolve the declared purpose, authorize every field (removing denied ones), then execute the reduced
 * operation; afterwards null the denied fields (with errors), mask, and write the access record — and
 * if that record cannot be written, return no personal data (fail closed).
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { GraphQLError, print, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { ApolloGateway } from "@apollo/gateway";
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from "@apollo/server-gateway-interface";
import { apiError, type ErrorCode, ERROR_CODES } from "../errors";
import type { Caller } from "../auth/identity";
import type { AuditStore } from "../audit/store";
import { inlineOperation } from "./inline";
import { authorize, classesSelected, RESERVED_PREFIX, reservedAlias } from "./authorize";
import { processResponse } from "./response";
import type { Policy } from "./policy";
import type { Rules } from "./requirements";

export interface GovernedContext {
  requestId: string;
  caller?: Caller;
  /** Declared purpose (header x-purpose), replaced by the role's default when absent. */
  purpose: string | null;
  /** Set on the gateway's own nested queries (insights): already authorized by the outer operation. */
  internal?: boolean;
  /** Governance is off (GOVERNANCE=off, benchmarks only): no caller, district-wide system access. */
  ungoverned?: boolean;
}

export interface GovernanceOptions {
  rules: Rules;
  policy: Policy;
  mode: "filter" | "reject";
  audit: AuditStore;
}

function refuse(rc: GatewayGraphQLRequestContext, code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
  const status = ERROR_CODES[code].status;
  if (rc.response?.http) rc.response.http.status = status;
  return { errors: [apiError(code, message, { ...extra, http: { status } })] };
}

/** What authorizing an operation for one role, scope set and purpose yields; holds no personal data. */
interface Plan {
  personal: boolean;
  /** An alias the client may not use (the gateway's reserved prefix). */
  reserved?: string;
  auth?: ReturnType<typeof authorize>;
  executed?: OperationDefinitionNode | null;
  queryHash?: string;
}

export function governExecutor(executor: GatewayExecutor, getSchema: () => GraphQLSchema, opts: GovernanceOptions): GatewayExecutor {
  // Bounded cache of authorization plans, keyed by the operation and the caller's role, scopes and purpose
  // (never by caller identity or data): repeated operations skip re-walking the document.
  const plans = new LRUCache<string, Plan>({ max: 2000 });
  return async (rc) => {
    const ctx = rc.context as unknown as GovernedContext;
    if (ctx.internal) return executor(rc);
    const caller = ctx.caller;
    if (!caller) return executor(rc);
    let inlined: OperationDefinitionNode | null | undefined;
    const operation = () => (inlined === undefined ? (inlined = inlineOperation(rc.document, rc.request.operationName)) : inlined);
    const schema = getSchema();
    const role = opts.policy.roles[caller.role];
    const opKey = `${rc.queryHash}:${rc.request.operationName ?? ""}`;
    let first = plans.get(opKey);
    if (!first) {
      const op = operation();
      if (!op) return executor(rc);
      const classes = classesSelected(schema, op, opts.rules);
      first = { personal: classes.has("PERSONAL") || classes.has("SENSITIVE"), reserved: reservedAlias(op) };
      plans.set(opKey, first);
    }
    // A client alias in the reserved namespace would stand in for the owner ids the access log relies on.
    if (first.reserved) return refuse(rc, "RESERVED_NAME", `The alias "${first.reserved}" is reserved: aliases starting with "${RESERVED_PREFIX}" are the gateway's own. Rename it.`);
    const personal = first.personal;
    const purpose = ctx.purpose ?? role?.defaultPurpose ?? null;
    if (personal && !purpose) return refuse(rc, "PURPOSE_REQUIRED", `This operation selects personal data: declare a purpose in the x-purpose header (${Object.keys(role?.purposes ?? {}).join(", ")}).`);
    if (purpose && !(purpose in opts.policy.purposes)) return refuse(rc, "UNKNOWN_PURPOSE", `Unknown purpose "${purpose}"; known purposes: ${Object.keys(opts.policy.purposes).join(", ")}.`);
    if (purpose && !(purpose in (role?.purposes ?? {}))) return refuse(rc, "PURPOSE_NOT_ALLOWED", `Role ${caller.role} may not use data for purpose "${purpose}".`, { purpose });
    ctx.purpose = purpose;

    const planKey = `${opKey}|${caller.role}|${caller.scopes.join(" ")}|${purpose ?? ""}`;
    let plan = plans.get(planKey);
    if (!plan?.auth) {
      const op = operation();
      if (!op) return executor(rc);
      const auth = authorize(schema, op, opts.rules, opts.policy, caller, purpose);
      const executed = auth.document ? (auth.document.definitions[0] as OperationDefinitionNode) : null;
      plan = { personal, auth, executed, queryHash: auth.document ? createHash("sha256").update(print(auth.document)).digest("hex") : undefined };
      plans.set(planKey, plan);
    }
    const auth = plan.auth!;
    if (opts.mode === "reject" && auth.denied.length) {
      if (rc.response?.http) rc.response.http.status = 403;
      return { errors: auth.denied.map((d) => apiError("UNAUTHORIZED_FIELD_OR_TYPE", `Not authorized: ${d.coordinate} ${d.reason}.`, { path: d.path, coordinate: d.coordinate, http: { status: 403 } })) };
    }
    const deniedErrors = auth.denied.map(
      (d) => new GraphQLError(`Not authorized: ${d.coordinate} ${d.reason}.`, { path: d.path, extensions: { code: "UNAUTHORIZED_FIELD_OR_TYPE", coordinate: d.coordinate } }),
    );

    let result: Awaited<ReturnType<GatewayExecutor>>;
    const executed = plan.executed ?? null;
    if (auth.document) {
      const doc: DocumentNode = auth.document;
      result = await executor({ ...rc, document: doc, queryHash: plan.queryHash } as GatewayGraphQLRequestContext);
    } else {
      result = { data: {} };
    }
    const data = (result.data ?? null) as Record<string, unknown> | null;
    const access = executed
      ? processResponse(schema, executed, data, opts.rules, opts.policy, auth.masked, auth.denied)
      : { citizens: new Set<string>(), fields: new Set<string>() };
    if (!executed && data) for (const d of auth.denied) if (d.path.length === 1) data[d.path[0]] = null;

    if (access.fields.size > 0) {
      try {
        await opts.audit.append({
          requestId: ctx.requestId,
          at: new Date(),
          callerId: caller.sub,
          callerName: caller.name,
          organisation: caller.org,
          role: caller.role,
          purpose,
          citizens: [...access.citizens].sort(),
          fields: [...access.fields].sort(),
        });
      } catch {
        return refuse(rc, "AUDIT_UNAVAILABLE", "The access could not be recorded, so no personal data is returned. Try again later.");
      }
    }
    return { ...result, data, errors: [...(result.errors ?? []), ...deniedErrors].length ? [...(result.errors ?? []), ...deniedErrors] : undefined };
  };
}

/** Wraps an ApolloGateway so Apollo Server runs every operation through governExecutor. */
export function governGateway(gateway: ApolloGateway, opts: GovernanceOptions): GatewayInterface {
  let schema: GraphQLSchema | undefined;
  return {
    async load(options) {
      const loaded = await gateway.load(options as Parameters<ApolloGateway["load"]>[0]);
      schema = loaded.schema;
      return { schema: loaded.schema, executor: governExecutor(loaded.executor as unknown as GatewayExecutor, () => schema!, opts) };
    },
    onSchemaLoadOrUpdate(cb) {
      return gateway.onSchemaLoadOrUpdate((s) => {
        schema = s.apiSchema;
        cb(s);
      });
    },
    stop: () => gateway.stop(),
  };
}
