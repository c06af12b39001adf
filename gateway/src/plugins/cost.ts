/**
 * Cost limit: graphql-armor's cost formula, computed per request with the page sizes the request really
 * asks for (a list multiplies its subtree by its `first`: argument, variable, variable default or schema
 * default). Over `MAX_COST` → 400 QUERY_TOO_COMPLEX. Runs for every operation Apollo resolved; the
 * operation-resolution plugin refuses requests where it resolved none, so none can skip this check.
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  getNullableType,
  isListType,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from "graphql";
import { MAX_PAGE_SIZE } from "../../../subgraphs/kit/pagination";
import { LimitError, reporter } from "./limits";
import { apiError } from "../errors";
import type { GatewayPlugin } from "./types";

export interface CostPluginOptions {
  maxCost: number;
  /** Operations costing more than this are heavy: at most `maxHeavy` run at once, `maxHeavyWaiting` wait. */
  heavyCost: number;
  maxHeavy: number;
  maxHeavyWaiting: number;
}

const costRules = new Map<number, ValidationRule>();

function costRule(maxCost: number): ValidationRule {
  const cached = costRules.get(maxCost);
  if (cached) return cached;
  const off = { enabled: false };
  const [rule] = new ApolloArmor({
    blockFieldSuggestion: off,
    maxTokens: off,
    maxDepth: off,
    maxAliases: off,
    maxDirectives: off,
    costLimit: {
      maxCost,
      propagateOnRejection: false,
      exposeLimits: true,
      onReject: [reporter("QUERY_TOO_COMPLEX", (n) => `Query cost ${n ?? "(over the limit)"} exceeds the limit of ${maxCost}.`)],
    },
  }).protect().validationRules;
  costRules.set(maxCost, rule);
  return rule;
}

const PAGE_ARGS = new Set(["first", "last"]);

/**
 * The size a list without paging arguments is counted as (a household's members, a flat's residents, a
 * person's subsidies): without it, lists of lists nested a few levels deep passed the limit while their
 * answers grew by orders of magnitude.
 */
export const UNPAGED_LIST_SIZE = 2;

function pageSize(value: unknown): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  // Above the API's page limit the departments answer INVALID_PAGE_SIZE; count such a page as the largest one
  // so that clearer error wins.
  return Math.min(Math.max(Math.trunc(value), 0), MAX_PAGE_SIZE);
}

/**
 * The operation (with its fragments) with every page-size argument (`first`/`last`) written as the literal
 * page the request gets: the argument, else the variable's value, else the variable's default, else the
 * field's default in the schema. graphql-armor's cost rule multiplies a list's subtree by that literal.
 */
export function withEffectivePageSizes(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): DocumentNode {
  const defaults = new Map<string, unknown>();
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue?.kind === Kind.INT) defaults.set(v.variable.name.value, Number(v.defaultValue.value));
  }
  const pruned: DocumentNode = { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
  const typeInfo = new TypeInfo(schema);
  return visit(
    pruned,
    visitWithTypeInfo(typeInfo, {
      Field: {
        leave(node: FieldNode): FieldNode | undefined {
          const def = typeInfo.getFieldDef();
          if (!def) return undefined;
          // A list of objects with no paging arguments: counted as UNPAGED_LIST_SIZE items.
          if (node.selectionSet && isListType(getNullableType(def.type)) && !def.args.some((a) => PAGE_ARGS.has(a.name))) {
            return { ...node, arguments: [...(node.arguments ?? []), { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "first" }, value: { kind: Kind.INT, value: String(UNPAGED_LIST_SIZE) } }] };
          }
          const args: ArgumentNode[] = (node.arguments ?? []).filter((a) => !PAGE_ARGS.has(a.name.value));
          let changed = false;
          for (const argDef of def.args.filter((a) => PAGE_ARGS.has(a.name))) {
            const given = node.arguments?.find((a) => a.name.value === argDef.name);
            let size: number | undefined;
            if (given?.value.kind === Kind.INT) size = pageSize(Number(given.value.value));
            else if (given?.value.kind === Kind.VARIABLE) {
              const name = given.value.name.value;
              size = pageSize(Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : defaults.get(name));
            }
            size ??= pageSize(argDef.defaultValue);
            if (size === undefined) {
              if (given) args.push(given);
              continue;
            }
            args.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: argDef.name }, value: { kind: Kind.INT, value: String(size) } });
            changed = true;
          }
          return changed ? { ...node, arguments: args } : undefined;
        },
      },
    }),
  );
}

