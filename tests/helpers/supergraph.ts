/** The composed supergraph's API schema and governance rules, as the gateway reads them. */
import { readFileSync } from "node:fs";
import type { GraphQLSchema } from "graphql";
import { SUPERGRAPH_PATH } from "../../schema/composition";
import { apiSchemaOf } from "../../schema/registry/composition";
import { readGovernance, type SchemaGovernance } from "../../gateway/src/governance/requirements";

export const supergraphSdl = (): string => readFileSync(SUPERGRAPH_PATH, "utf8");

export function apiSchema(sdl = supergraphSdl()): GraphQLSchema {
  return apiSchemaOf(sdl);
}

export function governance(sdl = supergraphSdl()): SchemaGovernance {
  return readGovernance(sdl);
}
