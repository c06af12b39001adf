/**
 * Operation limits against hostile GraphQL: depth, aliases and directives (validation rules from
 * @escape.tech/graphql-armor) and tokens (graphql-js parser limit, so an oversized document is never fully
 * parsed or validated). Every rejection is HTTP 400 with its own registered code.
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, type ValidationContext, type ValidationRule } from "graphql";
import type { LimitErrorCode } from "../errors";
import type { GatewayPlugin } from "./types";

export interface LimitOptions {
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
 *   e.g. 20 repair requests per citizen), and a list without paging arguments (a household's members) by 2.
 *   Widest shipped operation at the largest page (first: 1000): CrossDepartmentFindings ~4,284,000,
 *   GridPriorityElders ~3,935,000 (~393,000 at their default page of 100); a limit of 10,000,000 leaves more
 *   than 2× margin, while nested large pages (1000 inside 1000) or lists of lists of lists (a household's
 *   members' households' members…) exceed it. Operations above HEAVY_COST also wait for a heavy slot (cost.ts);
 * - tokens: largest shipped document is PersonFile with 174 tokens;
 * - batch: off, as in Apollo Server; raise MAX_BATCH to let clients batch (each operation is limited on its own).
 */
export const LIMIT_DEFAULTS: LimitOptions = {
  maxDepth: 15,
  maxAliases: 15,
  maxCost: 10_000_000,
  maxTokens: 2_000,
  maxDirectives: 20,
  maxBatch: 1,
};

/** A limit violation; `code` survives Apollo's re-wrapping of validation errors (see the plugin below). */
export class LimitError extends GraphQLError {
  constructor(
    readonly code: LimitErrorCode,
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

export function reporter(code: LimitErrorCode, message: (n: number | undefined) => string): Reject {
  return (ctx, err) => ctx?.reportError(new LimitError(code, message(found(err))));
}

function limitRules(opts: LimitOptions): ValidationRule[] {
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

const TOKEN_LIMIT_MESSAGE = /Document contains more th(?:an|at) \d+ tokens/; // graphql-js 16 says "more that"

export function createLimitsPlugin(opts: LimitOptions): GatewayPlugin {
  return {
    name: "limits",
    validationRules: limitRules(opts),
    parseOptions: { maxLexicalTokens: opts.maxTokens },
    apollo: {
      async requestDidStart() {
        return {
          // Apollo re-wraps validation errors as GRAPHQL_VALIDATION_FAILED and parser errors as
          // GRAPHQL_PARSE_FAILED: give the limit violations their own codes back before they are formatted.
          async didEncounterErrors({ errors }) {
            for (const error of errors) {
              // Errors raised inside the gateway's executor (e.g. a department's answer it could not merge)
              // may come without extensions: nothing of ours to re-code there.
              const ext = error.extensions as Record<string, unknown> | undefined;
              if (!ext) continue;
              if (error.originalError instanceof LimitError) {
                ext.code = error.originalError.code;
              } else if (ext.code === "GRAPHQL_PARSE_FAILED" && TOKEN_LIMIT_MESSAGE.test(error.message)) {
                ext.code = "TOO_MANY_TOKENS" satisfies LimitErrorCode;
                error.message = `Query exceeds the limit of ${opts.maxTokens} tokens.`;
              }
            }
          },
        };
      },
    },
  };
}
