/**
 * Governance around Apollo Gateway's executor, as an ordered list of executor plugins (purpose,
 * authorization, masking, access record: gateway/src/pipeline.ts). For every operation, before any subgraph
 * is called, each plugin's `onOperation` runs in order and may refuse; the operation the plugins settled on
 * is executed; then each plugin's `onResult` runs in order and may refuse (e.g. when the access record
 * cannot be written).
 *
 * Fail closed: an operation that cannot be identified (Apollo resolved none), a request without a caller
 * (unless governance is off), or a plugin that throws, is refused — never executed ungoverned.
 */
import type { AnswerHold } from "../transport/answer-budget";
import type { ApolloGateway } from "@apollo/gateway";
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from "@apollo/server-gateway-interface";
import { Kind, type DocumentNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { apiError, ERROR_CODES, type ErrorCode } from "../errors";
import type { Caller } from "../auth/identity";
import { inlineOperation } from "./inline";
import { readGovernance, type SchemaGovernance } from "./requirements";
import type { Context as TraceContext } from "@opentelemetry/api";

export interface GovernedContext {
  /** The gateway's own id of the request (never taken from the client). */
  requestId: string;
  /** The client's `x-request-id`, if it sent a well-formed one: kept beside the gateway's id, never in its place. */
  clientRequestId?: string;
  caller?: Caller;
  /** Declared purpose (header x-purpose), replaced by the role's default when absent. */
  purpose: string | null;
  /** Governance is off (GOVERNANCE=off, benchmarks only): no caller, district-wide system access. */
  ungoverned?: boolean;
  /** The client as it names itself (apollographql-client-name / -version): safelists and usage records. */
  client?: { name: string; version: string };
  /** The contract endpoint the request came through (`/contracts/<name>/graphql`). */
  contract?: string;
  /** The OpenTelemetry context of this operation's server span (plugins/tracing; tracing on). */
  trace?: TraceContext;
  /** The department answer bytes this request holds until its response has been sent (transport/answer-budget). */
  answers?: AnswerHold;
}

export type ExecutionResult = Awaited<ReturnType<GatewayExecutor>>;

/** One operation on its way through the governance plugins (their only shared state). */
export interface GovernedOperation {
  rc: GatewayGraphQLRequestContext;
  context: GovernedContext;
  caller: Caller;
  schema: GraphQLSchema;
  /** The governance rules (classes, owners, scopes) of the supergraph `schema` was built from. */
  gov: SchemaGovernance;
  /** The operation Apollo resolved, fragments inlined. */
  operation: OperationDefinitionNode;
  /** Identifies the operation text (query hash and operation name) and the supergraph version, for plugins' caches. */
  key: string;
  /** The purpose in force (declared, or the role's default), once the purpose plugin has run. */
  purpose: string | null;
  /** What to execute instead of the client's document (set by authorization); null: nothing to fetch. */
  execute?: { document: DocumentNode | null; operation: OperationDefinitionNode | null; queryHash?: string };
  /** Errors to add to the response (e.g. denied fields in filter mode). */
  errors: GraphQLError[];
  /** Plugin-specific state, by plugin name. */
  state: Record<string, unknown>;
}

/** A whole-request refusal with a registered code. */
export class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly errors?: GraphQLError[],
  ) {}
}

export interface ExecutorPlugin {
  onOperation?(op: GovernedOperation): Refusal | void;
  onResult?(op: GovernedOperation, result: ExecutionResult): Promise<Refusal | void> | Refusal | void;
}

function refuse(rc: GatewayGraphQLRequestContext, r: Refusal): ExecutionResult {
  const status = ERROR_CODES[r.code].status;
  if (rc.response?.http) rc.response.http.status = status;
  return { errors: r.errors ?? [apiError(r.code, r.message, { ...r.extensions, http: { status } })] };
}

/** The schema being served and its governance rules, swapped together when the supergraph changes. */
export interface GovernedSchema {
  schema: GraphQLSchema;
  gov: SchemaGovernance;
  /** Changes with every supergraph served (part of plugins' cache keys). */
  generation: number;
}

