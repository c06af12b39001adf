/**
 * Builds a department's HTTP service: Fastify + mercurius serving the schema built with
 * @apollo/subgraph's buildSubgraphSchema from the department's SDL file. Building is separate from
 * listening so tests can inject requests or listen on an ephemeral port.
 */
import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import mercurius from "mercurius";
import { parse, GraphQLError } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { isRegisteredCode } from "../../gateway/src/errors";
import { verifyRequest, type ForwardedCaller } from "../../gateway/src/trust/signature";
import { LoaderRegistry } from "./loaders";

export interface SubgraphContext<Db> {
  db: Db;
  loaders: LoaderRegistry;
  /** The caller, as signed and forwarded by the gateway (row scope). */
  caller: ForwardedCaller;
}

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: string;
    caller?: ForwardedCaller;
  }
}

export interface SubgraphAppOptions<Db> {
  name: string;
  sdlPath: string;
  resolvers: GraphQLResolverMap<SubgraphContext<Db>>;
  db: Db;
  logLevel?: string;
  /** Called when the app closes (release the database). */
  onClose?: () => Promise<void>;
  /** Secret shared with the gateway; requests without its valid, fresh signature are refused. */
  signingSecret: string;
  signatureMaxSkewMs?: number;
  /** Benchmarks only: unsigned requests act as a district-wide caller. */
  acceptUnsigned?: boolean;
}

const BENCHMARK_CALLER: ForwardedCaller = { sub: "benchmark", role: "benchmark", org: "benchmark", rowScope: "district", area: { grids: [], communities: [], buildings: [] }, purpose: null };

/** Keeps registered codes and their messages; masks everything else (no stack or SQL reaches a client). */
function maskError(err: GraphQLError, log: FastifyInstance["log"]): GraphQLError {
  const original = err.originalError as (Error & { extensions?: Record<string, unknown> }) | undefined;
  const code = err.extensions?.code ?? original?.extensions?.code;
  if (isRegisteredCode(code) || !original) {
    return new GraphQLError(err.message, { path: err.path, extensions: { ...(original?.extensions ?? {}), ...err.extensions, code: code ?? "GRAPHQL_VALIDATION_FAILED" } });
  }
  log.error({ err: original, path: err.path }, "resolver failed");
  return new GraphQLError("Internal server error", { path: err.path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
}

export function loadTypeDefs(sdlPath: string) {
  return parse(readFileSync(sdlPath, "utf8"));
}

export async function buildSubgraphApp<Db>(opts: SubgraphAppOptions<Db>): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: opts.logLevel ?? "info", name: opts.name }, bodyLimit: 1024 * 1024 });
  // Keep the exact body: the gateway's signature covers its bytes.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    req.rawBody = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error("Invalid JSON body"), { statusCode: 400 }), undefined);
    }
  });
  app.addHook("preHandler", async (req, reply) => {
    if (!req.url.startsWith("/graphql")) return;
    const v = verifyRequest(opts.signingSecret, req.headers, req.rawBody ?? "", opts.signatureMaxSkewMs ?? 30_000);
    if (!v.ok && v.code === "SUBGRAPH_REQUEST_UNSIGNED" && opts.acceptUnsigned) {
      req.caller = BENCHMARK_CALLER;
      return;
    }
    if (!v.ok) {
      req.log.warn({ code: v.code, ip: req.ip }, "refused a request that did not come from the gateway");
      return reply.code(401).send({ data: null, errors: [{ message: v.message, extensions: { code: v.code } }] });
    }
    req.caller = v.caller;
  });
  const schema = buildSubgraphSchema([{ typeDefs: loadTypeDefs(opts.sdlPath), resolvers: opts.resolvers }]);
  await app.register(mercurius, {
    schema,
    path: "/graphql",
    graphiql: false,
    context: (req): SubgraphContext<Db> => ({ db: opts.db, loaders: new LoaderRegistry(), caller: req.caller! }),
    errorFormatter: (execution, ctx) => {
      const errors = (execution.errors ?? []).map((e) => maskError(e, app.log));
      // Always 200: the only client is the gateway, which reads GraphQL errors from the body (a 4xx would hide them).
      const status = 200;
      return { statusCode: status, response: { data: execution.data ?? null, errors: errors.map((e) => e.toJSON()) } };
    },
  });
  app.get("/health", async () => ({ status: "ok", subgraph: opts.name }));
  if (opts.acceptUnsigned) app.log.warn("ACCEPT_UNSIGNED=true: requests that did not come through the gateway are served (benchmarks only)");
  if (opts.onClose) app.addHook("onClose", async () => opts.onClose!());
  return app;
}
