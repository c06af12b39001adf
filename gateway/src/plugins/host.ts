/**
 * Host header: every request must name a well-formed host (a DNS name, IPv4 address or bracketed IPv6
 * address, with an optional port). A missing, empty or malformed one is refused with 400 BAD_REQUEST before
 * anything else runs (Apollo's integration builds a URL from it and would otherwise fail with a 500).
 */
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export function isValidHost(host: unknown): boolean {
  return typeof host === "string" && host.length <= 260 && HOST.test(host);
}

export function createHostPlugin(): GatewayPlugin {
  return {
    name: "host",
    http(app) {
      app.addHook("onRequest", async (req, reply) => {
        if (isValidHost(req.headers.host)) return;
        return reply.code(400).type(JSON_TYPE).header("connection", "close").send(errorBody("BAD_REQUEST", "The request must carry a valid Host header."));
      });
    },
  };
}