export function createGovernedExecutor(executor: GatewayExecutor, getSchema: () => GovernedSchema | undefined, plugins: readonly ExecutorPlugin[], log: { error(o: unknown, m: string): void }): GatewayExecutor {
  const inlined = new WeakMap<OperationDefinitionNode, OperationDefinitionNode>();
  return async (rc) => {
    const context = rc.context as unknown as GovernedContext;
    if (context.ungoverned) return executor(rc);
    if (!context.caller) return refuse(rc, new Refusal("UNAUTHENTICATED", "Sign in: send `Authorization: Bearer <token>`."));
    if (!rc.operation) return refuse(rc, new Refusal("OPERATION_RESOLUTION_FAILURE", "The operation to run could not be determined."));
    let operation = inlined.get(rc.operation);
    if (!operation) {
      const expanded = inlineOperation(rc.document, rc.operation);
      if (!expanded) return refuse(rc, new Refusal("QUERY_TOO_COMPLEX", "The operation expands to too many selections (fragments used many times)."));
      operation = expanded;
      inlined.set(rc.operation, operation);
    }
    // Fail closed: a supergraph whose governance rules could not be read serves nothing.
    const served = getSchema();
    if (!served) return refuse(rc, new Refusal("INTERNAL_SERVER_ERROR", "Internal server error"));
    const op: GovernedOperation = {
      rc,
      context,
      caller: context.caller,
      schema: served.schema,
      gov: served.gov,
      operation,
      key: `${served.generation}:${rc.queryHash}:${rc.operation.name?.value ?? ""}`,
      purpose: context.purpose,
      errors: [],
      state: {},
    };
    try {
      for (const p of plugins) {
        const r = p.onOperation?.(op);
        if (r) return refuse(rc, r);
      }
      let result: ExecutionResult;
      const plan = op.execute;
      if (!plan) {
        // No plugin authorized the operation: never run it as the client wrote it.
        return refuse(rc, new Refusal("INTERNAL_SERVER_ERROR", "Internal server error"));
      } else if (plan.document && plan.operation) {
        const operationName = plan.operation.name?.value ?? null;
        result = await executor({ ...rc, document: plan.document, operation: plan.operation, operationName, queryHash: plan.queryHash ?? rc.queryHash, request: { ...rc.request, operationName: operationName ?? undefined } } as GatewayGraphQLRequestContext);
      } else {
        result = { data: {} };
      }
      for (const p of plugins) {
        const r = await p.onResult?.(op, result);
        if (r) return refuse(rc, r);
      }
      const errors = [...(result.errors ?? []), ...op.errors];
      return { ...result, errors: errors.length ? errors : undefined };
    } catch (e) {
      log.error({ err: e, reqId: context.requestId }, "governance failed; request refused");
      return refuse(rc, new Refusal("INTERNAL_SERVER_ERROR", "Internal server error"));
    }
  };
}

/** The one operation of a document Apollo resolved, as a standalone document node. */
export const single = (op: OperationDefinitionNode): DocumentNode => ({ kind: Kind.DOCUMENT, definitions: [op] });

/**
 * Wraps an ApolloGateway so Apollo Server runs every operation through the governed executor. The governance
 * rules are read from each supergraph the gateway loads (from the file or, live, from the schema registry),
 * so a new version's classes, owners and scopes apply from its first request. A supergraph whose rules
 * cannot be read is served by nothing: every operation is refused until a readable one arrives.
 */
export function governGateway(gateway: ApolloGateway, plugins: readonly ExecutorPlugin[], log: { error(o: unknown, m: string): void }): GatewayInterface {
  let served: GovernedSchema | undefined;
  let generation = 0;
  const serve = (schema: GraphQLSchema, supergraphSdl: string) => {
    try {
      served = { schema, gov: readGovernance(supergraphSdl), generation: ++generation };
    } catch (e) {
      served = undefined;
      log.error({ err: e }, "the supergraph's governance rules could not be read; every operation is refused");
    }
  };
  return {
    async load(options) {
      // The first supergraph arrives through onSchemaLoadOrUpdate (registered by Apollo Server before load).
      const loaded = await gateway.load(options as Parameters<ApolloGateway["load"]>[0]);
      return { schema: loaded.schema, executor: createGovernedExecutor(loaded.executor as unknown as GatewayExecutor, () => served, plugins, log) };
    },
    onSchemaLoadOrUpdate(cb) {
      return gateway.onSchemaLoadOrUpdate((s) => {
        serve(s.apiSchema, s.coreSupergraphSdl);
        cb(s);
      });
    },
    stop: () => gateway.stop(),
  };
}
