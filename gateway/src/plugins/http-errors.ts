/**
 * HTTP-level failures as GraphQL error responses with registered codes: a body over `BODY_LIMIT` (413
 * PAYLOAD_TOO_LARGE), a body that is not JSON or does not match its length (400 BAD_REQUEST), and anything
 * unexpected (500 INTERNAL_SERVER_ERROR, logged, no detail). Must be registered before the GraphQL route.
 */
import type { FastifyError } from "fastify";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

/** Client errors Fastify raises before the GraphQL handler runs, by Fastify error code. */
const CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "The request body is not valid JSON.",
  FST_ERR_CTP_EMPTY_JSON_BODY: "The request body is empty; send a JSON GraphQL request.",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "Unsupported content type: send GraphQL requests as application/json.",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "The request body does not match its Content-Length.",
};

export function createHttpErrorsPlugin(): GatewayPlugin {
  return {
    name: "http-errors",
    http(app) {
      app.setErrorHandler((error: FastifyError, request, reply) => {
        const status = typeof error.statusCode === "number" ? error.statusCode : 500;
        const send = (s: number, code: string, message: string) => reply.code(s).type(JSON_TYPE).send(errorBody(code, message));
        if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
          const limit = request.routeOptions?.bodyLimit ?? app.initialConfig.bodyLimit;
          return send(413, "PAYLOAD_TOO_LARGE", `The request body exceeds the limit of ${limit} bytes.`);
        }
        if (status >= 500) {
          request.log.error({ err: error }, "request failed");
          return send(500, "INTERNAL_SERVER_ERROR", "Internal server error");
        }
        request.log.info({ err: error }, "rejected request");
        if (status === 415) return send(415, "UNSUPPORTED_MEDIA_TYPE", CLIENT_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE);
        return send(status === 404 ? 400 : status, "BAD_REQUEST", (typeof error.code === "string" && CLIENT_ERRORS[error.code]) || "The HTTP request is malformed.");
      });
      app.setNotFoundHandler((_req, reply) => reply.code(404).type(JSON_TYPE).send(errorBody("NOT_FOUND", "Not found: the GraphQL endpoint is /graphql.")));
    },
  };
}
