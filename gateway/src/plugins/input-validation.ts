/**
 * Input validation before execution, with the work per request bounded:
 * - every string in the variables and in the document's literals must be clean text (no NUL characters,
 *   no unpaired UTF-16 surrogates) → otherwise 400 BAD_USER_INPUT naming where;
 * - variables are coerced against the operation's variable definitions here, stopping at the first
 *   `MAX_INPUT_ERRORS` errors (Apollo Gateway's own coercion collects every error of a huge variable, which
 *   froze the gateway for seconds) → 400 BAD_USER_INPUT with those errors.
 */
import { getVariableValues, visit, type DocumentNode } from "graphql";
import type { GatewayPlugin } from "./types";
import { apiError } from "../errors";
import { firstUncleanText, isCleanText } from "../../../subgraphs/kit/contract/text";

export const MAX_INPUT_ERRORS = 5;

const bad = (message: string) => apiError("BAD_USER_INPUT", message, { http: { status: 400 } });

/** Whether every string literal of a document is clean text (remembered per parsed document). */
const literalsChecked = new WeakMap<DocumentNode, boolean>();
function literalsClean(doc: DocumentNode): boolean {
  let ok = literalsChecked.get(doc);
  if (ok === undefined) {
    ok = true;
    visit(doc, {
      StringValue(node) {
        if (!isCleanText(node.value)) ok = false;
      },
      Name(node) {
        if (!isCleanText(node.value)) ok = false;
      },
    });
    literalsChecked.set(doc, ok);
  }
  return ok;
}

export function createInputValidationPlugin(): GatewayPlugin {
  return {
    name: "input-validation",
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation(ctx) {
            if (!ctx.operation) return;
            const where = firstUncleanText(ctx.request.variables ?? {});
            if (where !== undefined) throw bad(`Variable text must be valid Unicode without NUL characters (at ${where}).`);
            if (!literalsClean(ctx.document)) throw bad("String literals must be valid Unicode without NUL characters.");
            if (!ctx.operation.variableDefinitions?.length) return;
            const coerced = getVariableValues(ctx.schema, ctx.operation.variableDefinitions, ctx.request.variables ?? {}, { maxErrors: MAX_INPUT_ERRORS });
            if (coerced.errors) {
              const [first, ...rest] = coerced.errors.filter((e) => !/error limit reached/.test(e.message)).slice(0, MAX_INPUT_ERRORS);
              const more = coerced.errors.length > MAX_INPUT_ERRORS ? ` (and more; only the first ${MAX_INPUT_ERRORS} are reported)` : "";
              throw bad(`${first?.message ?? "Invalid variables."}${rest.length ? ` Also: ${rest.map((e) => e.message).join(" ")}` : ""}${more}`);
            }
          },
        };
      },
    },
  };
}

