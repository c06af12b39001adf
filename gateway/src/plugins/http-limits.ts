/**
 * HTTP-level rejections as GraphQL error responses `{ errors: [{ message, extensions: { code } }] }`:
 * a body over the size limit (413 PAYLOAD_TOO_LARGE), a body that is not JSON (BAD_REQUEST), a batch
 * (JSON array) over the batch limit (BATCH_TOO_LARGE, or BATCHING_DISABLED when batching is off) and
 * Apollo Server's CSRF prevention (400 CSRF_BLOCKED). Normal responses pass through untouched.
 *
 * Register on the root instance before the Apollo route (`app.register(fastifyApollo(server), …)`):
 * the error handler and hooks apply to routes declared after them.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import type { ArmorErrorCode } from "./armor.errors";

export interface HttpLimitsOptions {
  /** Most operations in one batched request; 0 or 1 rejects every batch. */
  maxBatch: number;
}

type Code = ArmorErrorCode | "BAD_REQUEST" | "INTERNAL_SERVER_ERROR";

const JSON_TYPE = "application/json; charset=utf-8";

/** The body of a GraphQL error response. */
export function errorBody(code: Code, message: string): { errors: { message: string; extensions: { code: Code } }[] } {
  return { errors: [{ message, extensions: { code } }] };
}

function sendError(reply: FastifyReply, status: number, code: Code, message: string): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(errorBody(code, message));
}

/** Client errors Fastify raises before the GraphQL handler runs, by Fastify error code. */
const CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "The request body is not valid JSON.",
  FST_ERR_CTP_EMPTY_JSON_BODY: "The request body is empty; send a JSON GraphQL request.",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "Unsupported content type: send GraphQL requests as application/json.",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "The request body does not match its Content-Length.",
};

const CSRF_PREFIX = "This operation has been blocked as a potential Cross-Site Request Forgery";
const CSRF_MESSAGE =
  "This request was blocked as a potential cross-site request forgery (CSRF): send it with `content-type: application/json`, or with a non-empty `apollo-require-preflight` header.";

/** Apollo's CSRF rejection (a JSON BAD_REQUEST error, or plain text from older integrations) as CSRF_BLOCKED. */
function csrfRewrite(payload: string): string | undefined {
  if (!payload.includes(CSRF_PREFIX)) return undefined;
  if (payload.startsWith(CSRF_PREFIX)) return JSON.stringify(errorBody("CSRF_BLOCKED", CSRF_MESSAGE));
  try {
    const body = JSON.parse(payload) as { errors?: { message?: unknown; extensions?: { code?: unknown } }[]; data?: unknown };
    const [only, ...rest] = body.errors ?? [];
    if (rest.length || body.data !== undefined || only?.extensions?.code !== "BAD_REQUEST" || typeof only.message !== "string" || !only.message.startsWith(CSRF_PREFIX)) return undefined;
    return JSON.stringify(errorBody("CSRF_BLOCKED", CSRF_MESSAGE));
  } catch {
    return undefined;
  }
}

export function registerHttpLimits(app: FastifyInstance, opts: HttpLimitsOptions): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const limit = request.routeOptions?.bodyLimit ?? app.initialConfig.bodyLimit;
      return sendError(reply, 413, "PAYLOAD_TOO_LARGE", `The request body exceeds the limit of ${limit} bytes.`);
    }
    if (status >= 500) {
      request.log.error({ err: error }, "request failed");
      return sendError(reply, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
    if (typeof error.code === "string" && error.code.startsWith("FST_ERR_")) {
      request.log.info({ err: error }, "rejected request");
      return sendError(reply, status, "BAD_REQUEST", CLIENT_ERRORS[error.code] ?? "The HTTP request is malformed.");
    }
    // A client error raised on purpose elsewhere keeps its status and body (Fastify's default handler).
    throw error;
  });

  app.addHook("preHandler", async (request, reply) => {
    if (!Array.isArray(request.body)) return;
    const n = request.body.length;
    if (opts.maxBatch <= 1) {
      return sendError(reply, 400, "BATCHING_DISABLED", "Batched requests are disabled: send one operation per request.");
    }
    if (n > opts.maxBatch) {
      return sendError(reply, 400, "BATCH_TOO_LARGE", `Batch of ${n} operations exceeds the limit of ${opts.maxBatch}.`);
    }
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    if (reply.statusCode !== 400 || typeof payload !== "string") return payload;
    const rewritten = csrfRewrite(payload);
    if (rewritten === undefined) return payload;
    if (!/json/i.test(String(reply.getHeader("content-type") ?? ""))) reply.type(JSON_TYPE);
    return rewritten;
  });
}
