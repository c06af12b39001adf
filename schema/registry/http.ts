/**
 * The registry over HTTP for pipelines: a Fastify plugin with the CLI's operations under /registry, JSON in
 * and out, the same codes and role rules, authenticated with the gateway's identity (`Authorization: Bearer`).
 * Refusals answer `{ ok: false, code, message, detail? }` with the code's HTTP status; unexpected failures
 * are logged and answered INTERNAL_SERVER_ERROR without detail.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Caller } from "../../gateway/src/auth/identity";
import { ERROR_CODES } from "../../gateway/src/errors";
import { publicError, RegistryError } from "./errors";
import { input } from "./inputs";
import type { Registry } from "./registry";
import type { Actor } from "./types";

export interface RegistryRoutesOptions {
  registry: Registry;
  /** The gateway's authenticate (gateway/src/auth/identity.ts): Authorization header → verified caller. */
  authenticate: (authorization: string | undefined) => Promise<Caller>;
}

const publishBody = z.object({ subgraph: z.string(), sdl: z.string(), routingUrl: z.string().optional(), owner: z.string().optional() }).strict();
const diffBody = z.object({ subgraph: z.string(), sdl: z.string() }).strict();
const rollbackBody = z.object({ version: z.number().int() }).strict();
const contractBody = z.object({ include: z.array(z.string()).default([]), exclude: z.array(z.string()).default([]), description: z.string().optional() }).strict();
const operationsBody = z.object({ documents: z.array(z.string()).min(1) }).strict();
const approvalBody = z.object({ subject: z.string(), reason: z.string() }).strict();
const safelistBody = z.object({ enabled: z.boolean() }).strict();
const optionalInt = z.coerce.number().int().min(1).optional();
const query = <T extends z.ZodRawShape>(shape: T) => z.object(shape);

function send(reply: FastifyReply, e: unknown, log: FastifyInstance["log"]) {
  const err = publicError(e);
  if (err.code === "INTERNAL_SERVER_ERROR") log.error({ err: e }, "registry request failed");
  return reply.code(err.status).send({ ok: false, code: err.code, message: err.message, ...(err.detail === undefined ? {} : { detail: err.detail }) });
}

/** Fastify's own request errors, as registered codes. */
function requestError(e: { code?: string; statusCode?: number; message: string }): RegistryError {
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new RegistryError("PAYLOAD_TOO_LARGE", "The request body is too large.");
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new RegistryError("UNSUPPORTED_MEDIA_TYPE", ERROR_CODES.UNSUPPORTED_MEDIA_TYPE.description);
  return new RegistryError("BAD_REQUEST", e.code?.startsWith("FST_ERR_CTP") || e.code === "FST_ERR_VALIDATION" ? `The request body is not valid JSON: ${e.message}` : "The HTTP request is malformed.");
}

