/**
 * Persisted documents: a client may send a registered operation by its id instead of its text —
 * `{"documentId": "<sha256>", "variables": …}`, as the GraphQL-over-HTTP persisted-documents proposal and
 * Hive Gateway do. The id is the registry's stable operation id (sha256 of the normalised document,
 * `npm run schema -- operations`); the gateway replaces it by the registered text before anything else reads
 * the body, so every later step (limits, safelist, governance) sees the same operation. An id that is not
 * registered is refused with 400 PERSISTED_DOCUMENT_NOT_FOUND; the registry being unreachable with 503
 * REGISTRY_UNAVAILABLE. Sending both a `query` and a `documentId` is ambiguous: 400 BAD_REQUEST.
 */
import type { SafelistGuard } from "../../../schema/registry/safelist";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

const ID = /^(sha256:)?[0-9a-f]{64}$/;

type Outcome = { ok: true } | { ok: false; status: number; code: string; message: string };

async function resolve(op: unknown, guard: SafelistGuard): Promise<Outcome> {
  if (!op || typeof op !== "object" || Array.isArray(op) || !("documentId" in op)) return { ok: true };
  const o = op as Record<string, unknown>;
  if (o.query !== undefined) return { ok: false, status: 400, code: "BAD_REQUEST", message: "Send either `query` or `documentId`, not both." };
  if (typeof o.documentId !== "string" || !ID.test(o.documentId)) return { ok: false, status: 400, code: "BAD_REQUEST", message: "`documentId` must be a registered operation id (64 hex digits, optionally prefixed `sha256:`)." };
  let text: string | null;
  try {
    text = await guard.documentById(o.documentId.replace(/^sha256:/, ""));
  } catch {
    return { ok: false, status: 503, code: "REGISTRY_UNAVAILABLE", message: "The schema registry could not be reached to look up the document." };
  }
  if (text === null) return { ok: false, status: 400, code: "PERSISTED_DOCUMENT_NOT_FOUND", message: "No operation with that `documentId` is registered." };
  o.query = text;
  delete o.documentId;
  return { ok: true };
}

export function createPersistedDocumentsPlugin(opts: { guard: SafelistGuard }): GatewayPlugin {
  return {
    name: "persisted-documents",
    http(app) {
      app.addHook("preHandler", async (req, reply) => {
        if (req.method !== "POST" || req.routeOptions.config?.public === true) return;
        const body = req.body as unknown;
        for (const op of Array.isArray(body) ? body : [body]) {
          const r = await resolve(op, opts.guard);
          if (!r.ok) return reply.code(r.status).type(JSON_TYPE).send(errorBody(r.code, r.message));
        }
      });
    },
  };
}
