/**
 * Identity: every request to the GraphQL endpoint carries a JWT (`Authorization: Bearer …`, ../auth/identity.ts),
 * verified when the request arrives — before its body is read — so an unauthenticated request gets 401
 * (UNAUTHENTICATED, INVALID_TOKEN or TOKEN_EXPIRED) and nothing else runs. Routes declared
 * `config: { public: true }` (`/health`) are exempt.
 */
import type { GraphQLError } from "graphql";
import type { Authenticate, Caller } from "../auth/identity";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

declare module "fastify" {
  interface FastifyRequest {
    caller?: Caller;
  }
  interface FastifyContextConfig {
    /** Served without a token (health checks only). */
    public?: boolean;
  }
}

export function createIdentityPlugin(opts: { authenticate: Authenticate }): GatewayPlugin {
  return {
    name: "identity",
    http(app) {
      app.addHook("onRequest", async (req, reply) => {
        if (req.routeOptions.config?.public === true || req.routeOptions.url === undefined) return;
        try {
          req.caller = await opts.authenticate(typeof req.headers.authorization === "string" ? req.headers.authorization : undefined);
        } catch (e) {
          const err = e as GraphQLError;
          const code = err.extensions?.code ?? "INVALID_TOKEN";
          return reply
            .code(401)
            .type(JSON_TYPE)
            .header("www-authenticate", 'Bearer realm="citizen-graph"')
            .header("connection", "close")
            .send(errorBody(String(code), err.message));
        }
      });
    },
  };
}
