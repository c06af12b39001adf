/**
 * Tracing: a server span per GraphQL operation (OpenTelemetry, subgraphs/kit/tracing.ts), continuing the
 * client's W3C `traceparent` when it sent a well-formed one. Its context travels in the GraphQL context
 * (`trace`) to the department data sources, whose fetch spans are its children and whose requests carry
 * it on (`traceparent`). Attributes are never personal data: the operation's name and type, the request
 * id, the outcome (HTTP status, error codes) — never variables, query text or anything a caller typed.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { GovernedContext } from "../governance/executor";
import { SpanKind, SpanStatusCode, withSpan, type Tracing } from "../../../subgraphs/kit/tracing";
import type { GatewayPlugin } from "./types";

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

export function createTracingPlugin({ tracing }: { tracing: Tracing }): GatewayPlugin {
  const apollo: ApolloServerPlugin<GovernedContext> = {
    async requestDidStart({ request, contextValue }) {
      // An operation run by the gateway itself (insights) continues the trace of the request that ran it.
      const parent = contextValue.trace ?? (request.http ? tracing.extract(request.http.headers) : tracing.extract({}));
      const span = tracing.startSpan("graphql.request", SpanKind.SERVER, parent, { "cg.request_id": contextValue.requestId });
      contextValue.trace = withSpan(parent, span);
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operationName && NAME.test(operationName)) {
            span.setAttribute("graphql.operation.name", operationName);
            span.updateName(`graphql.${operation?.operation ?? "request"} ${operationName}`);
          }
          if (operation) span.setAttribute("graphql.operation.type", operation.operation);
        },
        async willSendResponse({ response, errors }) {
          const codes = new Set<string>();
          const list = errors ?? (response.body.kind === "single" ? response.body.singleResult.errors : undefined) ?? [];
          for (const e of list) {
            const c = e.extensions?.code;
            codes.add(typeof c === "string" && CODE.test(c) ? c : "OTHER");
          }
          // Apollo Server answers 200 unless a plugin or an error set another status.
          span.setAttribute("http.response.status_code", response.http.status ?? 200);
          if (codes.size) {
            span.setAttribute("graphql.error.codes", [...codes].sort());
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        },
      };
    },
  };
  return { name: "tracing", apollo: apollo as ApolloServerPlugin };
}
