/**
 * CSRF: Apollo Server refuses requests a browser could send cross-site without a preflight; this plugin
 * gives that refusal its registered code (400 CSRF_BLOCKED) and a message that says what to send instead.
 */
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

const CSRF_PREFIX = "This operation has been blocked as a potential Cross-Site Request Forgery";
const CSRF_MESSAGE =
  "This request was blocked as a potential cross-site request forgery (CSRF): send it with `content-type: application/json`, or with a non-empty `apollo-require-preflight` header.";

/** Apollo's CSRF rejection (a JSON BAD_REQUEST error, or plain text from older integrations) as CSRF_BLOCKED. */
export function csrfRewrite(payload: string): string | undefined {
  if (!payload.includes(CSRF_PREFIX)) return undefined;
  if (payload.startsWith(CSRF_PREFIX)) return JSON.stringify(errorBody("CSRF_BLOCKED", CSRF_MESSAGE));
  try {
    const body = JSON.parse(payload) as { errors?: { message?: unknown; extensions?: { code?: unknown } }[]; data?: unknown };
    const [only, ...rest] = body.errors ?? [];
    if (rest.length || body.data !== undefined || typeof only?.message !== "string" || !only.message.startsWith(CSRF_PREFIX)) return undefined;
    return JSON.stringify(errorBody("CSRF_BLOCKED", CSRF_MESSAGE));
  } catch {
    return undefined;
  }
}

export function createCsrfPlugin(): GatewayPlugin {
  return {
    name: "csrf",
    http(app) {
      app.addHook("onSend", async (_request, reply, payload) => {
        if (reply.statusCode !== 400 || typeof payload !== "string") return payload;
        const rewritten = csrfRewrite(payload);
        if (rewritten === undefined) return payload;
        reply.type(JSON_TYPE);
        return rewritten;
      });
    },
  };
}
