/**
 * Automatic persisted queries (Apollo's APQ protocol, version 1), with every mistake given a registered
 * code before Apollo Server sees the request: a `persistedQuery` extension that is not an object with a
 * numeric `version` and a 64-hex-digit `sha256Hash` → 400 BAD_REQUEST; another version → 400
 * PERSISTED_QUERY_NOT_SUPPORTED; a query whose SHA-256 is not the hash sent with it → 400
 * PERSISTED_QUERY_HASH_MISMATCH. An unknown hash without a query is Apollo's PERSISTED_QUERY_NOT_FOUND.
 */
import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

type Verdict = { status: number; code: string; message: string } | undefined;

function parseMaybe(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export function checkPersistedQuery(query: unknown, extensions: unknown): Verdict {
  if (extensions === undefined || extensions === null || typeof extensions !== "object" || Array.isArray(extensions)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(extensions, "persistedQuery")) return undefined;
  const pq = (extensions as Record<string, unknown>).persistedQuery;
  if (!pq || typeof pq !== "object" || Array.isArray(pq)) return { status: 400, code: "BAD_REQUEST", message: "extensions.persistedQuery must be an object { version, sha256Hash }." };
  const { version, sha256Hash } = pq as Record<string, unknown>;
  if (typeof version !== "number") return { status: 400, code: "BAD_REQUEST", message: "extensions.persistedQuery.version must be a number." };
  if (version !== 1) return { status: 400, code: "PERSISTED_QUERY_NOT_SUPPORTED", message: "Only version 1 of automatic persisted queries is supported." };
  if (typeof sha256Hash !== "string" || !/^[0-9a-f]{64}$/i.test(sha256Hash)) return { status: 400, code: "BAD_REQUEST", message: "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits." };
  if (typeof query === "string" && createHash("sha256").update(query).digest("hex") !== sha256Hash.toLowerCase()) {
    return { status: 400, code: "PERSISTED_QUERY_HASH_MISMATCH", message: "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query." };
  }
  return undefined;
}

function verdictOf(req: FastifyRequest): Verdict {
  if (req.method === "GET") {
    const q = req.query as Record<string, unknown> | undefined;
    return checkPersistedQuery(q?.query, parseMaybe(q?.extensions));
  }
  const body = req.body as unknown;
  if (Array.isArray(body)) {
    for (const op of body) {
      const v = op && typeof op === "object" ? checkPersistedQuery((op as Record<string, unknown>).query, (op as Record<string, unknown>).extensions) : undefined;
      if (v) return v;
    }
    return undefined;
  }
  return body && typeof body === "object" ? checkPersistedQuery((body as Record<string, unknown>).query, (body as Record<string, unknown>).extensions) : undefined;
}

export function createPersistedQueriesPlugin(): GatewayPlugin {
  return {
    name: "persisted-queries",
    http(app) {
      app.addHook("preHandler", async (req, reply) => {
        const v = verdictOf(req);
        if (v) return reply.code(v.status).type(JSON_TYPE).send(errorBody(v.code, v.message));
      });
    },
  };
}
