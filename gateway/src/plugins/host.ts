/**
 * Host header: every request must name a well-formed host (a DNS name, IPv4 address or bracketed IPv6
 * address, with an optional port). A missing, empty or malformed one is refused with 400 BAD_REQUEST before
 * anything else runs (Apollo's integration builds a URL from it and would otherwise fail with a 500).
 */
import { isIP } from "node:net";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const HOST = /^(?<name>[^:[\]]+|\[(?<v6>[^\]]*)\])(?::(?<port>\d{1,5}))?$/;

/** A DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port (0–65535). */
export function isValidHost(host: unknown): boolean {
  if (typeof host !== "string" || host.length === 0 || host.length > 260) return false;
  const m = HOST.exec(host);
  if (!m?.groups) return false;
  const { name, v6, port } = m.groups;
  if (port !== undefined && Number(port) > 65535) return false;
  if (v6 !== undefined ? isIP(v6) !== 6 || v6.includes("%") : /^[\d.]+$/.test(name) ? isIP(name) !== 4 : !NAME.test(name)) return false;
  // What Apollo's integration does with it next: it must make a URL.
  try {
    new URL(`http://${host}/`);
    return true;
  } catch {
    return false;
  }
}

export function createHostPlugin(): GatewayPlugin {
  return {
    name: "host",
    http(app) {
      app.addHook("onRequest", async (req, reply) => {
        // Exactly one Host header (a second one is ambiguous: refused, like a missing one).
        const hosts = req.raw.rawHeaders.filter((_, i) => i % 2 === 0 && req.raw.rawHeaders[i].toLowerCase() === "host").length;
        if (hosts === 1 && isValidHost(req.headers.host)) return;
        return reply.code(400).type(JSON_TYPE).header("connection", "close").send(errorBody("BAD_REQUEST", "The request must carry a valid Host header."));
      });
    },
  };
}