/** Cost errors of one request's operation (empty when within the limit). */
export function costErrors(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, maxCost: number): readonly GraphQLError[] {
  return validate(schema, withEffectivePageSizes(schema, document, operation, variables), [costRule(maxCost)]);
}

/** The variables an operation passes as page sizes (`first`/`last`), fragments included. */
function pageVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (PAGE_ARGS.has(node.name.value) && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
  });
  return [...names];
}

/**
 * costErrors, remembered per parsed document (Apollo Server reuses the parsed document of a repeated
 * operation) and per page sizes. The cost depends on nothing else of the request, so the key holds only
 * page sizes — never other variables, which may be personal (a citizen id). Bounded per document.
 */
export function costCache(maxCost: number, perDocument = 64) {
  const byDocument = new WeakMap<DocumentNode, { schema: GraphQLSchema; vars: string[]; results: Set<string> }>();
  const check = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): readonly GraphQLError[] => {
    let entry = byDocument.get(document);
    if (!entry || entry.schema !== schema) {
      entry = { schema, vars: pageVariables(document), results: new Set() };
      byDocument.set(document, entry);
    }
    // An absent variable takes its default, an explicit null (or a non-number) the field's default: keep them apart.
    // The key is the page size each variable yields (what the cost depends on), never the raw value: a
    // client must not be able to grow the cache with large or arbitrary variable values.
    const key = `${operation.name?.value ?? ""}|${entry.vars.map((v) => (variables && Object.hasOwn(variables, v) ? (pageSize(variables[v]) ?? "n") : "-")).join(",")}`;
    if (entry.results.has(key)) return [];
    const errors = costErrors(schema, document, operation, variables, maxCost);
    // Only operations within the limit are remembered (rejections are rare, and errors are per request).
    if (errors.length === 0) {
      if (entry.results.size >= perDocument) entry.results.clear();
      entry.results.add(key);
    }
    return errors;
  };
  /** How many verdicts are remembered for a document (for tests). */
  const remembered = (document: DocumentNode) => byDocument.get(document)?.results.size ?? 0;
  return Object.assign(check, { remembered });
}

/**
 * At most `max` heavy operations run at once; up to `queue` more wait for a slot; beyond that a request is
 * refused (RATE_LIMITED). Many heavy answers merged at once were what exhausted the gateway's heap.
 */
function slots(max: number, queue: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };
  return async (): Promise<() => void> => {
    if (running < max) {
      running++;
      return release;
    }
    if (waiting.length >= queue) throw apiError("RATE_LIMITED", "Too many large operations are running; retry in a few seconds, or ask for smaller pages.", { http: { status: 429, headers: new Map([["retry-after", "2"]]) } });
    await new Promise<void>((resolve) => waiting.push(resolve));
    return release;
  };
}

export function createCostPlugin(opts: CostPluginOptions): GatewayPlugin {
  const cost = costCache(opts.maxCost);
  const heavy = costCache(opts.heavyCost);
  const acquire = slots(opts.maxHeavy, opts.maxHeavyWaiting);
  return {
    name: "cost",
    apollo: {
      async requestDidStart() {
        let release: (() => void) | undefined;
        return {
          // Cost needs the variables, so it is checked per request rather than as a (cached) validation rule.
          async didResolveOperation(ctx) {
            // The gateway's own in-process queries (the insights checks: fixed text, no HTTP) are not clients'.
            if (!ctx.operation || !ctx.request.http) return;
            const [error] = cost(ctx.schema, ctx.document, ctx.operation, ctx.request.variables);
            if (error) throw error;
            if (heavy(ctx.schema, ctx.document, ctx.operation, ctx.request.variables).length) release = await acquire();
          },
          async willSendResponse() {
            release?.();
            release = undefined;
          },
          async didEncounterErrors({ errors }) {
            for (const error of errors) if (error.originalError instanceof LimitError) (error.extensions as Record<string, unknown>).code = error.originalError.code;
          },
        };
      },
    },
  };
}
