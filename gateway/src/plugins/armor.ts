/**
 * Operation limits against hostile GraphQL: depth, aliases, directives (validation rules from
 * @escape.tech/graphql-armor), tokens (graphql-js parser limit, so an oversized document is never fully
 * parsed or validated) and cost (graphql-armor's cost formula, computed per request with the page sizes
 * the request really asks for). Every rejection is HTTP 400 with a stable code from ./armor.errors.ts.
 *
 * Wiring: `new ApolloServer({ ..., ...createArmor(options) })`.
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation, BaseContext } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { MAX_PAGE_SIZE } from "../../../subgraphs/kit/pagination";
import type { ArmorErrorCode } from "./armor.errors";

export interface ArmorOptions {
  /** Deepest selection nesting of an operation (fragment spreads count as a level). */
  maxDepth: number;
  /** Most aliased fields in an operation (`__typename` aliases are free). */
  maxAliases: number;
  /** Highest cost of an operation (graphql-armor formula; list pages multiply their subtree). */
  maxCost: number;
  /** Most lexical tokens in a request's document; parsing stops at the limit. */
  maxTokens: number;
  /** Most directives in an operation. */
  maxDirectives: number;
  /** Most operations in one batched HTTP request; 0 or 1 turns batching off. */
  maxBatch: number;
}

/**
 * Defaults, measured on schema/operations/*.graphql (tests/integration/hostile-input.test.ts keeps them honest):
 * - depth: deepest shipped operation is 9 (GridPriorityElders, CommunityPriorityElders, CrossDepartmentFindings);
 * - aliases and directives: shipped operations use none; room for a few records side by side or @include/@skip;
 * - cost: a list field multiplies its subtree by its page size (argument, variable, or the schema default,
 *   e.g. 20 repair requests per citizen). Widest shipped operation at the largest page (first: 1000):
 *   CrossDepartmentFindings ~1,685,000, GridPriorityElders ~1,653,000 (~165,000 at their default page of
 *   100); a limit of 5,000,000 leaves 3× margin, while nested large pages (1000 inside 1000: ~17,700,000)
 *   or a dozen aliased large pages exceed it;
 * - tokens: largest shipped document is PersonFile with 174 tokens;
 * - batch: off, as in Apollo Server; raise MAX_BATCH to let clients batch (each operation is limited on its own).
 */
export const ARMOR_DEFAULTS: ArmorOptions = {
  maxDepth: 15,
  maxAliases: 15,
  maxCost: 5_000_000,
  maxTokens: 2_000,
  maxDirectives: 20,
  maxBatch: 1,
};

/** What to spread into the ApolloServer options. */
export interface Armor {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
  parseOptions: ParseOptions;
  allowBatchedHttpRequests: boolean;
}

/** A limit violation; `code` survives Apollo's re-wrapping of validation errors (see the plugin below). */
export class ArmorLimitError extends GraphQLError {
  constructor(
    readonly code: ArmorErrorCode,
    message: string,
  ) {
    super(message, { extensions: { code, http: { status: 400 } } });
  }
}

/** The number graphql-armor reports in "…, found N." (its messages expose limits by default). */
function found(err: GraphQLError): number | undefined {
  const m = /found (\d+(?:\.\d+)?)/.exec(err.message);
  return m ? Math.ceil(Number(m[1])) : undefined;
}

type Reject = (ctx: ValidationContext | null, err: GraphQLError) => void;

function reporter(code: ArmorErrorCode, message: (n: number | undefined) => string): Reject {
  return (ctx, err) => ctx?.reportError(new ArmorLimitError(code, message(found(err))));
}

function limitRules(opts: ArmorOptions): ValidationRule[] {
  const off = { enabled: false };
  const reject = { propagateOnRejection: false, exposeLimits: true };
  return new ApolloArmor({
    blockFieldSuggestion: off,
    maxTokens: off,
    costLimit: off,
    maxDepth: {
      ...reject,
      n: opts.maxDepth,
      onReject: [reporter("QUERY_TOO_DEEP", (n) => `Query depth ${n ?? "(over the limit)"} exceeds the limit of ${opts.maxDepth}.`)],
    },
    maxAliases: {
      ...reject,
      n: opts.maxAliases,
      onReject: [reporter("TOO_MANY_ALIASES", (n) => `Query uses ${n ?? "too many"} aliases; the limit is ${opts.maxAliases}.`)],
    },
    maxDirectives: {
      ...reject,
      n: opts.maxDirectives,
      onReject: [reporter("TOO_MANY_DIRECTIVES", (n) => `Query uses ${n ?? "too many"} directives; the limit is ${opts.maxDirectives}.`)],
    },
  }).protect().validationRules;
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

const TOKEN_LIMIT_MESSAGE = /Document contains more th(?:an|at) \d+ tokens/; // graphql-js 16 says "more that"

function armorPlugin(opts: ArmorOptions): ApolloServerPlugin {
  const cost = costCache(opts.maxCost);
  return {
    async requestDidStart() {
      return {
        // Cost needs the variables, so it is checked per request rather than as a (cached) validation rule.
        // In-process operations (executeOperation, e.g. the insights checks) have no `http` and are trusted.
        async didResolveOperation(ctx: GraphQLRequestContextDidResolveOperation<BaseContext>) {
          if (!ctx.request.http || !ctx.operation) return;
          const [error] = cost(ctx.schema, ctx.document, ctx.operation, ctx.request.variables);
          if (error) throw error;
        },
        // Apollo re-wraps validation errors as GRAPHQL_VALIDATION_FAILED and parser errors as
        // GRAPHQL_PARSE_FAILED: give the limit violations their own codes back before they are formatted.
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const ext = error.extensions as Record<string, unknown>;
            if (error.originalError instanceof ArmorLimitError) {
              ext.code = error.originalError.code;
            } else if (ext.code === "GRAPHQL_PARSE_FAILED" && TOKEN_LIMIT_MESSAGE.test(error.message)) {
              ext.code = "TOO_MANY_TOKENS" satisfies ArmorErrorCode;
              error.message = `Query exceeds the limit of ${opts.maxTokens} tokens.`;
            }
          }
        },
      };
    },
  };
}

export function createArmor(opts: ArmorOptions): Armor {
  return {
    validationRules: limitRules(opts),
    plugins: [armorPlugin(opts)],
    parseOptions: { maxLexicalTokens: opts.maxTokens },
    allowBatchedHttpRequests: opts.maxBatch > 1,
  };
}
