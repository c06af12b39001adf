/**
 * Composition for the registry: @apollo/composition (through ../composition.ts, the same code
 * `npm run compose` uses) with each error's subgraph, type and field, and the API schema of a supergraph
 * (what clients see: no join or link machinery), which the change and contract checks compare.
 */
import { Supergraph } from "@apollo/federation-internals";
import type { GraphQLError, GraphQLSchema } from "graphql";
import { composeSources, type SubgraphSource } from "../composition";
import type { CompositionIssue } from "./types";

export type Composed = { ok: true; supergraphSdl: string } | { ok: false; errors: CompositionIssue[] };

const COORDINATE = /"([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?(?:\([^)"]*\))?"/;

function issueOf(e: GraphQLError, names: string[]): CompositionIssue {
  const fromNodes = (e.nodes ?? []).map((n) => (n as { subgraph?: string }).subgraph).filter((s): s is string => typeof s === "string");
  const quoted = [...e.message.matchAll(/"([^"]+)"/g)].map((m) => m[1]).filter((q) => names.includes(q));
  const subgraphs = [...new Set([...fromNodes, ...quoted])];
  const c = COORDINATE.exec(e.message.replace(/subgraphs? "[^"]+"/g, ""));
  const code = e.extensions?.code;
  return {
    message: e.message,
    ...(typeof code === "string" ? { code } : {}),
    subgraphs,
    ...(c ? { type: c[1], ...(c[2] ? { field: c[2] } : {}) } : {}),
  };
}

export function composeDetailed(sources: SubgraphSource[]): Composed {
  const names = sources.map((s) => s.name);
  let result: ReturnType<typeof composeSources>;
  try {
    result = composeSources(sources);
  } catch (e) {
    // The SDL text itself does not parse: name the subgraph whose text fails.
    for (const s of sources) {
      try {
        composeSources([s]);
      } catch (inner) {
        return { ok: false, errors: [{ message: `SDL of ${s.name} is not valid GraphQL: ${(inner as Error).message}`, code: "INVALID_GRAPHQL", subgraphs: [s.name] }] };
      }
    }
    return { ok: false, errors: [{ message: (e as Error).message, subgraphs: [] }] };
  }
  if (result.errors) return { ok: false, errors: result.errors.map((e) => issueOf(e, names)) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

/** Apollo Gateway-compatible text: our governance enforces the SECURITY features, so that marker is dropped. */
export const withoutSecurityPurpose = (sdl: string) => sdl.replace(/(@link\(url: "[^"]+"), for: SECURITY\)/g, "$1)");

const apiCache = new Map<string, GraphQLSchema>();

/** The client-facing API schema of a supergraph (cached for a few supergraphs). */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  const hit = apiCache.get(supergraphSdl);
  if (hit) return hit;
  const schema = Supergraph.build(withoutSecurityPurpose(supergraphSdl)).apiSchema().toGraphQLJSSchema();
  if (apiCache.size >= 8) apiCache.delete(apiCache.keys().next().value as string);
  apiCache.set(supergraphSdl, schema);
  return schema;
}
