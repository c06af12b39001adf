/**
 * Departments serve only the gateway: every route of a department's app — the GraphQL endpoint in every
 * spelling the router accepts, and any route added later — requires the gateway's signature
 * (./contract/signing.ts), except routes that declare `config: { public: true }` (`/health`). The check is
 * bound to the route the router chose, never to the URL text.
 *
 * Order: the signed headers are checked when the request arrives, before any of the body is read
 * (`onRequest`); the body is then read in full (within the body limit), its SHA-256 compared with the signed
 * one, and only then handed to the parser (`preParsing`). Text that is not clean Unicode is refused there
 * too (BAD_USER_INPUT), so it never reaches a resolver or the database.
 */
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createVerifier, type SigningFailure } from "./contract/signing";
import { SYSTEM_CALLER, type ForwardedCaller } from "./contract/caller";
import { firstUncleanText } from "./contract/text";
import { errorBody } from "./contract/errors";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified caller (set for every request that passed the guard). */
    forwardedCaller?: ForwardedCaller;
    /** The signed SHA-256 of the body, until the body has been checked. */
    signedBodySha256?: string;
  }
  interface FastifyContextConfig {
    /** Served without the gateway's signature (health checks only). */
    public?: boolean;
  }
}

export interface GatewayOnlyOptions {
  /** This department's name: the audience its requests are signed for. */
  name: string;
  signingSecret: string;
  maxSkewMs: number;
  bodyLimit: number;
  /** Benchmarks only: requests without any signing header act as a district-wide caller. */
  acceptUnsigned?: boolean;
}

function refuse(reply: FastifyReply, status: number, code: SigningFailure | "BAD_USER_INPUT" | "PAYLOAD_TOO_LARGE", message: string) {
  return reply.code(status).type("application/json; charset=utf-8").header("connection", "close").send(errorBody(code, message, { data: null }));
}

const isPublic = (req: FastifyRequest) => req.routeOptions.config?.public === true;

export function registerGatewayOnly(app: FastifyInstance, opts: GatewayOnlyOptions): void {
  const verifier = createVerifier({ secret: opts.signingSecret, audience: opts.name, maxSkewMs: opts.maxSkewMs });

  app.addHook("onRequest", async (req, reply) => {
    if (isPublic(req)) return;
    const check = verifier.verifyHeaders(req.raw.method ?? "", req.raw.url ?? "", req.headers);
    if (!check.ok) {
      if (check.code === "SUBGRAPH_REQUEST_UNSIGNED" && opts.acceptUnsigned && !Object.keys(req.headers).some((h) => h.startsWith("x-cg-"))) {
        req.forwardedCaller = SYSTEM_CALLER;
        return;
      }
      req.log.warn({ code: check.code, ip: req.ip, method: req.raw.method, target: req.raw.url?.slice(0, 200) }, "refused a request that did not come from the gateway");
      return refuse(reply, 401, check.code, check.message);
    }
    req.forwardedCaller = check.caller;
    req.signedBodySha256 = check.contentSha256;
  });

  app.addHook("preParsing", async (req, reply, payload) => {
    if (isPublic(req) || req.forwardedCaller === undefined) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      size += (chunk as Buffer).length;
      if (size > opts.bodyLimit) return refuse(reply, 413, "PAYLOAD_TOO_LARGE", `The request body exceeds ${opts.bodyLimit} bytes.`);
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    if (req.signedBodySha256 !== undefined && !verifier.bodyMatches(req.signedBodySha256, body)) {
      req.log.warn({ ip: req.ip }, "refused a request whose body is not the one the gateway signed");
      return refuse(reply, 401, "SUBGRAPH_REQUEST_INVALID_SIGNATURE", "The request body is not the one that was signed.");
    }
    if (body.length && /json/i.test(String(req.headers["content-type"] ?? ""))) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        parsed = undefined; // the JSON parser answers that one
      }
      const bad = firstUncleanText(parsed);
      if (bad !== undefined) return refuse(reply, 400, "BAD_USER_INPUT", `Text must be valid Unicode without NUL characters (at ${bad}).`);
    }
    const stream = Readable.from([body]) as Readable & { receivedEncodedLength?: number };
    stream.receivedEncodedLength = body.length;
    return stream;
  });
}
