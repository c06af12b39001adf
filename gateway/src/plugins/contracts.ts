/**
 * Contract endpoints: each contract of the registry (a `@tag` filter: `property-company`, `public-portal`,
 * `npm run schema -- contracts`) is served at `/contracts/<name>/graphql`. Its operations are validated
 * against the contract's API schema — a field outside the contract is 400 GRAPHQL_VALIDATION_FAILED as if
 * it did not exist — and its introspection (where introspection is on) shows only the contract's schema.
 * Execution still uses the full supergraph, so every governance rule (scopes, purpose, masks, the access
 * record) applies as on `/graphql`. An unknown contract name is 404 UNKNOWN_CONTRACT. Contract schemas are
 * rebuilt when the registry's supergraph version changes.
 */
import { buildSchema, execute, Kind, specifiedRules, validate, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { Registry } from "../../../schema/registry/registry";
import { apiError } from "../errors";
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

export const CONTRACT_ROUTE = "/contracts/:name/graphql";

export interface ContractContext {
  contract?: string;
}

/** The contracts' API schemas for the registry's current supergraph, rebuilt when its version changes. */
export function createContractSchemas(registry: Pick<Registry, "contractSchemas" | "currentSupergraph">, currentVersion: () => number | null) {
  let cached: { version: number | null; schemas: Promise<Map<string, GraphQLSchema>> } | undefined;
  const load = async () => new Map((await registry.contractSchemas()).map((c) => [c.name, buildSchema(c.apiSchemaSdl)] as const));
  return {
    get(): Promise<Map<string, GraphQLSchema>> {
      const version = currentVersion();
      if (!cached || cached.version !== version) {
        const schemas = load();
        cached = { version, schemas };
        schemas.catch(() => (cached = undefined));
      }
      return cached.schemas;
    },
  };
}

const isIntrospection = (op: OperationDefinitionNode) => op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith("__"));

export function createContractsPlugin(opts: { schemas: () => Promise<Map<string, GraphQLSchema>> }): GatewayPlugin {
  const schemaOf = async (name: string): Promise<GraphQLSchema | undefined> => {
    try {
      return (await opts.schemas()).get(name);
    } catch {
      throw apiError("REGISTRY_UNAVAILABLE", "The schema registry could not be reached for the contract's schema.", { http: { status: 503 } });
    }
  };
  return {
    name: "contracts",
    http(app) {
      app.addHook("preHandler", async (req, reply) => {
        if (req.routeOptions.url !== CONTRACT_ROUTE) return;
        const name = (req.params as { name?: string }).name ?? "";
        let known: boolean;
        try {
          known = (await opts.schemas()).has(name);
        } catch {
          return reply.code(503).type(JSON_TYPE).send(errorBody("REGISTRY_UNAVAILABLE", "The schema registry could not be reached for the contract's schema."));
        }
        if (!known) return reply.code(404).type(JSON_TYPE).send(errorBody("UNKNOWN_CONTRACT", "No contract of that name is served: see `npm run schema -- contracts`."));
      });
    },
    apollo: {
      async requestDidStart(rc) {
        const contract = (rc.contextValue as ContractContext).contract;
        if (!contract) return;
        return {
          async didResolveOperation(ctx) {
            const schema = await schemaOf(contract);
            if (!schema) throw apiError("UNKNOWN_CONTRACT", "No contract of that name is served.", { http: { status: 404 } });
            const errors = validate(schema, ctx.document, specifiedRules);
            if (errors.length) throw apiError("GRAPHQL_VALIDATION_FAILED", `${errors[0].message} (contract ${contract})`, { http: { status: 400 } });
          },
          async responseForOperation(ctx) {
            // Introspection on a contract endpoint describes the contract, not the full graph.
            if (!ctx.operation || !isIntrospection(ctx.operation)) return null;
            const schema = await schemaOf(contract);
            if (!schema) return null;
            const result = await execute({ schema, document: ctx.document, operationName: ctx.operation.name?.value, variableValues: ctx.request.variables });
            return { http: ctx.response.http, body: { kind: "single", singleResult: { data: result.data as Record<string, unknown> | null | undefined, errors: result.errors } } };
          },
        };
      },
    },
  };
}
