/**
 * Builds the gateway: Apollo Server + Apollo Gateway over the composed supergraph, mounted on Fastify.
 * Building is separate from listening (main.ts), so tests can run it on an ephemeral port.
 */
import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import { ApolloServer } from "@apollo/server";
import { ApolloGateway } from "@apollo/gateway";
import fastifyApollo from "@as-integrations/fastify";
import type { GatewayConfig } from "./config";
import { createServiceBuilder } from "./data-sources";
import { createErrorFormatter } from "./plugins/error-masking";
import type { InsightsContext } from "./insights/service";

export interface GatewayContext {
  requestId: string;
}

export interface BuiltGateway {
  app: FastifyInstance;
  server: ApolloServer<GatewayContext>;
}

export async function buildGateway(config: GatewayConfig): Promise<BuiltGateway> {
  const app = Fastify({ logger: { level: config.logLevel, name: "gateway" }, bodyLimit: config.bodyLimit, requestIdHeader: "x-request-id" });
  const insights: InsightsContext = {};
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath, "utf8"),
    buildService: createServiceBuilder(config, insights),
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(app.log),
  });
  await server.start();
  insights.execute = async (query, variables) => {
    const res = await server.executeOperation({ query, variables }, { contextValue: { requestId: "insights" } });
    if (res.body.kind !== "single") throw new Error("unexpected incremental result");
    const { data, errors } = res.body.singleResult;
    if (errors?.length) throw new Error(`insights query failed: ${errors.map((e) => e.message).join("; ")}`);
    return data as Record<string, unknown>;
  };
  await app.register(fastifyApollo(server), { path: "/graphql", context: async (req) => ({ requestId: String(req.id) }) });
  app.get("/health", async () => ({ status: "ok" }));
  // Fastify drains HTTP connections on close; Apollo Server then stops (no drain plugin: it would close
  // Fastify again from inside its own onClose).
  app.addHook("onClose", async () => {
    await server.stop();
  });
  return { app, server };
}
