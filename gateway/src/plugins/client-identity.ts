/**
 * Client identity: a client names itself with the `apollographql-client-name` and
 * `apollographql-client-version` headers (Apollo's and Hive's convention), or its token names it: a token
 * with a `client_id` claim (RFC 9068; issued by the identity provider to one application) makes that the
 * client's name, and a name header that disagrees with it is refused — so a client in safelist mode cannot
 * leave it by changing a header. The name and version decide safelist mode (plugins/safelist) and label
 * usage records (plugins/usage-reporting). A header that is repeated, too long or not printable is refused
 * with 400 BAD_REQUEST, so every record names a client exactly as it was sent.
 */
import type { FastifyRequest } from "fastify";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

export interface ClientIdentity {
  name: string;
  version: string;
}

declare module "fastify" {
  interface FastifyRequest {
    client?: ClientIdentity;
  }
}

const LABEL = /^[\p{L}\p{N}._@/+:-]{1,100}$/u;
const HEADERS = { name: "apollographql-client-name", version: "apollographql-client-version" } as const;

function read(req: FastifyRequest, header: string): string | null | undefined {
  const v = req.headers[header];
  if (v === undefined || v === "") return "";
  return typeof v === "string" && LABEL.test(v) ? v : null;
}

export function createClientIdentityPlugin(): GatewayPlugin {
  return {
    name: "client-identity",
    http(app) {
      app.addHook("onRequest", async (req, reply) => {
        if (req.routeOptions.config?.public === true || req.routeOptions.url === undefined) return;
        const name = read(req, HEADERS.name);
        const version = read(req, HEADERS.version);
        if (name === null || version === null) {
          return reply.code(400).type(JSON_TYPE).send(errorBody("BAD_REQUEST", `\`${HEADERS.name}\` and \`${HEADERS.version}\` must each be sent once, 1-100 letters, digits or . _ @ / + : -`));
        }
        const claimed = req.caller?.client;
        if (claimed && name && name !== claimed) {
          return reply.code(400).type(JSON_TYPE).send(errorBody("BAD_REQUEST", `\`${HEADERS.name}\` names another client than the token was issued to.`));
        }
        req.client = { name: claimed ?? name ?? "", version: version ?? "" };
      });
    },
  };
}
