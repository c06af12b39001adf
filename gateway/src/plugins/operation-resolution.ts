/**
 * Operation resolution: the operation to run must be clear before anything else decides about it. When
 * Apollo resolves none — `operationName` not in the document, empty, or missing with several operations —
 * or resolves a mutation or subscription (this graph has neither), the request is refused with 400
 * OPERATION_RESOLUTION_FAILURE. Every later plugin (cost, governance) can then rely on one operation.
 */
import type { GatewayPlugin } from "./types";
import { apiError } from "../errors";

const refusal = (message: string) => apiError("OPERATION_RESOLUTION_FAILURE", message, { http: { status: 400 } });

export function createOperationResolutionPlugin(): GatewayPlugin {
  return {
    name: "operation-resolution",
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation(ctx) {
            const name = ctx.request.operationName;
            if (name !== undefined && name !== null && typeof name !== "string") throw refusal("operationName must be a string.");
            if (!ctx.operation) {
              const named = typeof name === "string";
              throw refusal(named ? "No operation with that operationName is in the document." : "The document holds several operations: say which to run with operationName.");
            }
            if (ctx.operation.operation !== "query") throw refusal(`This graph serves queries only; ${ctx.operation.operation} operations are not available.`);
          },
        };
      },
    },
  };
}
