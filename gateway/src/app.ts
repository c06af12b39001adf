/**
 * Builds the gateway: Apollo Server + Apollo Gateway over the composed supergraph, mounted on Fastify,
 * with governance (identity, field authorization, purpose, masking, access log) around the executor.
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
import { createIdentity } from "./auth/identity";
import { loadPolicy } from "./governance/policy";
import { readRules } from "./governance/requirements";
import { governGateway, type GovernedContext } from "./governance/governed-gateway";
import { openAuditStore, type AuditStore } from "./audit/store";
import { openAuditWriter } from "./audit/writer-client";
import { createArmor } from "./plugins/armor";
import { registerHttpLimits } from "./plugins/http-limits";

export type GatewayContext = GovernedContext;

const DISABLED_AUDIT: AuditStore = {
  kind: "pglite",
  append: () => Promise.reject(new Error("the access log is disabled (GOVERNANCE=off)")),
  query: async () => ({ records: [], hasNext: false, total: 0 }),
  verify: async () => ({ ok: true, count: 0, headHash: "" }),
  close: async () => undefined,
};

export interface BuiltGateway {
  app: FastifyInstance;
  server: ApolloServer<GatewayContext>;
  audit: AuditStore;
}

export interface BuildOptions {
  /** Use this access-log store instead of opening the configured one (tests inject failures). */
  audit?: AuditStore;
}

export async function buildGateway(config: GatewayConfig, options: BuildOptions = {}): Promise<BuiltGateway> {
  const app = Fastify({ logger: { level: config.logLevel, name: "gateway" }, bodyLimit: config.bodyLimit, requestIdHeader: "x-request-id" });
  registerHttpLimits(app, { maxBatch: config.armor.maxBatch });
  const supergraphSdl = readFileSync(config.supergraphPath, "utf8");
  const policy = loadPolicy(config.policyPath);
  // With governance off (benchmarks only) nothing is recorded, so no access-log database is opened.
  // The embedded (PGlite) log runs in its own writer process; PostgreSQL is reached directly.
  const audit = options.audit ?? (!config.governance ? DISABLED_AUDIT : config.audit.databaseUrl ? await openAuditStore(config.audit) : await openAuditWriter(config.audit));
  const authenticate = createIdentity({ ...config.auth, knownRoles: Object.keys(policy.roles) });
  const insights: InsightsContext = {};
  // Apollo Gateway refuses supergraphs whose SECURITY features (@requiresScopes, @policy) it cannot enforce.
  // Ours enforces them (governance/), so the gateway gets the supergraph without that purpose marker.
  const gatewaySdl = supergraphSdl.replace(/(@link\(url: "[^"]+"), for: SECURITY\)/g, "$1)");
  const services = createServiceBuilder(config, insights, policy, () => audit, app.log);
  const gateway = new ApolloGateway({ supergraphSdl: gatewaySdl, buildService: services.build });
  const server = new ApolloServer<GatewayContext>({
    gateway: config.governance ? governGateway(gateway, { rules: readRules(supergraphSdl), policy, mode: config.authzMode, audit }) : gateway,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(app.log),
    ...createArmor(config.armor),
  });
  await server.start();
  // The insights checks run federated queries as the original caller (row scope applies), already authorized.
  insights.execute = (context) => async (query, variables) => {
    const outer = context as GovernedContext;
    const res = await server.executeOperation({ query, variables }, { contextValue: { ...outer, internal: true } });
    if (res.body.kind !== "single") throw new Error("unexpected incremental result");
    const { data, errors } = res.body.singleResult;
    if (errors?.length) throw new Error(`insights query failed: ${errors.map((e) => e.message).join("; ")}`);
    return data as Record<string, unknown>;
  };
  await app.register(fastifyApollo(server), {
    path: "/graphql",
    context: async (req): Promise<GatewayContext> => {
      const purpose = req.headers["x-purpose"];
      if (!config.governance) return { requestId: String(req.id), purpose: null, ungoverned: true };
      return { requestId: String(req.id), caller: await authenticate(req.headers.authorization), purpose: typeof purpose === "string" && purpose ? purpose : null };
    },
  });
  app.get("/health", async () => ({ status: "ok" }));
  // Fastify drains HTTP connections on close; Apollo Server then stops.
  app.addHook("onClose", async () => {
    await server.stop();
    await services.close();
    if (!options.audit) await audit.close();
  });
  return { app, server, audit };
}