export function createRegistryRoutes(opts: RegistryRoutesOptions): FastifyPluginAsync {
  const { registry } = opts;
  return async (app) => {
    app.setErrorHandler((e, _req, reply) => send(reply, (e as { statusCode?: number }).statusCode && (e as { statusCode: number }).statusCode < 500 ? requestError(e as { code?: string; message: string }) : e, app.log));

    /** A route whose handler gets the verified caller; its result is sent with `ok: true`. */
    const route = (method: "GET" | "POST" | "PUT", url: string, handler: (actor: Actor, req: FastifyRequest) => Promise<object>) =>
      app.route({
        method,
        url,
        handler: async (req, reply) => {
          try {
            const caller = await opts.authenticate(req.headers.authorization);
            const actor: Actor = { sub: caller.sub, role: caller.role, org: caller.org };
            const out = (await handler(actor, req)) as Record<string, unknown> & { _status?: number };
            const { _status, ...body } = out;
            return reply.code(_status ?? 200).send({ ok: _status === undefined, ...body });
          } catch (e) {
            return send(reply, e, app.log);
          }
        },
      });
    const body = <T>(schema: z.ZodType<T>, req: FastifyRequest) => input(schema, req.body ?? {}, "body");
    const params = (req: FastifyRequest) => req.params as Record<string, string>;

    route("POST", "/registry/publish", async (actor, req) => {
      const r = await registry.publish(actor, body(publishBody, req));
      return { subgraph: r.report.subgraph, subgraphVersion: r.subgraphVersion, supergraphVersion: r.supergraph.version, changed: r.changed, report: r.report, supergraph: r.supergraph };
    });
    route("POST", "/registry/check", async (actor, req) => {
      const report = await registry.check(actor, body(publishBody, req));
      return report.ok ? { report } : { _status: ERROR_CODES[report.code!].status, code: report.code, message: report.refusals[0].message, report };
    });
    route("POST", "/registry/compose", async (actor) => {
      const r = await registry.compose(actor);
      return { changed: r.changed, supergraphVersion: r.supergraph.version, inputs: r.supergraph.inputs, supergraph: r.supergraph };
    });
    route("GET", "/registry/history", async (actor, req) => {
      const q = input(query({ subgraph: z.string().optional() }), req.query, "query");
      return q.subgraph ? { subgraph: q.subgraph, versions: await registry.subgraphHistory(actor, q.subgraph) } : { versions: await registry.supergraphHistory(actor) };
    });
    route("GET", "/registry/subgraphs", async (actor) => ({ subgraphs: await registry.subgraphs(actor) }));
    route("GET", "/registry/supergraph", async (actor, req) => {
      const q = input(query({ version: optionalInt }), req.query, "query");
      const s = await registry.supergraph(actor, q.version);
      return { supergraph: s };
    });
    route("GET", "/registry/diff", async (actor, req) => {
      const q = input(query({ from: optionalInt, to: optionalInt, subgraph: z.string().optional() }), req.query, "query");
      return registry.diff(actor, q);
    });
    route("POST", "/registry/diff", async (actor, req) => registry.diff(actor, body(diffBody, req)));
    route("POST", "/registry/rollback", async (actor, req) => {
      const r = await registry.rollback(actor, body(rollbackBody, req).version);
      return { supergraphVersion: r.supergraph.version, rollbackOf: r.supergraph.rollbackOf, changes: r.changes, supergraph: r.supergraph };
    });
    route("GET", "/registry/contracts", async (actor) => ({ contracts: await registry.contracts(actor) }));
    route("GET", "/registry/contracts/:name", async (actor, req) => ({ contract: await registry.contract(actor, params(req).name) }));
    route("PUT", "/registry/contracts/:name", async (actor, req) => ({ contract: await registry.setContract(actor, { name: params(req).name, ...body(contractBody, req) }) }));
    route("GET", "/registry/contracts/:name/schema", async (actor, req) => {
      const q = input(query({ version: optionalInt }), req.query, "query");
      const r = await registry.contractSchema(actor, params(req).name, q.version);
      return { contract: r.contract.name, supergraphVersion: r.supergraphVersion, apiSchemaSdl: r.apiSchemaSdl };
    });
    route("POST", "/registry/clients/:client/versions/:version/operations", async (actor, req) => ({
      operations: await registry.registerOperations(actor, params(req).client, params(req).version, body(operationsBody, req).documents),
    }));
    route("GET", "/registry/clients", async (actor) => ({ clients: await registry.clients(actor) }));
    route("GET", "/registry/operations", async (actor, req) => ({ operations: await registry.operations(actor, input(query({ client: z.string().optional(), clientVersion: z.string().optional() }), req.query, "query")) }));
    route("GET", "/registry/approvals", async (actor) => registry.approvals(actor));
    route("POST", "/registry/approvals", async (actor, req) => {
      const b = body(approvalBody, req);
      return { approval: await registry.approve(actor, b.subject, b.reason) };
    });
    route("GET", "/registry/usage", async (actor, req) => {
      const q = input(query({ days: z.coerce.number().positive().optional(), client: z.string().optional() }), req.query, "query");
      return registry.usage(actor, q);
    });
    route("GET", "/registry/safelist", async (actor) => ({ safelists: await registry.safelists(actor) }));
    route("PUT", "/registry/safelist/:client", async (actor, req) => ({ safelist: await registry.setSafelist(actor, params(req).client, body(safelistBody, req).enabled) }));
  };
}
