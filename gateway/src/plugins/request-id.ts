/**
 * Request ids: the gateway gives every request its own id (a UUID; Fastify's `genReqId`), used in its logs,
 * in the access record and sent back in the `x-request-id` response header. An `x-request-id` the client
 * sends is never taken as the gateway's id: a well-formed one (printable ASCII, at most 128 characters) is
 * kept beside it as the client's label (`clientRequestId` in the access record); anything else is ignored.
 */
import type { FastifyRequest } from "fastify";
import type { GatewayPlugin } from "./types";

const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

/** The client's own request id, if it sent a well-formed one. */
export function clientRequestId(req: FastifyRequest): string | undefined {
  const v = req.headers["x-request-id"];
  return typeof v === "string" && CLIENT_ID.test(v) ? v : undefined;
}

export function createRequestIdPlugin(): GatewayPlugin {
  return {
    name: "request-id",
    http(app) {
      app.addHook("onRequest", async (req, reply) => {
        reply.header("x-request-id", String(req.id));
      });
    },
  };
}
