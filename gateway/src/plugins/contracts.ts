/**
 * Contract endpoints: each contract of the registry (a `@tag` filter: `property-company`, `public-portal`,
 * `npm run schema -- contracts`) is served at `/contracts/<name>/graphql`. Its operations are validated
 * against the contract's API schema — a field outside the contract is 400 GRAPHQL_VALIDATION_FAILED as if
 * it did not exist — and its introspection (where introspection is on) shows only the contract's schema.
 * Execution still uses the full supergraph, so every governance rule (scopes, purpose, masks, the access
 * record) applies as on `/graphql`. An unknown contract name is 404 UNKNOWN_CONTRACT. Contract schemas are
 * rebuilt when the registry's supergraph version changes.
 */
import { BREAK, buildSchema, execute, Kind, specifiedRules, validate, visit, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
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

/** The operation's root fields, through inline fragments and fragment spreads at the root. */
function rootFields(doc: DocumentNode, op: OperationDefinitionNode): FieldNode[] {
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const out: FieldNode[] = [];
  const walk = (set: SelectionSetNode, seen: Set<string>) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet, seen);
      else if (!seen.has(s.name.value) && fragments.has(s.name.value)) walk(fragments.get(s.name.value)!.selectionSet, new Set([...seen, s.name.value]));
    }
  };
  walk(op.selectionSet, new Set());
  return out;
}

/** Whether the document asks for the schema anywhere (`__schema`, `__type`), however it is nested. */
function asksForSchema(doc: DocumentNode): boolean {
  let found = false;
  visit(doc, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") {
        found = true;
        return BREAK;
      }
    },
  });
  return found;
}

/** Validation messages on a contract endpoint name nothing outside it: no "Did you mean" suggestions. */
const withoutSuggestions = (message: string) => message.replace(/\s*Did you mean [^?]*\?/g, "");

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
        let introspection = false;
        return {
          async didResolveOperation(ctx) {
            const schema = await schemaOf(contract);
            if (!schema) throw apiError("UNKNOWN_CONTRACT", "No contract of that name is served.", { http: { status: 404 } });
            const errors = validate(schema, ctx.document, specifiedRules);
            // The same message as for a field that does not exist at all: nothing tells what lies outside.
            if (errors.length) throw apiError("GRAPHQL_VALIDATION_FAILED", withoutSuggestions(errors[0].message), { http: { status: 400 } });
            if (asksForSchema(ctx.document) && ctx.operation) {
              // Introspection describes the contract, so it is answered from the contract's schema alone.
              if (!rootFields(ctx.document, ctx.operation).every((f) => f.name.value.startsWith("__"))) {
                throw apiError("GRAPHQL_VALIDATION_FAILED", "On a contract endpoint, introspection (__schema, __type) cannot be mixed with data fields: send it as an operation of its own.", { http: { status: 400 } });
              }
              introspection = true;
            }
          },
          async willSendResponse(ctx) {
            const body = ctx.response.body;
            if (body.kind !== "single" || !body.singleResult.errors) return;
            body.singleResult.errors = body.singleResult.errors.map((e) => (e.extensions?.code === "GRAPHQL_VALIDATION_FAILED" ? { ...e, message: withoutSuggestions(e.message) } : e));
          },
          async responseForOperation(ctx) {
            if (!introspection || !ctx.operation) return null;
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
