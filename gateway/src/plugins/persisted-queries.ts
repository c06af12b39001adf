/**
 * Automatic persisted queries (APQ) are off. Apollo's APQ cache is one for all callers, so a caller could
 * learn from a hash hit what another caller asked (e.g. a query naming a citizen) without any record. A
 * request carrying a `persistedQuery` extension, in the body or a GET's query string, is refused with 400
 * PERSISTED_QUERY_NOT_SUPPORTED before Apollo Server sees it: send the query text.
 */
import type { FastifyRequest } from "fastify";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

const MESSAGE = "Automatic persisted queries are not supported: their cache is shared by all callers. Send the query text.";

function hasPersistedQuery(extensions: unknown): boolean {
  let ext = extensions;
  if (typeof ext === "string") {
    try {
      ext = JSON.parse(ext);
    } catch {
      return /persistedQuery/.test(ext as string);
    }
  }
  return !!ext && typeof ext === "object" && !Array.isArray(ext) && Object.prototype.hasOwnProperty.call(ext, "persistedQuery");
}

function asksForPersistedQuery(req: FastifyRequest): boolean {
  if (req.method === "GET") return hasPersistedQuery((req.query as Record<string, unknown> | undefined)?.extensions);
  const body = req.body as unknown;
  const ops = Array.isArray(body) ? body : [body];
  return ops.some((op) => !!op && typeof op === "object" && hasPersistedQuery((op as Record<string, unknown>).extensions));
}

export function createPersistedQueriesPlugin(): GatewayPlugin {
  return {
    name: "persisted-queries",
    http(app) {
      app.addHook("preHandler", async (req, reply) => {
        if (asksForPersistedQuery(req)) return reply.code(400).type(JSON_TYPE).send(errorBody("PERSISTED_QUERY_NOT_SUPPORTED", MESSAGE));
      });
    },
  };
}
